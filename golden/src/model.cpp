#include "golden/model.hpp"

#include <fmt/format.h>

#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>

#include "golden/error.hpp"
#include "golden/input_file.hpp"
#include "golden/npy.hpp"

namespace golden {

using json = nlohmann::json;

const char* layer_type_name(LayerType t) {
  switch (t) {
    case LayerType::conv2d:
      return "conv2d";
    case LayerType::linear:
      return "linear";
    case LayerType::maxpool2d:
      return "maxpool2d";
    case LayerType::flatten:
      return "flatten";
  }
  return "?";
}

void throw_bad_layer_type(const Layer& l) {
  throw std::invalid_argument(
      fmt::format("layer '{}': layer type value {} is not a known layer type", l.name, static_cast<int>(l.type)));
}

bool Layer::has_weights() const {
  switch (type) {
    case LayerType::conv2d:
    case LayerType::linear:
      return true;
    case LayerType::maxpool2d:
    case LayerType::flatten:
      return false;
  }
  throw_bad_layer_type(*this);
}

int Layer::outputs() const {
  switch (type) {
    case LayerType::conv2d:
      return out_channels;
    case LayerType::linear:
      return out_features;
    case LayerType::maxpool2d:
    case LayerType::flatten:
      return 0;
  }
  throw_bad_layer_type(*this);
}

std::string shape_str(const Shape& s) {
  if (s.empty()) return "()";
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) out += fmt::format("{}{}", i ? "x" : "", s[i]);
  return out;
}

int64_t Layer::macs() const {
  switch (type) {
    case LayerType::conv2d:
      if (out_shape.size() != 3) return 0;
      return int64_t{out_shape[0]} * out_shape[1] * out_shape[2] * in_channels * kernel * kernel;
    case LayerType::linear:
      return int64_t{in_features} * out_features;
    case LayerType::maxpool2d:
    case LayerType::flatten:
      return 0;
  }
  throw_bad_layer_type(*this);
}

namespace {
// The type and shape part of describe().
std::string describe_shape(const Layer& l) {
  switch (l.type) {
    case LayerType::conv2d:
      return fmt::format("conv2d {}->{} k{} s{} p{}", l.in_channels, l.out_channels, l.kernel, l.stride, l.padding);
    case LayerType::linear:
      return fmt::format("linear {}->{}", l.in_features, l.out_features);
    case LayerType::maxpool2d:
      return fmt::format("maxpool2d k{} s{}", l.kernel, l.stride);
    case LayerType::flatten:
      return "flatten";
  }
  throw_bad_layer_type(l);
}
}  // namespace

std::string Layer::describe() const {
  std::string s = describe_shape(*this);
  if (relu) s += " relu";
  if (logits) s += " logits";
  return s;
}

int Model::classes() const {
  if (layers.empty()) return 0;
  int n = 1;
  for (int d : layers.back().out_shape) n *= d;
  return n;
}

int64_t Model::macs() const {
  int64_t n = 0;
  for (const Layer& l : layers) n += l.macs();
  return n;
}

std::string Model::summary() const {
  std::string names;
  for (const Layer& l : layers) names += fmt::format("{}{}", names.empty() ? "" : " ", l.name);
  return fmt::format("model {}{}: A{}/W{}/P{}, input {}, {} layers ({}), {} classes, {} MACs/image", name,
                     dataset.empty() ? "" : fmt::format(" ({})", dataset), precision.act_bits, precision.weight_bits,
                     precision.psum_bits, shape_str(input), layers.size(), names, classes(), macs());
}

namespace {

// Where a message points: "<file>: layer 'conv1': ".
struct Ctx {
  std::string file;
  std::string layer;  // "" at top level

  [[noreturn]] void fail(const std::string& what) const {
    if (layer.empty()) throw FormatError(fmt::format("{}: {}", file, what));
    throw FormatError(fmt::format("{}: {}: {}", file, layer, what));
  }
};

std::string short_dump(const json& v) {
  std::string s = v.dump();
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

const json& field(const json& obj, const char* key, const Ctx& ctx) {
  auto it = obj.find(key);
  if (it == obj.end()) ctx.fail(fmt::format("field '{}' is missing", key));
  return *it;
}

int64_t get_int(const json& obj, const char* key, const Ctx& ctx, int64_t lo, int64_t hi) {
  const json& v = field(obj, key, ctx);
  if (!v.is_number_integer()) {
    ctx.fail(fmt::format("field '{}' must be an integer, got {}", key, short_dump(v)));
  }
  int64_t x = 0;
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    x = u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ? std::numeric_limits<int64_t>::max()
                                                                       : static_cast<int64_t>(u);
  } else {
    x = v.get<int64_t>();
  }
  if (x < lo || x > hi) ctx.fail(fmt::format("field '{}' is {}, must be {}..{}", key, x, lo, hi));
  return x;
}

// An optional integer field: `dflt` when absent, else as get_int.
int64_t get_int_or(const json& obj, const char* key, const Ctx& ctx, int64_t lo, int64_t hi, int64_t dflt) {
  return obj.contains(key) ? get_int(obj, key, ctx, lo, hi) : dflt;
}

std::string get_string(const json& obj, const char* key, const Ctx& ctx) {
  const json& v = field(obj, key, ctx);
  if (!v.is_string()) ctx.fail(fmt::format("field '{}' must be a string, got {}", key, short_dump(v)));
  return v.get<std::string>();
}

// A model or layer name: printed in every message about it, so one line of printable text.
std::string get_name(const json& obj, const Ctx& ctx) {
  std::string name = get_string(obj, "name", ctx);
  if (name.empty()) ctx.fail("field 'name' is empty");
  if (printable(name) != name || name.size() > 256) {
    ctx.fail(fmt::format("field 'name' \"{}\" is not one line of at most 256 printable characters",
                         printable(name.substr(0, 256))));
  }
  return name;
}

bool get_bool(const json& obj, const char* key, const Ctx& ctx) {
  const json& v = field(obj, key, ctx);
  if (!v.is_boolean()) ctx.fail(fmt::format("field '{}' must be true or false, got {}", key, short_dump(v)));
  return v.get<bool>();
}

std::optional<double> get_optional_number(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

// Checks every value of a tensor lies in [lo, hi]; `what` names the values.
void check_range(std::span<const int32_t> values, std::span<const int64_t> shape, int64_t lo, int64_t hi,
                 const std::string& where, const std::string& what) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i] < lo || values[i] > hi) {
      NpyArray idx;
      idx.shape.assign(shape.begin(), shape.end());
      throw FormatError(fmt::format("{}: value {} at index {} is outside the {} range {}..{}", where, values[i],
                                    idx.index_str(static_cast<int64_t>(i)), what, lo, hi));
    }
  }
}

std::vector<int64_t> weight_shape(const Layer& l) {
  switch (l.type) {
    case LayerType::conv2d:
      return {l.out_channels, l.in_channels, l.kernel, l.kernel};
    case LayerType::linear:
      return {l.out_features, l.in_features};
    case LayerType::maxpool2d:
    case LayerType::flatten:
      return {};
  }
  throw_bad_layer_type(l);
}

// The value checks shared by the file loader and validate_model.
// Marks the layer's weights checked for this width (Layer::weights_checked_bits).
void check_weight_values(Layer& l, const Precision& p, const std::string& where) {
  l.weights_checked_bits = 0;
  const int64_t wmax = (int64_t{1} << (p.weight_bits - 1)) - 1;
  check_range(l.weight, weight_shape(l), -wmax - 1, wmax, where, fmt::format("{}-bit signed weight", p.weight_bits));
  l.weights_checked_bits = p.weight_bits;
}
void check_multiplier_values(const Layer& l, const std::string& where) {
  std::vector<int64_t> shape = {l.outputs()};
  check_range(l.multiplier, shape, 1, std::numeric_limits<int32_t>::max(), where, "multiplier");
}
void check_shift_values(const Layer& l, const std::string& where) {
  std::vector<int64_t> shape = {l.outputs()};
  check_range(l.shift, shape, 0, 62, where, "shift");
}

int64_t elements(std::span<const int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) n = d > 0 && n > kMaxTensorElements / d ? kMaxTensorElements + 1 : n * d;
  return n;
}

// Every tensor the model holds or computes within kMaxTensorElements (shapes of positive sizes).
void check_tensor_size(const Ctx& ctx, const char* what, std::span<const int64_t> shape) {
  if (elements(shape) > kMaxTensorElements) {
    std::string dims;
    for (int64_t d : shape) dims += fmt::format("{}{}", dims.empty() ? "" : "x", d);
    ctx.fail(fmt::format("{} {} has more than the limit of {} values", what, dims, kMaxTensorElements));
  }
}

Shape checked_shape(const Ctx& ctx, const char* what, std::vector<int64_t> shape) {
  check_tensor_size(ctx, what, shape);
  return Shape(shape.begin(), shape.end());
}

std::string carried_zero_point(const Layer& l) {
  return fmt::format("a {} layer has no zero point of its own (it carries its input's through); give "
                     "input_zero_point/output_zero_point on the conv2d and linear layers",
                     layer_type_name(l.type));
}

// Zero points (docs/quantization.md): each within 0 .. 2^A - 1, none on max-pool or flatten (they
// carry the zero point through unchanged), 0 at the logits output, and every array layer's input
// zero point equal to the output zero point of the array layer before it.
void check_zero_points(const Model& m, const std::string& where) {
  const int amax = (1 << m.precision.act_bits) - 1;
  const Layer* prev = nullptr;  // the last conv2d/linear layer so far
  std::string through;          // the pool/flatten layers since it
  for (const Layer& l : m.layers) {
    Ctx ctx{where, fmt::format("layer '{}'", printable(l.name))};
    if (!l.has_weights()) {
      if (l.input_zero_point != 0 || l.output_zero_point != 0) ctx.fail(carried_zero_point(l));
      through += (through.empty() ? " (through " : ", ") + printable(l.name);
      continue;
    }
    for (const auto& [key, v] : {std::pair{"input_zero_point", l.input_zero_point},
                                 std::pair{"output_zero_point", l.output_zero_point}}) {
      if (v < 0 || v > amax) ctx.fail(fmt::format("field '{}' is {}, must be 0..{}", key, v, amax));
    }
    if (l.logits && l.output_zero_point != 0) {
      ctx.fail(fmt::format("field 'output_zero_point' is {} on a logits layer, must be 0 (logits are raw acc + bias)",
                           l.output_zero_point));
    }
    if (prev && l.input_zero_point != prev->output_zero_point) {
      ctx.fail(fmt::format("field 'input_zero_point' is {}, layer '{}' outputs zero point {}{}", l.input_zero_point,
                           printable(prev->name), prev->output_zero_point, through.empty() ? "" : through + ")"));
    }
    prev = &l;
    through.clear();
  }
}

// Computes in/out shapes layer by layer; throws naming the layer and field
// that does not chain.
void chain_shapes(Model& m, const std::string& where) {
  Shape cur = m.input;
  check_tensor_size(Ctx{where, ""}, "the input", std::vector<int64_t>(cur.begin(), cur.end()));
  std::set<std::string> names;
  for (size_t i = 0; i < m.layers.size(); ++i) {
    Layer& l = m.layers[i];
    Ctx ctx{where, fmt::format("layer '{}'", printable(l.name))};
    if (!names.insert(l.name).second) ctx.fail("duplicate layer name");
    const std::string prev = i == 0 ? fmt::format("the input is {}", shape_str(cur))
                                    : fmt::format("previous layer outputs {}", shape_str(cur));
    l.in_shape = cur;
    switch (l.type) {
      case LayerType::conv2d: {
        if (cur.size() != 3) ctx.fail(fmt::format("conv2d needs a CxHxW input, {}", prev));
        if (l.in_channels != cur[0]) {
          ctx.fail(fmt::format("field 'in_channels' is {}, {}", l.in_channels, prev));
        }
        const int h = cur[1] + 2 * l.padding - l.kernel, w = cur[2] + 2 * l.padding - l.kernel;
        if (h < 0 || w < 0) {
          ctx.fail(
              fmt::format("kernel {} with padding {} does not fit the {} input", l.kernel, l.padding, shape_str(cur)));
        }
        check_tensor_size(ctx, "the weight", weight_shape(l));
        cur = checked_shape(ctx, "the output", {l.out_channels, h / l.stride + 1, w / l.stride + 1});
        break;
      }
      case LayerType::linear:
        if (cur.size() != 1) {
          ctx.fail(fmt::format("linear needs a flattened input, {} (add a flatten layer)", prev));
        }
        if (l.in_features != cur[0]) {
          ctx.fail(fmt::format("field 'in_features' is {}, {}", l.in_features, prev));
        }
        check_tensor_size(ctx, "the weight", weight_shape(l));
        cur = {l.out_features};
        break;
      case LayerType::maxpool2d: {
        if (cur.size() != 3) ctx.fail(fmt::format("maxpool2d needs a CxHxW input, {}", prev));
        if (cur[1] < l.kernel || cur[2] < l.kernel) {
          ctx.fail(fmt::format("kernel {} does not fit the {} input", l.kernel, shape_str(cur)));
        }
        // Floor mode, no padding.
        cur = {cur[0], (cur[1] - l.kernel) / l.stride + 1, (cur[2] - l.kernel) / l.stride + 1};
        break;
      }
      case LayerType::flatten:
        cur = {static_cast<int>(elements(std::vector<int64_t>(cur.begin(), cur.end())))};
        break;
    }
    l.out_shape = cur;
    const bool last = i + 1 == m.layers.size();
    if (l.logits && !last) ctx.fail("output 'logits' is only allowed on the last layer");
    if (last && !l.logits) {
      if (l.has_weights()) ctx.fail("the last layer must have output 'logits'");
      ctx.fail(fmt::format("the last layer must be a conv2d or linear layer with output 'logits', not {}",
                           layer_type_name(l.type)));
    }
    if (l.logits && l.relu) ctx.fail("a logits layer must have relu false (logits are raw acc + bias)");
  }
  check_zero_points(m, where);
}

void check_precision(const Precision& p, const Ctx& ctx) {
  // The network input is an 8-bit pixel shifted right by 8 - act_bits.
  if (p.act_bits < 1 || p.act_bits > 8) ctx.fail(fmt::format("field 'act_bits' is {}, must be 1..8", p.act_bits));
  if (p.weight_bits < 1 || p.weight_bits > 16) {
    ctx.fail(fmt::format("field 'weight_bits' is {}, must be 1..16", p.weight_bits));
  }
  if (p.psum_bits < 1 || p.psum_bits > 32) {
    ctx.fail(fmt::format("field 'psum_bits' is {}, must be 1..32", p.psum_bits));
  }
}

// Loads one tensor, checking dtype and shape; returns its values as int32.
std::vector<int32_t> load_tensor(const std::filesystem::path& dir, const json& obj, const char* key, const Ctx& ctx,
                                 std::initializer_list<DType> dtypes, const std::vector<int64_t>& shape,
                                 const std::string& shape_meaning) {
  const std::string file = get_string(obj, key, ctx);
  const std::filesystem::path path = dir / file;
  if (!std::filesystem::exists(path)) {
    throw FileError(
        fmt::format("{}: cannot open: No such file or directory ({}: field '{}')", path.string(), ctx.layer, key));
  }
  NpyArray a = read_npy(path);
  bool ok = false;
  std::string want;
  for (DType t : dtypes) {
    ok |= a.dtype == t;
    want += fmt::format("{}{} ('{}')", want.empty() ? "" : " or ", dtype_name(t), dtype_descr(t));
  }
  if (!ok) {
    throw FormatError(
        fmt::format("{}: dtype {}, expected {} for {} {}", path.string(), dtype_name(a.dtype), want, ctx.layer, key));
  }
  if (a.shape != shape) {
    throw FormatError(fmt::format("{}: shape {}, expected {} for {} {} {}", path.string(), a.shape_str(),
                                  format_shape(shape), ctx.layer, key, shape_meaning));
  }
  return {a.values.begin(), a.values.end()};
}

// input_zero_point / output_zero_point of a conv2d/linear layer (default 0); none on max-pool
// and flatten.
void read_zero_points(const json& j, const Ctx& ctx, const Precision& p, Layer& l) {
  if (!l.has_weights()) {
    if (j.contains("input_zero_point") || j.contains("output_zero_point")) ctx.fail(carried_zero_point(l));
    return;
  }
  const int64_t amax = (int64_t{1} << p.act_bits) - 1;
  l.input_zero_point = static_cast<int>(get_int_or(j, "input_zero_point", ctx, 0, amax, 0));
  l.output_zero_point = static_cast<int>(get_int_or(j, "output_zero_point", ctx, 0, amax, 0));
}

}  // namespace

void validate_model(Model& m, const std::string& where) {
  Ctx top{where, ""};
  check_precision(m.precision, top);
  if (m.input.size() != 3 || m.input[0] < 1 || m.input[1] < 1 || m.input[2] < 1) {
    top.fail(fmt::format("input shape {} is not CxHxW with positive sizes", shape_str(m.input)));
  }
  if (m.layers.empty()) top.fail("the model has no layers");
  for (Layer& l : m.layers) {
    Ctx ctx{where, fmt::format("layer '{}'", printable(l.name))};
    if (l.type == LayerType::conv2d || l.type == LayerType::maxpool2d) {
      if (l.kernel < 1 || l.stride < 1 || l.padding < 0 || l.kernel > 1024 || l.stride > 1024 || l.padding > 1024) {
        ctx.fail(fmt::format("kernel {}, stride {}, padding {} out of range", l.kernel, l.stride, l.padding));
      }
    }
    if (!l.has_weights()) continue;
    if (l.type == LayerType::conv2d && (l.in_channels < 1 || l.out_channels < 1)) {
      ctx.fail("in_channels and out_channels must be >= 1");
    }
    if (l.type == LayerType::linear && (l.in_features < 1 || l.out_features < 1)) {
      ctx.fail("in_features and out_features must be >= 1");
    }
    const std::vector<int64_t> ws = weight_shape(l);
    check_tensor_size(ctx, "the weight", ws);
    const int64_t wn = elements(ws);
    const size_t out = static_cast<size_t>(l.outputs());
    if (l.weight.size() != static_cast<size_t>(wn)) {
      ctx.fail(fmt::format("weight has {} values, shape {} needs {}", l.weight.size(), format_shape(ws), wn));
    }
    if (l.bias.size() != out) ctx.fail(fmt::format("bias has {} values, expected {}", l.bias.size(), out));
    check_weight_values(l, m.precision, ctx.layer.empty() ? where : fmt::format("{}: {}: weight", where, ctx.layer));
    if (!l.logits) {
      if (l.multiplier.size() != out || l.shift.size() != out) {
        ctx.fail(
            fmt::format("multiplier/shift have {}/{} values, expected {}", l.multiplier.size(), l.shift.size(), out));
      }
      check_multiplier_values(l, fmt::format("{}: {}: multiplier", where, ctx.layer));
      check_shift_values(l, fmt::format("{}: {}: shift", where, ctx.layer));
    }
  }
  chain_shapes(m, where);
}

Model load_model(const std::filesystem::path& dir) {
  const std::filesystem::path json_path = dir / "model.json";
  const std::string jfile = json_path.string();
  if (!std::filesystem::is_directory(dir)) {
    throw FileError(fmt::format("{}: model directory not found", dir.string()));
  }
  const std::string text = read_small_file(json_path, kMaxModelJsonBytes, "model.json");
  json root;
  try {
    root = json::parse(text);
  } catch (const json::exception& e) {
    // nlohmann's message is "[json.exception.parse_error.101] parse error at line L, column C: ...";
    // a number beyond a double is "[json.exception.out_of_range.406] number overflow parsing '1e999'".
    std::string msg = e.what();
    if (auto p = msg.find("] "); p != std::string::npos) msg = msg.substr(p + 2);
    throw FormatError(fmt::format("{}: malformed JSON: {}", jfile, printable(msg)));
  }
  Ctx top{jfile, ""};
  if (!root.is_object()) top.fail("the top level must be a JSON object");
  if (std::string f = get_string(root, "format", top); f != "accel-cosim-model") {
    top.fail(fmt::format("field 'format' is \"{}\", expected \"accel-cosim-model\"", printable(f)));
  }
  if (int64_t v = get_int(root, "version", top, 0, std::numeric_limits<int64_t>::max()); v != 1) {
    top.fail(fmt::format("field 'version' is {}, this loader reads version 1", v));
  }

  Model m;
  m.dir = dir;
  m.name = get_name(root, top);
  if (root.contains("dataset")) m.dataset = get_string(root, "dataset", top);
  m.precision.act_bits = static_cast<int>(get_int(root, "act_bits", top, 1, 8));
  m.precision.weight_bits = static_cast<int>(get_int(root, "weight_bits", top, 1, 16));
  m.precision.psum_bits = static_cast<int>(get_int(root, "psum_bits", top, 1, 32));
  {
    const json& input = field(root, "input", top);
    Ctx ictx{jfile, "input"};
    if (!input.is_object()) ictx.fail("must be an object {channels, height, width}");
    m.input = {static_cast<int>(get_int(input, "channels", ictx, 1, 1 << 16)),
               static_cast<int>(get_int(input, "height", ictx, 1, 1 << 16)),
               static_cast<int>(get_int(input, "width", ictx, 1, 1 << 16))};
  }
  if (auto it = root.find("metrics"); it != root.end() && it->is_object()) {
    m.int_accuracy = get_optional_number(*it, "int_accuracy");
    m.float_accuracy = get_optional_number(*it, "float_accuracy");
  }

  const json& layers = field(root, "layers", top);
  if (!layers.is_array() || layers.empty()) top.fail("field 'layers' must be a non-empty array");
  constexpr int64_t kMaxDim = 1 << 20;
  for (size_t i = 0; i < layers.size(); ++i) {
    const json& j = layers[i];
    Ctx ctx{jfile, fmt::format("layers[{}]", i)};
    if (!j.is_object()) ctx.fail("must be an object");
    Layer l;
    l.name = get_name(j, ctx);
    ctx.layer = fmt::format("layer '{}'", printable(l.name));
    const std::string type = get_string(j, "type", ctx);
    if (type == "conv2d") {
      l.type = LayerType::conv2d;
      l.in_channels = static_cast<int>(get_int(j, "in_channels", ctx, 1, kMaxDim));
      l.out_channels = static_cast<int>(get_int(j, "out_channels", ctx, 1, kMaxDim));
      l.kernel = static_cast<int>(get_int(j, "kernel", ctx, 1, 1024));
      l.stride = static_cast<int>(get_int(j, "stride", ctx, 1, 1024));
      l.padding = static_cast<int>(get_int(j, "padding", ctx, 0, 1024));
    } else if (type == "linear") {
      l.type = LayerType::linear;
      l.in_features = static_cast<int>(get_int(j, "in_features", ctx, 1, kMaxDim));
      l.out_features = static_cast<int>(get_int(j, "out_features", ctx, 1, kMaxDim));
    } else if (type == "maxpool2d") {
      l.type = LayerType::maxpool2d;
      l.kernel = static_cast<int>(get_int(j, "kernel", ctx, 1, 1024));
      l.stride = static_cast<int>(get_int(j, "stride", ctx, 1, 1024));
    } else if (type == "flatten") {
      l.type = LayerType::flatten;
    } else {
      ctx.fail(fmt::format("unknown type '{}' (expected conv2d, linear, maxpool2d or flatten)", printable(type)));
    }
    if (l.has_weights()) {
      l.relu = get_bool(j, "relu", ctx);
      const std::string output = get_string(j, "output", ctx);
      if (output != "requant" && output != "logits") {
        ctx.fail(fmt::format("field 'output' is \"{}\", expected \"requant\" or \"logits\"", printable(output)));
      }
      l.logits = output == "logits";
    }
    read_zero_points(j, ctx, m.precision, l);
    m.layers.push_back(std::move(l));
  }

  // Shapes must chain before tensors are read: the messages then name the
  // model.json field that is wrong rather than a tensor that merely follows it.
  chain_shapes(m, jfile);

  const std::initializer_list<DType> w8 = {DType::int8};
  const std::initializer_list<DType> w16 = {DType::int8, DType::int16};
  for (size_t i = 0; i < m.layers.size(); ++i) {
    Layer& l = m.layers[i];
    if (!l.has_weights()) continue;
    const json& j = layers[i];
    Ctx ctx{jfile, fmt::format("layer '{}'", printable(l.name))};
    const int64_t out = l.outputs();
    const std::string wmeaning =
        l.type == LayerType::conv2d ? "(out_channels, in_channels, kernel, kernel)" : "(out_features, in_features)";
    l.weight = load_tensor(dir, j, "weight", ctx, m.precision.weight_bits <= 8 ? w8 : w16, weight_shape(l), wmeaning);
    check_weight_values(l, m.precision, (dir / get_string(j, "weight", ctx)).string());
    l.bias = load_tensor(dir, j, "bias", ctx, {DType::int32}, {out}, "(outputs)");
    if (!l.logits) {
      l.multiplier = load_tensor(dir, j, "multiplier", ctx, {DType::int32}, {out}, "(outputs)");
      check_multiplier_values(l, (dir / get_string(j, "multiplier", ctx)).string());
      l.shift = load_tensor(dir, j, "shift", ctx, {DType::int32}, {out}, "(outputs)");
      check_shift_values(l, (dir / get_string(j, "shift", ctx)).string());
    }
  }

  if (auto it = root.find("reference"); it != root.end()) {
    Ctx rctx{jfile, "reference"};
    if (!it->is_object()) rctx.fail("must be an object {images, count, logits}");
    Reference r;
    r.images = get_string(*it, "images", rctx);
    if (it->contains("labels")) r.labels = get_string(*it, "labels", rctx);
    r.count = static_cast<int>(get_int(*it, "count", rctx, 0, 1 << 30));
    r.classes = m.classes();
    const std::filesystem::path lp = dir / get_string(*it, "logits", rctx);
    r.logits_file = lp.string();
    if (!std::filesystem::exists(lp)) {
      throw FileError(
          fmt::format("{}: cannot open: No such file or directory (reference: field 'logits')", lp.string()));
    }
    NpyArray a = read_npy(lp);
    if (a.dtype != DType::int64) {
      throw FormatError(
          fmt::format("{}: dtype {}, expected int64 ('<i8') for reference logits", lp.string(), dtype_name(a.dtype)));
    }
    const std::vector<int64_t> want = {r.count, r.classes};
    if (a.shape != want) {
      throw FormatError(fmt::format("{}: shape {}, expected {} (reference count, classes)", lp.string(), a.shape_str(),
                                    format_shape(want)));
    }
    r.logits = std::move(a.values);
    m.reference = std::move(r);
  }
  return m;
}

}  // namespace golden

namespace golden {

void save_model(const Model& model, const std::filesystem::path& dir) {
  Model m = model;
  validate_model(m, "save_model");
  std::filesystem::create_directories(dir);
  const DType wtype = m.precision.weight_bits <= 8 ? DType::int8 : DType::int16;
  const auto npy = [&](const std::string& file, DType t, const std::vector<int64_t>& shape,
                       const std::vector<int32_t>& v) {
    write_npy(dir / file, t, shape, std::vector<int64_t>(v.begin(), v.end()));
    return file;
  };
  json layers = json::array();
  for (const Layer& l : m.layers) {
    json j{{"name", l.name}, {"type", layer_type_name(l.type)}};
    switch (l.type) {
      case LayerType::conv2d:
        j.update({{"in_channels", l.in_channels},
                  {"out_channels", l.out_channels},
                  {"kernel", l.kernel},
                  {"stride", l.stride},
                  {"padding", l.padding}});
        break;
      case LayerType::linear:
        j.update({{"in_features", l.in_features}, {"out_features", l.out_features}});
        break;
      case LayerType::maxpool2d:
        j.update({{"kernel", l.kernel}, {"stride", l.stride}});
        break;
      case LayerType::flatten:
        break;
    }
    if (l.type == LayerType::conv2d || l.type == LayerType::linear) {
      const std::vector<int64_t> out{l.outputs()};
      j["relu"] = l.relu;
      j["output"] = l.logits ? "logits" : "requant";
      // Written only when set, so a model without zero points reads as it always did.
      if (l.input_zero_point != 0) j["input_zero_point"] = l.input_zero_point;
      if (l.output_zero_point != 0) j["output_zero_point"] = l.output_zero_point;
      j["weight"] = npy(l.name + ".weight.npy", wtype, weight_shape(l), l.weight);
      j["bias"] = npy(l.name + ".bias.npy", DType::int32, out, l.bias);
      if (!l.logits) {
        j["multiplier"] = npy(l.name + ".multiplier.npy", DType::int32, out, l.multiplier);
        j["shift"] = npy(l.name + ".shift.npy", DType::int32, out, l.shift);
      }
    }
    layers.push_back(std::move(j));
  }
  json root{{"format", "accel-cosim-model"},
            {"version", 1},
            {"name", m.name},
            {"act_bits", m.precision.act_bits},
            {"weight_bits", m.precision.weight_bits},
            {"psum_bits", m.precision.psum_bits},
            {"input", {{"channels", m.input.at(0)}, {"height", m.input.at(1)}, {"width", m.input.at(2)}}},
            {"layers", layers}};
  if (!m.dataset.empty()) root["dataset"] = m.dataset;
  std::ofstream f(dir / "model.json");
  f << root.dump(2) << "\n";
  if (!f) throw FileError(fmt::format("{}: cannot write", (dir / "model.json").string()));
}

}  // namespace golden
