// The ONNX importer (docs/onnx.md): a quantized ONNX model in, a model of our format out
// (docs/model-format.md), integer weights, int32 bias and multiplier/shift per output channel.
//
// It folds, along the activation path from the graph's input to its output:
//   QDQ   (PyTorch): QuantizeLinear -> DequantizeLinear around Conv, Gemm and MatMul (+ Add bias),
//         weights as DequantizeLinear of integer initializers (or Quantize/Dequantize of floats);
//   QCDQ  (Brevitas): the same with a Clip between Quantize and Dequantize narrowing the range;
//   QOps: QLinearConv, QLinearMatMul, and the integer ops ConvInteger, MatMulInteger;
// plus Relu, MaxPool, Flatten, Reshape (to one dimension), Identity and Dropout. Anything else,
// or a form of these it cannot map exactly, is an ImportError naming the node and the reason.
#pragma once

#include <golden/model.hpp>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace accel::onnx {

// One line: "FILE: node 'NAME' (OP): reason", or "FILE: reason" for the model as a whole.
class ImportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ImportOptions {
  std::string name;              // model name (default: the file's stem)
  std::string dataset = "mnist"; // data set the model classifies (model.json "dataset")
  int psum_bits = 32;            // P of the imported model
};

// What the importer did beside the model: one line per decision a user should know of
// (a scale folded, a bias rounded, the final requantization dropped for raw logits).
struct ImportResult {
  golden::Model model;
  std::vector<std::string> notes;
};

// The real requantization scale s as M / 2^S: M in [2^30, 2^31) rounded half away from zero
// from s * 2^S, S = min(31 - e, 62) for s = f * 2^e (f in [0.5, 1)); the rule of the training
// exporter (golden/train/export.py multiplier_shift, docs/quantization.md). Throws
// std::invalid_argument for s <= 0, s >= 2 (a negative shift) or an underflow at S = 62.
struct MultiplierShift {
  int32_t multiplier = 0;
  int32_t shift = 0;
};
MultiplierShift multiplier_shift(double scale);

// Reads an .onnx file (ImportError when it cannot be read or parsed).
ImportResult import_file(const std::filesystem::path& file, const ImportOptions& options = {});
// The same from the serialized ModelProto; `where` names it in messages.
ImportResult import_bytes(std::string_view bytes, const std::string& where, const ImportOptions& options = {});

}  // namespace accel::onnx
