// Runs a loaded model on images with the integer ops of golden/ops.hpp and
// keeps every intermediate value for layer-by-layer comparison.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "golden/idx.hpp"
#include "golden/model.hpp"
#include "golden/tensor.hpp"

namespace golden {

struct LayerTrace {
  const Layer* layer = nullptr;  // points into the Model passed to run_network
  // conv2d / linear: the wrapped P-bit accumulators before bias (step 1),
  // shape = the layer's output shape. Empty (rank 0) for maxpool2d / flatten.
  Tensor acc;
  // requant layers: activations 0..2^A-1; logits layer: acc + bias (int64);
  // maxpool2d / flatten: the pooled / flattened activations.
  Tensor output;
};

struct NetworkTrace {
  Tensor input;                    // shifted pixels {C, H, W}: p >> (8 - A)
  std::vector<LayerTrace> layers;  // one per model layer, in order

  // The input of layer i: `input` for i == 0, else layers[i-1].output.
  const Tensor& input_of(size_t i) const { return i == 0 ? input : layers[i - 1].output; }
  const Tensor& logits() const { return layers.back().output; }
  int predicted() const;  // argmax of the logits, lowest index on ties
};

// One layer on its input. acc, if given, receives the raw accumulators of a
// conv2d/linear layer. Uses the model's precision; the model was validated at load.
Tensor apply_layer(const Layer& layer, const Precision& prec, const Tensor& in, Tensor* acc = nullptr);

// One image: C*H*W raw 8-bit pixels, C order. Throws std::invalid_argument if
// the size does not match the model input.
NetworkTrace run_network(const Model& model, std::span<const uint8_t> pixels);
// Logits only (the same computation, without keeping the trace).
std::vector<int64_t> infer_logits(const Model& model, std::span<const uint8_t> pixels);
// Images [first, first + count) of an IDX set (single-channel models).
std::vector<NetworkTrace> run_batch(const Model& model, const ImageSet& images, int first, int count);

// One differing logit of a reference comparison.
struct LogitMismatch {
  int image = 0;
  int cls = 0;
  int64_t expected = 0;
  int64_t actual = 0;
};
// "image 3 class 7: expected 1234, golden 1240"
std::string format_mismatch(const LogitMismatch& m);

// Compares actual[i] (one logits vector per image) with the reference's row i,
// for i < reference.count; every difference is listed, image-major. Throws
// std::invalid_argument if actual has fewer rows or a row has the wrong length.
std::vector<LogitMismatch> compare_logits(const Reference& reference, std::span<const std::vector<int64_t>> actual);
// Runs the first reference.count images through the model and compares.
// Throws golden::FormatError if the model has no reference or the image set
// is too small or the wrong size.
std::vector<LogitMismatch> check_reference(const Model& model, const ImageSet& images);

}  // namespace golden
