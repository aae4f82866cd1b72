// The cosim program, run as a process (COSIM_EXE from CMake) from the repository root: every bad
// input gives exactly one "error:" line and a non-zero exit; a model layer with a trace window;
// the reproduction command line as cosim prints it; mnist and layer with a JSON report;
// export-vectors then vectors.
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <mutex>
#include <thread>
#include <vector>

#include "accel/config.hpp"
#include "accel/isa.hpp"
#include "accel/sim/wave_layout.hpp"
#include "parallel.hpp"

namespace fs = std::filesystem;

namespace {

// Matches text with a line that matches a regex as a whole. One regex over the whole text, like
// "(.|\n)*LINE(.|\n)*", recurses once per character in libstdc++ and overflows the stack on a
// run's output (under ASan's larger frames first).
struct LineMatches : Catch::MatcherBase<std::string> {
  explicit LineMatches(std::string re) : pattern(std::move(re)), regex(pattern) {}
  bool match(const std::string& text) const override {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
      if (std::regex_match(line, regex)) return true;
    return false;
  }
  std::string describe() const override { return "has a line matching \"" + pattern + "\""; }
  std::string pattern;
  std::regex regex;
};

struct Run {
  int code = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

fs::path scratch(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / fmt::format("accel_cosim_{}_{}", getpid(), name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// A shell command line run in the repository root, stdout and stderr captured.
Run in_root(const std::string& command) {
  const fs::path d = scratch("io");
  const std::string cmd =
      fmt::format("cd '{}' && CI=1 {} >'{}' 2>'{}'", ACCEL_ROOT, command, (d / "out").string(), (d / "err").string());
  const int st = std::system(cmd.c_str());
  Run r;
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.out = slurp(d / "out");
  r.err = slurp(d / "err");
  fs::remove_all(d);
  return r;
}

// `cosim ARGS` in the repository root.
Run cosim(const std::string& args) { return in_root(fmt::format("'{}' {}", COSIM_EXE, args)); }

// One line "error: ...", containing `what`, and a non-zero exit.
void check_error(const std::string& args, const std::string& what) {
  INFO("cosim " << args);
  const Run r = cosim(args);
  INFO("stdout: " << r.out);
  INFO("stderr: " << r.err);
  CHECK(r.code != 0);
  CHECK(r.code != -1);
  CHECK(r.err.rfind("error: ", 0) == 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK_THAT(r.err, Catch::Contains(what));
}

const std::string kImages =
    "--images data/mnist/test-images-idx3-ubyte.gz --labels data/mnist/test-labels-idx1-ubyte.gz";

}  // namespace

TEST_CASE("cosim: each bad input gives one error line and a non-zero exit", "[cosim][bad_input]") {
  const fs::path bad = scratch("badmodel");
  std::ofstream(bad / "model.json") << "{ \"format\": \"accel-cosim-model\", \"version\": 1, \"layers\": [";
  const fs::path badvec = scratch("badvec");
  std::ofstream(badvec / "activation.txt") << "#a\n#b\n#c\n0101\n";
  check_error("", "subcommand");
  check_error("frobnicate", "frobnicate");
  check_error("mnist --model models/mnist_int8 " + kImages + " --bogus 3", "--bogus");
  check_error("mnist --model models/none " + kImages, "models/none");
  check_error("mnist --model " + bad.string() + " " + kImages, "model.json");
  check_error("mnist --model models/mnist_int8 --images data/none.gz --labels data/mnist/test-labels-idx1-ubyte.gz",
              "data/none.gz");
  check_error("mnist --model models/mnist_int8 " + kImages + " --rtl-layers conv9", "no layer 'conv9'");
  check_error("mnist --model models/mnist_int8 " + kImages + " --rtl-layers pool", "runs on the host");
  check_error("mnist --model models/mnist_int8 " + kImages + " --rtl-layers ,,,", "--rtl-layers ',,,': an empty layer");
  check_error("mnist --model models/mnist_int8 " + kImages + " --rtl-layers conv2,,fc1", "an empty layer name");
  check_error("mnist --model models/mnist_int8 " + kImages + " --config int4", "--config int4 has widths");
  check_error("mnist --model models/mnist_int8 " + kImages + " --device gpu", "unknown device 'gpu'");
  check_error("mnist --model models/mnist_int8 " + kImages + " --limit -3", "--limit");
  check_error("layer --model models/mnist_int8 --layer fc9", "no layer 'fc9'");
  check_error("layer --model models/mnist_int8 --layer fc2 --image 99999", "--image 99999");
  check_error("layer --model models/mnist_int8", "--model needs --layer");
  check_error("layer --model models/mnist_int8 --layer fc2 --kind linear", "--kind");
  check_error("layer --seed 3 --config int9", "unknown core configuration 'int9'");
  check_error("layer --seed 3 --kind pool", "unknown --kind 'pool'");
  check_error("layer --seed 3 --kernel 0", "--kernel 0: must be 1..32");
  check_error("layer --seed 3 --strategy fastest", "unknown strategy 'fastest'");
  check_error("layer --seed 3 --dataflow rs", "--dataflow 'rs': expected ws, os or auto");
  check_error("mnist --model models/mnist_int8 " + kImages + " --dataflow row", "--dataflow 'row'");
  check_error("layer --seed 3 --strategy kernel-major --dataflow os", "kernel-major is weight-stationary only");
  check_error("mnist --model models/mnist_int8 --labels data/mnist/test-labels-idx1-ubyte.gz",
              "give --images and --labels together");
  {  // A model that names no data set of its own needs one given.
    const fs::path m = scratch("noref");
    fs::copy(fs::path(ACCEL_ROOT) / "models/mnist_int8", m, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    auto j = nlohmann::json::parse(slurp(m / "model.json"));
    j.erase("reference");
    std::ofstream(m / "model.json") << j.dump(1);
    check_error("mnist --model " + m.string(), "names no image set: give --images");
    fs::remove_all(m);
  }
  check_error("mnist --model models/mnist_int8 " + kImages + " --random-images 3", "--random-images replaces");
  check_error("mnist --model models/mnist_int8 --random-images 0", "--random-images 0: must be");
  check_error("mnist --model models/mnist_int8 " + kImages + " --seed 3", "--seed applies to --random-images");
  check_error("random-network --network resnet50 --out /tmp/x", "unknown network 'resnet50'");
  check_error("layer --seed 3 --trace /tmp/x.fst --trace-window 9:3", "--trace-window '9:3'");
  check_error("layer --seed 3 --trace-window 1:3", "--trace-window needs --trace");
  check_error("layer --seed 3 --device functional --trace /tmp/x.fst", "--trace needs --device rtl");
  check_error("vectors --dir /nonexistent/vec", "/nonexistent/vec");
  check_error("vectors --dir " + badvec.string(), badvec.string());
  check_error("export-vectors --out /tmp/x --model models/mnist_int8 --layer fc1", "not a conv2d");
  check_error("import /nonexistent/m.onnx --out /tmp/x", "/nonexistent/m.onnx: no such file");
  check_error("import models/mnist_int8/model.json --out /tmp/x", "model.json: not an ONNX model");
  check_error("import models/onnx/lenet_affine.onnx", "--out is required");
  check_error("conformance --data /nonexistent", "--data /nonexistent: no ONNX conformance tests");
  fs::remove_all(bad);
  fs::remove_all(badvec);
}

// A copy of models/mnist_int8 in `dir` with `edit` applied to its model.json.
void edited_model(const fs::path& dir, const std::function<void(nlohmann::json&)>& edit) {
  const fs::path src = fs::path(ACCEL_ROOT) / "models" / "mnist_int8";
  fs::copy(src, dir, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  nlohmann::json j = nlohmann::json::parse(slurp(src / "model.json"));
  edit(j);
  std::ofstream(dir / "model.json") << j.dump(2);
}

// Raw IDX bytes: a header of `dims` (big-endian) after `magic`, then `body`.
void write_idx(const fs::path& p, uint32_t magic, std::vector<uint32_t> dims, const std::string& body = "") {
  std::string b;
  dims.insert(dims.begin(), magic);
  for (uint32_t v : dims)
    for (int sh = 24; sh >= 0; sh -= 8) b.push_back(char((v >> sh) & 0xff));
  std::ofstream(p, std::ios::binary) << b << body;
}

TEST_CASE("cosim: option values out of range name the option, never a crash", "[cosim][bad_input]") {
  const fs::path d = scratch("range");
  const std::string out = "export-vectors --out " + (d / "v").string() + " --seed 1 ";
  check_error(out + "--stride 0", "--stride 0: must be 1..32");  // was SIGFPE
  check_error(out + "--padding -1", "--padding -1: must be 0..32");
  check_error(out + "--in-ch -3", "--in-ch -3: must be 0..4096");  // was taken as 0 (Rows)
  check_error(out + "--kernel 9", "--kernel 9: does not fit the input of --size 6 with --padding 1");
  check_error(out + "--in-tile 7", "input-channel tile (--in-tile) 7 outside 0..0");
  check_error("mnist --model models/mnist_int8 " + kImages + " --batch 0", "--batch 0: must be 1..1000");
  check_error("mnist --model models/mnist_int8 " + kImages + " --limit 5000",
              "--limit 5000: data/mnist/test-images-idx3-ubyte.gz has 2004 images");
  check_error("layer --seed 3 --batch 100000", "--batch 100000: must be 1..1000");
  check_error("vectors --dir " + d.string() + " --stride 0", "--stride 0: must be 1..32");
  check_error("vectors --dir " + d.string() + " --kernel -1", "--kernel -1: must be 1..32");
  check_error("vectors --dir " + d.string() + " --padded-width 0", "--padded-width 0: must be 1..4160");
  check_error("layer --seed 3 --size 4000", "more than the limit of 16777216");
  check_error("layer --seed 3 --kind linear --in-features 65536 --out-features 65536",
              "--in-features 65536 --out-features 65536: 4294967296 MACs, more than the limit of 268435456");
  check_error("layer --seed 3 --trace /tmp/x.fst --trace-window 0:99999999999999999999999",
              "--trace-window '0:99999999999999999999999': expected A:B");
  const Run r = cosim("mnist --model models/mnist_int8 " + kImages + " --batch 0");
  CHECK(r.err.size() < 100);  // no range with a 300-digit number
  fs::remove_all(d);
}

TEST_CASE("cosim: flags that do not apply to the chosen mode are errors", "[cosim][bad_input]") {
  check_error("layer --model models/mnist_int8 --layer fc2 --seed 4", "--seed applies to random layers");
  check_error("layer --seed 3 --image 2", "--image applies to model layers");
  check_error("layer --seed 3 --images data/mnist/test-images-idx3-ubyte.gz", "--images applies to model layers");
  check_error("layer --seed 3 --kind linear --in-ch 3", "--in-ch applies to conv layers (--kind conv)");
  check_error("layer --seed 3 --out-features 3", "--out-features applies to linear layers (--kind linear)");
  check_error("layer --seed 3 --kind linear --strategy im2col", "--strategy im2col applies to conv2d layers");
  check_error("export-vectors --out /tmp/x --seed 1 --images data/mnist/test-images-idx3-ubyte.gz",
              "--images needs --model DIR");
}

TEST_CASE("cosim: a FIFO, a device or a directory given as a file is an error, not a hang", "[cosim][bad_input]") {
  const fs::path d = scratch("fifo");
  const std::string fifo = (d / "in.gz").string();
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  const std::string lbl = " --labels data/mnist/test-labels-idx1-ubyte.gz";
  check_error("mnist --model models/mnist_int8 --images " + fifo + lbl, fifo + ": cannot read: is a FIFO");
  check_error("mnist --model models/mnist_int8 --images /dev/zero" + lbl, "/dev/zero: cannot read: is a character");
  check_error("mnist --model models/mnist_int8 --images " + d.string() + lbl, d.string() + ": cannot read: is a dir");
  check_error("layer --model models/mnist_int8 --layer fc2 --images " + fifo, "is a FIFO, not a regular file");
  edited_model(d / "m1", [](nlohmann::json& j) { j["layers"][0]["weight"] = "."; });  // an npy that is a directory
  check_error("mnist --model " + (d / "m1").string() + " " + kImages,
              (d / "m1").string() + "/.: cannot read: is a directory");
  edited_model(d / "m2", [&](nlohmann::json& j) { j["layers"][0]["weight"] = "/dev/zero"; });
  check_error("mnist --model " + (d / "m2").string() + " " + kImages, "/dev/zero: cannot read: is a character device");
  check_error("vectors --dir " + d.string() + " --activation " + fifo + " --weight " + fifo + " --output " + fifo,
              fifo + ":0: cannot read: is a FIFO");
  fs::remove_all(d);
}

TEST_CASE("cosim: an empty image set, bad numbers and bad file names are one error line", "[cosim][bad_input]") {
  const fs::path d = scratch("empty");
  write_idx(d / "img", 0x803, {0, 28, 28});
  write_idx(d / "lbl", 0x801, {0});
  // Zero images was a PASS.
  check_error("mnist --model models/mnist_int8 --images " + (d / "img").string() + " --labels " + (d / "lbl").string(),
              (d / "img").string() + ": holds no images");
  check_error("layer --model models/mnist_int8 --layer fc2 --images " + (d / "img").string(), "holds no images");
  edited_model(d / "m", [](nlohmann::json& j) { j["layers"][0]["kernel"] = 5; });
  {
    std::string text = slurp(d / "m" / "model.json");
    text.replace(text.find("\"kernel\": 5"), 11, "\"kernel\": 1e999");
    std::ofstream(d / "m" / "model.json") << text;
  }
  check_error("mnist --model " + (d / "m").string() + " " + kImages, "malformed JSON: number overflow parsing '1e999'");
  // A kernel position too large for an int in a vector file name was `error: stoi`.
  const fs::path v = d / "vec";
  fs::create_directories(v);
  std::ofstream(v / "weight_kij99999999999.txt") << "";
  check_error("vectors --dir " + v.string(), "kernel position 99999999999 in the file name is beyond the limit");
  fs::remove_all(d);
}

TEST_CASE("cosim: control characters from input are escaped in the one error line", "[cosim][bad_input]") {
  // A model directory named with a newline and an escape sequence.
  check_error("mnist --model \"$(printf 'm\\n\\033[2J')\" " + kImages, "m\\x0a\\x1b[2J: no model.json");
  const fs::path d = scratch("ctl");
  edited_model(d / "m", [](nlohmann::json& j) { j["layers"][2]["type"] = "pool\r\x1b[31m"; });
  check_error("mnist --model " + (d / "m").string() + " " + kImages, "unknown type 'pool\\x0d\\x1b[31m'");
  fs::remove_all(d);
}

TEST_CASE("cosim: --trace and --json that cannot be written are errors before the run", "[cosim][bad_input]") {
  check_error("layer --seed 3 --trace /etc/passwd/x.fst",
              "--trace /etc/passwd/x.fst: cannot create: /etc/passwd is not a directory");
  check_error("layer --seed 3 --device functional --json /etc/passwd/x.json",
              "--json /etc/passwd/x.json: cannot create");
  check_error("layer --seed 3 --device functional --json /tmp", "--json /tmp: is a directory");
  check_error("mnist --model models/mnist_int8 " + kImages + " --json /etc/passwd/r.json", "--json /etc/passwd/r.json");
  check_error("layer --seed 3 --trace /dev/null", "--trace /dev/null: exists and is not a regular file");
}

TEST_CASE("cosim: a trace window beyond the schedule writes nothing and is an error", "[cosim][rtl][bad_input]") {
  const fs::path d = scratch("window");
  check_error("layer --seed 3 --trace " + (d / "t.fst").string() + " --trace-window 100000000:100000001",
              "--trace-window 100000000:100000001: the schedule has slots 0..");
  CHECK_FALSE(fs::exists(d / "t.fst"));
  fs::remove_all(d);
}

// Runs fc2 of image 0 on `device` with a trace of slots 10..60 into <dir>/fc2.fst; checks it passed.
Run traced_fc2(const std::string& device, const fs::path& dir) {
  const Run r =
      cosim(fmt::format("layer --model models/mnist_int8 --layer fc2 --image 0 --device {} --trace {} "
                        "--trace-window 10:60",
                        device, (dir / "fc2.fst").string()));
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(r.err.empty());
  CHECK_THAT(r.out, Catch::Contains("result: PASS"));
  return r;
}

TEST_CASE("cosim: a model layer on the RTL passes and traces its slot window", "[cosim][rtl][mnist]") {
  const fs::path d = scratch("trace");
  const Run r = traced_fc2("rtl", d);
  CHECK_THAT(r.out, Catch::Contains("0 mismatches"));
  CHECK(fs::exists(d / "fc2.fst"));
  fs::remove_all(d);
}

TEST_CASE("cosim: the printed reproduction command runs as printed from the repository root", "[cosim][rtl][mnist]") {
  // A corrupted expectation of fc2 (the test hook): the scoreboard must report it, cosim must print
  // the rerun command with its own path as typed from the repository root.
  const Run bad =
      cosim(fmt::format("mnist --model models/mnist_int8 {} --limit 1 --device functional "
                        "--inject-mismatch fc2",
                        kImages));
  INFO(bad.out << bad.err);
  CHECK(bad.code == 1);
  CHECK_THAT(bad.out, Catch::Contains("result: FAIL"));
  const auto at = bad.out.find("reproduce: ");
  REQUIRE(at != std::string::npos);
  std::string cmd = bad.out.substr(at + 11, bad.out.find('\n', at) - at - 11);
  // As typed from the repository root; a program built outside the tree is named by its full path.
  const fs::path rel = fs::path(COSIM_EXE).lexically_relative(ACCEL_ROOT);
  const std::string exe = !rel.empty() && *rel.begin() == ".." ? std::string(COSIM_EXE) : rel.string();
  REQUIRE(cmd.rfind(exe + " layer --model models/mnist_int8 --layer fc2 --image 0 --device rtl", 0) == 0);
  const auto window = cmd.find("--trace-window ");
  REQUIRE(window != std::string::npos);
  const std::string ab = cmd.substr(window + 15);
  const uint64_t a = std::stoull(ab.substr(0, ab.find(':'))), b = std::stoull(ab.substr(ab.find(':') + 1));
  const fs::path d = scratch("repro");
  const auto fst = cmd.find("out.fst");
  REQUIRE(fst != std::string::npos);
  cmd.replace(fst, 7, (d / "out.fst").string());
  const Run r = in_root(cmd);
  INFO(cmd << "\n" << r.out << r.err);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains(fmt::format("schedule slots {}..{}", a, b - 1)));
  CHECK(fs::exists(d / "out.fst"));
  fs::remove_all(d);
}

TEST_CASE("cosim: layer writes the JSON report", "[cosim][mnist]") {
  const fs::path d = scratch("layerjson");
  const Run r = cosim(fmt::format("layer --model models/mnist_int8 --layer fc2 --image 2 --device functional --json {}",
                                  (d / "l.json").string()));
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("result: PASS"));
  const auto j = nlohmann::json::parse(slurp(d / "l.json"));
  CHECK(j["command"] == "layer");
  CHECK(j["model"] == "mnist_int8");
  CHECK(j["config"] == "int8");
  CHECK(j["devices"] == "functional");
  CHECK(j["first_image"] == 2);
  CHECK(j["mismatches"] == 0);
  CHECK(j["passed"] == true);
  REQUIRE(j["layers"].size() == 1);
  const auto& l = j["layers"][0];
  CHECK(l["name"] == "fc2");
  CHECK(l["strategy"] == "linear");
  CHECK(l["psum_rows_checked"].get<uint64_t>() > 0);
  CHECK(l["psum_rows_checked"] == l["schedule"]["psum_rows"]);
  CHECK(l["cycles"] == l["schedule"]["slots"]);
  CHECK(l["compute_cycles"].get<uint64_t>() + l["weight_load_cycles"].get<uint64_t>() +
            l["host_transfer_cycles"].get<uint64_t>() + l["drain_cycles"].get<uint64_t>() +
            l["stall_cycles"].get<uint64_t>() ==
        l["cycles"].get<uint64_t>());
  fs::remove_all(d);
}

TEST_CASE("cosim: mnist with one RTL layer writes the JSON report", "[cosim][rtl][mnist]") {
  const fs::path d = scratch("json");
  const Run r = cosim(fmt::format("mnist --model models/mnist_int8 {} --limit 6 --batch 4 --rtl-layers fc2 --json {}",
                                  kImages, (d / "r.json").string()));
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(r.err.empty());  // CI=1: no progress line
  CHECK_THAT(r.out, Catch::Contains("conv1=functional, conv2=functional, fc1=functional, fc2=rtl"));
  CHECK_THAT(r.out, Catch::Contains("agreement with golden: 6/6"));
  const auto j = nlohmann::json::parse(slurp(d / "r.json"));
  CHECK(j["images"] == 6);
  CHECK(j["config"] == "int8");
  CHECK(j["mismatches"] == 0);
  CHECK(j["passed"] == true);
  CHECK(j["agreement"]["identical"] == 6);
  REQUIRE(j["layers"].size() == 6);
  CHECK(j["layers"][5]["device"] == "rtl");
  CHECK(j["layers"][5]["psum_rows_checked"].get<uint64_t>() > 0);
  CHECK(j["network"]["cycles"].get<uint64_t>() > 0);
  fs::remove_all(d);
}

// Per layer of a mnist JSON report: its mismatching values (psums, outputs, protocol) and its own.
std::map<std::string, std::pair<uint64_t, uint64_t>> bad_and_own(const nlohmann::json& j) {
  std::map<std::string, std::pair<uint64_t, uint64_t>> out;
  for (const auto& l : j["layers"]) {
    if (l["device"] == "host") continue;
    REQUIRE(l.contains("own_mismatches"));
    out[l["name"].get<std::string>()] = {l["psum_mismatches"].get<uint64_t>() + l["out_mismatches"].get<uint64_t>() +
                                             l["protocol_errors"].get<uint64_t>(),
                                         l["own_mismatches"].get<uint64_t>()};
  }
  return out;
}

TEST_CASE("cosim: mnist splits each layer's mismatches into its own and inherited ones", "[cosim][rtl][mnist]") {
  const fs::path d = scratch("own");
  const std::string run = "mnist --model models/mnist_int8 --limit 20 --batch 10 --rtl-layers conv2";
  const auto report = [&](const std::string& extra, int code) {
    const fs::path json = d / "r.json";
    const Run r = cosim(fmt::format("{} {} --json {}", run, extra, json.string()));
    INFO(r.out << r.err);
    CHECK(r.code == code);
    return std::make_pair(r.out, nlohmann::json::parse(slurp(json)));
  };
  // A wrong saturation bound in conv1's device: every array layer after it mismatches end to end,
  // but only conv1 does on golden's input, and the rerun command points at conv1.
  const auto [out1, j1] = report("--inject-defect conv1", 1);
  auto c = bad_and_own(j1);
  CHECK(c["conv1"].second > 0);
  CHECK(c["conv1"].second == c["conv1"].first);
  for (const char* later : {"conv2", "fc1", "fc2"}) {
    INFO(later);
    CHECK(c[later].first > 0);
    CHECK(c[later].second == 0);
  }
  CHECK_THAT(j1["reproduce"].get<std::string>(), Catch::Contains("--layer conv1"));
  CHECK_THAT(out1, LineMatches("conv1 .* 7975 +7975"));
  // The same defect in conv2, on the RTL: conv1 clean, conv2 its own, fc1 and fc2 inherited.
  const auto [out2, j2] = report("--inject-defect conv2", 1);
  c = bad_and_own(j2);
  CHECK(c["conv1"] == std::make_pair(uint64_t{0}, uint64_t{0}));
  CHECK(c["conv2"].second > 0);
  CHECK(c["conv2"].second <= c["conv2"].first);
  CHECK(c["fc1"].first > 0);
  CHECK(c["fc1"].second == 0);
  CHECK_THAT(j2["reproduce"].get<std::string>(), Catch::Contains("--layer conv2"));
  // A passing run: nothing of its own either.
  const auto [out3, j3] = report("", 0);
  for (const auto& [name, counts] : bad_and_own(j3)) CHECK(counts == std::make_pair(uint64_t{0}, uint64_t{0}));
  // A transient fault does not repeat on golden's input: no own counts, shown as "-".
  const auto [out4, j4] = report("--jobs 1 --fault psum:0,0,3@300000", 1);
  CHECK_FALSE(j4["layers"][1].contains("own_mismatches"));
  CHECK_THAT(out4, LineMatches("conv2 .* -"));
  check_error(run + " --inject-defect pool", "--inject-defect pool: a host layer");
  check_error(run + " --inject-defect nope", "nope");
  fs::remove_all(d);
}

TEST_CASE("cosim: mnist runs on the model's own data set unless told, and refuses another one", "[cosim][mnist]") {
  const fs::path d = scratch("dataset");
  const std::string fashion = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
  const std::string fashion_labels = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";
  // No --images: the Fashion-MNIST model runs on Fashion-MNIST (model.json "reference").
  const Run r = cosim(fmt::format("mnist --model models/fashion_int8 --device functional --limit 20 --json {}",
                                  (d / "f.json").string()));
  INFO(r.out << r.err);
  REQUIRE(r.code == 0);
  const auto j = nlohmann::json::parse(slurp(d / "f.json"));
  CHECK(j["images_file"] == fashion);
  CHECK(j["images_in_file"] == 10000);
  CHECK(j["golden_accuracy"]["percent"].get<double>() > 60);  // not the 5 % of digits
  // Digits for the clothes model, clothes for the digits model: refused, unless told.
  check_error(fmt::format("mnist --model models/fashion_int8 --device functional {} --limit 1", kImages),
              "not the model's data set 'fashion-mnist'");
  check_error(fmt::format("mnist --model models/mnist_int8 --device functional --images {} --labels {} --limit 1",
                          fashion, fashion_labels),
              "not the model's data set 'mnist'");
  CHECK(cosim(fmt::format("mnist --model models/mnist_int8 --device functional --images {} --labels {} --limit 1 "
                          "--other-data-set",
                          fashion, fashion_labels))
            .code == 0);
  // Another set of the same data set passes the check (Fashion-MNIST's training images).
  CHECK(cosim("mnist --model models/fashion_int8 --device functional --limit 1 --images "
              "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz --labels "
              "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz")
            .code == 0);
  check_error("mnist --model models/mnist_int8 --images data/mnist/test-images-idx3-ubyte.gz",
              "give --images and --labels together");
  fs::remove_all(d);
}

TEST_CASE("cosim: mnist writes per-image results and the confusion matrix, in JSON and CSV", "[cosim][mnist]") {
  const fs::path d = scratch("csv");
  const Run r = cosim(fmt::format("mnist --model models/mnist_int8 --device functional --limit 30 --batch 8 --json {} "
                                  "--csv {}",
                                  (d / "r.json").string(), (d / "csv").string()));
  INFO(r.out << r.err);
  REQUIRE(r.code == 0);
  const auto j = nlohmann::json::parse(slurp(d / "r.json"));
  REQUIRE(j["per_image"].size() == 30);
  int correct = 0, identical = 0, confusion_total = 0, diagonal = 0;
  double cycles = 0;
  for (const auto& i : j["per_image"]) {
    correct += i["predicted"] == i["label"];
    identical += i["logits_identical"].get<bool>();
    cycles += i["cycles"].get<double>();
  }
  REQUIRE(j["confusion"].size() == 10);
  for (size_t l = 0; l < 10; ++l)
    for (size_t p = 0; p < 10; ++p) {
      confusion_total += j["confusion"][l][p].get<int>();
      if (l == p) diagonal += j["confusion"][l][p].get<int>();
    }
  CHECK(correct == j["accuracy"]["correct"]);
  CHECK(diagonal == correct);
  CHECK(confusion_total == 30);
  CHECK(identical == 30);
  CHECK(cycles == Approx(j["network"]["cycles"].get<double>()));
  const std::string images = slurp(d / "csv" / "images.csv");
  CHECK(images.rfind("image,label,predicted,golden_predicted,logits_identical,cycles\n", 0) == 0);
  CHECK(std::count(images.begin(), images.end(), '\n') == 31);
  const std::string conf = slurp(d / "csv" / "confusion.csv");
  CHECK(conf.rfind("label,pred_0,pred_1,", 0) == 0);
  CHECK(std::count(conf.begin(), conf.end(), '\n') == 11);
  std::ofstream(d / "file") << "x";
  check_error(fmt::format("mnist --model models/mnist_int8 --limit 1 --csv {}", (d / "file").string()),
              "cannot create the directory");
  fs::remove_all(d);
}

// The page after Debian's headless Chromium ran its scripts (--virtual-time-budget: until the
// charts' promises settled), as the DOM it dumps.
std::string rendered_dom(const fs::path& page) {
  const Run r = in_root(fmt::format("timeout 120 chromium --headless --no-sandbox --disable-gpu "
                                    "--virtual-time-budget=20000 --dump-dom 'file://{}'",
                                    fs::absolute(page).string()));
  INFO(r.err);
  REQUIRE(r.code == 0);
  return r.out;
}

void screenshot(const fs::path& page, const fs::path& png) {
  fs::create_directories(png.parent_path());
  fs::remove(png);
  const Run r = in_root(fmt::format("timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars "
                                    "--virtual-time-budget=20000 --window-size=1280,2200 --screenshot='{}' 'file://{}'",
                                    png.string(), fs::absolute(page).string()));
  INFO(r.err);
  CHECK(r.code == 0);
  REQUIRE(fs::exists(png));
  CHECK(fs::file_size(png) > 20000);  // a page with charts, not a blank one
}

// The page rendered every chart (four SVGs: cycles, utilization, estimates, energy) without a script error.
void check_rendered(const std::string& dom) {
  CHECK_THAT(dom, Catch::Contains("data-rendered=\"4\""));  // with the energy chart
  CHECK_THAT(dom, !Catch::Contains("data-errors"));
  size_t svgs = 0;
  for (size_t p = 0; (p = dom.find("<svg", p)) != std::string::npos; ++p) ++svgs;
  CHECK(svgs >= 4);
}

TEST_CASE("cosim: the HTML report renders in a real browser, for a passing and a failing run", "[cosim][browser]") {
  const fs::path d = scratch("html");
  const fs::path shots = fs::path(ACCEL_BUILD_DIR) / "screenshots";
  const std::string run = fmt::format("mnist --model models/mnist_int8 {} --limit 20 --batch 10 --rtl-layers conv2", kImages);
  const Run pass = cosim(fmt::format("{} --json {} --html {}", run, (d / "pass.json").string(), (d / "pass.html").string()));
  INFO(pass.out << pass.err);
  REQUIRE(pass.code == 0);
  CHECK_THAT(pass.out, Catch::Contains("html report: " + (d / "pass.html").string()));
  const std::string pass_dom = rendered_dom(d / "pass.html");
  check_rendered(pass_dom);
  CHECK_THAT(pass_dom, Catch::Contains("id=\"verdict\">PASS"));
  CHECK_THAT(pass_dom, Catch::Contains("No mismatch."));
  screenshot(d / "pass.html", shots / "report-pass.png");
  // A deliberately broken design: conv1's device saturates at the signed bound. The page says FAIL,
  // shows every later layer's mismatches as inherited (own 0) and lists the mismatches with the
  // rerun command; a directory gets index.html.
  const Run fail = cosim(fmt::format("{} --inject-defect conv1 --html {}", run, (d / "fail").string()));
  INFO(fail.out << fail.err);
  REQUIRE(fail.code == 1);
  const std::string fail_dom = rendered_dom(d / "fail" / "index.html");
  check_rendered(fail_dom);
  CHECK_THAT(fail_dom, Catch::Contains("id=\"verdict\">FAIL"));
  CHECK_THAT(fail_dom, Catch::Contains("<td>output</td><td>conv1</td><td>0</td>"));
  const size_t fc1 = fail_dom.find("<td>fc1</td>");  // its row in the layer table: own 0
  REQUIRE(fc1 != std::string::npos);
  const std::string fc1_row = fail_dom.substr(fc1, fail_dom.find("</tr>", fc1) + 5 - fc1);
  CHECK(fc1_row.ends_with("<td>0</td></tr>"));
  CHECK_THAT(fc1_row, !Catch::Contains("<td>0</td><td>0</td></tr>"));  // its own bad count is not 0
  CHECK_THAT(fail_dom, Catch::Contains("id=\"reproduce\""));
  screenshot(d / "fail" / "index.html", shots / "report-fail.png");
  // cosim report renders the saved JSON as the same page.
  const Run again = cosim(fmt::format("report {} --html {}", (d / "pass.json").string(), (d / "again.html").string()));
  INFO(again.out << again.err);
  CHECK(again.code == 0);
  CHECK(slurp(d / "again.html") == slurp(d / "pass.html"));
  // The check can fail: a chart spec the library rejects (no mark) is a script error on the page.
  std::string broken = slurp(d / "pass.html");
  const size_t at = broken.find("const SPECS = {");
  REQUIRE(at != std::string::npos);
  broken.insert(at + 15, "\"chart-x\": {},");
  std::ofstream(d / "broken.html") << broken;
  const std::string broken_dom = rendered_dom(d / "broken.html");
  CHECK_THAT(broken_dom, Catch::Contains("data-errors"));
  CHECK_THAT(broken_dom, !Catch::Contains("data-rendered"));
  check_error(fmt::format("report {}", (d / "none.json").string()), "none.json: cannot read the report");
  std::ofstream(d / "junk.json") << "{\"command\": \"mnist\"}";
  check_error(fmt::format("report {}", (d / "junk.json").string()), "junk.json: not a cosim run report");
  fs::remove_all(d);
}

TEST_CASE("cosim: compare tells identical results from different ones and flags cycle growth", "[cosim][rtl][mnist]") {
  const fs::path d = scratch("compare");
  const std::string run = fmt::format("mnist --model models/mnist_int8 {} --limit 20 --rtl-layers conv2,fc1", kImages);
  const auto json_of = [&](const std::string& extra, const std::string& name) {
    const Run r = cosim(fmt::format("{} {} --json {}", run, extra, (d / name).string()));
    INFO(r.out << r.err);
    CHECK((r.code == 0 || r.code == 1));
    return (d / name).string();
  };
  // Two int8 arrays every build has (the sanitized one keeps only the tested configurations).
  const std::string a = json_of("--config odd4x6", "4x6.json"), b = json_of("", "8x8.json");
  const std::string bad = json_of("--config odd4x6 --inject-mismatch fc1", "bad.json");
  // 4x6 against 8x8: the same results in fewer cycles.
  const Run same = cosim(fmt::format("compare {} {} --max-cycle-growth 0 --json {} --html {}", a, b,
                                     (d / "c.json").string(), (d / "c.html").string()));
  INFO(same.out << same.err);
  CHECK(same.code == 0);
  CHECK_THAT(same.out, Catch::Contains("results: identical"));
  CHECK_THAT(same.out, Catch::Contains("B: mnist_int8 on int8 (8x8, 8/8/32)"));
  const auto j = nlohmann::json::parse(slurp(d / "c.json"));
  CHECK(j["results_identical"] == true);
  CHECK(j["passed"] == true);
  CHECK(j["network"]["cycles_b"].get<uint64_t>() < j["network"]["cycles_a"].get<uint64_t>());
  REQUIRE(j["layers"].size() == 4);
  CHECK(j["layers"][1]["name"] == "conv2");
  CHECK(fs::file_size(d / "c.html") > 700000);  // the page with the libraries inlined
  // Back from 8x8 to 4x6: more cycles than a 10 % budget allows.
  const Run grew = cosim(fmt::format("compare {} {} --max-cycle-growth 10", b, a));
  CHECK(grew.code == 1);
  CHECK_THAT(grew.out, Catch::Contains("beyond the --max-cycle-growth 10 %"));
  CHECK_THAT(grew.out, Catch::Contains("results: identical"));
  // A run with mismatches: the results differ.
  const Run diff = cosim(fmt::format("compare {} {}", a, bad));
  CHECK(diff.code == 1);
  CHECK_THAT(diff.out, Catch::Contains("differs: mismatches: 0 against"));
  CHECK_THAT(diff.out, Catch::Contains("differs: verdict: PASS against FAIL"));
  CHECK_THAT(diff.out, Catch::Contains("results: DIFFERENT"));
  check_error(fmt::format("compare {} {}", a, (d / "none.json").string()), "none.json: cannot read the report");
  check_error(fmt::format("compare {} {} --max-cycle-growth -1", a, b), "--max-cycle-growth -1");
  fs::remove_all(d);
}

// `cosim merge --results-only` of the reports: the results with timings, job counts and shards
// left out, as one JSON text.
std::string merged_results(const std::vector<fs::path>& reports, const fs::path& out) {
  std::string args = "merge --results-only";
  for (const fs::path& p : reports) args += " " + p.string();
  const Run r = cosim(fmt::format("{} --json {}", args, out.string()));
  INFO(r.out << r.err);
  CHECK((r.code == 0 || r.code == 1));
  CHECK(r.err.empty());
  return slurp(out);
}

TEST_CASE("cosim: mnist reports the same results for any --jobs and for merged shards", "[cosim][rtl][mnist]") {
  const fs::path d = scratch("jobs");
  // 40 images in 4 batches, conv2 and fc1 on the RTL, and expected outputs of fc1 made wrong on
  // purpose, so that the mismatch lists and the rerun command must agree too.
  const std::string common = fmt::format(
      "mnist --model models/mnist_int8 {} --limit 40 --rtl-layers conv2,fc1 --inject-mismatch fc1", kImages);
  const std::string run = common + " --batch 10";
  std::vector<std::string> results;
  for (const int jobs : {1, 3}) {
    const fs::path j = d / fmt::format("jobs{}.json", jobs);
    const Run r = cosim(fmt::format("{} --jobs {} --json {}", run, jobs, j.string()));
    INFO(r.out << r.err);
    CHECK(r.code == 1);
    CHECK_THAT(r.out, Catch::Contains(fmt::format("jobs: {} (worker threads", jobs)));
    results.push_back(merged_results({j}, d / fmt::format("jobs{}.results.json", jobs)));
  }
  std::vector<fs::path> shards;
  for (const int k : {3, 1, 2}) {  // any order
    shards.push_back(d / fmt::format("shard{}.json", k));
    const Run r = cosim(fmt::format("{} --shard {}/3 --jobs 2 --json {}", run, k, shards.back().string()));
    INFO(r.out << r.err);
    CHECK(r.code == 1);
    CHECK_THAT(r.out, Catch::Contains(fmt::format("shard {}/3: images", k)));
  }
  results.push_back(merged_results(shards, d / "shards.results.json"));
  const auto j = nlohmann::json::parse(results.front());
  CHECK(j["images"] == 40);
  CHECK(j["mismatches"].get<uint64_t>() > 0);
  CHECK(j["first_mismatches"].size() == 10);
  CHECK_THAT(j["reproduce"].get<std::string>(), Catch::Contains("--layer fc1 --image 0"));
  CHECK(j["layers"][1]["device"] == "rtl");  // conv2
  CHECK(j["layers"][1]["psum_rows_checked"].get<uint64_t>() > 0);
  // The listed mismatches as fields: the injected layer's outputs, the earliest image first.
  REQUIRE(j["first_mismatch_fields"].size() == 10);
  CHECK(j["first_mismatch_fields"][0]["kind"] == "output");
  CHECK(j["first_mismatch_fields"][0]["layer"] == "fc1");
  CHECK(j["first_mismatch_fields"][0]["image"] == 0);
  CHECK(j["first_mismatch_fields"][0]["device"].get<int64_t>() + 1 == j["first_mismatch_fields"][0]["expected"]);
  REQUIRE(j["per_image"].size() == 40);
  for (int i = 0; i < 40; ++i) CHECK(j["per_image"][size_t(i)]["image"] == i);
  CHECK(results[1] == results[0]);
  CHECK(results[2] == results[0]);
  // A shard missing, twice, or from another run: one error line each.
  check_error(fmt::format("merge {} {}", shards[0].string(), shards[1].string()), "shards missing: 2/3");
  check_error(fmt::format("merge {} {} {}", shards[0].string(), shards[1].string(), shards[1].string()),
              "shard 1/3 given twice");
  check_error(fmt::format("merge {} {}", (d / "jobs1.json").string(), shards[0].string()),
              "not a shard (its run had no --shard K/N)");
  const fs::path other = d / "other2.json";
  CHECK(cosim(fmt::format("{} --batch 5 --shard 2/3 --json {}", common, other.string())).code == 1);
  check_error(fmt::format("merge {} {} {}", shards[0].string(), shards[1].string(), other.string()), "batch 10 and 5");
  std::ofstream(d / "junk.json") << "{\"command\": \"layer\"}";
  check_error(fmt::format("merge {}", (d / "junk.json").string()), "merge takes mnist and regress reports");
  check_error(fmt::format("merge {}", (d / "none.json").string()), "none.json: cannot read the report");
  fs::remove_all(d);
}

TEST_CASE("cosim: a random network of the CIFAR-10 CNN's shape runs on random 3-channel inputs on each dataflow",
          "[cosim][rtl][os]") {
  const fs::path d = scratch("cifar");
  const Run w = cosim("random-network --network cifar10-cnn --seed 2 --out " + (d / "m").string());
  INFO(w.out << w.err);
  REQUIRE(w.code == 0);
  CHECK_THAT(w.out, Catch::Contains("input 3x32x32"));
  for (const char* df : {"ws", "os", "auto"}) {
    INFO(df);
    const Run r = cosim(fmt::format("mnist --model {} --random-images 3 --seed 5 --device rtl --dataflow {} --json {}",
                                    (d / "m").string(), df, (d / "r.json").string()));
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("agreement with golden: 3/3 images with bit-identical logits"));
    CHECK_THAT(r.out, !Catch::Contains("accuracy:"));  // no labels
    const nlohmann::json j = nlohmann::json::parse(slurp(d / "r.json"));
    for (const auto& l : j["layers"])
      if (l["device"] == "rtl" && std::string(df) != "auto") CHECK(l["dataflow"] == df);
  }
  // The same seed writes the same model: the run is reproducible from the command alone.
  const Run again = cosim("random-network --network cifar10-cnn --seed 2 --out " + (d / "m2").string());
  REQUIRE(again.code == 0);
  for (const char* f : {"conv1.weight.npy", "fc3.bias.npy", "model.json"}) {
    std::string a = slurp(d / "m" / f), b = slurp(d / "m2" / f);
    if (std::string(f) == "model.json") CHECK(a.size() == b.size());
    else CHECK(a == b);
  }
  fs::remove_all(d);
}

TEST_CASE("cosim: an output-stationary random layer on the RTL passes", "[cosim][rtl][os]") {
  const Run r = cosim("layer --seed 7 --kind conv --in-ch 5 --out-ch 11 --size 7 --dataflow os --device rtl");
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("schedule: os im2col"));
  CHECK_THAT(r.out, Catch::Contains("result: PASS"));
}

TEST_CASE("cosim: --shard and --jobs out of range name the option", "[cosim][bad_input]") {
  const std::string run = fmt::format("mnist --model models/mnist_int8 {} --limit 30 --batch 10", kImages);
  check_error(run + " --shard 0/2", "--shard 0/2: expected K/N with 1 <= K <= N");
  check_error(run + " --shard 3/2", "--shard 3/2: expected K/N");
  check_error(run + " --shard 1/2x", "--shard 1/2x: expected K/N");
  check_error(run + " --shard 1/4", "--shard 1/4: 4 shards of 3 batches; use at most 3 shards");
  check_error(run + " --jobs -1", "--jobs");
  check_error(run + " --jobs 5000", "--jobs");
}

TEST_CASE("cosim: a malformed or impossible --fault is one error line naming it", "[cosim][bad_input]") {
  const std::string layer = "layer --seed 3 --kind linear --in-features 16 --out-features 12 --fault ";
  check_error(layer + "bogus:1@2", "--fault 'bogus:1@2': expected psum:, weight:, xmem: or pmem: first");
  check_error(layer + "psum:1,2,3", "--fault 'psum:1,2,3': expected psum:ROW,COL,BIT@CYCLE");
  check_error(layer + "psum:1,2@9", "2 numbers before '@', expected psum:ROW,COL,BIT@CYCLE");
  check_error(layer + "weight:1,2,3@9", "3 numbers before '@', expected weight:ROW,COL,BUF,BIT@CYCLE");
  check_error(layer + "psum:1,x,3@5", "'x' is not a number");
  check_error(layer + "psum:1,,3@5", "'' is not a number");
  check_error(layer + "xmem:1,2@-5", "'-5' is not a cycle number");
  check_error(layer + "psum:8,0,3@100", "--fault 'psum:8,0,3@100': fault row 8 out of range 0..7 (configuration int8)");
  check_error(layer + "weight:0,0,2,3@100", "fault buffer 2 out of range 0..1");
  check_error(layer + "xmem:0,64@10", "fault bit 64 out of range 0..63");
  check_error(layer + "pmem:4096,0@10", "fault pmem address 4096 out of range 0..4095");
  check_error(layer + "psum:0,0,0@1", "fault at cycle 1: the core has already simulated cycles 0..1");
  check_error(layer + "psum:0,0,0@99999999", "never applied: the RTL device ran cycles 0..");
  check_error(layer + "psum:0,0,0@9 --device functional", "--fault needs --device rtl");
  const std::string mnist = "mnist --model models/mnist_int8 " + kImages + " --limit 1 --fault psum:0,0,0@100";
  check_error(mnist + " --jobs 2", "--fault needs one worker: --jobs 1, not --jobs 2");
  check_error(mnist + " --shard 1/1", "--fault applies to a whole run, not to --shard");
  check_error(mnist + " --device functional", "--fault needs a layer on the rtl device");
}

TEST_CASE("cosim: layer --fault says where the bit flipped, in core cycles and schedule slots", "[cosim][rtl]") {
  // The plumbing only: where a fault surfaces is tests/test_fault.cpp's (derived from the schedule).
  // Core cycle 45 of a new device is schedule slot 40 (2 + 2 reset cycles, one ctr_clr slot).
  const Run r = cosim(
      "layer --seed 5 --kind linear --in-features 16 --out-features 12 --batch 6 --logits "
      "--fault psum:0,0,20@45");
  INFO(r.out << r.err);
  CHECK(r.err.empty());
  CHECK_THAT(r.out, Catch::Contains("fault: psum of PE (0, 0) bit 20 at cycle 45: applied during layer"));
  CHECK_THAT(r.out, Catch::Contains("schedule slot 40"));
  CHECK(r.code == (r.out.find("result: FAIL") != std::string::npos ? 1 : 0));
}

TEST_CASE("cosim: export-vectors then vectors on the RTL", "[cosim][rtl][vectors]") {
  const fs::path d = scratch("vec");
  const Run e = cosim(fmt::format("export-vectors --out {} --config ece284 --seed 5", (d / "set").string()));
  INFO(e.out << e.err);
  REQUIRE(e.code == 0);
  const Run r = cosim(fmt::format("vectors --dir {} --config ece284 --device rtl", (d / "set").string()));
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("result: PASS"));
  // A wrong expected output digit: the device disagrees with the file, exit 1.
  const fs::path out = d / "set" / "output.txt";
  std::string text = slurp(out);
  const auto last = text.find_last_of("01");
  text[last] = text[last] == '0' ? '1' : '0';
  std::ofstream(out) << text;
  const Run bad = cosim(fmt::format("vectors --dir {} --config ece284 --device rtl", (d / "set").string()));
  CHECK(bad.code == 1);
  CHECK_THAT(bad.out, Catch::Contains("result: FAIL"));
  fs::remove_all(d);
}

TEST_CASE("cosim: vector sets as courses write them: one weight file, the header's core and stride",
          "[cosim][rtl][vectors]") {
  const fs::path d = scratch("vec-course");
  const std::string one = (d / "one").string(), s2 = (d / "s2").string();
  const Run e = cosim(fmt::format("export-vectors --out {} --seed 5 --combined-weight --combined-psum", one));
  INFO(e.out << e.err);
  REQUIRE(e.code == 0);
  CHECK(fs::exists(d / "one" / "weight.txt"));
  CHECK_FALSE(fs::exists(d / "one" / "weight_kij0.txt"));
  // No --config: the core the header records (ece284), on the RTL.
  const Run r = cosim(fmt::format("vectors --dir {} --device rtl", one));
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("on ece284 (8x8, 4/4/16)"));
  CHECK_THAT(r.out, Catch::Contains("result: PASS"));
  check_error(fmt::format("vectors --dir {} --config int4", one),
              (d / "one" / "activation.txt").string() +
                  ":3: the header records core ece284, but the set is read as int4 (8x8, 4/4/32)");
  // The header's stride without --stride; a different --stride is an error.
  REQUIRE(cosim(fmt::format("export-vectors --out {} --seed 6 --stride 2", s2)).code == 0);
  const Run st = cosim(fmt::format("vectors --dir {} --device functional", s2));
  INFO(st.out << st.err);
  CHECK(st.code == 0);
  CHECK_THAT(st.out, Catch::Contains("stride 2"));
  check_error(fmt::format("vectors --dir {} --stride 1", s2),
              (d / "s2" / "activation.txt").string() + ":3: the header records stride 2, but stride 1 was given");
  // export-vectors --model takes the model's configuration as `cosim layer` does; --config overrides.
  const Run m =
      cosim(fmt::format("export-vectors --out {} --model models/mnist_int8 --layer conv1", (d / "m").string()));
  INFO(m.out << m.err);
  CHECK(m.code == 0);
  CHECK_THAT(m.out, Catch::Contains("config int8 (8x8, 8/8/32)"));
  check_error(
      fmt::format("export-vectors --out {} --model models/mnist_int8 --layer conv1 --config int4", (d / "m4").string()),
      "--config int4 has widths 4/4/32, the model 8/8/32");
  const Run mr = cosim(fmt::format("vectors --dir {} --device functional", (d / "m").string()));
  INFO(mr.out << mr.err);
  CHECK(mr.code == 0);
  CHECK_THAT(mr.out, Catch::Contains("result: PASS"));
  fs::remove_all(d);
}

TEST_CASE("cosim: mnist on the SystemC device matches the RTL cycle for cycle", "[cosim][systemc][mnist]") {
  const fs::path d = scratch("systemc");
  std::map<std::string, nlohmann::json> reports;
  for (const std::string dev : {"rtl", "systemc"}) {
    const Run r = cosim(fmt::format("mnist --model models/mnist_int8 {} --limit 5 --device {} --json {}", kImages, dev,
                                    (d / (dev + ".json")).string()));
    INFO(dev << ": " << r.out << r.err);
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    CHECK_THAT(r.out, Catch::Contains("result: PASS"));
    reports[dev] = nlohmann::json::parse(slurp(d / (dev + ".json")));
  }
  const auto& a = reports["rtl"]["layers"];
  const auto& b = reports["systemc"]["layers"];
  REQUIRE(a.size() == b.size());
  int on_core = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i]["device"] == "host") continue;
    ++on_core;
    INFO(a[i]["name"]);
    CHECK(b[i]["device"] == "systemc");
    CHECK(a[i]["cycles"] == b[i]["cycles"]);
    CHECK(a[i]["compute_cycles"] == b[i]["compute_cycles"]);
    CHECK(a[i]["stall_cycles"] == b[i]["stall_cycles"]);
    CHECK(a[i]["drain_cycles"] == b[i]["drain_cycles"]);
  }
  CHECK(on_core == 4);
  CHECK(reports["systemc"]["mismatches"] == 0);
  fs::remove_all(d);
}

TEST_CASE("cosim: a layer on the SystemC device traces its slot window", "[cosim][systemc]") {
  const fs::path d = scratch("sctrace");
  const Run r = traced_fc2("systemc", d);
  CHECK_THAT(r.out, Catch::Contains("device systemc"));
  REQUIRE(fs::exists(d / "fc2.fst"));
  CHECK(fs::file_size(d / "fc2.fst") > 0);
  // Every configuration has a SystemC model; an unknown one is one error line.
  check_error("layer --seed 1 --config nosuch --device systemc", "unknown core configuration 'nosuch'");
  fs::remove_all(d);
}

TEST_CASE("parallel_map: results in task order, each worker on one thread, the first failure rethrown", "[cosim]") {
  for (const int workers : {1, 2, 5}) {
    INFO("workers " << workers);
    std::vector<std::thread::id> owner(static_cast<size_t>(workers));
    std::mutex m;
    bool shared = false;
    int ticks = 0;
    const std::vector<int> out = accel::cosim::parallel_map<int>(
        50, workers,
        [&](int w, int i) {
          const std::lock_guard<std::mutex> lock(m);
          if (owner[size_t(w)] == std::thread::id{}) owner[size_t(w)] = std::this_thread::get_id();
          shared |= owner[size_t(w)] != std::this_thread::get_id();
          return i * i;
        },
        [&] { ++ticks; }, std::chrono::milliseconds(1));
    REQUIRE(out.size() == 50);
    for (int i = 0; i < 50; ++i) CHECK(out[size_t(i)] == i * i);
    CHECK_FALSE(shared);
    CHECK(ticks >= 1);
    // Tasks 7 and 30 fail: whatever ran first, task 7's error is the one reported.
    CHECK_THROWS_WITH(accel::cosim::parallel_map<int>(
                          50, workers,
                          [](int, int i) -> int {
                            if (i == 7 || i == 30) throw std::runtime_error(fmt::format("task {}", i));
                            return i;
                          },
                          [] {}),
                      "task 7");
  }
  CHECK(accel::cosim::worker_count(0, 100) >= 1);
  CHECK(accel::cosim::worker_count(8, 3) == 3);
  CHECK(accel::cosim::worker_count(2, 100) == 2);
}

// The signals GTKWave displays after loading a trace with a layout: its Tcl interface lists them
// (a layout line naming no signal of the trace is dropped silently, so the list shows it).
static std::vector<std::string> gtkwave_displayed(const fs::path& fst, const fs::path& gtkw) {
  const fs::path tcl = fst.parent_path() / "displayed.tcl";
  std::ofstream(tcl) << "foreach s [gtkwave::getDisplayedSignals] { puts \"DISPLAYED $s\" }\ngtkwave::/File/Quit\n";
  const Run r = in_root(fmt::format("timeout 120 xvfb-run -a gtkwave -S '{}' '{}' '{}'", tcl.string(), fst.string(),
                                    gtkw.string()));
  INFO(r.out << r.err);
  REQUIRE(r.code == 0);
  std::vector<std::string> out;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("DISPLAYED ", 0) == 0) out.push_back(line.substr(10));
  return out;
}

TEST_CASE("cosim: the trace's GTKWave layout resolves every signal on every configuration and host",
          "[cosim][wave][systemc]") {
  const fs::path d = scratch("wave");
  for (const accel::CoreConfig& cfg : accel::kConfigs) {
    for (const std::string device : {"rtl", "systemc"}) {
      const fs::path fst = d / fmt::format("{}_{}.fst", cfg.name, device), gtkw = fs::path(fst).replace_extension(".gtkw");
      INFO(cfg.name << " on " << device);
      const Run r = cosim(fmt::format("layer --config {} --device {} --seed 3 --trace {} --trace-window 0:30", cfg.name,
                                      device, fst.string()));
      INFO(r.out << r.err);
      REQUIRE(r.code == 0);
      CHECK_THAT(r.out, Catch::Contains(fmt::format("wave layout: {}", gtkw.string())));
      const std::vector<std::string> want = accel::sim::layout_signals(slurp(gtkw));
      // Every row of L0, every column of PE row 0, the OFIFO and the SFP, and every counter.
      size_t l0_rows = 0, pe_cols = 0, ctrs = 0;
      for (const std::string& s : want) {
        l0_rows += s.find(".u_l0.act_o[") != std::string::npos;
        pe_cols += s.find(".u_tile.valid_q") != std::string::npos;
        ctrs += s.find(".ctr_q[") != std::string::npos;
      }
      CHECK(l0_rows == cfg.rows);
      CHECK(pe_cols == cfg.cols);
      CHECK(ctrs == accel::kNumCounters);
      CHECK(gtkwave_displayed(fst, gtkw) == want);
    }
  }
  // The check can fail: a layout line naming a signal the trace lacks is not displayed.
  const fs::path fst = d / "int8_rtl.fst", bad = d / "bad.gtkw";
  std::ofstream(bad) << slurp(fs::path(fst).replace_extension(".gtkw")) << "core.core.no_such_signal\n";
  const std::vector<std::string> shown = gtkwave_displayed(fst, bad), listed = accel::sim::layout_signals(slurp(bad));
  CHECK(shown.size() + 1 == listed.size());
  CHECK(listed.back() == "core.core.no_such_signal");
  // The generator refuses a trace that lacks a signal it needs: another configuration's trace, or
  // a renamed RTL signal.
  const std::vector<accel::sim::TraceSignal> odd = accel::sim::read_trace_signals((d / "odd4x6_rtl.fst").string());
  CHECK_THROWS_WITH(accel::sim::wave_layout(odd, accel::config_by_name("int8"), "odd.fst"),
                    Catch::Contains("no signal core.core.u_corelet.u_l0.act_o[4] (the layout for int8, 8x8, needs it)"));
  std::vector<accel::sim::TraceSignal> renamed = accel::sim::read_trace_signals(fst.string());
  const auto acc = std::find_if(renamed.begin(), renamed.end(), [](const accel::sim::TraceSignal& s) {
    return s.name.find("g_row[0].g_col[3].u_tile.acc_q") != std::string::npos;
  });
  REQUIRE(acc != renamed.end());
  renamed.erase(acc);
  CHECK_THROWS_WITH(accel::sim::wave_layout(renamed, accel::config_by_name("int8"), "x.fst"),
                    Catch::Contains("no signal core.core.u_corelet.u_mac_array.g_row[0].g_col[3].u_tile.acc_q"));
  CHECK_THROWS_WITH(accel::sim::read_trace_signals((d / "bad.gtkw").string()), Catch::Contains("cannot be read as FST"));
  fs::remove_all(d);
}

TEST_CASE("cosim: the energy estimate comes from the event counters and the table given", "[cosim][rtl][energy]") {
  const fs::path d = scratch("energy");
  const auto layer_json = [&](const std::string& extra) {
    const Run r = cosim(fmt::format("layer --seed 2 --json {} {}", (d / "l.json").string(), extra));
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("energy: "));
    return nlohmann::json::parse(slurp(d / "l.json"));
  };
  const auto j = layer_json("");
  const auto& l = j["layers"][0];
  CHECK_THAT(j["energy_table"].get<std::string>(), Catch::Contains("Horowitz"));
  CHECK(l["events"]["macs"] == l["compute_cycles"].get<uint64_t>() * 64);  // int8: 8x8 per vector
  CHECK(l["events"]["l0_pop"] == l["compute_cycles"]);
  CHECK(l["events"]["xmem_read"].get<uint64_t>() > 0);
  CHECK(l["events"]["l0_push"] == l["events"]["xmem_read"]);  // every word read goes into L0
  const double total = l["energy_pj"]["total"].get<double>();
  CHECK(total > 0);
  CHECK(l["energy_pj"]["mac"].get<double>() == Approx(l["events"]["macs"].get<double>() * 0.3));
  // Every figure doubled: the estimate doubles.
  nlohmann::json t = nlohmann::json::parse(slurp(fs::path(ACCEL_ROOT) / "energy/horowitz_45nm.json"));
  for (auto& [k, v] : t["pj"].items()) v = 2 * v.get<double>();
  std::ofstream(d / "double.json") << t.dump();
  const auto j2 = layer_json("--energy " + (d / "double.json").string());
  CHECK(j2["layers"][0]["energy_pj"]["total"].get<double>() == Approx(2 * total));
  // A bad table: one error line naming the flag, the file and the figure.
  t["pj"].erase("mul_8");
  std::ofstream(d / "bad.json") << t.dump();
  check_error("layer --seed 2 --energy " + (d / "bad.json").string(), "bad.json: pj.mul_8 missing");
  check_error("mnist --model models/mnist_int8 --limit 2 --energy " + (d / "none.json").string(),
              "--energy " + (d / "none.json").string() + ": cannot read the energy table");
  // The 4-bit model costs less per image than the 8-bit one on the same network.
  const auto per_image = [&](const std::string& model) {
    const Run r = cosim(fmt::format("mnist --model {} --limit 4 --batch 4 --device functional --json {}", model,
                                    (d / "m.json").string()));
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    return nlohmann::json::parse(slurp(d / "m.json"))["network"]["energy_pj_per_image"].get<double>();
  };
  CHECK(per_image("models/mnist_int4") < per_image("models/mnist_int8"));
  fs::remove_all(d);
}

TEST_CASE("cosim: --simd runs a half-width model in a core's SIMD mode and refuses what cannot run in it",
          "[cosim][simd][bad_input]") {
  const fs::path d = scratch("simd");
  const Run r = cosim(fmt::format("mnist --model models/mnist_a2w4 --simd --device functional --limit 10 --json {}",
                                  (d / "s.json").string()));
  INFO(r.out << r.err);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("config int4 (8x8, 4/4/32, SIMD mode)"));
  CHECK_THAT(r.out, Catch::Contains("of the SIMD mode's peak of 128 MACs per cycle"));
  const auto j = nlohmann::json::parse(slurp(d / "s.json"));
  CHECK(j["lanes"] == 2);
  CHECK(j["agreement"]["identical"] == 10);
  // Utilization against 128 MACs per cycle: MACs / (128 x cycles).
  const double util = j["network"]["utilization"].get<double>();
  const double macs = j["network"]["macs"].get<double>(), cycles = j["network"]["cycles"].get<double>();
  CHECK(util == Approx(macs / (128 * cycles)));
  CHECK(util > 0.5);
  // A random layer in the mode, on the RTL.
  const Run l = cosim("layer --config int4 --simd --device rtl --seed 4");
  INFO(l.out << l.err);
  CHECK(l.code == 0);
  CHECK_THAT(l.out, Catch::Contains("SIMD mode"));
  check_error("mnist --model models/mnist_a2w4 --limit 1", "core 'int4' runs it in the SIMD mode (--simd)");
  check_error("mnist --model models/mnist_int8 --simd --limit 1", "widths 8/8/32 (act/weight/psum) in the SIMD mode");
  check_error("mnist --model models/mnist_a2w4 --simd --config int8 --limit 1", "--config int8 has no SIMD mode");
  check_error("layer --config int8 --simd", "--simd: core 'int8' has no SIMD mode");
  fs::remove_all(d);
}

// `cosim import ONNX --out DIR` (its summary containing `summary`), then 10 images of DIR on the RTL:
// bit-identical to golden, no mismatch. DIR is removed afterwards.
static void import_and_run(const fs::path& dir, const std::string& onnx, const std::string& summary) {
  fs::remove_all(dir);
  const Run imp = cosim(fmt::format("import {} --out {}", onnx, dir.string()));
  INFO(imp.out << imp.err);
  REQUIRE(imp.code == 0);
  CHECK_THAT(imp.out, Catch::Contains(summary));
  const Run r = cosim(fmt::format("mnist --model {} {} --limit 10", dir.string(), kImages));
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("agreement with golden: 10/10 images with bit-identical logits"));
  CHECK_THAT(r.out, Catch::Contains(", 0 mismatches"));
  fs::remove_all(dir);
}

TEST_CASE("cosim import: PyTorch's own QDQ export runs on the RTL, every psum checked", "[cosim][onnx]") {
  // tests/data/onnx/pytorch_qdq.onnx: torch.ao.quantization + torch.onnx.export (golden/train/pytorch_qdq.py).
  const fs::path dir = fs::temp_directory_path() / fmt::format("accel_pytorch_qdq_{}", ::getpid());
  import_and_run(dir, "tests/data/onnx/pytorch_qdq.onnx",
                 "A8/W8/P32, input 1x28x28, 4 layers (conv_Conv pool_MaxPool Flatten fc_Gemm)");
}

TEST_CASE("cosim conformance: ONNX's own cases through golden and the RTL, and a wrong expectation caught",
          "[cosim][onnx]") {
  const std::string data = "/usr/share/libonnx-testdata/data/node";
  const Run r = cosim("conformance");
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("| test_convinteger_with_padding | ConvInteger | 16 | 16/16 | 16/16 |"));
  CHECK_THAT(r.out, Catch::Contains("| test_matmulinteger | MatMulInteger | 8 | 8/8 | 8/8 |"));
  CHECK_THAT(r.out, Catch::Contains("| test_qlinearconv | QLinearConv | 49 | 49/49 | - |"));
  CHECK_THAT(r.out, Catch::Contains("| test_quantizelinear_axis | QuantizeLinear | 18 | 18/18 | - |"));
  // The comparison shown able to fail: a case whose expected output is another case's.
  const fs::path dir = fs::temp_directory_path() / fmt::format("accel_conformance_{}", ::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy(data + "/test_basic_convinteger", dir / "test_basic_convinteger", fs::copy_options::recursive);
  fs::copy_file(data + "/test_matmulinteger/test_data_set_0/output_0.pb",
                dir / "test_basic_convinteger/test_data_set_0/output_0.pb", fs::copy_options::overwrite_existing);
  const Run bad = cosim("conformance --data " + dir.string());
  INFO(bad.out << bad.err);
  CHECK(bad.code == 1);
  CHECK_THAT(bad.out, Catch::Contains("| test_basic_convinteger | ConvInteger | 8 | 0/8 | 0/8 |"));
  fs::remove_all(dir);
}

TEST_CASE("cosim import: the reference LeNet from ONNX (input zero point 33) runs on the RTL bit-exactly",
          "[cosim][onnx][mnist]") {
  const fs::path dir = fs::temp_directory_path() / fmt::format("accel_lenet_{}", ::getpid());
  import_and_run(dir, "models/onnx/lenet_affine.onnx", "7 layers (conv1 pool1 conv2 pool2 flatten fc1 fc2)");
}
