// Model directory loader (docs/model-format.md): model.json plus .npy tensors.
//
// load_model validates everything the format lists (files present, dtypes,
// shapes, shapes chaining layer to layer, values within bit widths, M/S ranges,
// logits only on the last layer) and throws golden::FileError /
// golden::FormatError with one line naming the file, the layer/field and the
// problem.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "golden/precision.hpp"

namespace golden {

// Code that dispatches on the type switches over it without a default (so -Wall names every
// switch a new type must reach) and calls throw_bad_layer_type after the switch.
enum class LayerType { conv2d, linear, maxpool2d, flatten };
const char* layer_type_name(LayerType t);
struct Layer;
// Throws std::invalid_argument naming the layer and its type value, which is outside LayerType.
[[noreturn]] void throw_bad_layer_type(const Layer& l);

// Shape of an activation between layers: {C, H, W} or {features}.
using Shape = std::vector<int>;
std::string shape_str(const Shape& s);  // "32x14x14" or "1152"

struct Layer {
  std::string name;
  LayerType type = LayerType::flatten;

  // conv2d (kernel/stride also for maxpool2d)
  int in_channels = 0, out_channels = 0;
  int kernel = 0, stride = 1, padding = 0;
  // linear
  int in_features = 0, out_features = 0;

  bool relu = false;
  bool logits = false;  // output: "logits" (raw acc + bias, int64); else "requant"
  // conv2d/linear: zero points of the input and the output activations (docs/quantization.md),
  // 0 .. 2^A - 1; the output one is 0 on a logits layer.
  int input_zero_point = 0;
  int output_zero_point = 0;

  // conv2d: OIHW [out][in][k][k]; linear: [out][in]. C order, widened.
  std::vector<int32_t> weight;
  std::vector<int32_t> bias;        // [out]
  std::vector<int32_t> multiplier;  // [out]; empty for a logits layer
  std::vector<int32_t> shift;       // [out]; empty for a logits layer

  Shape in_shape;  // computed by the loader from the chain
  Shape out_shape;

  // Weight values were checked once against this width (validate_model sets it; 0: never). The
  // ops given this layer then skip re-checking every weight on every call, which cost a quarter of
  // a co-simulation's time. Whoever changes the weights in place afterwards calls validate_model
  // again (or clears this).
  int weights_checked_bits = 0;
  bool weights_checked(const Precision& p) const { return weights_checked_bits == p.weight_bits; }

  bool has_weights() const;
  int outputs() const;  // output channels (conv2d) or features (linear); throws for the others
  // Multiply-accumulates for one image (0 for pool/flatten).
  int64_t macs() const;
  // "conv2d 1->32 k5 s1 p2 relu", "maxpool2d k3 s2", "linear 1152->128 relu", ...
  std::string describe() const;
};

struct Reference {
  std::string images;           // path relative to the repository root, as written
  std::string labels;           // their labels, likewise (optional: empty when not given)
  int count = 0;                // rows of logits
  int classes = 0;              // columns of logits
  std::string logits_file;      // path of the .npy, as loaded
  std::vector<int64_t> logits;  // [count][classes], row-major
  int64_t at(int image, int cls) const { return logits[static_cast<size_t>(image) * classes + cls]; }
};

struct Model {
  std::filesystem::path dir;
  std::string name;
  std::string dataset;
  Precision precision;
  Shape input;  // {C, H, W}
  std::vector<Layer> layers;
  std::optional<Reference> reference;
  std::optional<double> int_accuracy;    // metrics.int_accuracy, information only
  std::optional<double> float_accuracy;  // metrics.float_accuracy, information only

  int classes() const;   // number of logits of the last layer
  int64_t macs() const;  // per image
  // One line: name, dataset, widths, input, layers, MACs.
  std::string summary() const;
};

// Limits (docs/model-format.md "Limits"): model.json is at most kMaxModelJsonBytes; every
// activation tensor (the input and each layer's output) and every weight tensor has at most
// kMaxTensorElements values, so no size computed from the shapes overflows.
inline constexpr uint64_t kMaxModelJsonBytes = uint64_t{16} << 20;
inline constexpr int64_t kMaxTensorElements = int64_t{1} << 26;

Model load_model(const std::filesystem::path& dir);

// Writes a validated model as a model directory (model.json and one .npy per tensor, weights as
// int8, or int16 above 8 bits) that load_model reads back equal. Creates `dir` if needed; throws
// FileError when a file cannot be written.
void save_model(const Model& m, const std::filesystem::path& dir);

// Checks a model built in memory (shapes chain, tensor sizes, value ranges,
// logits only last) and fills in_shape/out_shape; load_model calls it too.
// `where` prefixes messages (normally the model.json path).
void validate_model(Model& model, const std::string& where);

}  // namespace golden
