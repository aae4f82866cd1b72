// Replay of a text vector set on a device, compared with the files and with golden/
// (docs/vector-files.md "Replay").
#include <fmt/format.h>

#include <accel/config_precision.hpp>
#include <accel/runtime.hpp>
#include <accel/tiler.hpp>
#include <accel/vectors.hpp>
#include <golden/ops.hpp>
#include <golden/precision.hpp>
#include <stdexcept>

namespace fs = std::filesystem;

namespace accel {

golden::Layer vector_layer(const ConvVectors& v) {
  golden::Layer l;
  l.name = "vectors";
  l.type = golden::LayerType::conv2d;
  l.in_channels = int(v.config.rows);
  l.out_channels = int(v.config.cols);
  l.kernel = v.kernel;
  l.stride = v.stride;
  l.padding = 0;  // the activation file is already padded
  // Raw accumulators with ReLU and zero bias: the tiler reads a `logits` layer out raw (out_raw)
  // and applies `relu` (out_relu) after the bias; docs/vector-files.md "Replay".
  l.relu = true;
  l.logits = true;
  l.weight = v.weight_oihw();
  l.bias.assign(v.config.cols, 0);
  l.in_shape = {l.in_channels, v.padded_height, v.padded_width};
  l.out_shape = {l.out_channels, v.out_height, v.out_width};
  return l;
}

golden::Tensor vector_input(const ConvVectors& v) {
  golden::Tensor t = golden::Tensor::chw(int(v.config.rows), v.padded_height, v.padded_width);
  for (int nij = 0; nij < v.positions(); ++nij)
    for (unsigned c = 0; c < v.config.rows; ++c)
      t.at(int(c), nij / v.padded_width, nij % v.padded_width) = v.activation.at(size_t(nij), c);
  return t;
}

namespace {

// Golden's values for the set: per kernel position kij the psum at every input position (a 1x1
// convolution of the padded input with that position's weights: {Cols, H, W}), and the output
// (the K x K convolution, then ReLU: {Cols, OH, OW}).
struct GoldenVectors {
  std::vector<golden::Tensor> psum;
  golden::Tensor output;
};

GoldenVectors golden_vectors(const ConvVectors& v, const golden::Tensor& in, const std::vector<int32_t>& w) {
  const golden::Precision prec = precision_of(v.config);
  const int R = int(v.config.rows), C = int(v.config.cols), K = v.kernel;
  GoldenVectors g;
  std::vector<int32_t> w1(size_t(C) * R);
  for (int kij = 0; kij < K * K; ++kij) {
    for (int o = 0; o < C; ++o)
      for (int c = 0; c < R; ++c) w1[size_t(o) * R + c] = w[((size_t(o) * R + c) * K + kij / K) * K + kij % K];
    g.psum.push_back(golden::conv2d_acc(in, w1, golden::ConvParams{R, C, 1, 1, 0}, prec));
  }
  g.output = golden::relu(golden::conv2d_acc(in, w, golden::ConvParams{R, C, K, v.stride, 0}, prec));
  return g;
}

// Compares what the device shows with the files and with golden, as the runtime plays.
class ReplayObserver final : public RunObserver {
 public:
  ReplayObserver(const ConvVectors& v, const GoldenVectors& g, ReplayResult& r, size_t keep)
      : v_(v), g_(g), r_(r), keep_(keep) {}

  void on_psum(const Schedule& s, const Event& e, std::span<const int64_t> row) override {
    const Slice& sl = s.slices[s.passes[e.ref].slice];
    const Item& it = s.item_of(e);
    const int iy = it.y * v_.stride + sl.ky, ix = it.x * v_.stride + sl.kx;
    const int nij = iy * v_.padded_width + ix, kij = sl.ky * v_.kernel + sl.kx;
    const unsigned cols = v_.config.cols;
    for (unsigned c = 0; c < cols; ++c) {
      ++r_.device_golden_values_checked;
      if (row[c] != g_.psum[size_t(kij)].at(int(c), iy, ix)) ++r_.device_golden_mismatches;
    }
    if (!v_.has_psums()) return;
    const VectorFile& f = v_.psum_file(kij);
    const size_t line = v_.psum_line(kij, nij);
    ++r_.psum_rows_compared;
    bool ok = true;
    for (unsigned c = 0; c < cols; ++c) {
      if (row[c] == f.at(line, c)) continue;
      ok = false;
      if (r_.device_mismatches.size() < keep_) {
        VectorMismatch m;
        m.kind = VectorMismatch::Kind::Psum;
        m.check = VectorMismatch::Check::DeviceVsFile;
        m.file = f.path;
        m.line = VectorFile::file_line(line);
        m.kij = kij;
        m.nij = nij;
        m.y = iy;
        m.x = ix;
        m.column = int(c);
        m.actual = row[c];
        m.file_value = f.at(line, c);
        r_.device_mismatches.push_back(std::move(m));
      }
    }
    if (ok) ++r_.psum_rows_matched;
  }

  void on_out(const Schedule& s, const Event& e, std::span<const int64_t> row) override {
    const OutRead& read = s.reads[e.ref];
    const Item& it = s.items[read.item];
    const int p = it.y * v_.out_width + it.x;
    const size_t line = size_t(p);
    ++r_.output_rows_compared;
    bool ok = true;
    for (int c = 0; c < read.o1 - read.o0; ++c) {
      const int o = read.o0 + c;
      ++r_.output_values_compared;
      ++r_.device_golden_values_checked;
      if (row[size_t(c)] != g_.output.at(o, it.y, it.x)) ++r_.device_golden_mismatches;
      const int64_t want = v_.output.at(line, unsigned(o));
      if (row[size_t(c)] == want) {
        ++r_.output_values_matched;
        continue;
      }
      ok = false;
      if (r_.device_mismatches.size() < keep_) {
        VectorMismatch m;
        m.kind = VectorMismatch::Kind::Output;
        m.check = VectorMismatch::Check::DeviceVsFile;
        m.file = v_.output.path;
        m.line = VectorFile::file_line(line);
        m.nij = p;
        m.y = it.y;
        m.x = it.x;
        m.column = o;
        m.actual = row[size_t(c)];
        m.file_value = want;
        r_.device_mismatches.push_back(std::move(m));
      }
    }
    if (ok) ++r_.output_rows_matched;
  }

  void on_protocol(const Schedule&, uint64_t slot, const std::string& what) override {
    ++r_.protocol_errors;
    if (r_.protocol.size() < keep_) r_.protocol.push_back(fmt::format("slot {}: {}", slot, what));
  }

 private:
  const ConvVectors& v_;
  const GoldenVectors& g_;
  ReplayResult& r_;
  size_t keep_;
};

// Every line of the psum and output files against golden.
void check_files(const ConvVectors& v, const GoldenVectors& g, ReplayResult& r, size_t keep) {
  const unsigned cols = v.config.cols;
  auto note = [&](VectorMismatch m) {
    if (r.file_mismatches.size() < keep) r.file_mismatches.push_back(std::move(m));
  };
  if (v.has_psums()) {
    for (int kij = 0; kij < v.kernel_positions(); ++kij) {
      const VectorFile& f = v.psum_file(kij);
      for (int nij = 0; nij < v.positions(); ++nij) {
        const size_t line = v.psum_line(kij, nij);
        const int iy = nij / v.padded_width, ix = nij % v.padded_width;
        ++r.golden_psum_lines_checked;
        bool ok = true;
        for (unsigned c = 0; c < cols; ++c) {
          const int64_t want = g.psum[size_t(kij)].at(int(c), iy, ix);
          if (f.at(line, c) == want) continue;
          ok = false;
          VectorMismatch m;
          m.kind = VectorMismatch::Kind::Psum;
          m.check = VectorMismatch::Check::FileVsGolden;
          m.file = f.path;
          m.line = VectorFile::file_line(line);
          m.kij = kij;
          m.nij = nij;
          m.y = iy;
          m.x = ix;
          m.column = int(c);
          m.actual = want;
          m.file_value = f.at(line, c);
          note(std::move(m));
        }
        if (ok) ++r.golden_psum_lines_matched;
      }
    }
  }
  for (int p = 0; p < v.out_height * v.out_width; ++p) {
    const int y = p / v.out_width, x = p % v.out_width;
    ++r.golden_output_lines_checked;
    bool ok = true;
    for (unsigned c = 0; c < cols; ++c) {
      const int64_t want = g.output.at(int(c), y, x);
      if (v.output.at(size_t(p), c) == want) continue;
      ok = false;
      VectorMismatch m;
      m.kind = VectorMismatch::Kind::Output;
      m.check = VectorMismatch::Check::FileVsGolden;
      m.file = v.output.path;
      m.line = VectorFile::file_line(size_t(p));
      m.nij = p;
      m.y = y;
      m.x = x;
      m.column = int(c);
      m.actual = want;
      m.file_value = v.output.at(size_t(p), c);
      note(std::move(m));
    }
    if (ok) ++r.golden_output_lines_matched;
  }
}

}  // namespace

ReplayResult replay_vectors(const fs::path& dir, Device& device, const ReplayOptions& options) {
  const ConvVectors v = load_vectors(dir, device.config(), options.files, options.shape);
  return replay_vectors(v, device, options.max_mismatches);
}

ReplayResult replay_vectors(const ConvVectors& v, Device& device, size_t max_mismatches) {
  const CoreConfig& dc = device.config();
  const CoreConfig& vc = v.config;
  if (dc.rows != vc.rows || dc.cols != vc.cols || dc.act_bits != vc.act_bits || dc.weight_bits != vc.weight_bits ||
      dc.psum_bits != vc.psum_bits)
    throw std::invalid_argument(fmt::format("vectors read for core '{}' cannot run on device '{}' with core '{}'",
                                            vc.name, device.name(), dc.name));
  ReplayResult r;
  r.device = std::string(device.name());
  r.padded_height = v.padded_height;
  r.padded_width = v.padded_width;
  r.kernel = v.kernel;
  r.stride = v.stride;
  r.out_height = v.out_height;
  r.out_width = v.out_width;
  r.has_psums = v.has_psums();
  r.psum_lines_in_files = v.has_psums() ? uint64_t(v.kernel_positions()) * v.positions() : 0;

  const golden::Layer layer = vector_layer(v);
  const std::vector<golden::Tensor> inputs{vector_input(v)};
  const GoldenVectors g = golden_vectors(v, inputs.front(), layer.weight);
  check_files(v, g, r, max_mismatches);

  TilerOptions topt;
  topt.strategy = Strategy::KernelMajor;  // one pass per kernel position: psum rows per (kij, nij)
  const Schedule s = tile_layer(dc, layer, precision_of(dc), inputs, {}, -1, topt);
  ReplayObserver obs(v, g, r, max_mismatches);
  const PlayResult pr = play(s, device, &obs);
  r.counters = pr.counters;
  r.slots = pr.slots;
  return r;
}

std::string ReplayResult::verdict() const {
  if (passed()) return "pass";
  std::string v;
  if (!files_consistent()) {
    v = "the files disagree with each other (psum/output lines differ from golden on the activation and weight files)";
    v += device_agrees_with_golden() ? "; the device agrees with golden" : "; the device also disagrees with golden";
    return v;
  }
  if (!device_agrees_with_files()) return "the device disagrees with the files";
  return "the device disagrees with golden";
}

std::string format_mismatch(const VectorMismatch& m) {
  const char* who = m.check == VectorMismatch::Check::DeviceVsFile ? "device" : "golden";
  if (m.kind == VectorMismatch::Kind::Psum)
    return fmt::format("{}:{}: psum kij {} nij {} (y {}, x {}) column {}: {} {}, file {}", m.file.string(), m.line,
                       m.kij, m.nij, m.y, m.x, m.column, who, m.actual, m.file_value);
  return fmt::format("{}:{}: output {} (y {}, x {}) column {}: {} {}, file {}", m.file.string(), m.line, m.nij, m.y,
                     m.x, m.column, who, m.actual, m.file_value);
}

std::string format_replay(const ReplayResult& r) {
  std::string s;
  s += fmt::format("vectors: {}x{} padded input, kernel {}, stride {} -> {}x{} outputs; device {}, {} slots\n",
                   r.padded_height, r.padded_width, r.kernel, r.stride, r.out_height, r.out_width, r.device, r.slots);
  if (r.has_psums)
    s += fmt::format(
        "psum rows: {} compared ({} lines in the files; the device streams only positions an output "
        "needs), {} matched\n",
        r.psum_rows_compared, r.psum_lines_in_files, r.psum_rows_matched);
  else
    s += "psum rows: no psum file\n";
  s += fmt::format("outputs: {} rows compared, {} matched ({} of {} values)\n", r.output_rows_compared,
                   r.output_rows_matched, r.output_values_matched, r.output_values_compared);
  s += fmt::format("files vs golden: psum lines {} of {} match, output lines {} of {} match\n",
                   r.golden_psum_lines_matched, r.golden_psum_lines_checked, r.golden_output_lines_matched,
                   r.golden_output_lines_checked);
  s += fmt::format("device vs golden: {} of {} values differ\n", r.device_golden_mismatches,
                   r.device_golden_values_checked);
  if (r.protocol_errors) {
    s += fmt::format("protocol errors: {}\n", r.protocol_errors);
    for (const auto& p : r.protocol) s += "  " + p + "\n";
  }
  if (!r.device_mismatches.empty()) {
    s += "device vs files, first mismatches:\n";
    for (const auto& m : r.device_mismatches) s += "  " + format_mismatch(m) + "\n";
  }
  if (!r.file_mismatches.empty()) {
    s += "files vs golden, first mismatches:\n";
    for (const auto& m : r.file_mismatches) s += "  " + format_mismatch(m) + "\n";
  }
  s += "verdict: " + r.verdict() + "\n";
  return s;
}

}  // namespace accel
