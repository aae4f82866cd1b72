// Uniform random activations and weights within a precision's bit widths, for the seeded random
// golden tests.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "golden/precision.hpp"
#include "golden/tensor.hpp"

namespace test_support {

// `t` (any shape) filled with activations in 0..2^A - 1, A = prec.act_bits.
inline golden::Tensor random_activations(golden::Tensor t, const golden::Precision& prec, std::mt19937& rng) {
  std::uniform_int_distribution<int> act(0, (1 << prec.act_bits) - 1);
  for (auto& v : t.data) v = act(rng);
  return t;
}

// n weights in the signed W-bit range -2^(W-1)..2^(W-1) - 1, W = prec.weight_bits.
inline std::vector<int32_t> random_weights(size_t n, const golden::Precision& prec, std::mt19937& rng) {
  std::uniform_int_distribution<int> wt(-(1 << (prec.weight_bits - 1)), (1 << (prec.weight_bits - 1)) - 1);
  std::vector<int32_t> w(n);
  for (auto& v : w) v = wt(rng);
  return w;
}

}  // namespace test_support
