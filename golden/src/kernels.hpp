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
// Validates rank/size of `in` against p, activation range, weight size and (unless the caller
// knows them checked: Layer::weights_checked) weight range.
void check_conv_args(const Tensor& in, std::span<const int32_t> weight, const ConvParams& p, const Precision& prec,
                     const char* who, bool weight_values_checked = false);
void check_linear_args(const Tensor& in, std::span<const int32_t> weight, int out_features, const Precision& prec,
                       const char* who, bool weight_values_checked = false);

// conv2d_acc / linear_acc (ops.hpp) for a layer's weights, checked or not.
Tensor conv2d_acc(const Tensor& in, std::span<const int32_t> weight, const ConvParams& p, const Precision& prec,
                  bool weight_values_checked);
Tensor linear_acc(const Tensor& in, std::span<const int32_t> weight, int out_features, const Precision& prec,
                  int zero_point, bool weight_values_checked);

// Throws std::invalid_argument unless 0 <= z <= 2^A - 1 (a zero point is an activation value).
void check_zero_point(int zero_point, int act_bits, const char* who);

// Every channel of `in` ({C, H, W}) with `padding` values `pad` on each side, minus `offset`, as
// int32: out = in_padded - offset.
std::vector<int32_t> pad_input(const Tensor& in, int padding, int pad, int offset);

// The hot loops are compiled twice, for AVX2 and for the x86-64 baseline, and the loader picks the
// one the CPU runs (GCC/Clang function multi-versioning; elsewhere one plain version). The results
// are the same integers either way.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_ADDRESS__)
#define GOLDEN_HOT_LOOP __attribute__((target_clones("avx2", "default")))
#else
#define GOLDEN_HOT_LOOP
#endif

// wrap_P of a sum kept modulo 2^32, for 1 <= P <= 32 (checked by the caller): the low P bits,
// sign-extended. golden::wrap_psum uses it for every P <= 32 (one rule for the accumulator).
inline int64_t wrap_u32(uint32_t acc, int psum_bits) {
  const int drop = 32 - psum_bits;
  return static_cast<int32_t>(acc << drop) >> drop;
}

// out[(o - o0)][y][x] = wrap_P(sum over terms ...) for o in [o0, o1).
Tensor conv_terms(const std::vector<int32_t>& padded, int hp, int wp, std::span<const int32_t> weight,
                  const ConvParams& p, int psum_bits, std::span<const ConvTermIndex> terms, int o0, int o1);

// out[o - o0] = wrap_P(sum over k in [k0, k1) of (in[k] - offset) * weight[o][k]).
Tensor linear_range(const Tensor& in, std::span<const int32_t> weight, int psum_bits, int offset, int k0, int k1, int o0,
                    int o1);

}  // namespace golden::detail
