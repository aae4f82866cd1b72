// The three bit widths of the integer contract (docs/quantization.md).
#pragma once

namespace golden {

struct Precision {
  int act_bits = 8;     // A: unsigned activations 0 .. 2^A-1
  int weight_bits = 8;  // W: signed weights -2^(W-1) .. 2^(W-1)-1
  int psum_bits = 32;   // P: accumulator, wraps modulo 2^P (two's complement)
  bool operator==(const Precision&) const = default;
};

// Presets of the two first-class configurations.
inline constexpr Precision kInt8{8, 8, 32};
inline constexpr Precision kEce284{4, 4, 16};

}  // namespace golden
