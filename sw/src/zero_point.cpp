#include <fmt/format.h>

#include <accel/zero_point.hpp>
#include <cstdint>
#include <limits>
#include <stdexcept>

namespace accel {

std::vector<int32_t> folded_bias(const golden::Layer& l, int act_bits, int psum_bits) {
  const int z = l.input_zero_point;
  const int64_t amax = (int64_t{1} << act_bits) - 1;
  if (z < 0 || z > amax)
    throw std::invalid_argument(fmt::format("layer '{}': input zero point {} outside 0..{}", l.name, z, amax));
  const size_t outputs = l.bias.size();
  if (z == 0 || outputs == 0) return l.bias;
  const size_t terms = l.weight.size() / outputs;
  const int64_t psum_max = (int64_t{1} << (psum_bits - 1)) - 1;
  std::vector<int32_t> out(outputs);
  for (size_t o = 0; o < outputs; ++o) {
    int64_t sum = 0, magnitude = 0;  // |w| <= 2^15 and at most 2^26 terms: exact in 64 bits
    for (size_t k = 0; k < terms; ++k) {
      const int64_t w = l.weight[o * terms + k];
      sum += w;
      magnitude += w < 0 ? -w : w;
    }
    if (amax * magnitude > psum_max)
      throw std::invalid_argument(fmt::format(
          "layer '{}': output {}: with input zero point {} a sum of up to {} * {} could wrap {} psum bits (the array "
          "wraps the raw sum, the contract the shifted one; docs/quantization.md)",
          l.name, o, z, amax, magnitude, psum_bits));
    const int64_t b = int64_t{l.bias[o]} - int64_t{z} * sum;
    if (b < std::numeric_limits<int32_t>::min() || b > std::numeric_limits<int32_t>::max())
      throw std::invalid_argument(fmt::format(
          "layer '{}': output {}: bias {} - {} * {} (input zero point times the weight sum) = {} leaves int32", l.name,
          o, l.bias[o], z, sum, b));
    out[o] = static_cast<int32_t>(b);
  }
  return out;
}

}  // namespace accel
