#include "golden/partial.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "kernels.hpp"

namespace golden {

namespace {

void check_range(int lo, int hi, int n, const char* what) {
  if (lo < 0 || hi < lo || hi > n) {
    throw std::invalid_argument(fmt::format("partial sum: {} range [{}, {}) not within [0, {})", what, lo, hi, n));
  }
}

// Validates terms (in the kernel, each once) and converts them.
std::vector<detail::ConvTermIndex> to_indices(std::span<const ConvTerm> terms, const ConvParams& p) {
  const int k = p.kernel;
  std::vector<bool> seen(size_t(p.in_channels) * k * k, false);
  std::vector<detail::ConvTermIndex> out;
  out.reserve(terms.size());
  for (const ConvTerm& t : terms) {
    if (t.c < 0 || t.c >= p.in_channels || t.ky < 0 || t.ky >= k || t.kx < 0 || t.kx >= k) {
      throw std::invalid_argument(
          fmt::format("partial sum: term (c {}, ky {}, kx {}) outside {} channels x {}x{} kernel", t.c, t.ky, t.kx,
                      p.in_channels, k, k));
    }
    const size_t i = (size_t(t.c) * k + t.ky) * k + t.kx;
    if (seen[i]) {
      throw std::invalid_argument(fmt::format("partial sum: term (c {}, ky {}, kx {}) listed twice", t.c, t.ky, t.kx));
    }
    seen[i] = true;
    out.push_back({t.c, t.ky, t.kx});
  }
  return out;
}

}  // namespace

std::vector<KernelPos> all_kernel_positions(int kernel) {
  std::vector<KernelPos> out;
  for (int ky = 0; ky < kernel; ++ky) {
    for (int kx = 0; kx < kernel; ++kx) out.push_back({ky, kx});
  }
  return out;
}

std::vector<ConvTerm> im2col_terms(int in_channels, int kernel, int r0, int r1) {
  check_range(r0, r1, in_channels * kernel * kernel, "im2col row");
  std::vector<ConvTerm> out;
  for (int r = r0; r < r1; ++r) out.push_back({r / (kernel * kernel), (r / kernel) % kernel, r % kernel});
  return out;
}

namespace {

// Input channels [c0, c1) at every position of the slice, or none (the positions still checked).
std::vector<ConvTerm> slice_terms(const ConvSlice& slice, const ConvParams& p) {
  check_range(slice.c0, slice.c1, p.in_channels, "input channel");
  std::vector<ConvTerm> terms;
  for (int c = slice.c0; c < slice.c1; ++c) {
    for (const KernelPos& kp : slice.positions) terms.push_back({c, kp.ky, kp.kx});
  }
  if (slice.c0 == slice.c1) {
    for (const KernelPos& kp : slice.positions) {
      if (kp.ky < 0 || kp.ky >= p.kernel || kp.kx < 0 || kp.kx >= p.kernel) {
        throw std::invalid_argument(
            fmt::format("partial sum: kernel position ({}, {}) outside {}x{}", kp.ky, kp.kx, p.kernel, p.kernel));
      }
    }
  }
  return terms;
}

// The input checked, then padded as the array sees it: raw activations, padded positions holding
// the zero point z. weight_values_checked: the layer's weights were range-checked at load.
detail::PaddedInput pad_for_partials(const Tensor& in, std::span<const int32_t> weight, const ConvParams& p,
                                     const Precision& prec, bool weight_values_checked) {
  detail::check_conv_args(in, weight, p, prec, "conv2d_partial_acc", weight_values_checked);
  return {detail::pad_input(in, p.padding, p.zero_point, 0), in.height() + 2 * p.padding, in.width() + 2 * p.padding};
}

Tensor sum_terms(const detail::PaddedInput& x, std::span<const int32_t> weight, const ConvParams& p,
                 const Precision& prec, std::span<const ConvTerm> terms, int o0, int o1) {
  check_range(o0, o1, p.out_channels, "output channel");
  const std::vector<detail::ConvTermIndex> idx = to_indices(terms, p);
  return detail::conv_terms(x.data, x.hp, x.wp, weight, p, prec.psum_bits, idx, o0, o1);
}

void check_linear(const Tensor& in, std::span<const int32_t> weight, int out_features, const Precision& prec,
                  bool weight_values_checked) {
  detail::check_linear_args(in, weight, out_features, prec, "linear_partial_acc", weight_values_checked);
}

Tensor sum_linear(const Tensor& in, std::span<const int32_t> weight, int out_features, const Precision& prec,
                  const LinearSlice& slice) {
  check_range(slice.k0, slice.k1, static_cast<int>(in.size()), "input feature");
  check_range(slice.o0, slice.o1, out_features, "output feature");
  // The array's sum over raw activations (a linear layer has no padding, so no zero point here).
  return detail::linear_range(in, weight, prec.psum_bits, 0, slice.k0, slice.k1, slice.o0, slice.o1);
}

void linear_only(const Layer& layer) {
  if (layer.type != LayerType::linear) {
    throw std::invalid_argument(
        fmt::format("layer '{}' is a {}, not a linear layer", layer.name, layer_type_name(layer.type)));
  }
}

}  // namespace

Tensor conv2d_partial_acc(const Tensor& in, std::span<const int32_t> weight, const ConvParams& p, const Precision& prec,
                          std::span<const ConvTerm> terms, int o0, int o1) {
  return sum_terms(pad_for_partials(in, weight, p, prec, false), weight, p, prec, terms, o0, o1);
}

Tensor conv2d_partial_acc(const Tensor& in, std::span<const int32_t> weight, const ConvParams& p, const Precision& prec,
                          const ConvSlice& slice) {
  const std::vector<ConvTerm> terms = slice_terms(slice, p);
  return sum_terms(pad_for_partials(in, weight, p, prec, false), weight, p, prec, terms, slice.o0, slice.o1);
}

Tensor linear_partial_acc(const Tensor& in, std::span<const int32_t> weight, int out_features, const Precision& prec,
                          const LinearSlice& slice) {
  check_linear(in, weight, out_features, prec, false);
  return sum_linear(in, weight, out_features, prec, slice);
}

ConvParams conv_params(const Layer& layer) {
  if (layer.type != LayerType::conv2d) {
    throw std::invalid_argument(
        fmt::format("layer '{}' is a {}, not a conv2d", layer.name, layer_type_name(layer.type)));
  }
  return {layer.in_channels, layer.out_channels, layer.kernel, layer.stride, layer.padding, layer.input_zero_point};
}

LayerPartials::LayerPartials(const Layer& layer, const Precision& prec, const Tensor& in) : layer_(layer), prec_(prec) {
  if (layer.type == LayerType::conv2d) {
    params_ = conv_params(layer);
    padded_ = pad_for_partials(in, layer.weight, params_, prec, layer.weights_checked(prec));
  } else if (layer.type == LayerType::linear) {
    check_linear(in, layer.weight, layer.out_features, prec, layer.weights_checked(prec));
    linear_in_ = in;
  }
}

Tensor LayerPartials::operator()(std::span<const ConvTerm> terms, int o0, int o1) const {
  if (layer_.type != LayerType::conv2d) conv_params(layer_);  // names the layer's type
  return sum_terms(padded_, layer_.weight, params_, prec_, terms, o0, o1);
}

Tensor LayerPartials::operator()(const ConvSlice& slice) const {
  if (layer_.type != LayerType::conv2d) conv_params(layer_);
  return (*this)(slice_terms(slice, params_), slice.o0, slice.o1);
}

Tensor LayerPartials::operator()(const LinearSlice& slice) const {
  linear_only(layer_);
  return sum_linear(linear_in_, layer_.weight, layer_.out_features, prec_, slice);
}

Tensor partial_acc(const Layer& layer, const Precision& prec, const Tensor& in, const ConvSlice& slice) {
  conv_params(layer);  // a linear layer is refused before its input is checked as one
  return LayerPartials(layer, prec, in)(slice);
}

Tensor partial_acc(const Layer& layer, const Precision& prec, const Tensor& in, std::span<const ConvTerm> terms, int o0,
                   int o1) {
  conv_params(layer);
  return LayerPartials(layer, prec, in)(terms, o0, o1);
}

Tensor partial_acc(const Layer& layer, const Precision& prec, const Tensor& in, const LinearSlice& slice) {
  linear_only(layer);
  return LayerPartials(layer, prec, in)(slice);
}

}  // namespace golden
