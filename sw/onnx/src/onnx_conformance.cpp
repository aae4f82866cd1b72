// Reading ONNX's node conformance test cases (docs/onnx.md "Conformance").
#include <accel/onnx_import.hpp>
#include <golden/input_file.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "onnx_tensors.hpp"

namespace accel::onnx {

namespace {

namespace pb = ::onnx;

std::string read_bytes(const std::filesystem::path& f) {
  std::ifstream in(f, std::ios::binary);
  if (!in) throw ImportError(golden::printable(fmt::format("{}: cannot be read", f.string())));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

pb::TensorProto read_tensor(const std::filesystem::path& f) {
  pb::TensorProto t;
  const std::string b = read_bytes(f);
  if (!t.ParseFromString(b)) throw ImportError(golden::printable(fmt::format("{}: not a TensorProto", f.string())));
  return t;
}

ConformanceCase::Tensor to_case_tensor(const pb::TensorProto& t, const std::filesystem::path& f) {
  try {
    const detail::Numbers n = detail::numbers(t);
    return {n.dims, n.values, n.type};
  } catch (const std::invalid_argument& e) {
    throw ImportError(golden::printable(fmt::format("{}: {}", f.string(), e.what())));
  }
}

}  // namespace

int64_t quantize_linear(float x, float scale, int64_t zero, int64_t lo, int64_t hi) {
  // Saturated in floating point first: a value beyond int64 would be undefined to convert.
  const double r = std::clamp(double(std::nearbyint(x / scale)) + double(zero), double(lo), double(hi));
  return std::isnan(r) ? lo : int64_t(r);
}

float dequantize_linear(int64_t q, float scale, int64_t zero) { return float(q - zero) * scale; }

ConformanceCase load_conformance_case(const std::filesystem::path& dir) {
  ConformanceCase c;
  c.name = dir.filename().string();
  pb::ModelProto m;
  const std::filesystem::path model = dir / "model.onnx";
  if (!m.ParseFromString(read_bytes(model)))
    throw ImportError(golden::printable(fmt::format("{}: not an ONNX model", model.string())));
  if (m.graph().node_size() != 1)
    throw ImportError(golden::printable(fmt::format("{}: expected one node", model.string())));
  c.op = m.graph().node(0).op_type();
  c.attr_axis = detail::attr_int(m.graph().node(0), "axis", 1);
  const std::filesystem::path data = dir / "test_data_set_0";
  for (int i = 0; i < m.graph().input_size(); ++i) {
    const std::filesystem::path f = data / fmt::format("input_{}.pb", i);
    pb::TensorProto t = read_tensor(f);
    c.inputs.push_back(to_case_tensor(t, f));
    if (i == 0) continue;
    t.set_name(m.graph().input(i).name());
    *m.mutable_graph()->add_initializer() = t;
  }
  c.expected = to_case_tensor(read_tensor(data / "output_0.pb"), data / "output_0.pb");
  c.model_bytes = m.SerializeAsString();
  return c;
}

}  // namespace accel::onnx
