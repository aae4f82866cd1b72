// NumPy .npy reader (and a small writer, for tests and tools).
//
// Reads format versions 1.0 and 2.0, little-endian integer dtypes
// int8 / uint8 / int16 / int32 / int64, C order. Values are widened to int64.
// Anything else (big-endian, float, Fortran order, truncated body, trailing
// bytes, malformed header dict, a header or shape beyond the limits below)
// throws golden::FormatError naming the file and the byte offset or header key;
// a missing file or one that is not a regular file throws golden::FileError.
// read_npy checks the declared shape against the file's size before it
// allocates the data (docs/model-format.md "Limits").
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace golden {

// Limits: the header dict is at most kNpyMaxHeaderBytes, an array at most kNpyMaxElements values.
inline constexpr size_t kNpyMaxHeaderBytes = 65536;
inline constexpr uint64_t kNpyMaxElements = uint64_t{1} << 26;

enum class DType { int8, uint8, int16, int32, int64 };

// "int8", "uint8", ... for messages.
const char* dtype_name(DType t);
// NumPy descr string as written by write_npy: "|i1", "|u1", "<i2", "<i4", "<i8".
const char* dtype_descr(DType t);
int dtype_size(DType t);

struct NpyArray {
  std::string path;  // as given to read_npy, for messages
  DType dtype = DType::int8;
  std::vector<int64_t> shape;   // () for a scalar
  std::vector<int64_t> values;  // C order, widened to int64

  int64_t size() const { return static_cast<int64_t>(values.size()); }
  // "(32, 1, 5, 5)" like NumPy prints it; "()" for a scalar, "(7,)" for 1-D.
  std::string shape_str() const;
  // "(3, 0, 1, 2)": the multi-index of flat element i, for messages.
  std::string index_str(int64_t flat) const;
};

// Formats a shape the NumPy way: (32, 1, 5, 5), (7,), ().
std::string format_shape(std::span<const int64_t> shape);

NpyArray read_npy(const std::filesystem::path& file);
// Parses an in-memory .npy image; `name` is used in messages.
NpyArray parse_npy(std::span<const std::uint8_t> bytes, const std::string& name);

// Writes a version 1.0, little-endian, C-order file. Throws std::invalid_argument
// if a value does not fit the dtype or the shape does not match values.size(),
// golden::FileError if the file cannot be written.
void write_npy(const std::filesystem::path& file, DType dtype, std::span<const int64_t> shape,
               std::span<const int64_t> values);

}  // namespace golden
