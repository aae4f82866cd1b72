// The ONNX importer (docs/onnx.md). One walk over the graph's nodes in their (topological) order,
// keeping for every tensor name what it holds: a constant, the float graph input, an integer
// (quantized) activation, the float dequantization of one, or the float output of an array layer
// whose requantization has not been seen yet. Each Conv/Gemm/MatMul (or QLinear/Integer op) opens
// an array layer; the QuantizeLinear that follows it closes it with multiplier, shift and output
// zero point; pooling and flattening in between become host layers.
#include <accel/onnx_import.hpp>
#include <golden/error.hpp>
#include <golden/input_file.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "onnx_tensors.hpp"

namespace accel::onnx {

namespace {

namespace pb = ::onnx;
using detail::attr_int;
using detail::attr_ints;
using detail::Numbers;

// Where a message points: the node, or the model as a whole.
std::string node_where(const pb::NodeProto& n) {
  return fmt::format("node '{}' ({})", n.name().empty() ? (n.output_size() ? n.output(0) : "?") : n.name(),
                     n.op_type());
}

// What a tensor name holds during the walk.
enum class Kind {
  Const,    // an initializer or Constant output (see Importer::consts_)
  Input,    // the float graph input
  Quant,    // integer activation: real = scale * (q - zero), q in lo..hi
  Dequant,  // float activation = DequantizeLinear of a Quant one (same parameters)
  Pending,  // float output of array layer `layer` (accumulator scale), requantization not yet seen
  Raw,      // int32 accumulator of an integer op (ConvInteger, MatMulInteger) of array layer `layer`
};

struct Value {
  Kind kind = Kind::Const;
  double scale = 1;
  int64_t zero = 0, lo = 0, hi = 0;
  golden::Shape shape;  // of one image: {C, H, W} or {F}
  int layer = -1;       // Pending, Raw
  bool raw = false;     // the uint8 graph input (or its BitShift): the op reading it says its scale
};

// An integer weight tensor with its per-output-channel scales (one value: per tensor).
struct Weight {
  Numbers q;
  std::vector<double> scale;
  std::vector<double> zero{0.0};  // per tensor or per channel, like the scales
  int64_t axis = 0;               // the dimension the scales run along
  int64_t lo = -128, hi = 127;    // the range the integer type (and a QCDQ Clip) allows
};

// What an array layer needs beside golden::Layer until its requantization is known.
struct Open {
  double in_scale = 1;
  std::vector<double> w_scale;  // [out]
  int64_t in_zero = 0;
  int64_t out_zero = 0;
  bool closed = false;
};

// Per-tensor or per-axis quantization parameters (inputs 1 and 2 of Quantize/DequantizeLinear).
struct QuantArgs {
  std::vector<double> scale, zero;
  int32_t type = pb::TensorProto::UINT8;  // of the zero point: the integer type
  int64_t axis = 1;
  bool per_tensor() const { return scale.size() == 1; }
};

class Importer {
 public:
  Importer(const pb::ModelProto& m, std::string where, const ImportOptions& o)
      : m_(m), where_(std::move(where)), o_(o) {}
  ImportResult run();

 private:
  // Names and values from the file are escaped (golden::printable): one line whatever they hold.
  [[noreturn]] void fail(const pb::NodeProto& n, const std::string& why) const {
    throw ImportError(golden::printable(fmt::format("{}: {}: {}", where_, node_where(n), why)));
  }
  [[noreturn]] void fail(const std::string& why) const {
    throw ImportError(golden::printable(fmt::format("{}: {}", where_, why)));
  }

  const Value& value(const pb::NodeProto& n, int input) const;
  const Numbers& constant(const pb::NodeProto& n, int input) const;
  bool has_input(const pb::NodeProto& n, int input) const { return n.input_size() > input && !n.input(input).empty(); }
  double scalar(const pb::NodeProto& n, int input) const;
  int64_t int_scalar(const pb::NodeProto& n, int input) const;  // an integer constant (a zero point)
  void set(const pb::NodeProto& n, Value v) { values_[n.output(0)] = std::move(v); }

  void graph_input();
  void node(const pb::NodeProto& n);
  void dispatch(const pb::NodeProto& n);
  void quantize(const pb::NodeProto& n);
  void dequantize(const pb::NodeProto& n);
  void clip(const pb::NodeProto& n);
  void pass_through(const pb::NodeProto& n);
  void bitshift(const pb::NodeProto& n);
  void cast(const pb::NodeProto& n);
  std::string layer_name(const pb::NodeProto& n);
  void constant_of_shape(const pb::NodeProto& n);
  QuantArgs quant_args(const pb::NodeProto& n) const;
  void maxpool(const pb::NodeProto& n);
  void flatten(const pb::NodeProto& n);
  void relu(const pb::NodeProto& n);
  void add_bias(const pb::NodeProto& n);
  void conv(const pb::NodeProto& n);
  void linear(const pb::NodeProto& n);
  void qlinear(const pb::NodeProto& n);
  void integer_op(const pb::NodeProto& n);

  Weight weight_of(const pb::NodeProto& n, int input, size_t rank, int64_t out_axis);
  Weight integer_weight(const pb::NodeProto& n, int w, size_t rank, int64_t out_axis, bool scaled);
  Weight check_weight(const pb::NodeProto& n, const std::string& name, Weight w, size_t rank,
                      int64_t out_axis);  // not const: notes
  golden::Layer geometry(const pb::NodeProto& n, bool conv, const Value& in, const Weight& w) const;
  Value layer_output(int layer, const Value& in) const;
  const Value& activation_in(const pb::NodeProto& n, int input, bool dequantized) const;
  void note_activation(const pb::NodeProto& n, const Value& v);
  int open_layer(const pb::NodeProto& n, golden::Layer l, const Value& in, const Weight& w, bool transposed);
  void set_conv_geometry(const pb::NodeProto& n, golden::Layer& l, const Value& in, const Weight& w) const;
  void set_bias(const pb::NodeProto& n, int layer, const std::string& name);
  void close_layer(const pb::NodeProto& n, int layer, const Value& q);
  void finish();
  void finish_open() const;
  void check_input(const golden::Model& m) const;

  const pb::ModelProto& m_;
  std::string where_;
  ImportOptions o_;
  std::map<std::string, Numbers> consts_;
  std::map<std::string, Weight> weights_;  // constants that are quantized weights
  std::map<std::string, Value> values_;
  std::vector<golden::Layer> layers_;
  std::map<int, Open> open_;
  std::optional<Value> input_q_;  // the quantization of the graph input
  int input_shift_ = 0;           // BitShift of a uint8 input
  bool flat_input_ = false;       // an [N, F] graph input
  std::string input_name_;
  int act_bits_ = 0, weight_bits_ = 2;
  std::vector<std::string> notes_;
  std::set<std::string> names_;
};

const Value& Importer::value(const pb::NodeProto& n, int input) const {
  if (!has_input(n, input)) fail(n, fmt::format("input {} is missing", input));
  auto it = values_.find(n.input(input));
  if (it == values_.end()) fail(n, fmt::format("input '{}' is produced by no node before it", n.input(input)));
  return it->second;
}

const Numbers& Importer::constant(const pb::NodeProto& n, int input) const {
  if (!has_input(n, input)) fail(n, fmt::format("input {} is missing", input));
  auto it = consts_.find(n.input(input));
  if (it == consts_.end()) fail(n, fmt::format("input '{}' must be a constant (an initializer)", n.input(input)));
  return it->second;
}

double Importer::scalar(const pb::NodeProto& n, int input) const {
  const Numbers& c = constant(n, input);
  if (c.size() != 1)
    fail(n, fmt::format("input '{}' must be one value (per tensor), has {}", n.input(input), c.size()));
  return c.values[0];
}

int64_t Importer::int_scalar(const pb::NodeProto& n, int input) const {
  const double v = scalar(n, input);
  if (!constant(n, input).is_integer())
    fail(n, fmt::format("input '{}' must be an integer (a zero point)", n.input(input)));
  return int64_t(v);  // an integer type's value: within int64
}

// The activation a layer reads: a dequantized activation for the float ops, the integer one for
// QLinear/Integer ops.
const Value& Importer::activation_in(const pb::NodeProto& n, int input, bool dequantized) const {
  const Value& v = value(n, input);
  const Kind want = dequantized ? Kind::Dequant : Kind::Quant;
  if (v.kind != want)
    fail(n, fmt::format("input '{}' must be {} activation", n.input(input),
                        dequantized ? "a DequantizeLinear'd (QDQ)" : "a quantized (uint8)"));
  return v;
}

// The bits a range needs: unsigned 0..2^A-1 (activations) or signed -2^(W-1)..2^(W-1)-1 (weights).
int unsigned_bits(int64_t hi) {
  int b = 1;
  while (b < 62 && (int64_t{1} << b) - 1 < hi) ++b;
  return b;
}
int signed_bits(int64_t lo, int64_t hi) {
  int b = 2;
  while (b < 62 && (lo < -(int64_t{1} << (b - 1)) || hi > (int64_t{1} << (b - 1)) - 1)) ++b;
  return b;
}

bool same_scale(double a, double b) { return std::fabs(a - b) <= 1e-6 * std::max(std::fabs(a), std::fabs(b)); }

void Importer::graph_input() {
  const pb::GraphProto& g = m_.graph();
  std::vector<const pb::ValueInfoProto*> inputs;
  for (const auto& in : g.input())
    if (!consts_.count(in.name())) inputs.push_back(&in);  // IR < 4 lists initializers as inputs too
  if (inputs.size() != 1)
    fail(fmt::format("the graph has {} inputs besides its initializers, expected one", inputs.size()));
  const pb::ValueInfoProto& in = *inputs[0];
  if (!in.type().has_tensor_type()) fail(fmt::format("graph input '{}' is not a tensor", in.name()));
  const auto& tt = in.type().tensor_type();
  std::vector<int64_t> dims;
  for (const auto& d : tt.shape().dim()) dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
  const bool image = dims.size() == 4 && dims[1] > 0 && dims[2] > 0 && dims[3] > 0;
  if (!image && !(dims.size() == 2 && dims[1] > 0))
    fail(fmt::format("graph input '{}' must be [N, C, H, W] or [N, F] with C, H, W or F fixed, is [{}]", in.name(),
                     fmt::join(dims, ", ")));
  Value v;
  // [N, F]: the model's input is {F, 1, 1} and a flatten layer comes first (run()).
  v.shape = image ? golden::Shape{int(dims[1]), int(dims[2]), int(dims[3])} : golden::Shape{int(dims[1])};
  flat_input_ = !image;
  if (tt.elem_type() == pb::TensorProto::FLOAT) {
    v.kind = Kind::Input;
  } else if (tt.elem_type() == pb::TensorProto::UINT8) {
    v.kind = Kind::Quant;  // raw bytes: real = q
    v.lo = 0;
    v.hi = 255;
    v.raw = true;
    input_q_ = v;
  } else {
    fail(fmt::format("graph input '{}' is {}: expected float (pixels / 255) or uint8 (pixels)", in.name(),
                     detail::type_name(tt.elem_type())));
  }
  values_[in.name()] = v;
  input_name_ = in.name();
}

void Importer::node(const pb::NodeProto& n) {
  try {
    dispatch(n);
  } catch (const std::invalid_argument& e) {  // a tensor or type the helpers reject: named by node
    fail(n, e.what());
  }
}

void Importer::dispatch(const pb::NodeProto& n) {
  if (!n.domain().empty() && n.domain() != "ai.onnx")
    fail(n, fmt::format("operator domain '{}' is not supported", n.domain()));
  if (n.output_size() < 1) fail(n, "the node has no output");
  // The inputs each operator needs at least (ONNX's own minimum); the handlers read them freely.
  static const std::map<std::string, int, std::less<>> kMinInputs = {
      {"QuantizeLinear", 2}, {"DequantizeLinear", 2}, {"Clip", 1},         {"Relu", 1},          {"MaxPool", 1},
      {"Flatten", 1},        {"Reshape", 2},          {"Identity", 1},     {"Dropout", 1},       {"Cast", 1},
      {"ConstantOfShape", 1}, {"BitShift", 2},        {"Add", 2},          {"Conv", 2},          {"Gemm", 2},
      {"MatMul", 2},         {"QLinearConv", 8},      {"QLinearMatMul", 8}, {"ConvInteger", 2}, {"MatMulInteger", 2}};
  const auto need = kMinInputs.find(n.op_type());
  if (need != kMinInputs.end() && n.input_size() < need->second)
    fail(n, fmt::format("{} inputs, the operator takes at least {}", n.input_size(), need->second));
  const std::string& op = n.op_type();
  if (op == "Constant") {
    const auto* t = detail::find_attribute(n, "value");
    if (!t || !t->has_t()) fail(n, "only a tensor 'value' Constant is supported");
    try {
      consts_[n.output(0)] = detail::numbers(t->t());
    } catch (const std::invalid_argument& e) {
      fail(n, e.what());
    }
    set(n, Value{});
  } else if (op == "QuantizeLinear")
    quantize(n);
  else if (op == "DequantizeLinear")
    dequantize(n);
  else if (op == "Clip")
    clip(n);
  else if (op == "Relu")
    relu(n);
  else if (op == "MaxPool")
    maxpool(n);
  else if (op == "Flatten" || op == "Reshape")
    flatten(n);
  else if (op == "Identity" || op == "Dropout")
    pass_through(n);
  else if (op == "Cast")
    cast(n);
  else if (op == "ConstantOfShape")
    constant_of_shape(n);
  else if (op == "BitShift")
    bitshift(n);
  else if (op == "Add")
    add_bias(n);
  else if (op == "Conv")
    conv(n);
  else if (op == "Gemm" || op == "MatMul")
    linear(n);
  else if (op == "QLinearConv" || op == "QLinearMatMul")
    qlinear(n);
  else if (op == "ConvInteger" || op == "MatMulInteger")
    integer_op(n);
  else
    fail(n, "operator not supported (docs/onnx.md lists the ones the importer maps)");
}

QuantArgs Importer::quant_args(const pb::NodeProto& n) const {
  QuantArgs a;
  a.scale = constant(n, 1).values;
  if (has_input(n, 2)) {
    const Numbers& z = constant(n, 2);
    if (z.size() != a.scale.size()) fail(n, fmt::format("{} scales but {} zero points", a.scale.size(), z.size()));
    if (!z.is_integer())
      fail(n, fmt::format("zero point '{}' is {}, not an integer type", n.input(2), detail::type_name(z.type)));
    a.zero = z.values;
    a.type = z.type;
  } else {
    a.zero.assign(a.scale.size(), 0.0);
  }
  for (double s : a.scale)
    if (!(s > 0) || !std::isfinite(s)) fail(n, fmt::format("scale {} is not positive", s));
  a.axis = attr_int(n, "axis", 1);
  return a;
}

// ONNX QuantizeLinear of a float constant: saturate(round_half_even(x / scale) + zero), in float
// as the operator is defined, per `axis` when the scales are per channel.
Numbers quantize_constant(const Numbers& x, const QuantArgs& a, int64_t lo, int64_t hi) {
  Numbers q;
  q.dims = x.dims;
  q.type = a.type;
  q.values.resize(x.size());
  size_t inner = 1, channels = a.scale.size();
  if (channels > 1)
    for (size_t d = size_t(a.axis) + 1; d < x.dims.size(); ++d) inner *= size_t(x.dims[d]);
  for (size_t i = 0; i < x.size(); ++i) {
    const size_t c = channels > 1 ? (i / inner) % channels : 0;
    q.values[i] = double(quantize_linear(float(x.values[i]), float(a.scale[c]), int64_t(a.zero[c]), lo, hi));
  }
  return q;
}

void Importer::quantize(const pb::NodeProto& n) {
  const QuantArgs a = quant_args(n);
  const auto [lo, hi] = detail::integer_range(a.type);
  if (consts_.count(n.input(0))) {  // weights stored as floats (Brevitas): quantized here
    const Numbers& x = consts_.at(n.input(0));
    if (!a.per_tensor() &&
        (a.axis < 0 || size_t(a.axis) >= x.dims.size() || size_t(x.dims[size_t(a.axis)]) != a.scale.size()))
      fail(n, fmt::format("{} scales do not match axis {} of the constant", a.scale.size(), a.axis));
    Weight w{quantize_constant(x, a, lo, hi), a.scale, a.zero, a.axis, lo, hi};
    consts_[n.output(0)] = w.q;
    weights_[n.output(0)] = std::move(w);
    set(n, Value{});
    return;
  }
  const Value& x = value(n, 0);
  if (!a.per_tensor()) fail(n, "an activation must be quantized per tensor (one scale)");
  Value q;
  q.kind = Kind::Quant;
  q.scale = a.scale[0];
  q.zero = int64_t(a.zero[0]);
  q.lo = lo;
  q.hi = hi;
  q.shape = x.shape;
  switch (x.kind) {
    case Kind::Input:
      input_q_ = q;
      break;
    case Kind::Pending:
      close_layer(n, x.layer, q);
      q.layer = x.layer;
      break;
    case Kind::Dequant:
      if (!same_scale(x.scale, q.scale) || x.zero != q.zero || x.lo != q.lo || x.hi != q.hi)
        fail(n, "requantizes an activation to other parameters without a Conv, Gemm or MatMul between: not supported");
      q = x;
      q.kind = Kind::Quant;
      break;
    default:
      fail(n, fmt::format("input '{}' is not a float activation", n.input(0)));
  }
  set(n, q);
}

void Importer::dequantize(const pb::NodeProto& n) {
  const QuantArgs a = quant_args(n);
  if (consts_.count(n.input(0))) {  // an integer weight or bias initializer
    auto wit = weights_.find(n.input(0));
    Weight w;
    if (wit != weights_.end()) {
      w = wit->second;
    } else {
      w.q = consts_.at(n.input(0));
      if (!w.q.is_integer()) fail(n, "dequantizes a float constant");
      std::tie(w.lo, w.hi) = detail::integer_range(w.q.type);
    }
    w.zero = a.zero;
    w.scale = a.scale;
    w.axis = a.axis;
    weights_[n.output(0)] = std::move(w);
    consts_[n.output(0)] = consts_.at(n.input(0));
    set(n, Value{});
    return;
  }
  Value x = value(n, 0);
  if (x.kind != Kind::Quant) fail(n, fmt::format("input '{}' is not a quantized activation", n.input(0)));
  if (!a.per_tensor()) fail(n, "an activation must be dequantized per tensor (one scale)");
  if (x.raw) {  // the pixels: this says what they mean
    x.scale = a.scale[0];
    x.zero = int64_t(a.zero[0]);
    x.raw = false;
  }
  if (!same_scale(a.scale[0], x.scale) || int64_t(a.zero[0]) != x.zero)
    fail(n, fmt::format("scale {} and zero point {} differ from the QuantizeLinear's {} and {}", a.scale[0], a.zero[0],
                        x.scale, x.zero));
  Value d = x;
  d.kind = Kind::Dequant;
  set(n, d);
}

void Importer::clip(const pb::NodeProto& n) {
  double lo = -INFINITY, hi = INFINITY;
  if (has_input(n, 1)) lo = scalar(n, 1);
  if (has_input(n, 2)) hi = scalar(n, 2);
  if (n.input_size() <= 1) {
    lo = detail::attr_float(n, "min", -INFINITY);
    hi = detail::attr_float(n, "max", INFINITY);
  }
  auto wit = weights_.find(n.input(0));
  const auto cit = consts_.find(n.input(0));
  if (wit != weights_.end() || (cit != consts_.end() && cit->second.is_integer())) {
    // QCDQ weights: Quantize -> Clip -> Dequantize, or an integer initializer -> Clip -> Dequantize
    Weight w;
    if (wit != weights_.end()) {
      w = wit->second;
    } else {
      w.q = cit->second;
      std::tie(w.lo, w.hi) = detail::integer_range(w.q.type);
    }
    for (double& v : w.q.values) v = std::clamp(v, lo, hi);
    w.lo = int64_t(std::clamp(std::ceil(lo), double(w.lo), double(w.hi)));
    w.hi = int64_t(std::clamp(std::floor(hi), double(w.lo), double(w.hi)));
    consts_[n.output(0)] = w.q;
    weights_[n.output(0)] = std::move(w);
    set(n, Value{});
    return;
  }
  Value v = value(n, 0);
  if (v.kind == Kind::Quant) {
    if (!std::isfinite(lo) || !std::isfinite(hi) || lo != std::floor(lo) || hi != std::floor(hi) || lo > hi)
      fail(n, "clips a quantized activation to bounds that are not integers lo <= hi");
    v.lo = int64_t(std::clamp(lo, double(v.lo), double(v.hi)));
    v.hi = int64_t(std::clamp(hi, double(v.lo), double(v.hi)));
  } else if (v.kind == Kind::Pending && lo == 0 && hi == INFINITY) {
    layers_[size_t(v.layer)].relu = true;
  } else {
    fail(n, "only a Clip of a quantized activation (QCDQ) or Clip(0, inf) after a layer is supported");
  }
  set(n, v);
}

void Importer::pass_through(const pb::NodeProto& n) {
  if (consts_.count(n.input(0))) {
    consts_[n.output(0)] = consts_.at(n.input(0));
    if (weights_.count(n.input(0))) weights_[n.output(0)] = weights_.at(n.input(0));
  }
  set(n, value(n, 0));
}

// A layer's name from its node's (or its output's): the model format makes file names of it, so
// what is not a letter, digit, '_', '-' or '.' becomes '_' ("/conv/Conv" -> "conv_Conv"); a name
// taken already gets a suffix.
std::string Importer::layer_name(const pb::NodeProto& n) {
  std::string name;
  for (char c : n.name().empty() ? n.output(0) : n.name())
    name += std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ? c : '_';
  const size_t first = name.find_first_not_of("_.");
  name = first == std::string::npos ? "layer" : name.substr(first);
  std::string unique = name;
  for (int k = 2; names_.count(unique); ++k) unique = fmt::format("{}_{}", name, k);
  names_.insert(unique);
  return unique;
}

// Cast, as PyTorch's QDQ export writes it: of an integer activation to its own type (a no-op), or
// of an integer constant (a zero point) to another integer type that holds its values.
void Importer::cast(const pb::NodeProto& n) {
  const int64_t to = attr_int(n, "to", 0);
  auto cit = consts_.find(n.input(0));
  if (cit != consts_.end()) {
    Numbers c = cit->second;
    if (!c.is_integer() || to == pb::TensorProto::FLOAT || to == pb::TensorProto::DOUBLE)
      fail(n, "only casts of integer constants to integer types are supported");
    const auto [lo, hi] = detail::integer_range(int32_t(to));
    for (double v : c.values)
      if (v < double(lo) || v > double(hi))
        fail(n, fmt::format("value {} does not fit {}", v, detail::type_name(int32_t(to))));
    c.type = int32_t(to);
    consts_[n.output(0)] = std::move(c);
    set(n, Value{});
    return;
  }
  const Value& v = value(n, 0);
  if (v.kind != Kind::Quant) fail(n, "only casts of quantized activations and of constants are supported");
  const auto [lo, hi] = detail::integer_range(int32_t(to));
  if (v.lo < lo || v.hi > hi)
    fail(n, fmt::format("casts a {}..{} activation to {}", v.lo, v.hi, detail::type_name(int32_t(to))));
  set(n, v);
}

void Importer::constant_of_shape(const pb::NodeProto& n) {
  const Numbers& shape = constant(n, 0);
  Numbers c;
  c.type = pb::TensorProto::FLOAT;
  double fill = 0;
  if (const auto* a = detail::find_attribute(n, "value")) {
    try {
      const Numbers v = detail::numbers(a->t());
      if (v.size() != 1) fail(n, "'value' must hold one value");
      c.type = v.type;
      fill = v.values[0];
    } catch (const std::invalid_argument& e) {
      fail(n, e.what());
    }
  }
  int64_t count = 1;
  for (double d : shape.values) {
    if (d < 0 || d > double(int64_t{1} << 26) || double(count) * d > double(int64_t{1} << 26))
      fail(n, "the shape is negative or larger than 2^26 values");
    c.dims.push_back(int64_t(d));
    count *= int64_t(d);
  }
  c.values.assign(size_t(count), fill);
  consts_[n.output(0)] = std::move(c);
  set(n, Value{});
}

// The pixel input shifted right to the activation width: our input rule a = p >> (8 - A).
void Importer::bitshift(const pb::NodeProto& n) {
  Value v = value(n, 0);
  if (v.kind != Kind::Quant || !input_q_ || input_q_->scale != 1 || values_.at(n.input(0)).hi != 255 ||
      detail::attr_string(n, "direction", "") != "RIGHT")
    fail(n, "only a right shift of the uint8 graph input is supported (the pixel shifted to the activation width)");
  const double k = scalar(n, 1);
  if (k < 0 || k > 7 || k != std::floor(k)) fail(n, fmt::format("shift {} is not in 0..7", k));
  v.hi = 255 >> int(k);
  input_shift_ = int(k);
  input_q_ = v;
  set(n, v);
}

void Importer::relu(const pb::NodeProto& n) {
  Value v = value(n, 0);
  if (v.kind == Kind::Pending || v.kind == Kind::Raw) {
    layers_[size_t(v.layer)].relu = true;
  } else if ((v.kind == Kind::Quant || v.kind == Kind::Dequant) && v.zero <= v.lo) {
    // already non-negative: the real value 0 is the smallest the tensor holds
  } else {
    fail(n, "a Relu must follow a Conv, Gemm or MatMul (or an activation that cannot be negative)");
  }
  set(n, v);
}

void Importer::maxpool(const pb::NodeProto& n) {
  Value v = value(n, 0);
  const std::vector<int64_t> k = attr_ints(n, "kernel_shape"), st = attr_ints(n, "strides"),
                             pads = attr_ints(n, "pads"), dil = attr_ints(n, "dilations");
  if (v.shape.size() != 3) fail(n, "pools a tensor that is not {C, H, W}");
  if (k.size() != 2 || k[0] != k[1] || k[0] < 1 || k[0] > 64) fail(n, "kernel_shape must be square, 1..64");
  if (!st.empty() && (st[0] < 1 || st[0] > 64)) fail(n, "strides must be 1..64");
  if (!st.empty() && (st.size() != 2 || st[0] != st[1])) fail(n, "strides must be equal");
  if (std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p != 0; }))
    fail(n, "padded max-pooling is not supported");
  if (std::any_of(dil.begin(), dil.end(), [](int64_t d) { return d != 1; }))
    fail(n, "dilated max-pooling is not supported");
  if (attr_int(n, "ceil_mode", 0) != 0) fail(n, "ceil_mode is not supported (floor mode only)");
  if (n.output_size() > 1 && !n.output(1).empty()) fail(n, "the Indices output is not supported");
  if (v.kind == Kind::Input || v.kind == Kind::Const) fail(n, "pools a tensor that is not an activation");
  golden::Layer l;
  l.name = layer_name(n);
  l.type = golden::LayerType::maxpool2d;
  l.kernel = int(k[0]);
  l.stride = st.empty() ? 1 : int(st[0]);
  if (v.shape[1] < l.kernel || v.shape[2] < l.kernel) fail(n, "the kernel is larger than the input");
  v.shape = {v.shape[0], (v.shape[1] - l.kernel) / l.stride + 1, (v.shape[2] - l.kernel) / l.stride + 1};
  layers_.push_back(std::move(l));
  set(n, v);
}

void Importer::flatten(const pb::NodeProto& n) {
  Value v = value(n, 0);
  int64_t size = 1;
  for (int d : v.shape) size *= d;
  if (n.op_type() == "Flatten" && attr_int(n, "axis", 1) != 1)
    fail(n, "only axis 1 (one vector per image) is supported");
  if (n.op_type() == "Reshape") {
    const Numbers& shape = constant(n, 1);
    int64_t known = 1;
    int unknown = 0;
    for (size_t i = 1; i < shape.values.size(); ++i)
      shape.values[i] < 0 ? void(++unknown) : void(known *= int64_t(shape.values[i]));
    const bool one_vector = shape.values.size() == 2 && (unknown == 1 || known == size);
    if (!one_vector) fail(n, "only a reshape to [N, features] is supported");
  }
  if (v.shape.size() == 3) {
    golden::Layer l;
    l.name = layer_name(n);
    l.type = golden::LayerType::flatten;
    layers_.push_back(std::move(l));
  }
  v.shape = {int(size)};
  set(n, v);
}

void Importer::note_activation(const pb::NodeProto& n, const Value& v) {
  if (v.lo != 0)
    fail(n, fmt::format("input '{}' is signed ({}..{}): the array takes unsigned activations", n.input(0), v.lo, v.hi));
  const int a = unsigned_bits(v.hi);
  if ((int64_t{1} << a) - 1 != v.hi)
    fail(n, fmt::format("input '{}' ranges 0..{}: activations range 0..2^A-1", n.input(0), v.hi));
  if (act_bits_ == 0) act_bits_ = a;
  if (a != act_bits_)
    fail(n, fmt::format("input '{}' has {} bits, an earlier activation {}: one width for the whole model", n.input(0),
                        a, act_bits_));
}

// The weight at input `input`, with its scales along `out_axis` (one per output channel or one).
Weight Importer::weight_of(const pb::NodeProto& n, int input, size_t rank, int64_t out_axis) {
  auto it = has_input(n, input) ? weights_.find(n.input(input)) : weights_.end();
  if (it == weights_.end()) {
    if (has_input(n, input) && consts_.count(n.input(input)))
      fail(n, fmt::format("weight '{}' is a float constant: quantize it (QuantizeLinear/DequantizeLinear)",
                          n.input(input)));
    fail(n, "the weight must be a dequantized integer constant");
  }
  return check_weight(n, n.input(input), it->second, rank, out_axis);
}

// QLinearConv/QLinearMatMul and the integer ops: the weight at input w, its scales at w + 1 and
// zero points at w + 2 (scales absent: the integer ops, scale 1).
Weight Importer::integer_weight(const pb::NodeProto& n, int w, size_t rank, int64_t out_axis, bool scaled) {
  Weight r;
  r.q = constant(n, w);
  if (!r.q.is_integer()) fail(n, fmt::format("weight '{}' is not an integer tensor", n.input(w)));
  std::tie(r.lo, r.hi) = detail::integer_range(r.q.type);
  r.scale = scaled ? constant(n, w + 1).values : std::vector<double>{1.0};
  r.axis = out_axis;
  // Zero points: at w + 2 (QLinear ops) or input 3 (ConvInteger, MatMulInteger).
  const int zp = scaled ? w + 2 : 3;
  r.zero = has_input(n, zp) ? constant(n, zp).values : std::vector<double>{0.0};
  return check_weight(n, n.input(w), r, rank, out_axis);
}

Weight Importer::check_weight(const pb::NodeProto& n, const std::string& name, Weight w, size_t rank,
                              int64_t out_axis) {
  if (w.q.dims.size() != rank)
    fail(n, fmt::format("weight '{}' has {} dimensions, expected {}", name, w.q.dims.size(), rank));
  if (std::any_of(w.q.dims.begin(), w.q.dims.end(), [](int64_t d) { return d < 1 || d > (int64_t{1} << 20); }))
    fail(n, fmt::format("weight '{}' has an empty or oversized dimension", name));
  if (w.scale.size() != 1 && (w.axis != out_axis || size_t(w.q.dims[size_t(out_axis)]) != w.scale.size()))
    fail(n, fmt::format("weight '{}': {} scales along axis {}, expected one per output channel (axis {})", name,
                        w.scale.size(), w.axis, out_axis));
  if (w.zero.size() != 1 && w.zero.size() != w.scale.size())
    fail(n, fmt::format("weight '{}': {} zero points for {} scales", name, w.zero.size(), w.scale.size()));
  // A weight zero point folds into the weights: (x - zx) * (q - zw) is (x - zx) * w with w = q - zw,
  // a signed weight one bit wider at most (uint8 q with zw = 128: -128..127).
  const bool shifted = std::any_of(w.zero.begin(), w.zero.end(), [](double z) { return z != 0; });
  if (shifted) {
    size_t inner = 1;
    for (size_t d = size_t(out_axis) + 1; d < w.q.dims.size(); ++d) inner *= size_t(w.q.dims[d]);
    const size_t channels = size_t(w.q.dims[size_t(out_axis)]);
    for (size_t i = 0; i < w.q.size(); ++i)
      w.q.values[i] -= w.zero.size() == 1 ? w.zero[0] : w.zero[(i / inner) % channels];
    notes_.push_back(fmt::format("weight '{}': its zero point is folded into the weights (q - z)", name));
  }
  if (shifted || w.lo >= 0) {  // the values decide the width (a declared signed range otherwise: QCDQ's Clip)
    const auto [mn, mx] = std::minmax_element(w.q.values.begin(), w.q.values.end());
    w.lo = int64_t(*mn);
    w.hi = int64_t(*mx);
  }
  weight_bits_ = std::max(weight_bits_, signed_bits(w.lo, w.hi));
  return w;
}

void Importer::set_conv_geometry(const pb::NodeProto& n, golden::Layer& l, const Value& in, const Weight& w) const {
  const std::vector<int64_t> st = attr_ints(n, "strides"), pads = attr_ints(n, "pads"), dil = attr_ints(n, "dilations");
  const std::vector<int64_t>& d = w.q.dims;  // [O, I, kh, kw]
  if (in.shape.size() != 3) fail(n, "the input is not {C, H, W}");
  if (d[2] != d[3]) fail(n, "the kernel must be square");
  if (attr_int(n, "group", 1) != 1) fail(n, "grouped convolution is not supported");
  if (std::any_of(dil.begin(), dil.end(), [](int64_t x) { return x != 1; })) fail(n, "dilation is not supported");
  if (!st.empty() && (st.size() != 2 || st[0] != st[1])) fail(n, "strides must be equal");
  if (!pads.empty() &&
      (pads.size() != 4 || std::any_of(pads.begin(), pads.end(), [&](int64_t p) { return p != pads[0]; })))
    fail(n, "padding must be the same on every side");
  if (detail::attr_string(n, "auto_pad", "NOTSET") != "NOTSET") fail(n, "auto_pad is not supported (give pads)");
  if (d[1] != in.shape[0])
    fail(n, fmt::format("the weight takes {} input channels, the input has {}", d[1], in.shape[0]));
  const int64_t stride = st.empty() ? 1 : st[0], pad = pads.empty() ? 0 : pads[0];
  if (stride < 1 || stride > 64 || pad < 0 || pad > 64 || d[2] < 1 || d[2] > 64)
    fail(n, fmt::format("kernel {}, stride {} or padding {} is out of range", d[2], stride, pad));
  if (in.shape[1] + 2 * pad < d[2] || in.shape[2] + 2 * pad < d[2])
    fail(n, "the kernel is larger than the padded input");
  l.type = golden::LayerType::conv2d;
  l.out_channels = int(d[0]);
  l.in_channels = int(d[1]);
  l.kernel = int(d[2]);
  l.stride = st.empty() ? 1 : int(st[0]);
  l.padding = pads.empty() ? 0 : int(pads[0]);
}

// A new array layer reading `in`: weights in golden's order ([out][in...]), scales per channel.
int Importer::open_layer(const pb::NodeProto& n, golden::Layer l, const Value& in, const Weight& w, bool transposed) {
  note_activation(n, in);
  l.name = layer_name(n);
  const int outs = l.outputs();
  const size_t per = w.q.size() / size_t(outs);
  l.weight.resize(w.q.size());
  for (size_t i = 0; i < w.q.size(); ++i) {  // transposed: [in][out] as MatMul takes it
    const size_t dst = transposed ? (i % size_t(outs)) * per + i / size_t(outs) : i;
    l.weight[dst] = int32_t(w.q.values[i]);
  }
  l.bias.assign(size_t(outs), 0);
  Open o;
  o.in_scale = in.scale;
  o.in_zero = in.zero;
  o.w_scale = w.scale.size() == 1 ? std::vector<double>(size_t(outs), w.scale[0]) : w.scale;
  layers_.push_back(std::move(l));
  const int idx = int(layers_.size()) - 1;
  open_[idx] = o;
  return idx;
}

// Bias `name` of array layer `layer`: an int32 DequantizeLinear in the accumulator's scale is taken
// as it is; a float bias (or one in another scale) is divided by the accumulator scale and rounded
// half to even.
void Importer::set_bias(const pb::NodeProto& n, int layer, const std::string& name) {
  const Open& o = open_.at(layer);
  golden::Layer& l = layers_[size_t(layer)];
  const auto wit = weights_.find(name);
  auto cit = consts_.find(name);
  if (cit == consts_.end()) fail(n, fmt::format("bias '{}' must be a constant", name));
  const Numbers& b = wit != weights_.end() ? wit->second.q : cit->second;
  if (b.size() != l.bias.size())
    fail(n, fmt::format("bias '{}' has {} values for {} outputs", name, b.size(), l.bias.size()));
  if (wit == weights_.end() && b.is_integer()) fail(n, fmt::format("bias '{}' is an integer without a scale", name));
  bool rounded = false;
  for (size_t c = 0; c < b.size(); ++c) {
    const double acc_scale = o.in_scale * o.w_scale[c];
    double v = b.values[c];
    if (wit != weights_.end()) {
      const Weight& w = wit->second;
      const double s = w.scale.size() == 1 ? w.scale[0] : w.scale[c];
      if (!same_scale(s, acc_scale)) v = std::nearbyint(v * s / acc_scale), rounded = true;
    } else {
      v = std::nearbyint(v / acc_scale);
      rounded = true;
    }
    if (!std::isfinite(v) || v < -2147483648.0 || v > 2147483647.0)
      fail(n, fmt::format("bias '{}'[{}] is {} in the accumulator's scale: beyond int32", name, c, v));
    l.bias[c] = int32_t(v);
  }
  if (rounded)
    notes_.push_back(fmt::format("layer '{}': bias divided by the accumulator scale and rounded half to even", l.name));
}

void Importer::close_layer(const pb::NodeProto& n, int layer, const Value& q) {
  Open& o = open_.at(layer);
  golden::Layer& l = layers_[size_t(layer)];
  if (o.closed) fail(n, fmt::format("layer '{}' is requantized twice", l.name));
  l.multiplier.resize(l.bias.size());
  l.shift.resize(l.bias.size());
  for (size_t c = 0; c < l.bias.size(); ++c) {
    try {
      const MultiplierShift ms = multiplier_shift(o.in_scale * o.w_scale[c] / q.scale);
      l.multiplier[c] = ms.multiplier;
      l.shift[c] = ms.shift;
    } catch (const std::invalid_argument& e) {
      fail(n, fmt::format("layer '{}' channel {}: {}", l.name, c, e.what()));
    }
  }
  o.out_zero = q.zero;
  o.closed = true;
}

void Importer::add_bias(const pb::NodeProto& n) {
  const Value& x = value(n, 0);
  if (x.kind != Kind::Pending || !consts_.count(n.input(1)))
    fail(n, "only an Add of a constant bias to a Gemm or MatMul output is supported");
  set_bias(n, x.layer, n.input(1));
  set(n, x);
}

void Importer::conv(const pb::NodeProto& n) {
  const Value& in = activation_in(n, 0, true);
  const Weight w = weight_of(n, 1, 4, 0);
  const int idx = open_layer(n, geometry(n, true, in, w), in, w, false);
  if (has_input(n, 2)) set_bias(n, idx, n.input(2));
  set(n, layer_output(idx, in));
}

// Gemm (transB = 1: B is [out, in]; else [in, out]) or MatMul (B is [in, out]).
void Importer::linear(const pb::NodeProto& n) {
  const Value& in = activation_in(n, 0, true);
  const bool gemm = n.op_type() == "Gemm";
  if (gemm && (attr_int(n, "transA", 0) != 0 || detail::attr_float(n, "alpha", 1) != 1 ||
               detail::attr_float(n, "beta", 1) != 1))
    fail(n, "only alpha = beta = 1 and transA = 0 are supported");
  const bool transposed = !(gemm && attr_int(n, "transB", 0) == 1);
  Weight w = weight_of(n, 1, 2, transposed ? 1 : 0);
  golden::Layer l;
  if (transposed) {
    l = geometry(n, false, in, w);
  } else {  // [out, in]: the geometry reads [in, out]
    Weight t = w;
    std::swap(t.q.dims[0], t.q.dims[1]);
    l = geometry(n, false, in, t);
  }
  const int idx = open_layer(n, l, in, w, transposed);
  if (gemm && has_input(n, 2)) set_bias(n, idx, n.input(2));
  set(n, layer_output(idx, in));
}

// The layer of a conv (weight [O, I, k, k]) or a linear op (weight [in, out], MatMul's order).
golden::Layer Importer::geometry(const pb::NodeProto& n, bool conv, const Value& in, const Weight& w) const {
  golden::Layer l;
  if (conv) {
    set_conv_geometry(n, l, in, w);
    return l;
  }
  if (in.shape.size() != 1) fail(n, "the input is not one vector per image (Flatten it first)");
  l.type = golden::LayerType::linear;
  l.in_features = int(w.q.dims[0]);
  l.out_features = int(w.q.dims[1]);
  if (l.in_features != in.shape[0])
    fail(n, fmt::format("the weight takes {} features, the input has {}", l.in_features, in.shape[0]));
  return l;
}

// The float (Pending) output of array layer `layer` that read `in`.
Value Importer::layer_output(int layer, const Value& in) const {
  const golden::Layer& l = layers_[size_t(layer)];
  Value out;
  out.kind = Kind::Pending;
  out.layer = layer;
  if (l.type == golden::LayerType::linear) {
    out.shape = {l.out_features};
  } else {
    out.shape = {l.out_channels, (in.shape[1] + 2 * l.padding - l.kernel) / l.stride + 1,
                 (in.shape[2] + 2 * l.padding - l.kernel) / l.stride + 1};
  }
  return out;
}

// QLinearConv (x, x_scale, x_zero, w, w_scale, w_zero, y_scale, y_zero, B) and QLinearMatMul
// (a, a_scale, a_zero, b, b_scale, b_zero, y_scale, y_zero): one layer, requantized at once.
void Importer::qlinear(const pb::NodeProto& n) {
  const bool conv = n.op_type() == "QLinearConv";
  Value x = activation_in(n, 0, false);
  const int64_t xz = has_input(n, 2) ? int_scalar(n, 2) : 0;
  if (x.raw) {  // the uint8 graph input: the op says what it means
    x.scale = scalar(n, 1);
    x.zero = int64_t(xz);
  }
  if (!same_scale(scalar(n, 1), x.scale) || int64_t(xz) != x.zero)
    fail(n, fmt::format("x scale {} and zero point {} differ from the input's {} and {}", scalar(n, 1), xz, x.scale,
                        x.zero));
  const Weight w = integer_weight(n, 3, conv ? 4 : 2, conv ? 0 : 1, true);
  const int idx = open_layer(n, geometry(n, conv, x, w), x, w, !conv);
  if (conv && has_input(n, 8)) {
    const Numbers& b = constant(n, 8);
    golden::Layer& l = layers_[size_t(idx)];
    if (b.size() != l.bias.size()) fail(n, fmt::format("B has {} values for {} outputs", b.size(), l.bias.size()));
    for (size_t c = 0; c < b.size(); ++c) l.bias[c] = int32_t(b.values[c]);  // int32, scale x_scale * w_scale
  }
  Value q = layer_output(idx, x);
  q.kind = Kind::Quant;
  q.scale = scalar(n, 6);
  q.zero = has_input(n, 7) ? int_scalar(n, 7) : 0;
  std::tie(q.lo, q.hi) = detail::integer_range(has_input(n, 7) ? constant(n, 7).type : pb::TensorProto::UINT8);
  close_layer(n, idx, q);
  set(n, q);
}

// ConvInteger (x, w, x_zero, w_zero) and MatMulInteger (a, b, a_zero, b_zero): the int32
// accumulator itself, sum of (x - x_zero) * w: a layer whose raw output is the model's logits.
void Importer::integer_op(const pb::NodeProto& n) {
  const bool conv = n.op_type() == "ConvInteger";
  Value x = activation_in(n, 0, false);
  x.zero = has_input(n, 2) ? int_scalar(n, 2) : 0;
  const Weight w = integer_weight(n, 1, conv ? 4 : 2, conv ? 0 : 1, false);
  const int idx = open_layer(n, geometry(n, conv, x, w), x, w, !conv);
  Value out = layer_output(idx, x);
  out.kind = Kind::Raw;
  set(n, out);
}

void Importer::finish() {
  const pb::GraphProto& g = m_.graph();
  if (g.output_size() != 1) fail(fmt::format("the graph has {} outputs, expected one (the logits)", g.output_size()));
  const auto it = values_.find(g.output(0).name());
  if (it == values_.end() || it->second.layer < 0)
    fail(fmt::format("graph output '{}' is not the output of a Conv, Gemm or MatMul", g.output(0).name()));
  const Value& v = it->second;
  const int last = v.layer;
  if (size_t(last) + 1 != layers_.size())
    fail(
        fmt::format("layer '{}' is followed by pooling or flattening before the output: the logits must be the last "
                    "array layer's",
                    layers_[size_t(last)].name));
  golden::Layer& l = layers_[size_t(last)];
  Open& o = open_.at(last);
  if (!o_.raw_logits && o.closed) return finish_open();  // the last layer's output stays requantized
  for (double s : o.w_scale)
    if (!same_scale(s, o.w_scale[0]))
      fail(
          fmt::format("layer '{}' has per-channel weight scales: its raw logits (acc + bias) would rank the classes "
                      "differently from the float model; quantize the last layer per tensor",
                      l.name));
  if (o.closed)
    notes_.push_back(
        fmt::format("layer '{}': its output requantization is dropped: the model emits the raw logits "
                    "acc + bias (the same argmax unless the requantization rounds or clamps two classes together)",
                    l.name));
  l.multiplier.clear();
  l.shift.clear();
  l.logits = true;
  o.closed = true;
  o.out_zero = 0;
  finish_open();
}

void Importer::finish_open() const {
  for (const auto& [i, op] : open_)
    if (!op.closed)
      fail(fmt::format("layer '{}' is never requantized (no QuantizeLinear after it)", layers_[size_t(i)].name));
}

// The model format's input is the pixel p shifted right to A bits. A float graph input (p / 255)
// quantized by the first QuantizeLinear is accepted when that maps every pixel the same way.
void Importer::check_input(const golden::Model& m) const {
  if (!input_q_) fail("the graph input is never quantized (no QuantizeLinear on it)");
  const int a = m.precision.act_bits;
  const Value& q = *input_q_;
  if (q.raw) {
    if (8 - input_shift_ != a)
      fail(fmt::format("the uint8 input shifted right by {} has {} bits, the model's activations {}", input_shift_,
                       8 - input_shift_, a));
    return;
  }
  for (int p = 0; p < 256; ++p) {
    const float x = float(p) / 255.0f;
    const int64_t onnx = quantize_linear(x, float(q.scale), q.zero, q.lo, q.hi);
    if (onnx != (p >> (8 - a)))
      fail(
          fmt::format("the input QuantizeLinear (scale {}, zero point {}) maps pixel {} (x = {}/255) to {}, the model "
                      "format's input rule (p >> {}) to {}: quantize the input with scale 2^(8-A)/255 at A = 8, or "
                      "feed uint8 pixels through a BitShift",
                      q.scale, q.zero, p, p, onnx, 8 - a, p >> (8 - a)));
  }
}

ImportResult Importer::run() {
  if (!m_.has_graph()) fail("the model has no graph");
  for (const auto& t : m_.graph().initializer()) {
    try {
      consts_[t.name()] = detail::numbers(t);
      values_[t.name()] = Value{};
    } catch (const std::invalid_argument& e) {
      fail(fmt::format("initializer '{}': {}", t.name(), e.what()));
    }
  }
  graph_input();
  for (const auto& n : m_.graph().node()) node(n);
  if (open_.empty()) fail("the graph has no Conv, Gemm or MatMul");
  finish();
  ImportResult r;
  golden::Model& m = r.model;
  m.name = o_.name;
  m.dataset = o_.dataset;
  m.precision = {act_bits_, std::max(weight_bits_, o_.min_weight_bits), o_.psum_bits};
  for (const auto& [i, o] : open_) {
    layers_[size_t(i)].input_zero_point = int(o.in_zero);
    layers_[size_t(i)].output_zero_point = int(o.out_zero);
  }
  m.layers = layers_;
  m.input = values_.at(input_name_).shape;
  if (flat_input_) {
    m.input = {m.input[0], 1, 1};
    golden::Layer f;
    f.name = "input_flatten";
    f.type = golden::LayerType::flatten;
    m.layers.insert(m.layers.begin(), f);
  }
  check_input(m);
  r.notes = notes_;
  if (!o_.raw_logits) return r;  // not a model directory: its last layer requantizes
  try {
    golden::validate_model(m, where_);
  } catch (const golden::Error& e) {
    throw ImportError(golden::printable(e.what()));
  }
  r.notes = notes_;
  return r;
}

}  // namespace

MultiplierShift multiplier_shift(double scale) {
  if (!(scale > 0) || !std::isfinite(scale))
    throw std::invalid_argument(fmt::format("requantization scale {} is not positive", scale));
  int e = 0;
  std::frexp(scale, &e);  // scale = f * 2^e, f in [0.5, 1)
  int s = std::min(31 - e, 62);
  double m = std::floor(std::ldexp(scale, s) + 0.5);  // scale * 2^s < 2^31: exact in a double
  if (m == 2147483648.0) m = 1073741824.0, --s;       // rounded up out of range
  if (s < 0) throw std::invalid_argument(fmt::format("requantization scale {} >= 2 needs a negative shift", scale));
  if (m < 1 || m >= 2147483648.0)
    throw std::invalid_argument(fmt::format("requantization scale {} underflows (M = {} at S = 62)", scale, m));
  return {int32_t(m), int32_t(s)};
}

ImportResult import_bytes(std::string_view bytes, const std::string& where, const ImportOptions& options) {
  pb::ModelProto m;
  if (bytes.size() > size_t(INT32_MAX) || !m.ParseFromArray(bytes.data(), int(bytes.size())))
    throw ImportError(golden::printable(fmt::format("{}: not an ONNX model (the protobuf does not parse)", where)));
  ImportOptions o = options;
  if (o.name.empty()) o.name = std::filesystem::path(where).stem().string();
  return Importer(m, where, o).run();
}

ImportResult import_file(const std::filesystem::path& file, const ImportOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    throw ImportError(golden::printable(fmt::format("{}: no such file", file.string())));
  std::ifstream in(file, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (!in) throw ImportError(golden::printable(fmt::format("{}: cannot be read", file.string())));
  return import_bytes(ss.str(), file.string(), options);
}

}  // namespace accel::onnx
