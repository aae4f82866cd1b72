// Text vector files (docs/vector-files.md): a hand-written set parsed and replayed with
// hand-computed values; exported random and model layers replayed with no mismatch; every
// malformed file named with its line; a corrupted output, psum or device value reported at its
// place, with the verdict telling inconsistent files from a wrong device.
#include <fmt/format.h>
#include <sys/stat.h>

#include <accel/functional_device.hpp>
#include <accel/random_layer.hpp>
#include <accel/vector_files.hpp>
#include <accel/vectors.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace accel;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using test_support::TempDir;

namespace {

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  f << text;
}

std::vector<std::string> read_lines(const fs::path& p) {
  std::ifstream f(p);
  std::vector<std::string> v;
  for (std::string l; std::getline(f, l);) v.push_back(l);
  return v;
}

void write_lines(const fs::path& p, const std::vector<std::string>& lines) {
  std::string t;
  for (const auto& l : lines) t += l + "\n";
  write_text(p, t);
}

// Replaces lane `lane` (of `lanes`, `bits` wide, lane lanes-1 first) of 1-based line `line`.
void set_lane(const fs::path& p, int line, unsigned lane, unsigned lanes, unsigned bits, int64_t value) {
  auto lines = read_lines(p);
  std::string& l = lines.at(size_t(line - 1));
  REQUIRE(l.size() == size_t(lanes) * bits);
  for (unsigned b = 0; b < bits; ++b)
    l[size_t(lanes - 1 - lane) * bits + b] = ((uint64_t(value) >> (bits - 1 - b)) & 1u) ? '1' : '0';
  write_lines(p, lines);
}

// The message of the VectorFileError thrown by f (fails the test if none is thrown).
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const VectorFileError& e) {
    return e.what();
  }
  FAIL("no VectorFileError thrown");
  return {};
}

const std::string kHeader = "#a\n#b\n#c\n";
const std::string Z4 = "0000", Z16 = "0000000000000000";

// Wraps a device and adds `delta` to lane `lane` of its `which`-th out row.
class OutCorruptingDevice final : public Device {
 public:
  OutCorruptingDevice(Device& inner, int which, unsigned lane, int64_t delta)
      : inner_(inner), which_(which), lane_(lane), delta_(delta), row_(inner.config().cols) {}
  const CoreConfig& config() const override { return inner_.config(); }
  std::string_view name() const override { return "corrupting"; }
  void reset() override {
    inner_.reset();
    seen_ = 0;
  }
  StepResult step(const Instr& in, DataSpan data) override {
    StepResult r = inner_.step(in, data);
    if (r.out && seen_++ == which_) {
      std::copy(r.out, r.out + row_.size(), row_.begin());
      row_[lane_] += delta_;
      r.out = row_.data();
    }
    return r;
  }
  Counters counters() const override { return inner_.counters(); }

 private:
  Device& inner_;
  int which_;
  unsigned lane_;
  int64_t delta_;
  std::vector<int64_t> row_;
  int seen_ = 0;
};

}  // namespace

TEST_CASE("vector files: a hand-written set parses to the values written and replays", "[vectors][io]") {
  TempDir t;
  // ece284: 8 rows x 4-bit activations / weights, 8 columns x 16-bit psums. A 2x2 padded input,
  // one kernel position (the notebook's names weight_<N>.txt, psum.txt, out.txt), spaces allowed.
  write_text(t.path / "activation.txt", kHeader +
                                            "1111 0000 0000 0000 0000 0000 0000 0001\n"  // row7 15, row0 1
                                            "0000 0000 0000 0000 0000 0000 0000 0010\n"  // row0 2
                                            "0000 0000 0000 0000 0000 0000 0011 0000\n"  // row1 3
                                            "0000 0000 0000 0000 0000 0000 0000 0000\n");
  std::string w = kHeader;
  w += "1111 0000 0000 0000 0000 0000 0000 0001\n";  // col0: row7 -1, row0 1
  w += "0001 0000 0000 0000 0000 0000 0000 0000\n";  // col1: row7 1
  w += "0000 0000 0000 0000 0000 0000 1000 0000\n";  // col2: row1 -8
  for (int c = 3; c < 8; ++c) w += "00000000000000000000000000000000\n";
  write_text(t.path / "weight_0.txt", w);
  // psum[nij][col] = sum_r a[nij][r] * w[col][r], by hand:
  //   nij0: col0 15*-1 + 1*1 = -14, col1 15; nij1: col0 2; nij2: col2 3*-8 = -24; nij3: 0.
  const std::string z5 = Z16 + " " + Z16 + " " + Z16 + " " + Z16 + " " + Z16 + " ";              // col7..col3
  write_text(t.path / "psum.txt", kHeader + z5 + Z16 + " 0000000000001111 1111111111110010\n" +  // -14 = 0xfff2
                                      z5 + Z16 + " " + Z16 + " 0000000000000010\n" + z5 + "1111111111101000 " + Z16 +
                                      " " + Z16 + "\n" +  // -24 = 0xffe8
                                      z5 + Z16 + " " + Z16 + " " + Z16 + "\n");
  // Output = ReLU of the only kernel position: nij0 col1 15, nij1 col0 2, the rest 0.
  write_text(t.path / "out.txt", kHeader + z5 + Z16 + " 0000000000001111 " + Z16 + "\n" + z5 + Z16 + " " + Z16 +
                                     " 0000000000000010\n" + z5 + Z16 + " " + Z16 + " " + Z16 + "\n" + z5 + Z16 + " " +
                                     Z16 + " " + Z16 + "\n");

  const ConvVectors v = load_vectors(t.path, configs::ece284);
  CHECK(v.padded_height == 2);
  CHECK(v.padded_width == 2);
  CHECK(v.kernel == 1);
  CHECK(v.out_height == 2);
  CHECK(v.out_width == 2);
  CHECK(v.files.weights.at(0).filename() == "weight_0.txt");
  CHECK(v.activation.at(0, 7) == 15);  // "1111" unsigned
  CHECK(v.activation.at(0, 0) == 1);
  CHECK(v.activation.at(0, 1) == 0);
  CHECK(v.activation.at(1, 0) == 2);
  CHECK(v.activation.at(2, 1) == 3);
  CHECK(v.weights.at(0).at(0, 7) == -1);  // "1111" two's complement
  CHECK(v.weights.at(0).at(0, 0) == 1);
  CHECK(v.weights.at(0).at(1, 7) == 1);
  CHECK(v.weights.at(0).at(2, 1) == -8);
  CHECK(v.weights.at(0).at(7, 3) == 0);
  REQUIRE(v.psums.size() == 1);
  CHECK(v.psums[0].at(0, 0) == -14);
  CHECK(v.psums[0].at(0, 1) == 15);
  CHECK(v.psums[0].at(2, 2) == -24);
  CHECK(v.output.at(0, 1) == 15);
  CHECK(v.output.at(1, 0) == 2);
  CHECK(v.output.at(2, 2) == 0);
  CHECK(v.psums[0].header[0] == "#a");
  const auto oihw = v.weight_oihw();
  CHECK(oihw[0 * 8 + 7] == -1);  // [o 0][c 7]
  CHECK(oihw[2 * 8 + 1] == -8);  // [o 2][c 1]

  FunctionalDevice dev(configs::ece284);
  const ReplayResult r = replay_vectors(t.path, dev);
  INFO(format_replay(r));
  CHECK(r.passed());
  CHECK(r.verdict() == "pass");
  CHECK(r.psum_rows_compared == 4);
  CHECK(r.psum_rows_matched == 4);
  CHECK(r.output_rows_compared == 4);
  CHECK(r.output_rows_matched == 4);
  CHECK(r.golden_psum_lines_checked == 4);
  CHECK(r.golden_output_lines_matched == 4);
}

TEST_CASE("vector files: lines are written lane Lanes-1 first, MSB first", "[vectors][io]") {
  const std::vector<int64_t> a{1, 0, 0, 0, 0, 0, 0, 15};
  CHECK(format_vector_line(a, activation_format(configs::ece284)) == "11110000000000000000000000000001");
  const std::vector<int64_t> w{-8, 0, 0, 0, 0, 0, 0, -1};
  CHECK(format_vector_line(w, weight_format(configs::ece284)) == "11110000000000000000000000001000");
  const std::vector<int64_t> bad{16, 0, 0, 0, 0, 0, 0, 0};
  CHECK_THROWS_AS(format_vector_line(bad, activation_format(configs::ece284)), std::invalid_argument);
}

TEST_CASE("vector files: every documented name is found, and explicit files win", "[vectors][io]") {
  TempDir t;
  export_random_vectors(t.path, configs::ece284);
  FunctionalDevice dev(configs::ece284);
  SECTION("tile-qualified, short and upper-case names") {
    fs::rename(t.path / "activation.txt", t.path / "Activation_Tile0.TXT");
    for (int k = 0; k < 9; ++k) {
      const char* wname = k < 3 ? "weight_itile0_otile0_kij{}.txt" : k < 6 ? "WEIGHT_K{}.txt" : "weight_{}.txt";
      fs::rename(t.path / fmt::format("weight_kij{}.txt", k), t.path / fmt::format(fmt::runtime(wname), k));
      fs::rename(t.path / fmt::format("psum_kij{}.txt", k), t.path / fmt::format("psum_{}.txt", k));
    }
    fs::rename(t.path / "output.txt", t.path / "out.txt");
    const VectorFileSet f = find_vector_files(t.path);
    CHECK(f.activation.filename() == "Activation_Tile0.TXT");
    REQUIRE(f.weights.size() == 9);
    CHECK(f.weights[1].filename() == "weight_itile0_otile0_kij1.txt");
    CHECK(f.weights[4].filename() == "WEIGHT_K4.txt");
    CHECK(f.weights[8].filename() == "weight_8.txt");
    REQUIRE(f.psums.size() == 9);
    CHECK(f.psums[2].filename() == "psum_2.txt");
    CHECK(f.output.filename() == "out.txt");
    CHECK(replay_vectors(t.path, dev).passed());
  }
  SECTION("explicit files in another directory, no psums") {
    TempDir other;
    fs::rename(t.path / "output.txt", other.path / "expected.txt");
    for (int k = 0; k < 9; ++k) fs::remove(t.path / fmt::format("psum_kij{}.txt", k));
    ReplayOptions o;
    o.files.output = other.path / "expected.txt";
    const ReplayResult r = replay_vectors(t.path, dev, o);
    CHECK(r.passed());
    CHECK_FALSE(r.has_psums);
    CHECK(r.psum_rows_compared == 0);
    CHECK(r.output_rows_matched == 36);
    CHECK(r.device_golden_values_checked == (9 * 36 + 36) * 8);  // psums still checked against golden
  }
}

TEST_CASE("vectors: an exported random layer replays on the functional device with no mismatch", "[vectors][random]") {
  TempDir t;
  FunctionalDevice dev(configs::ece284);
  SECTION("the notebook tile: 8 to 8 channels, 6x6 input, kernel 3, padding 1") {
    const ExportResult e = export_random_vectors(t.path, configs::ece284);
    CHECK(e.padded_height == 8);
    CHECK(e.out_height == 6);
    CHECK(e.files.size() == 1 + 9 + 9 + 1);
    const ReplayResult r = replay_vectors(t.path, dev);
    INFO(format_replay(r));
    CHECK(r.passed());
    CHECK(r.psum_lines_in_files == 9 * 64);
    CHECK(r.psum_rows_compared == 9 * 36);  // the positions the 36 outputs need
    CHECK(r.psum_rows_matched == 9 * 36);
    CHECK(r.output_rows_compared == 36);
    CHECK(r.output_rows_matched == 36);
    CHECK(r.output_values_matched == 36 * 8);
    CHECK(r.golden_psum_lines_checked == 9 * 64);
    CHECK(r.golden_psum_lines_matched == 9 * 64);
    CHECK(r.device_golden_values_checked == (9 * 36 + 36) * 8);
    CHECK(r.device_golden_mismatches == 0);
    CHECK(r.slots > 0);
  }
  SECTION("edge tiles, stride 2, one psum.txt, a non-square input") {
    RandomVectorSpec spec;
    spec.seed = 7;
    spec.conv.in_channels = 12;   // tile 1: channels 8..11, rows 4..7 zero
    spec.conv.out_channels = 10;  // tile 1: outputs 8..9, columns 2..7 zero
    spec.conv.stride = 2;
    spec.conv.height = 7;
    spec.conv.width = 9;
    ExportOptions o;
    o.in_tile = 1;
    o.out_tile = 1;
    o.combined_psum = true;
    const ExportResult e = export_random_vectors(t.path, configs::ece284, spec, o);
    CHECK(e.c0 == 8);
    CHECK(e.c1 == 12);
    CHECK(e.o0 == 8);
    CHECK(e.o1 == 10);
    CHECK(e.padded_height == 9);
    CHECK(e.padded_width == 11);
    CHECK(e.out_height == 4);
    CHECK(e.out_width == 5);
    ReplayOptions ro;
    ro.shape.padded_width = 11;
    ro.shape.stride = 2;
    const ReplayResult r = replay_vectors(t.path, dev, ro);
    INFO(format_replay(r));
    CHECK(r.passed());
    CHECK(r.psum_rows_compared == 9 * 20);
    CHECK(r.output_rows_matched == 20);
    CHECK(r.golden_psum_lines_matched == 9 * 99);
  }
  SECTION("a model layer through golden's network: conv2 of an MNIST-shaped model on int8") {
    std::mt19937 rng(5);
    const golden::Model m = random_mnist_model(golden::kInt8, rng);
    std::vector<uint8_t> px(784);
    std::uniform_int_distribution<int> d(0, 255);
    for (auto& p : px) p = uint8_t(d(rng));
    ExportOptions o;
    o.in_tile = 2;
    o.out_tile = 3;
    const ExportResult e = export_model_vectors(t.path, configs::int8, m, "conv2", px, o);
    CHECK(e.c0 == 16);
    CHECK(e.o0 == 24);
    CHECK(e.stride == 2);
    FunctionalDevice d8(configs::int8);
    ReplayOptions ro;
    ro.shape.stride = 2;
    const ReplayResult r = replay_vectors(t.path, d8, ro);
    INFO(format_replay(r));
    CHECK(r.passed());
    CHECK(r.output_rows_compared == uint64_t(e.out_height) * e.out_width);
    CHECK(r.psum_rows_compared == 9 * r.output_rows_compared);
  }
}

TEST_CASE("vector files: each malformed file is named with its line", "[vectors][io][bad_input]") {
  TempDir t;
  export_random_vectors(t.path, configs::ece284);
  const fs::path act = t.path / "activation.txt", out = t.path / "output.txt";
  auto load = [&] { load_vectors(t.path, configs::ece284); };

  SECTION("missing activation file") {
    fs::remove(act);
    CHECK(error_of(load) ==
          (t.path / "activation*.txt").string() + ":0: missing file: no activation file (activation*.txt)");
  }
  SECTION("an explicitly given file that does not exist") {
    VectorFileSet given;
    given.activation = t.path / "nope.txt";
    CHECK(error_of([&] { load_vectors(t.path, configs::ece284, given); }) ==
          (t.path / "nope.txt").string() + ":0: missing file");
  }
  SECTION("wrong digit count") {
    auto lines = read_lines(act);
    lines.at(4).pop_back();  // line 5
    write_lines(act, lines);
    CHECK(error_of(load) == act.string() + ":5: expected 32 binary digits (8 x 4 bits), found 31");
  }
  SECTION("non-binary character") {
    auto lines = read_lines(act);
    lines.at(5)[6] = '2';  // line 6, column 7
    write_lines(act, lines);
    CHECK(error_of(load) == act.string() + ":6: non-binary character '2' at column 7");
  }
  SECTION("wrong line count in the output") {
    auto lines = read_lines(out);
    lines.pop_back();
    write_lines(out, lines);
    CHECK(error_of(load) ==
          out.string() + ":39: expected 36 output lines (6x6 output positions) after the 3 header lines, found 35");
  }
  SECTION("one weight line too many") {
    const fs::path w = t.path / "weight_kij2.txt";
    auto lines = read_lines(w);
    lines.push_back(lines.back());
    write_lines(w, lines);
    CHECK(error_of(load) ==
          w.string() + ":12: expected 8 weight lines (one per column) after the 3 header lines, found 9");
  }
  SECTION("header missing") {
    const fs::path w = t.path / "weight_kij4.txt";
    auto lines = read_lines(w);
    lines.erase(lines.begin());
    write_lines(w, lines);
    CHECK(error_of(load) == w.string() + ":3: expected 3 header lines starting with '#'");
  }
  SECTION("gap in the kij numbering") {
    fs::remove(t.path / "weight_kij3.txt");
    CHECK(error_of(load) == (t.path / "weight_kij3.txt").string() +
                                ":0: missing file: weight files must number the kernel positions 0..8 without gaps, "
                                "kij 3 is missing");
  }
  SECTION("a non-square number of weight files") {
    fs::remove(t.path / "weight_kij8.txt");
    fs::remove(t.path / "psum_kij8.txt");
    CHECK(error_of(load) ==
          (t.path / "weight*.txt").string() + ":0: 8 weight files is not a perfect square number of kernel positions");
  }
  SECTION("a non-square activation count") {
    auto lines = read_lines(act);
    lines.pop_back();
    write_lines(act, lines);
    CHECK(error_of(load) == act.string() +
                                ":0: 63 activation lines is not a perfect square (a square padded input; otherwise "
                                "give the padded width)");
  }
  SECTION("two activation files") {
    fs::copy_file(act, t.path / "Activation_tile1.txt");
    CHECK(error_of(load) == (t.path / "activation*.txt").string() +
                                ":0: 2 candidates for the activation file: Activation_tile1.txt, activation.txt "
                                "(give the file explicitly)");
  }
  SECTION("per-kij and combined psum files together") {
    write_text(t.path / "psum.txt", kHeader);
    CHECK_THAT(error_of(load),
               StartsWith((t.path / "psum*.txt").string() + ":0: both per-kij and combined psum files"));
  }
  SECTION("a psum line of the wrong width") {
    const fs::path p = t.path / "psum_kij6.txt";
    auto lines = read_lines(p);
    lines.at(10) += "0";
    write_lines(p, lines);
    CHECK(error_of(load) == p.string() + ":11: expected 128 binary digits (8 x 16 bits), found 129");
  }
  SECTION("an empty file") {
    write_text(out, "");
    CHECK(error_of(load) ==
          out.string() + ":1: expected 3 header lines starting with '#', the file ends after 0 lines");
  }
  SECTION("the exception carries file and line") {
    auto lines = read_lines(act);
    lines.at(8)[0] = 'x';
    write_lines(act, lines);
    try {
      load();
      FAIL("no error");
    } catch (const VectorFileError& e) {
      CHECK(e.file() == act);
      CHECK(e.line() == 9);
      CHECK(e.problem() == "non-binary character 'x' at column 1");
    }
  }
}

TEST_CASE("vectors: a corrupted file or device value is reported at its place", "[vectors]") {
  TempDir t;
  export_random_vectors(t.path, configs::ece284);
  FunctionalDevice dev(configs::ece284);
  const ReplayResult good = replay_vectors(t.path, dev);
  REQUIRE(good.passed());

  SECTION("an output line: the files disagree with each other") {
    // Output position 13 (y 2, x 1) is file line 17; column 5.
    const fs::path out = t.path / "output.txt";
    const ConvVectors v = load_vectors(t.path, configs::ece284);
    const int64_t was = v.output.at(13, 5);
    set_lane(out, 17, 5, 8, 16, was + 3);
    const ReplayResult r = replay_vectors(t.path, dev);
    INFO(format_replay(r));
    CHECK_FALSE(r.passed());
    CHECK(r.output_rows_compared == 36);
    CHECK(r.output_rows_matched == 35);
    CHECK(r.psum_rows_matched == r.psum_rows_compared);
    REQUIRE(r.device_mismatches.size() == 1);
    const VectorMismatch& m = r.device_mismatches[0];
    CHECK(m.kind == VectorMismatch::Kind::Output);
    CHECK(m.file == out);
    CHECK(m.line == 17);
    CHECK(m.nij == 13);
    CHECK(m.y == 2);
    CHECK(m.x == 1);
    CHECK(m.column == 5);
    CHECK(m.actual == was);
    CHECK(m.file_value == was + 3);
    CHECK(format_mismatch(m) ==
          fmt::format("{}:17: output 13 (y 2, x 1) column 5: device {}, file {}", out.string(), was, was + 3));
    REQUIRE(r.file_mismatches.size() == 1);
    CHECK(r.file_mismatches[0].check == VectorMismatch::Check::FileVsGolden);
    CHECK(r.file_mismatches[0].line == 17);
    CHECK(r.file_mismatches[0].column == 5);
    CHECK(r.golden_output_lines_matched == 35);
    CHECK(r.device_agrees_with_golden());
    CHECK_THAT(r.verdict(), StartsWith("the files disagree with each other"));
    CHECK_THAT(r.verdict(), Contains("the device agrees with golden"));
  }
  SECTION("a psum line the device streams") {
    // kij 4 (ky 1, kx 1) at nij 9 (iy 1, ix 1): used by output (0, 0). Per-kij file line 13.
    const fs::path p = t.path / "psum_kij4.txt";
    set_lane(p, 13, 2, 8, 16, 1234);
    const ReplayResult r = replay_vectors(t.path, dev);
    INFO(format_replay(r));
    CHECK(r.psum_rows_matched == r.psum_rows_compared - 1);
    REQUIRE(r.device_mismatches.size() == 1);
    const VectorMismatch& m = r.device_mismatches[0];
    CHECK(m.kind == VectorMismatch::Kind::Psum);
    CHECK(m.file == p);
    CHECK(m.line == 13);
    CHECK(m.kij == 4);
    CHECK(m.nij == 9);
    CHECK(m.column == 2);
    CHECK(m.file_value == 1234);
    REQUIRE(r.file_mismatches.size() == 1);
    CHECK(r.file_mismatches[0].line == 13);
    CHECK_THAT(r.verdict(), StartsWith("the files disagree with each other"));
  }
  SECTION("a psum line no output needs is still checked against golden") {
    // kij 0 at nij 63 (iy 7, ix 7): outside every output's window for kernel position (0, 0).
    set_lane(t.path / "psum_kij0.txt", 67, 0, 8, 16, 77);
    const ReplayResult r = replay_vectors(t.path, dev);
    CHECK(r.device_agrees_with_files());
    REQUIRE(r.file_mismatches.size() == 1);
    CHECK(r.file_mismatches[0].kij == 0);
    CHECK(r.file_mismatches[0].nij == 63);
    CHECK_FALSE(r.passed());
  }
  SECTION("a device value: the device disagrees") {
    OutCorruptingDevice bad(dev, 20, 6, -1);  // the 21st out row, lane 6
    const ReplayResult r = replay_vectors(t.path, bad);
    INFO(format_replay(r));
    CHECK(r.files_consistent());
    CHECK(r.output_rows_matched == 35);
    REQUIRE(r.device_mismatches.size() == 1);
    CHECK(r.device_mismatches[0].column == 6);
    CHECK(r.device_mismatches[0].actual == r.device_mismatches[0].file_value - 1);
    CHECK(r.device_golden_mismatches == 1);
    CHECK(r.verdict() == "the device disagrees with the files");
  }
}

TEST_CASE("vector files: a FIFO, a device, a directory or an oversized file is refused without reading",
          "[vectors][io][bad_input]") {
  TempDir t;
  const LineFormat f = activation_format(configs::ece284);
  const fs::path fifo = t.path / "activation.txt";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  CHECK(error_of([&] { read_vector_file(fifo, f); }) ==
        fifo.string() + ":0: cannot read: is a FIFO, not a regular file");
  CHECK(error_of([&] { read_vector_file("/dev/zero", f); }) ==
        "/dev/zero:0: cannot read: is a character device, not a regular file");
  CHECK(error_of([&] { read_vector_file(t.path, f); }) == t.path.string() + ":0: cannot read: is a directory");
  // A sparse file one byte over the limit: refused from its size.
  const fs::path big = t.path / "big.txt";
  write_text(big, "#\n");
  fs::resize_file(big, kMaxVectorFileBytes + 1);
  CHECK(error_of([&] { read_vector_file(big, f); }) ==
        big.string() + ":0: more than the 67108864 bytes a vector file may have");
}

TEST_CASE("vector files: kernel positions in file names beyond the limit, control characters in names",
          "[vectors][io][bad_input]") {
  TempDir t;
  export_random_vectors(t.path, configs::ece284);
  write_text(t.path / "weight_kij99999999999.txt", "");
  CHECK(error_of([&] { find_vector_files(t.path); }) ==
        (t.path / "weight_kij99999999999.txt").string() +
            ":0: kernel position 99999999999 in the file name is beyond the limit of 1023");
  fs::remove(t.path / "weight_kij99999999999.txt");
  write_text(t.path / "activation\x1b[2J.txt", "");
  CHECK(error_of([&] { find_vector_files(t.path); }) ==
        (t.path / "activation*.txt").string() +
            ":0: 2 candidates for the activation file: activation\\x1b[2J.txt, activation.txt (give the file "
            "explicitly)");
  const fs::path act = t.path / "activation.txt";
  auto lines = read_lines(act);
  lines.at(4)[2] = '\x1b';
  write_lines(act, lines);
  CHECK(error_of([&] { read_vector_file(act, activation_format(configs::ece284)); }) ==
        act.string() + ":5: non-binary character '\\x1b' at column 3");
}

TEST_CASE("vector export: an existing FIFO in place of a file of the set is refused", "[vectors][io][bad_input]") {
  TempDir t;
  REQUIRE(mkfifo((t.path / "output.txt").c_str(), 0600) == 0);
  CHECK(error_of([&] { export_random_vectors(t.path, configs::ece284); }) ==
        (t.path / "output.txt").string() + ":0: exists and is not a regular file");
}

namespace {

// The data lines (after the header) of a file.
std::vector<std::string> data_lines(const fs::path& p) {
  auto lines = read_lines(p);
  lines.erase(lines.begin(), lines.begin() + kVectorHeaderLines);
  return lines;
}

// Every file of the set in `dir` with a course's free-text header instead of the exported one.
void strip_headers(const fs::path& dir) {
  for (const auto& e : fs::directory_iterator(dir)) {
    auto lines = data_lines(e.path());
    lines.insert(lines.begin(), {"#a", "#b", "#c"});
    write_lines(e.path(), lines);
  }
}

}  // namespace

TEST_CASE("vectors: one weight file with every kernel position reads and replays like one file per position",
          "[vectors][random]") {
  TempDir sep, one;
  FunctionalDevice dev(configs::ece284);
  RandomVectorSpec spec;
  spec.seed = 11;
  export_random_vectors(sep.path, configs::ece284, spec);
  ExportOptions o;
  o.combined_weight = true;
  o.combined_psum = true;
  const ExportResult e = export_random_vectors(one.path, configs::ece284, spec, o);
  CHECK(e.files.size() == 4);  // activation, weight.txt, psum.txt, output
  // weight.txt is the per-position files' lines one after the other, kij-major.
  std::vector<std::string> concatenated;
  for (int k = 0; k < 9; ++k)
    for (const auto& l : data_lines(sep.path / fmt::format("weight_kij{}.txt", k))) concatenated.push_back(l);
  CHECK(data_lines(one.path / "weight.txt") == concatenated);
  const ConvVectors a = load_vectors(sep.path, configs::ece284), b = load_vectors(one.path, configs::ece284);
  CHECK(b.files.weights == std::vector<fs::path>{one.path / "weight.txt"});
  CHECK(b.kernel == 3);
  REQUIRE(b.weights.size() == 9);
  CHECK(b.weight_oihw() == a.weight_oihw());
  const ReplayResult r = replay_vectors(one.path, dev);
  INFO(format_replay(r));
  CHECK(r.passed());
  CHECK(r.psum_rows_matched == 9 * 36);
  CHECK(r.output_values_matched == 36 * 8);
  CHECK(r.device_golden_mismatches == 0);

  SECTION("a course's concatenated file with a free-text header, next to psum.txt") {
    strip_headers(one.path);
    const ReplayResult c = replay_vectors(one.path, dev);
    INFO(format_replay(c));
    CHECK(c.passed());
    CHECK(c.output_rows_matched == 36);
  }
  SECTION("a single position's file is one kernel position") {
    TempDir k1;
    spec.conv.kernel = 1;
    spec.conv.padding = 0;
    export_random_vectors(k1.path, configs::ece284, spec, o);
    CHECK(load_vectors(k1.path, configs::ece284).kernel == 1);
    CHECK(replay_vectors(k1.path, dev).passed());
  }
}

TEST_CASE("vector files: a weight file whose line count fits neither layout, or both layouts at once",
          "[vectors][io][bad_input]") {
  TempDir t;
  ExportOptions o;
  o.combined_weight = true;
  export_random_vectors(t.path, configs::ece284, {}, o);
  const fs::path w = t.path / "weight.txt";
  auto load = [&] { load_vectors(t.path, configs::ece284); };
  SECTION("one line short of nine positions") {
    auto lines = read_lines(w);
    lines.pop_back();
    write_lines(w, lines);
    // 71 lines: 8 whole positions (lines 4..67), the ninth starts at line 68 and is incomplete.
    CHECK(error_of(load) == w.string() +
                                ":68: 71 weight lines is neither 8 (one kernel position, a line per column) nor a "
                                "multiple of 8 (every kernel position, kij-major)");
  }
  SECTION("a whole number of positions that is not K x K") {
    auto lines = read_lines(w);
    lines.resize(lines.size() - 8);
    write_lines(w, lines);
    CHECK(error_of(load) == w.string() +
                                ":0: 8 kernel positions (64 lines of 8 columns) in the weight file is not a perfect "
                                "square number of kernel positions");
  }
  SECTION("a given kernel the file does not hold") {
    CHECK(error_of([&] {
            load_vectors(t.path, configs::ece284, {}, VectorShapeOptions{{}, 2, {}});
          }) == w.string() +
                    ":0: expected 4 kernel positions (kernel 2), found 9 kernel positions (72 lines of 8 columns) "
                    "in the weight file");
  }
  SECTION("numbered files next to it") {
    fs::copy_file(w, t.path / "weight_kij0.txt");
    CHECK_THAT(error_of(load), StartsWith((t.path / "weight*.txt").string() +
                                          ":0: both per-kij and combined weight files: weight.txt, weight_kij0.txt"));
  }
}

TEST_CASE("vector files: the stride and core an exported header records are used, a conflict is an error",
          "[vectors][io][bad_input]") {
  TempDir t;
  FunctionalDevice dev(configs::ece284);
  RandomVectorSpec spec;
  spec.conv.stride = 2;
  export_random_vectors(t.path, configs::ece284, spec);
  const fs::path act = t.path / "activation.txt";
  const VectorSetHeader h = read_set_header(t.path);
  CHECK(h.file == act);
  CHECK(h.stride == 2);
  CHECK(h.core == "ece284");
  SECTION("the header's stride without --stride") {
    const ConvVectors v = load_vectors(t.path, configs::ece284);
    CHECK(v.stride == 2);
    CHECK(v.out_height == 3);
    const ReplayResult r = replay_vectors(t.path, dev);
    INFO(format_replay(r));
    CHECK(r.passed());
    CHECK(r.stride == 2);
  }
  SECTION("the same stride given") {
    CHECK(load_vectors(t.path, configs::ece284, {}, VectorShapeOptions{{}, {}, 2}).stride == 2);
  }
  SECTION("a conflicting stride") {
    CHECK(error_of([&] {
            load_vectors(t.path, configs::ece284, {}, VectorShapeOptions{{}, {}, 1});
          }) == act.string() + ":3: the header records stride 2, but stride 1 was given");
  }
  SECTION("a conflicting configuration") {
    CHECK(error_of([&] { load_vectors(t.path, configs::int4); }) ==
          act.string() + ":3: the header records core ece284, but the set is read as int4 (8x8, 4/4/32)");
  }
  SECTION("a course's free-text header records nothing: stride 1 by default") {
    strip_headers(t.path);
    const VectorSetHeader none = read_set_header(t.path);
    CHECK_FALSE(none.stride);
    CHECK(none.core.empty());
    CHECK_THAT(error_of([&] { load_vectors(t.path, configs::ece284); }), Contains("output"));
  }
}

TEST_CASE("vector files: digits per line of another configuration name the configuration they fit",
          "[vectors][io][bad_input]") {
  TempDir t;
  export_random_vectors(t.path, configs::ece284);
  strip_headers(t.path);  // a course's set: no core in the header, only the digits tell
  const fs::path act = t.path / "activation.txt";
  CHECK(error_of([&] { load_vectors(t.path, configs::int8); }) ==
        act.string() +
            ":4: expected 64 binary digits (8 x 8 bits), found 32; the set's digits per line fit ece284 (8x8, "
            "4/4/16), not int8");
  const fs::path psum = t.path / "psum_kij0.txt";  // the first file of a wrong width
  CHECK(error_of([&] { load_vectors(t.path, configs::int4); }) ==
        psum.string() +
            ":4: expected 256 binary digits (8 x 32 bits), found 128; the set's digits per line fit ece284 (8x8, "
            "4/4/16), not int4");
  SECTION("digits no configuration has") {
    for (const char* name : {"activation.txt", "output.txt"}) {
      auto lines = read_lines(t.path / name);
      for (size_t i = kVectorHeaderLines; i < lines.size(); ++i) lines[i] += "0";
      write_lines(t.path / name, lines);
    }
    CHECK(error_of([&] { load_vectors(t.path, configs::ece284); }) ==
          act.string() +
              ":4: expected 32 binary digits (8 x 4 bits), found 33; no configuration of this build fits the set's "
              "digits per line");
  }
}
