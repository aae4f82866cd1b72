#include "onnx_tensors.hpp"

#include <fmt/format.h>

#include <cstring>
#include <limits>
#include <stdexcept>

namespace accel::onnx::detail {

namespace {

using TP = ::onnx::TensorProto;

constexpr int64_t kMaxValues = int64_t{1} << 26;  // as golden::kMaxTensorElements

template <class T>
void from_raw(const std::string& raw, std::vector<double>& out, size_t n) {
  if (raw.size() != n * sizeof(T))
    throw std::invalid_argument(
        fmt::format("raw_data holds {} bytes, {} values of {} bytes need {}", raw.size(), n, sizeof(T), n * sizeof(T)));
  out.resize(n);
  for (size_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, raw.data() + i * sizeof(T), sizeof(T));  // ONNX stores little-endian, as x86
    out[i] = double(v);
  }
}

template <class Field>
void from_field(const Field& f, std::vector<double>& out, size_t n, const char* field) {
  if (size_t(f.size()) != n)
    throw std::invalid_argument(fmt::format("{} holds {} values, the dimensions need {}", field, f.size(), n));
  out.assign(f.begin(), f.end());
}

}  // namespace

bool Numbers::is_integer() const { return type != TP::FLOAT && type != TP::DOUBLE; }

std::string type_name(int32_t type) {
  switch (type) {
    case TP::FLOAT:
      return "float";
    case TP::DOUBLE:
      return "double";
    case TP::UINT8:
      return "uint8";
    case TP::INT8:
      return "int8";
    case TP::UINT16:
      return "uint16";
    case TP::INT16:
      return "int16";
    case TP::INT32:
      return "int32";
    case TP::INT64:
      return "int64";
    default:
      return fmt::format("type {}", type);
  }
}

std::pair<int64_t, int64_t> integer_range(int32_t type) {
  switch (type) {
    case TP::UINT8:
      return {0, 255};
    case TP::INT8:
      return {-128, 127};
    case TP::UINT16:
      return {0, 65535};
    case TP::INT16:
      return {-32768, 32767};
    case TP::INT32:
      return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
    default:
      throw std::invalid_argument(fmt::format("{} is not a quantized integer type", type_name(type)));
  }
}

Numbers numbers(const TP& t) {
  if (t.data_location() == TP::EXTERNAL)
    throw std::invalid_argument("tensor data in an external file is not supported (save the model with its data)");
  Numbers r;
  r.type = t.data_type();
  int64_t n = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || (d > 0 && n > kMaxValues / d))
      throw std::invalid_argument(fmt::format("dimension {} makes the tensor larger than {} values", d, kMaxValues));
    n *= d;
    r.dims.push_back(d);
  }
  const size_t count = size_t(n);
  const std::string& raw = t.raw_data();
  const bool has_raw = t.has_raw_data();
  switch (r.type) {
    case TP::FLOAT:
      has_raw ? from_raw<float>(raw, r.values, count) : from_field(t.float_data(), r.values, count, "float_data");
      break;
    case TP::DOUBLE:
      has_raw ? from_raw<double>(raw, r.values, count) : from_field(t.double_data(), r.values, count, "double_data");
      break;
    case TP::UINT8:
      has_raw ? from_raw<uint8_t>(raw, r.values, count) : from_field(t.int32_data(), r.values, count, "int32_data");
      break;
    case TP::INT8:
      has_raw ? from_raw<int8_t>(raw, r.values, count) : from_field(t.int32_data(), r.values, count, "int32_data");
      break;
    case TP::UINT16:
      has_raw ? from_raw<uint16_t>(raw, r.values, count) : from_field(t.int32_data(), r.values, count, "int32_data");
      break;
    case TP::INT16:
      has_raw ? from_raw<int16_t>(raw, r.values, count) : from_field(t.int32_data(), r.values, count, "int32_data");
      break;
    case TP::INT32:
      has_raw ? from_raw<int32_t>(raw, r.values, count) : from_field(t.int32_data(), r.values, count, "int32_data");
      break;
    case TP::INT64:
      has_raw ? from_raw<int64_t>(raw, r.values, count) : from_field(t.int64_data(), r.values, count, "int64_data");
      break;
    default:
      throw std::invalid_argument(fmt::format("element type {} is not supported", type_name(r.type)));
  }
  return r;
}

const ::onnx::AttributeProto* find_attribute(const ::onnx::NodeProto& n, std::string_view name) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

int64_t attr_int(const ::onnx::NodeProto& n, std::string_view name, int64_t fallback) {
  const auto* a = find_attribute(n, name);
  return a ? a->i() : fallback;
}

float attr_float(const ::onnx::NodeProto& n, std::string_view name, float fallback) {
  const auto* a = find_attribute(n, name);
  return a ? a->f() : fallback;
}

std::vector<int64_t> attr_ints(const ::onnx::NodeProto& n, std::string_view name) {
  const auto* a = find_attribute(n, name);
  if (!a) return {};
  return {a->ints().begin(), a->ints().end()};
}

std::string attr_string(const ::onnx::NodeProto& n, std::string_view name, const std::string& fallback) {
  const auto* a = find_attribute(n, name);
  return a ? a->s() : fallback;
}

}  // namespace accel::onnx::detail
