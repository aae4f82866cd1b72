#include "golden/network.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "golden/error.hpp"
#include "golden/ops.hpp"
#include "golden/partial.hpp"
#include "kernels.hpp"

namespace golden {

int NetworkTrace::predicted() const { return argmax(logits().data); }

namespace {

// (1) wrapped accumulators, (2) + bias exact, ReLU, (3) requantize + clamp, or raw acc + bias for
// the logits layer (docs/quantization.md).
Tensor finish_layer(const Layer& layer, const Precision& prec, Tensor acc, Tensor* acc_out) {
  Tensor y = add_bias(acc, layer.bias);
  if (acc_out) *acc_out = std::move(acc);
  if (layer.relu) y = relu(std::move(y));
  if (layer.logits) return y;
  return requantize(y, layer.multiplier, layer.shift, prec.act_bits, layer.output_zero_point);
}

}  // namespace

Tensor apply_layer(const Layer& layer, const Precision& prec, const Tensor& in, Tensor* acc_out) {
  switch (layer.type) {
    case LayerType::maxpool2d:
      return maxpool2d(in, layer.kernel, layer.stride);
    case LayerType::flatten:
      return flatten(in);
    case LayerType::conv2d:
      return finish_layer(layer, prec,
                          detail::conv2d_acc(in, layer.weight, conv_params(layer), prec, layer.weights_checked(prec)),
                          acc_out);
    case LayerType::linear:
      return finish_layer(layer, prec,
                          detail::linear_acc(in, layer.weight, layer.out_features, prec, layer.input_zero_point,
                                             layer.weights_checked(prec)),
                          acc_out);
  }
  throw_bad_layer_type(layer);
}

NetworkTrace run_network(const Model& model, std::span<const uint8_t> pixels) {
  NetworkTrace t;
  t.input =
      input_from_pixels(pixels, model.input.at(0), model.input.at(1), model.input.at(2), model.precision.act_bits);
  t.layers.reserve(model.layers.size());
  for (size_t i = 0; i < model.layers.size(); ++i) {
    LayerTrace lt;
    lt.layer = &model.layers[i];
    lt.output = apply_layer(model.layers[i], model.precision, t.input_of(i), &lt.acc);
    t.layers.push_back(std::move(lt));
  }
  return t;
}

std::vector<int64_t> infer_logits(const Model& model, std::span<const uint8_t> pixels) {
  Tensor x =
      input_from_pixels(pixels, model.input.at(0), model.input.at(1), model.input.at(2), model.precision.act_bits);
  for (const Layer& l : model.layers) x = apply_layer(l, model.precision, x);
  return std::move(x.data);
}

std::vector<NetworkTrace> run_batch(const Model& model, const ImageSet& images, int first, int count) {
  if (first < 0 || count < 0 || first + count > images.count) {
    throw std::invalid_argument(fmt::format("run_batch: images [{}, {}) outside the {} images of {}", first,
                                            first + count, images.count, images.path));
  }
  std::vector<NetworkTrace> out;
  out.reserve(count);
  for (int i = first; i < first + count; ++i) out.push_back(run_network(model, images.image(i)));
  return out;
}

std::string format_mismatch(const LogitMismatch& m) {
  return fmt::format("image {} class {}: expected {}, golden {}", m.image, m.cls, m.expected, m.actual);
}

std::vector<LogitMismatch> compare_logits(const Reference& reference, std::span<const std::vector<int64_t>> actual) {
  if (actual.size() < size_t(reference.count)) {
    throw std::invalid_argument(
        fmt::format("compare_logits: {} rows of logits for {} reference images", actual.size(), reference.count));
  }
  std::vector<LogitMismatch> out;
  for (int i = 0; i < reference.count; ++i) {
    if (actual[i].size() != size_t(reference.classes)) {
      throw std::invalid_argument(fmt::format("compare_logits: image {} has {} logits, the reference {}", i,
                                              actual[i].size(), reference.classes));
    }
    for (int c = 0; c < reference.classes; ++c) {
      if (actual[i][c] != reference.at(i, c)) out.push_back({i, c, reference.at(i, c), actual[i][c]});
    }
  }
  return out;
}

std::vector<LogitMismatch> check_reference(const Model& model, const ImageSet& images) {
  if (!model.reference) {
    throw FormatError(
        fmt::format("{}: model '{}' has no reference section", (model.dir / "model.json").string(), model.name));
  }
  const Reference& ref = *model.reference;
  if (images.count < ref.count) {
    throw FormatError(fmt::format("{}: {} images, the reference of model '{}' needs {}", images.path, images.count,
                                  model.name, ref.count));
  }
  if (model.input.at(0) != 1) {
    throw FormatError(fmt::format("{}: model '{}' has {} input channels, IDX images have 1", images.path, model.name,
                                  model.input.at(0)));
  }
  check_image_size(images, model.input.at(1), model.input.at(2));
  std::vector<std::vector<int64_t>> actual;
  for (int i = 0; i < ref.count; ++i) actual.push_back(infer_logits(model, images.image(i)));
  return compare_logits(ref, actual);
}

}  // namespace golden
