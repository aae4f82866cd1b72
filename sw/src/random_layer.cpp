#include <fmt/format.h>

#include <accel/random_layer.hpp>
#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace accel {

namespace {

// Weights, bias, M and S for `outputs` channels with `terms` reduction terms each.
void fill_params(golden::Layer& l, int outputs, int terms, const golden::Precision& prec, std::mt19937& rng) {
  std::uniform_int_distribution<int32_t> w(-(1 << (prec.weight_bits - 1)), (1 << (prec.weight_bits - 1)) - 1);
  l.weight.resize(size_t(outputs) * terms);
  for (auto& v : l.weight) v = w(rng);
  // A typical accumulator magnitude: sqrt(terms) * (mean activation) * (weight spread).
  const double typ = std::max(
      1.0, std::sqrt(double(terms)) * std::ldexp(1.0, prec.act_bits - 1) * std::ldexp(1.0, prec.weight_bits - 1) / 2.0);
  const int32_t bmax = static_cast<int32_t>(std::min(typ, 1e9));
  std::uniform_int_distribution<int32_t> b(-bmax, bmax);
  std::uniform_int_distribution<int32_t> m(1 << 30, 0x7fffffff);
  // y * M / 2^S ~ 2^act_bits for y ~ typ: S = 30 + log2(typ) - act_bits, spread by +-2.
  const int s0 = 30 + int(std::lround(std::log2(typ))) - prec.act_bits;
  std::uniform_int_distribution<int> ds(-2, 2);
  l.bias.resize(size_t(outputs));
  for (auto& v : l.bias) v = b(rng);
  if (l.logits) return;
  l.multiplier.resize(size_t(outputs));
  l.shift.resize(size_t(outputs));
  for (int o = 0; o < outputs; ++o) {
    l.multiplier[size_t(o)] = m(rng);
    l.shift[size_t(o)] = std::clamp(s0 + ds(rng), 0, 62);
  }
}

// A zero point as the spec gives it: v, or drawn for -1.
int zero_point(int v, const golden::Precision& prec, std::mt19937& rng) {
  if (v >= 0) return v;
  return std::uniform_int_distribution<int>(0, (1 << prec.act_bits) - 1)(rng);
}

}  // namespace

golden::Layer random_conv(const RandomConvSpec& s, const golden::Precision& prec, std::mt19937& rng) {
  if (s.in_channels < 1 || s.out_channels < 1 || s.kernel < 1 || s.stride < 1 || s.padding < 0 || s.height < 1 ||
      s.width < 1 || s.height + 2 * s.padding < s.kernel || s.width + 2 * s.padding < s.kernel)
    throw std::invalid_argument(fmt::format("random_conv: bad shape in {} out {} kernel {} stride {} padding {} {}x{}",
                                            s.in_channels, s.out_channels, s.kernel, s.stride, s.padding, s.height,
                                            s.width));
  golden::Layer l;
  l.name = fmt::format("conv{}to{}k{}s{}p{}", s.in_channels, s.out_channels, s.kernel, s.stride, s.padding);
  l.type = golden::LayerType::conv2d;
  l.in_channels = s.in_channels;
  l.out_channels = s.out_channels;
  l.kernel = s.kernel;
  l.stride = s.stride;
  l.padding = s.padding;
  l.relu = s.relu && !s.logits;
  l.logits = s.logits;
  l.in_shape = {s.in_channels, s.height, s.width};
  l.out_shape = {s.out_channels, (s.height + 2 * s.padding - s.kernel) / s.stride + 1,
                 (s.width + 2 * s.padding - s.kernel) / s.stride + 1};
  fill_params(l, s.out_channels, s.in_channels * s.kernel * s.kernel, prec, rng);
  l.input_zero_point = zero_point(s.input_zero_point, prec, rng);
  l.output_zero_point = l.logits ? 0 : zero_point(s.output_zero_point, prec, rng);
  return l;
}

golden::Layer random_linear(const RandomLinearSpec& s, const golden::Precision& prec, std::mt19937& rng) {
  golden::Layer l;
  l.name = fmt::format("fc{}to{}", s.in_features, s.out_features);
  l.type = golden::LayerType::linear;
  l.in_features = s.in_features;
  l.out_features = s.out_features;
  l.relu = s.relu && !s.logits;
  l.logits = s.logits;
  l.in_shape = {s.in_features};
  l.out_shape = {s.out_features};
  fill_params(l, s.out_features, s.in_features, prec, rng);
  l.input_zero_point = zero_point(s.input_zero_point, prec, rng);
  l.output_zero_point = l.logits ? 0 : zero_point(s.output_zero_point, prec, rng);
  return l;
}

void randomize_zero_points(golden::Model& m, std::mt19937& rng) {
  int z = zero_point(-1, m.precision, rng);  // the network input's
  for (golden::Layer& l : m.layers) {
    if (!l.has_weights()) continue;  // max-pool and flatten carry z through
    l.input_zero_point = z;
    l.output_zero_point = l.logits ? 0 : zero_point(-1, m.precision, rng);
    z = l.output_zero_point;
  }
  golden::validate_model(m, "randomize_zero_points");
}

golden::Model random_mnist_model(const golden::Precision& prec, std::mt19937& rng) {
  golden::Model m;
  m.name = "random_mnist";
  m.dataset = "random";
  m.precision = prec;
  m.input = {1, 28, 28};
  golden::Layer c1 = random_conv({1, 32, 5, 1, 2, 28, 28, true, false}, prec, rng);
  c1.name = "conv1";
  golden::Layer c2 = random_conv({32, 32, 3, 2, 1, 28, 28, true, false}, prec, rng);
  c2.name = "conv2";
  golden::Layer pool;
  pool.name = "pool";
  pool.type = golden::LayerType::maxpool2d;
  pool.kernel = 3;
  pool.stride = 2;
  golden::Layer flat;
  flat.name = "flatten";
  flat.type = golden::LayerType::flatten;
  golden::Layer f1 = random_linear({1152, 128, true, false}, prec, rng);
  f1.name = "fc1";
  golden::Layer f2 = random_linear({128, 10, false, true}, prec, rng);
  f2.name = "fc2";
  m.layers = {c1, c2, pool, flat, f1, f2};
  golden::validate_model(m, "random_mnist_model");
  return m;
}

namespace {

// Appends layers to a network under construction, tracking the activation shape {C, H, W}.
struct NetBuilder {
  golden::Model& m;
  const golden::Precision& prec;
  std::mt19937& rng;
  int c, h, w;
  int convs = 0, pools = 0, fcs = 0;

  void conv(int out, int k, int pad) {
    golden::Layer l = random_conv({c, out, k, 1, pad, h, w, true, false}, prec, rng);
    l.name = fmt::format("conv{}", ++convs);
    h = h + 2 * pad - k + 1;
    w = w + 2 * pad - k + 1;
    c = out;
    m.layers.push_back(std::move(l));
  }
  void pool() {
    golden::Layer l;
    l.name = fmt::format("pool{}", ++pools);
    l.type = golden::LayerType::maxpool2d;
    l.kernel = 2;
    l.stride = 2;
    h /= 2;
    w /= 2;
    m.layers.push_back(std::move(l));
  }
  void flatten() {
    golden::Layer l;
    l.name = "flatten";
    l.type = golden::LayerType::flatten;
    c = c * h * w;
    h = w = 1;
    m.layers.push_back(std::move(l));
  }
  void fc(int out, bool logits) {
    golden::Layer l = random_linear({c, out, !logits, logits}, prec, rng);
    l.name = fmt::format("fc{}", ++fcs);
    c = out;
    m.layers.push_back(std::move(l));
  }
};

}  // namespace

golden::Model random_network(const std::string& name, const golden::Precision& prec, std::mt19937& rng) {
  if (name == "mnist") return random_mnist_model(prec, rng);
  golden::Model m;
  m.name = name;
  m.dataset = "random";
  m.precision = prec;
  if (name == "vgg16-cifar") {
    m.input = {3, 32, 32};
    NetBuilder b{m, prec, rng, 3, 32, 32};
    for (const std::vector<int>& block : std::vector<std::vector<int>>{
             {64, 64}, {128, 128}, {256, 256, 256}, {8, 8, 512}, {512, 512, 512}}) {
      for (int out : block) b.conv(out, 3, 1);
      b.pool();
    }
    b.flatten();
    b.fc(10, true);
  } else if (name == "cifar10-cnn") {
    m.input = {3, 32, 32};
    NetBuilder b{m, prec, rng, 3, 32, 32};
    b.conv(6, 5, 0);
    b.pool();
    b.conv(16, 5, 0);
    b.pool();
    b.flatten();
    b.fc(120, false);
    b.fc(84, false);
    b.fc(10, true);
  } else {
    throw std::invalid_argument(fmt::format("unknown network '{}' (networks: {})", name, kRandomNetworks));
  }
  golden::validate_model(m, "random_network " + name);
  return m;
}

std::vector<golden::Tensor> random_inputs(const golden::Layer& layer, int n, int act_bits, std::mt19937& rng) {
  std::uniform_int_distribution<int64_t> a(0, (int64_t{1} << act_bits) - 1);
  std::vector<golden::Tensor> out(size_t(std::max(n, 0)));
  for (auto& t : out) {
    t.shape = layer.in_shape;
    size_t sz = 1;
    for (int d : t.shape) sz *= size_t(d);
    t.data.resize(sz);
    for (auto& v : t.data) v = a(rng);
  }
  return out;
}

}  // namespace accel
