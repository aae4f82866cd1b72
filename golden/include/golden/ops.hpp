// Integer layer operations of the golden model, exactly as docs/quantization.md
// defines them. Each function states the rounding and overflow it applies.
//
// Preconditions (program errors, std::invalid_argument): bit widths within
// A 1..16, W 1..16, P 1..32; tensor ranks and sizes matching the parameters;
// activations within 0..2^A-1 and weights within W signed bits.
#pragma once

#include <cstdint>
#include <span>

#include "golden/precision.hpp"
#include "golden/tensor.hpp"

namespace golden {

struct ConvParams {
  int in_channels = 1;
  int out_channels = 1;
  int kernel = 1;  // square kernel
  int stride = 1;
  int padding = 0;  // both sides, with the real value 0: the activation value zero_point
  int zero_point = 0;  // input zero point z (docs/quantization.md): 0 .. 2^A - 1
};

// floor((in + 2*padding - kernel) / stride) + 1; throws if the kernel does not fit.
int conv_out_size(int in, int kernel, int stride, int padding);

// wrap_P(v): v modulo 2^P, reinterpreted as a P-bit two's complement value
// (sign-extended to int64). psum_bits 1..64.
int64_t wrap_psum(int64_t v, int psum_bits);

// Network input: a = p >> (8 - A), for A in 1..8. Pixels are C order {C, H, W}.
int64_t input_pixel(uint8_t p, int act_bits);
Tensor input_from_pixels(std::span<const uint8_t> pixels, int c, int h, int w, int act_bits);

// Accumulators, step (1): out[o][y][x] = wrap_P( sum over c, ky, kx of
//   (in_padded[c][y*stride + ky][x*stride + kx] - z) * weight[o][c][ky][kx] )
// where z = p.zero_point and in_padded is `in` with `padding` values z on every side (so padded
// terms contribute 0). in: {C, H, W}; weight: OIHW, C order. Result {O, OH, OW}.
Tensor conv2d_acc(const Tensor& in, std::span<const int32_t> weight, const ConvParams& p, const Precision& prec);

// Accumulators, step (1): out[o] = wrap_P( sum over k of (in[k] - zero_point) * weight[o][k] ).
// in: {K}; weight: [out_features][K]. Result {out_features}. zero_point 0 .. 2^A - 1.
Tensor linear_acc(const Tensor& in, std::span<const int32_t> weight, int out_features, const Precision& prec,
                  int zero_point = 0);

// Step (2): y = acc + bias[channel], exact in int64 (not wrapped back to P bits).
// The channel is dimension 0 (conv: per output channel; linear: per feature).
Tensor add_bias(Tensor acc, std::span<const int32_t> bias);

// max(y, 0) elementwise.
Tensor relu(Tensor y);

// The rounding of step (3) without the clamp: floor((y*M + R) / 2^S),
// R = 2^(S-1) if S > 0 else 0, i.e. y*M/2^S rounded half up (towards
// +infinity: -1.5 -> -1, -2.5 -> -2). |y| <= 2^32 (what P <= 32 and an int32
// bias can produce), M in 1..2^31-1, S in 0..62.
int64_t rescale(int64_t y, int32_t multiplier, int32_t shift);

// Step (3) for one value: clamp(floor((y*M + R) / 2^S) + z, 0, 2^A - 1),
// R = 2^(S-1) if S > 0 else 0 (round half up), z the output zero point (added after the shift,
// before the clamp). y*M + R is computed exactly in 128 bits; the shift is arithmetic (floor).
// M in 1..2^31-1, S in 0..62, z in 0..2^A-1.
int64_t requantize(int64_t y, int32_t multiplier, int32_t shift, int act_bits, int zero_point = 0);
// Per channel (dimension 0) multiplier/shift, one zero point for the tensor, as above.
Tensor requantize(const Tensor& y, std::span<const int32_t> multiplier, std::span<const int32_t> shift, int act_bits,
                  int zero_point = 0);

// Max-pool per channel, no padding, floor mode: out = floor((H - k) / s) + 1,
// trailing rows/columns that do not fill a window are dropped.
Tensor maxpool2d(const Tensor& in, int kernel, int stride);

// {C, H, W} -> {C*H*W}, PyTorch order: index = c*H*W + y*W + x. {N} unchanged.
Tensor flatten(Tensor in);

// Index of the largest value; on a tie the lowest index wins. Throws on empty.
int argmax(std::span<const int64_t> values);

}  // namespace golden
