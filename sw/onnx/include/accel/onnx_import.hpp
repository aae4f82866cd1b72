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
  std::string name;               // model name (default: the file's stem)
  std::string dataset = "mnist";  // data set the model classifies (model.json "dataset")
  int psum_bits = 32;             // P of the imported model
  // The last array layer emits raw logits (acc + bias), its requantization dropped; false keeps
  // a requantized output (ONNX's QLinear conformance cases compare it). The model format wants
  // logits last, so such a model is not validated as a model directory: it is for running layer
  // by layer (golden::apply_layer), not for save_model.
  bool raw_logits = true;
  // At least this weight width (0: what the weights need). The array computes in its own widths
  // only (config_for): a case with small weights widened to a core's W runs on that core.
  int min_weight_bits = 0;
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

namespace accel::onnx {

// ONNX's QuantizeLinear of one value, as the importer evaluates it on constants:
// saturate(round_half_even(x / scale) + zero, lo, hi), the division in float.
int64_t quantize_linear(float x, float scale, int64_t zero, int64_t lo, int64_t hi);
// DequantizeLinear: (q - zero) * scale in float.
float dequantize_linear(int64_t q, float scale, int64_t zero);

// One case of ONNX's node conformance tests (Debian's libonnx-testdata,
// /usr/share/libonnx-testdata/data/node/test_*/): model.onnx and test_data_set_0. The graph inputs
// after the first are bound as initializers (the weights, scales and zero points the case gives);
// the first is the data.
struct ConformanceCase {
  std::string name;  // the directory's name
  std::string op;    // the op type of the model's node
  struct Tensor {
    std::vector<int64_t> dims;
    std::vector<double> values;
    int32_t type = 0;
    std::vector<float> floats() const { return {values.begin(), values.end()}; }
  };
  std::vector<Tensor> inputs;  // every graph input, in order
  Tensor expected;             // output_0
  std::string model_bytes;     // the model with inputs 1.. bound as initializers
  int64_t attr_axis = 1;       // the node's axis attribute (QuantizeLinear, DequantizeLinear)
};
ConformanceCase load_conformance_case(const std::filesystem::path& dir);

}  // namespace accel::onnx
