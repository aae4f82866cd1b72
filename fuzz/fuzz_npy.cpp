// The .npy parser (golden/npy.hpp) on the input in memory (parse_npy, what read_npy runs on a
// file's bytes). Rejections are golden::FormatError; an array that parses must hold as many
// values as its shape says, each within its dtype.
#include <golden/error.hpp>
#include <golden/npy.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>

#include "fuzz_support.hpp"

namespace {

void check_array(const golden::NpyArray& a) {
  uint64_t n = 1;
  for (int64_t d : a.shape) {
    if (d < 0) fuzz::finding("a negative dimension");
    n *= uint64_t(d);
  }
  if (n != a.values.size()) fuzz::finding(fmt::format("shape {} but {} values", a.shape_str(), a.values.size()));
  const int bits = 8 * golden::dtype_size(a.dtype);
  const bool is_unsigned = a.dtype == golden::DType::uint8;
  const int64_t lo = is_unsigned ? 0 : bits == 64 ? std::numeric_limits<int64_t>::min() : -(int64_t{1} << (bits - 1));
  const int64_t hi = is_unsigned  ? 255
                     : bits == 64 ? std::numeric_limits<int64_t>::max()
                                  : (int64_t{1} << (bits - 1)) - 1;
  for (int64_t v : a.values)
    if (v < lo || v > hi) fuzz::finding(fmt::format("value {} outside {}", v, golden::dtype_name(a.dtype)));
  if (a.size() > 0) (void)a.index_str(a.size() - 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    check_array(golden::parse_npy(std::span<const uint8_t>(data, size), "fuzz.npy"));
  } catch (const golden::Error& e) {
    fuzz::check_one_line(e);
  }
  return 0;
}
