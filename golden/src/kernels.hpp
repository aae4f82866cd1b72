// Inner loops shared by the full and the partial accumulations (private).
//
// Accumulation is done in uint32_t, i.e. modulo 2^32, and wrapped to P bits at
// the end. That is exact for every P <= 32: the contract's wrap_P is a modular
// reduction, sum mod 2^P == (sum mod 2^32) mod 2^P, and wrapping once at the end
// equals wrapping after every addition. Unsigned arithmetic makes the 2^32
// wrap well defined; a signed product a*w (|a*w| < 2^31 for A, W <= 16) has the
// same residue mod 2^32 as the product of the two values cast to uint32_t.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "golden/ops.hpp"

namespace golden::detail {

struct ConvTermIndex {
  int c, ky, kx;
};

// Validates bit widths (A, W 1..16; P 1..32).
void check_precision(const Precision& prec, const char* who);
// Validates rank/size of `in` against p, activation range, weight size/range.
void check_conv_args(const Tensor& in, std::span<const int32_t> weight, const ConvParams& p, const Precision& prec,
                     const char* who);
void check_linear_args(const Tensor& in, std::span<const int32_t> weight, int out_features, const Precision& prec,
                       const char* who);

// Every channel of `in` ({C, H, W}) with `padding` zeros on each side, as int32.
std::vector<int32_t> pad_input(const Tensor& in, int padding);

// out[(o - o0)][y][x] = wrap_P(sum over terms ...) for o in [o0, o1).
Tensor conv_terms(const std::vector<int32_t>& padded, int hp, int wp, std::span<const int32_t> weight,
                  const ConvParams& p, int psum_bits, std::span<const ConvTermIndex> terms, int o0, int o1);

// out[o - o0] = wrap_P(sum over k in [k0, k1) of in[k] * weight[o][k]).
Tensor linear_range(const Tensor& in, std::span<const int32_t> weight, int psum_bits, int k0, int k1, int o0, int o1);

}  // namespace golden::detail
