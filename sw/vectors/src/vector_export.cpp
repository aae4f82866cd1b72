// Writing a text vector set for one (input-channel tile, output-channel tile) of a conv2d layer
// (docs/vector-files.md "Export"). The files hold plain copies of activations and weights; the
// expected psums and outputs come from golden's partial accumulators of the tile slice.
#include <fmt/format.h>

#include <accel/config_precision.hpp>
#include <accel/random_layer.hpp>
#include <accel/vectors.hpp>
#include <golden/input_file.hpp>
#include <golden/network.hpp>
#include <golden/partial.hpp>
#include <random>
#include <regex>
#include <set>
#include <stdexcept>

namespace fs = std::filesystem;

namespace accel {

namespace {

// Any file name the discovery of find_vector_files would pick up.
bool looks_like_vector_file(std::string name) {
  for (auto& ch : name) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  static const std::regex re(R"(^(activation.*|weight.*|psum.*|out|output.*)\.txt$)");
  return std::regex_match(name, re);
}

std::string lane_header(const char* step, int n, const char* lane, unsigned lanes) {
  return fmt::format("#{0}{1}{2}{3}[msb-lsb],{0}{1}{2}{4}[msb-lsb],...,{0}{1}{2}0[msb-lsb]", step, n, lane, lanes - 1,
                     lanes >= 2 ? lanes - 2 : 0);
}

// The tile of an export and its padded geometry, checked against the layer and the input.
ExportResult plan_export(const CoreConfig& cfg, const golden::Layer& layer, const golden::Tensor& input,
                         const ExportOptions& options, int pad) {
  if (layer.type != golden::LayerType::conv2d)
    throw std::invalid_argument(fmt::format("export-vectors: layer '{}' is a {}, not a conv2d", layer.name,
                                            golden::layer_type_name(layer.type)));
  const int C = layer.in_channels, O = layer.out_channels, K = layer.kernel, S = layer.stride;
  if (layer.weight.size() != size_t(O) * C * K * K)
    throw std::invalid_argument(fmt::format("export-vectors: layer '{}' has {} weights, expected {}x{}x{}x{}",
                                            layer.name, layer.weight.size(), O, C, K, K));
  if (input.rank() != 3 || input.channels() != C)
    throw std::invalid_argument(fmt::format("export-vectors: input {} does not match layer '{}' ({} input channels)",
                                            input.shape_str(), layer.name, C));
  const int R = int(cfg.rows), Q = int(cfg.cols);
  ExportResult res;
  res.c0 = options.in_tile * R;
  res.o0 = options.out_tile * Q;
  if (options.in_tile < 0 || res.c0 >= C)
    throw std::invalid_argument(
        fmt::format("export-vectors: input-channel tile (--in-tile) {} outside 0..{} ({} channels, {} rows)",
                    options.in_tile, (C + R - 1) / R - 1, C, R));
  if (options.out_tile < 0 || res.o0 >= O)
    throw std::invalid_argument(
        fmt::format("export-vectors: output-channel tile (--out-tile) {} outside 0..{} ({} channels, {} columns)",
                    options.out_tile, (O + Q - 1) / Q - 1, O, Q));
  res.c1 = std::min(C, res.c0 + R);
  res.o1 = std::min(O, res.o0 + Q);
  res.padded_height = input.height() + 2 * pad;
  res.padded_width = input.width() + 2 * pad;
  res.kernel = K;
  res.stride = S;
  if (K < 1 || S < 1 || K > res.padded_height || K > res.padded_width)
    throw std::invalid_argument(fmt::format("export-vectors: kernel {} stride {} do not fit a {}x{} padded input", K, S,
                                            res.padded_height, res.padded_width));
  res.out_height = (res.padded_height - K) / S + 1;
  res.out_width = (res.padded_width - K) / S + 1;
  return res;
}

int64_t weight_at(const golden::Layer& l, int o, int c, int ky, int kx) {
  return l.weight[((size_t(o) * l.in_channels + c) * l.kernel + ky) * l.kernel + kx];
}

// Values must fit the widths of the configuration (the files have no other way to say them).
void check_tile_values(const CoreConfig& cfg, const golden::Layer& layer, const golden::Tensor& input,
                       const ExportResult& res) {
  const int K = layer.kernel;
  const int64_t amax = (int64_t{1} << cfg.act_bits) - 1;
  for (int c = res.c0; c < res.c1; ++c)
    for (int y = 0; y < input.height(); ++y)
      for (int x = 0; x < input.width(); ++x)
        if (input.at(c, y, x) < 0 || input.at(c, y, x) > amax)
          throw std::invalid_argument(
              fmt::format("export-vectors: activation {} at channel {} (y {}, x {}) outside "
                          "0..{} ({} bits of core '{}')",
                          input.at(c, y, x), c, y, x, amax, cfg.act_bits, cfg.name));
  const int64_t wmin = -(int64_t{1} << (cfg.weight_bits - 1)), wmax = -wmin - 1;
  for (int o = res.o0; o < res.o1; ++o)
    for (int c = res.c0; c < res.c1; ++c)
      for (int k = 0; k < K * K; ++k)
        if (weight_at(layer, o, c, k / K, k % K) < wmin || weight_at(layer, o, c, k / K, k % K) > wmax)
          throw std::invalid_argument(
              fmt::format("export-vectors: weight {} of output {} input {} kij {} outside "
                          "{}..{} ({} bits of core '{}')",
                          weight_at(layer, o, c, k / K, k % K), o, c, k, wmin, wmax, cfg.weight_bits, cfg.name));
}

// The directory must not hold other vector files: they would make the set ambiguous.
void prepare_dir(const fs::path& dir, int K, const ExportOptions& options) {
  std::set<std::string> ours{"activation.txt", "output.txt"};
  if (options.combined_weight) ours.insert("weight.txt");
  for (int k = 0; k < K * K; ++k) {
    if (!options.combined_weight) ours.insert(fmt::format("weight_kij{}.txt", k));
    if (options.psums && !options.combined_psum) ours.insert(fmt::format("psum_kij{}.txt", k));
  }
  if (options.psums && options.combined_psum) ours.insert("psum.txt");
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) throw VectorFileError(dir, 0, "not a directory");
    std::vector<std::string> other;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      const std::string name = e.path().filename().string();
      if (looks_like_vector_file(name) && !ours.count(name)) other.push_back(golden::printable(name));
      // Writing to a FIFO would block, to a directory fail half-way through the set.
      if (ours.count(name) && !e.is_regular_file())
        throw VectorFileError(e.path(), 0, "exists and is not a regular file");
    }
    if (!other.empty()) {
      std::sort(other.begin(), other.end());
      std::string list;
      for (const auto& n : other) list += (list.empty() ? "" : ", ") + n;
      throw std::invalid_argument(
          fmt::format("export-vectors: {} already holds other vector files ({}); export into an empty directory",
                      dir.string(), list));
    }
  } else if (!fs::create_directories(dir, ec) && ec) {
    throw VectorFileError(dir, 0, "cannot create the directory: " + ec.message());
  }
}

// Writes the files of one export into dir, recording them in res.files.
class TileWriter {
 public:
  TileWriter(const fs::path& dir, const CoreConfig& cfg, const golden::Layer& layer, const golden::Tensor& input,
             const ExportOptions& options, int pad, ExportResult& res)
      : dir_(dir), cfg_(cfg), l_(layer), in_(input), opt_(options), pad_(pad), res_(res) {
    const std::string what = options.description.empty() ? layer.describe() : options.description;
    info_ = fmt::format(
        "# {}: input channels {}..{}, output channels {}..{}, padding {} -> {}x{} padded, kernel {}, stride {}, "
        "{}x{} outputs; core {} (cosim export-vectors)",
        what, res.c0, res.c1 - 1, res.o0, res.o1 - 1, pad, res.padded_height, res.padded_width, res.kernel, res.stride,
        res.out_height, res.out_width, cfg.name);
    psum_header_ = {lane_header("time", 0, "col", cfg.cols), lane_header("time", 1, "col", cfg.cols), info_};
  }

  // Activations: the padded tile, channel c0 + r on row r (zero past the layer's channels).
  void activations() {
    const int R = int(cfg_.rows), H = in_.height(), W = in_.width();
    std::vector<int64_t> a(size_t(positions()) * R, 0);
    for (int nij = 0; nij < positions(); ++nij) {
      const int y = nij / res_.padded_width - pad_, x = nij % res_.padded_width - pad_;
      if (y < 0 || y >= H || x < 0 || x >= W) continue;
      for (int r = 0; r < res_.c1 - res_.c0; ++r) a[size_t(nij) * R + r] = in_.at(res_.c0 + r, y, x);
    }
    write("activation.txt", {lane_header("time", 0, "row", cfg_.rows), lane_header("time", 1, "row", cfg_.rows), info_},
          activation_format(cfg_), a);
  }

  // Weights: per kernel position, line o = column o (output o0 + o), lane r = input c0 + r.
  // One weight.txt with combined_weight: the positions' lines one after the other, kij-major.
  void weights() {
    const int R = int(cfg_.rows), Q = int(cfg_.cols), K = l_.kernel;
    const std::array<std::string, kVectorHeaderLines> header{lane_header("col", 0, "row", cfg_.rows),
                                                             lane_header("col", 1, "row", cfg_.rows), info_};
    std::vector<int64_t> all;
    for (int k = 0; k < K * K; ++k) {
      std::vector<int64_t> w(size_t(Q) * R, 0);
      for (int o = 0; o < res_.o1 - res_.o0; ++o)
        for (int r = 0; r < res_.c1 - res_.c0; ++r)
          w[size_t(o) * R + r] = weight_at(l_, res_.o0 + o, res_.c0 + r, k / K, k % K);
      if (opt_.combined_weight)
        all.insert(all.end(), w.begin(), w.end());
      else
        write(fmt::format("weight_kij{}.txt", k), header, weight_format(cfg_), w);
    }
    if (opt_.combined_weight) write("weight.txt", header, weight_format(cfg_), all);
  }

  // Psums: kernel position kij alone at every padded input position nij. Golden's partial
  // accumulator of the slice (channels c0..c1, the one position) for a 1 x 1 kernel with the
  // layer's padding is exactly that: out(y, x) = sum_c in_padded[c][y][x] * w[o][c][ky][kx].
  void psums() {
    const int C = l_.in_channels, O = l_.out_channels, K = l_.kernel, Q = int(cfg_.cols);
    std::vector<int64_t> all;
    for (int k = 0; k < K * K; ++k) {
      std::vector<int32_t> w1(size_t(O) * C);
      for (int o = 0; o < O; ++o)
        for (int c = 0; c < C; ++c) w1[size_t(o) * C + c] = int32_t(weight_at(l_, o, c, k / K, k % K));
      const golden::Tensor ps =
          golden::conv2d_partial_acc(in_, w1, golden::ConvParams{C, O, 1, 1, pad_}, prec(),
                                     golden::ConvSlice{res_.c0, res_.c1, {{0, 0}}, res_.o0, res_.o1});
      std::vector<int64_t> v(size_t(positions()) * Q, 0);
      for (int nij = 0; nij < positions(); ++nij)
        for (int o = 0; o < res_.o1 - res_.o0; ++o)
          v[size_t(nij) * Q + o] = ps.at(o, nij / res_.padded_width, nij % res_.padded_width);
      if (opt_.combined_psum)
        all.insert(all.end(), v.begin(), v.end());
      else
        write(fmt::format("psum_kij{}.txt", k), psum_header_, psum_format(cfg_), v);
    }
    if (opt_.combined_psum) write("psum.txt", psum_header_, psum_format(cfg_), all);
  }

  // Output: the tile slice's accumulator over every kernel position, ReLU, no bias.
  void output() {
    const int C = l_.in_channels, O = l_.out_channels, K = l_.kernel, Q = int(cfg_.cols);
    const golden::Tensor acc = golden::relu(golden::conv2d_partial_acc(
        in_, l_.weight, golden::ConvParams{C, O, K, l_.stride, pad_}, prec(),
        golden::ConvSlice{res_.c0, res_.c1, golden::all_kernel_positions(K), res_.o0, res_.o1}));
    const int outputs = res_.out_height * res_.out_width;
    std::vector<int64_t> v(size_t(outputs) * Q, 0);
    for (int p = 0; p < outputs; ++p)
      for (int o = 0; o < res_.o1 - res_.o0; ++o)
        v[size_t(p) * Q + o] = acc.at(o, p / res_.out_width, p % res_.out_width);
    write("output.txt", psum_header_, psum_format(cfg_), v);
  }

 private:
  int positions() const { return res_.padded_height * res_.padded_width; }
  golden::Precision prec() const { return {int(cfg_.act_bits), int(cfg_.weight_bits), int(cfg_.psum_bits)}; }
  void write(const std::string& name, const std::array<std::string, kVectorHeaderLines>& header, const LineFormat& f,
             const std::vector<int64_t>& values) {
    write_vector_file(dir_ / name, header, f, values);
    res_.files.push_back(dir_ / name);
  }

  const fs::path& dir_;
  const CoreConfig& cfg_;
  const golden::Layer& l_;
  const golden::Tensor& in_;
  const ExportOptions& opt_;
  int pad_;
  ExportResult& res_;
  std::string info_;
  std::array<std::string, kVectorHeaderLines> psum_header_;
};

}  // namespace

ExportResult export_vectors(const fs::path& dir, const CoreConfig& cfg, const golden::Layer& layer,
                            const golden::Tensor& input, const ExportOptions& options) {
  const int pad = options.padding >= 0 ? options.padding : layer.padding;
  ExportResult res = plan_export(cfg, layer, input, options, pad);
  check_tile_values(cfg, layer, input, res);
  prepare_dir(dir, layer.kernel, options);
  TileWriter w(dir, cfg, layer, input, options, pad, res);
  w.activations();
  w.weights();
  if (options.psums) w.psums();
  w.output();
  return res;
}

ExportResult export_random_vectors(const fs::path& dir, const CoreConfig& cfg, const RandomVectorSpec& spec,
                                   const ExportOptions& options) {
  RandomConvSpec cs = spec.conv;
  if (cs.in_channels <= 0) cs.in_channels = int(cfg.rows);
  if (cs.out_channels <= 0) cs.out_channels = int(cfg.cols);
  const golden::Precision prec = precision_of(cfg);
  std::mt19937 rng(spec.seed);
  const golden::Layer layer = random_conv(cs, prec, rng);
  const std::vector<golden::Tensor> in = random_inputs(layer, 1, prec.act_bits, rng);
  ExportOptions o = options;
  if (o.description.empty()) o.description = fmt::format("random {} seed {}", layer.describe(), spec.seed);
  return export_vectors(dir, cfg, layer, in.front(), o);
}

ExportResult export_model_vectors(const fs::path& dir, const CoreConfig& cfg, const golden::Model& model,
                                  const std::string& layer_name, std::span<const uint8_t> pixels,
                                  const ExportOptions& options) {
  for (size_t i = 0; i < model.layers.size(); ++i) {
    const golden::Layer& l = model.layers[i];
    if (l.name != layer_name || l.type != golden::LayerType::conv2d) continue;
    const golden::NetworkTrace trace = golden::run_network(model, pixels);
    ExportOptions o = options;
    if (o.description.empty()) o.description = fmt::format("{} {} {}", model.name, l.name, l.describe());
    return export_vectors(dir, cfg, l, trace.input_of(i), o);
  }
  std::string convs;
  for (const auto& l : model.layers)
    if (l.type == golden::LayerType::conv2d) convs += (convs.empty() ? "" : ", ") + l.name;
  throw std::invalid_argument(fmt::format("export-vectors: model '{}' has no conv2d layer '{}' (conv2d layers: {})",
                                          model.name, layer_name, convs.empty() ? "none" : convs));
}

}  // namespace accel
