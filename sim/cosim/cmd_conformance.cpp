// cosim conformance: ONNX's own node conformance tests for the quantized operators (Debian's
// libonnx-testdata) through the importer, the golden model and, for ConvInteger and
// MatMulInteger, the RTL (docs/onnx.md "Conformance").
#include <accel/onnx_import.hpp>
#include <accel/runtime.hpp>
#include <accel/sim/rtl_device.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <golden/network.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "options.hpp"

namespace accel::cosim {

namespace {

namespace fs = std::filesystem;

struct ConformanceArgs {
  std::string data = "/usr/share/libonnx-testdata/data/node";
  std::string config = "int8";
  bool no_rtl = false;
};

// The test directories of the quantized operators the issue of the importer names.
constexpr const char* kPrefixes[] = {"test_basic_convinteger", "test_convinteger",   "test_matmulinteger",
                                     "test_qlinearconv",       "test_qlinearmatmul", "test_quantizelinear",
                                     "test_dequantizelinear"};

struct Row {
  std::string name, op;
  size_t values = 0;
  std::optional<size_t> golden, rtl;  // exact matches; nullopt: not run
  std::string note;
};

// Element i's channel along `axis` of dims (per-axis Quantize/DequantizeLinear).
size_t channel_of(const std::vector<int64_t>& dims, int64_t axis, size_t i, size_t channels) {
  if (channels == 1) return 0;
  size_t inner = 1;
  for (size_t d = size_t(axis) + 1; d < dims.size(); ++d) inner *= size_t(dims[d]);
  return (i / inner) % channels;
}

// QuantizeLinear and DequantizeLinear element by element, with the importer's arithmetic.
Row elementwise(const onnx::ConformanceCase& c) {
  Row r{c.name, c.op, c.expected.values.size(), size_t{0}, std::nullopt, "the importer's arithmetic (no layer)"};
  const auto& x = c.inputs[0];
  const auto& scale = c.inputs[1];
  const bool has_zero = c.inputs.size() > 2;
  for (size_t i = 0; i < x.values.size(); ++i) {
    const size_t ch = channel_of(x.dims, c.attr_axis, i, scale.values.size());
    const int64_t z = has_zero ? int64_t(c.inputs[2].values[ch]) : 0;
    double got = 0;
    if (c.op == "QuantizeLinear") {
      const int32_t t = has_zero ? c.inputs[2].type : 2;  // uint8 by default
      const int64_t lo = t == 3 ? -128 : 0, hi = t == 3 ? 127 : 255;
      got = double(onnx::quantize_linear(float(x.values[i]), float(scale.values[ch]), z, lo, hi));
    } else {
      got = double(onnx::dequantize_linear(int64_t(x.values[i]), float(scale.values[ch]), z));
    }
    *r.golden += got == c.expected.values[i];
  }
  return r;
}

// The images of input 0: one per row of its first dimension, as the model's raw input bytes.
std::vector<std::vector<uint8_t>> images_of(const onnx::ConformanceCase::Tensor& x) {
  const size_t n = x.dims.empty() ? 1 : size_t(x.dims[0]);
  const size_t per = x.values.size() / n;
  std::vector<std::vector<uint8_t>> images(n);
  for (size_t i = 0; i < n; ++i)
    for (size_t k = 0; k < per; ++k) images[i].push_back(uint8_t(x.values[i * per + k]));
  return images;
}

size_t exact(const std::vector<std::vector<int64_t>>& outputs, const std::vector<double>& expected) {
  size_t e = 0, k = 0;
  for (const auto& o : outputs)
    for (int64_t v : o) e += k < expected.size() && double(v) == expected[k++];
  return k == expected.size() ? e : 0;
}

Row layer_case(const onnx::ConformanceCase& c, const CoreConfig* rtl) {
  Row r{c.name, c.op, c.expected.values.size(), std::nullopt, std::nullopt, ""};
  const bool integer_op = c.op == "ConvInteger" || c.op == "MatMulInteger";
  onnx::ImportOptions o;
  o.raw_logits = integer_op;  // QLinear ops: compare the requantized output
  o.min_weight_bits = 8;
  golden::Model m;
  try {
    m = onnx::import_bytes(c.model_bytes, c.name, o).model;
  } catch (const onnx::ImportError& e) {
    r.note = e.what();
    return r;
  }
  const std::vector<std::vector<uint8_t>> images = images_of(c.inputs[0]);
  std::vector<std::vector<int64_t>> out;
  for (const auto& img : images) {
    // Layer by layer (the QLinear cases end requantized, which no model directory does).
    golden::Tensor t = golden::Tensor::chw(m.input[0], m.input[1], m.input[2]);
    for (size_t k = 0; k < img.size(); ++k) t.data[k] = img[k];
    for (const golden::Layer& l : m.layers) t = golden::apply_layer(l, m.precision, t);
    out.push_back(t.data);
  }
  r.golden = exact(out, c.expected.values);
  if (integer_op && rtl) {
    sim::RtlDevice dev(*rtl);
    std::vector<std::span<const uint8_t>> spans(images.begin(), images.end());
    const ModelRun run = run_model(m, spans, [&](const golden::Layer&, int) -> Device& { return dev; });
    r.rtl = exact(run.logits, c.expected.values);
  }
  return r;
}

int run_conformance(const ConformanceArgs& a) {
  std::vector<fs::path> dirs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(a.data, ec)) {
    const std::string n = e.path().filename().string();
    if (std::any_of(std::begin(kPrefixes), std::end(kPrefixes), [&](const char* p) { return n.rfind(p, 0) == 0; }))
      dirs.push_back(e.path());
  }
  if (ec || dirs.empty())
    throw UsageError(fmt::format("--data {}: no ONNX conformance tests there (Debian's libonnx-testdata)", a.data));
  std::sort(dirs.begin(), dirs.end());
  const CoreConfig* rtl = a.no_rtl ? nullptr : &config_named(a.config);
  fmt::print("| test | operator | values | golden exact | RTL exact | note |\n|---|---|---|---|---|---|\n");
  bool all = true;
  const auto cell = [](const std::optional<size_t>& v, size_t n) { return v ? fmt::format("{}/{}", *v, n) : "-"; };
  for (const fs::path& d : dirs) {
    const onnx::ConformanceCase c = onnx::load_conformance_case(d);
    const bool ew = c.op == "QuantizeLinear" || c.op == "DequantizeLinear";
    const Row r = ew ? elementwise(c) : layer_case(c, rtl);
    all = all && (!r.golden || *r.golden == r.values) && (!r.rtl || *r.rtl == r.values);
    fmt::print("| {} | {} | {} | {} | {} | {} |\n", r.name, r.op, r.values, cell(r.golden, r.values),
               cell(r.rtl, r.values), r.note);
  }
  return all ? 0 : 1;
}

}  // namespace

Command add_conformance_command(CLI::App& app) {
  auto a = std::make_shared<ConformanceArgs>();
  CLI::App* c = app.add_subcommand("conformance",
                                   "ONNX's conformance tests of the quantized operators: importer, "
                                   "golden and RTL against ONNX's expected outputs");
  c->add_option("--data", a->data, "the node tests' directory (default: Debian's libonnx-testdata)");
  c->add_option("--config", a->config, "the core the integer ops run on (default int8)");
  c->add_flag("--no-rtl", a->no_rtl, "golden only");
  return {c, [a] { return run_conformance(*a); }};
}

}  // namespace accel::cosim
