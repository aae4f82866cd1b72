// Reading ONNX protobuf messages: a TensorProto's numbers and a node's attributes, checked.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace accel::onnx::detail {

// The values of a tensor, widened to double (every integer type ONNX quantization uses, int32
// included, is exact in a double), with its dimensions and element type.
struct Numbers {
  std::vector<int64_t> dims;  // empty: a scalar
  std::vector<double> values;
  int32_t type = 0;  // ::onnx::TensorProto::DataType
  bool is_integer() const;
  size_t size() const { return values.size(); }
};

// Throws std::invalid_argument (the caller adds the node) for an unsupported element type,
// external data, a payload that does not match the dimensions, or more than 2^26 values.
Numbers numbers(const ::onnx::TensorProto& t);

// "uint8", "int8", "float", ... for messages.
std::string type_name(int32_t type);
// The integer range of a quantized element type (uint8 0..255, int8 -128..127, ...); throws for
// a type that is not an integer.
std::pair<int64_t, int64_t> integer_range(int32_t type);

const ::onnx::AttributeProto* find_attribute(const ::onnx::NodeProto& n, std::string_view name);
int64_t attr_int(const ::onnx::NodeProto& n, std::string_view name, int64_t fallback);
float attr_float(const ::onnx::NodeProto& n, std::string_view name, float fallback);
std::vector<int64_t> attr_ints(const ::onnx::NodeProto& n, std::string_view name);
std::string attr_string(const ::onnx::NodeProto& n, std::string_view name, const std::string& fallback);

}  // namespace accel::onnx::detail
