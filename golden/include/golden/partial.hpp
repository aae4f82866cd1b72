// Partial sums of any tile slice of a conv2d or linear layer: the values the
// accelerator's psum memory must hold after it has accumulated some of the
// reduction. The scoreboard takes every expected psum from here.
//
// A partial accumulation is step (1) of docs/quantization.md restricted to a
// subset of the reduction terms, wrapped to P bits:
//
//   conv2d:  out[o - o0][y][x] = wrap_P( sum over c in [c0, c1), (ky, kx) in positions of
//                                in_padded[c][y*stride + ky][x*stride + kx] * w[o][c][ky][kx] )
//            for o in [o0, o1) and every output position (y, x) of the layer;
//   linear:  out[o - o0] = wrap_P( sum over k in [k0, k1) of in[k] * w[o][k] ),  o in [o0, o1).
//
// Because wrapping is modular, for any partition of the reduction into slices
//   wrap_P( sum of the slices' partial sums ) == the full accumulator
// (conv2d_acc / linear_acc), whatever the order. An empty slice (c0 == c1, no
// positions, k0 == k1) gives zeros. The result's dimension 0 is o - o0, so
// element 0 is output channel o0.
//
// Bad ranges, a kernel position outside the kernel or listed twice, and the
// preconditions of golden/ops.hpp throw std::invalid_argument.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "golden/model.hpp"
#include "golden/ops.hpp"
#include "golden/tensor.hpp"

namespace golden {

struct KernelPos {
  int ky = 0;
  int kx = 0;
  bool operator==(const KernelPos&) const = default;
};

// All kernel positions in row-major order: (0,0), (0,1), ..., (k-1,k-1).
std::vector<KernelPos> all_kernel_positions(int kernel);

// Input-channel range x kernel positions x output-channel range: the
// kernel-position-major mapping (one weight tile per channel tile, output tile
// and kernel position; a cumulative psum is a growing `positions` list).
struct ConvSlice {
  int c0 = 0, c1 = 0;                // input channels [c0, c1)
  std::vector<KernelPos> positions;  // kernel positions, each at most once
  int o0 = 0, o1 = 0;                // output channels [o0, o1)
};

// One reduction term of a convolution: input channel c at kernel position (ky, kx).
// Any set of terms (each at most once) is allowed, e.g. an im2col row chunk
// that crosses a channel boundary.
struct ConvTerm {
  int c = 0, ky = 0, kx = 0;
  bool operator==(const ConvTerm&) const = default;
};

// Terms of an im2col row range [r0, r1) in PyTorch weight order
// r = (c * kernel + ky) * kernel + kx.
std::vector<ConvTerm> im2col_terms(int in_channels, int kernel, int r0, int r1);

struct LinearSlice {
  int k0 = 0, k1 = 0;  // input features [k0, k1)
  int o0 = 0, o1 = 0;  // output features [o0, o1)
};

// Result {o1 - o0, OH, OW}; `in` is the layer's (unpadded) input {C, H, W}.
Tensor conv2d_partial_acc(const Tensor& in, std::span<const int32_t> weight, const ConvParams& p, const Precision& prec,
                          const ConvSlice& slice);
Tensor conv2d_partial_acc(const Tensor& in, std::span<const int32_t> weight, const ConvParams& p, const Precision& prec,
                          std::span<const ConvTerm> terms, int o0, int o1);

// Result {o1 - o0}; `in` is the layer's input {K}.
Tensor linear_partial_acc(const Tensor& in, std::span<const int32_t> weight, int out_features, const Precision& prec,
                          const LinearSlice& slice);

// The same for a loaded model layer (conv2d or linear; otherwise invalid_argument).
ConvParams conv_params(const Layer& layer);
Tensor partial_acc(const Layer& layer, const Precision& prec, const Tensor& in, const ConvSlice& slice);
Tensor partial_acc(const Layer& layer, const Precision& prec, const Tensor& in, std::span<const ConvTerm> terms, int o0,
                   int o1);
Tensor partial_acc(const Layer& layer, const Precision& prec, const Tensor& in, const LinearSlice& slice);

namespace detail {
struct PaddedInput {
  std::vector<int32_t> data;  // {C, H + 2 padding, W + 2 padding}
  int hp = 0, wp = 0;
};
}  // namespace detail

// Many slices of one loaded layer (conv2d or linear) on one input, with partial_acc's values and
// errors: the input is checked (and padded) once, when constructed, and each call then checks
// only its slice. The scoreboard asks for every slice of every image. It keeps its own copy of
// what it needs of `in`; `layer` must outlive it.
class LayerPartials {
 public:
  LayerPartials(const Layer& layer, const Precision& prec, const Tensor& in);
  Tensor operator()(const ConvSlice& slice) const;
  Tensor operator()(std::span<const ConvTerm> terms, int o0, int o1) const;
  Tensor operator()(const LinearSlice& slice) const;

 private:
  const Layer& layer_;
  Precision prec_;
  ConvParams params_{};
  detail::PaddedInput padded_;  // conv2d
  Tensor linear_in_;            // linear
};

}  // namespace golden
