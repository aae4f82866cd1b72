// The host's share of the zero-point arithmetic (docs/quantization.md "Zero points on the array").
// The array multiplies raw activations (padded positions hold the input zero point z), so the
// contract's sum of (a - z) * w is the array's sum of a * w minus z * sum_k w[o][k], a constant per
// output channel that the host folds into the bias:
//   b'[o] = b[o] - z * sum over k of w[o][k]     (k over every reduction term, padded ones included)
// The output zero point cannot fold (it is added after the shift) and goes to the SFP as a
// parameter; this file only handles the input side.
#pragma once

#include <golden/model.hpp>
#include <vector>

namespace accel {

// b' for every output channel of a conv2d/linear layer (b itself when z = 0). std::invalid_argument
// naming the layer when z is outside 0 .. 2^act_bits - 1, when b' leaves int32 (the SFP's bias
// parameter), or, for z != 0, when a sum could wrap: the array wraps the raw sum and the contract
// the shifted one, which agree only if neither wraps, i.e. (2^act_bits - 1) * sum_k |w[o][k]| fits
// psum_bits signed bits.
std::vector<int32_t> folded_bias(const golden::Layer& layer, int act_bits, int psum_bits);

}  // namespace accel
