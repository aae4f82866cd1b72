#include "golden/ops.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "kernels.hpp"

namespace golden {

namespace detail {

void check_precision(const Precision& prec, const char* who) {
  if (prec.act_bits < 1 || prec.act_bits > 16 || prec.weight_bits < 1 || prec.weight_bits > 16 || prec.psum_bits < 1 ||
      prec.psum_bits > 32) {
    throw std::invalid_argument(fmt::format("{}: bit widths A{}/W{}/P{} outside A 1..16, W 1..16, P 1..32", who,
                                            prec.act_bits, prec.weight_bits, prec.psum_bits));
  }
}

namespace {

GOLDEN_HOT_LOOP void check_activations(const Tensor& in, int act_bits, const char* who) {
  const int64_t amax = (int64_t{1} << act_bits) - 1;
  // Branch-free bounds first (vectorized); the loop naming the first bad value only on failure.
  int64_t lo = 0, hi = 0;
  for (const int64_t v : in.data) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (lo >= 0 && hi <= amax) return;
  for (size_t i = 0; i < in.data.size(); ++i) {
    if (in.data[i] < 0 || in.data[i] > amax) {
      throw std::invalid_argument(
          fmt::format("{}: activation {} at flat index {} outside 0..{}", who, in.data[i], i, amax));
    }
  }
}

void check_weights(std::span<const int32_t> weight, int weight_bits, const char* who) {
  const int64_t wmax = (int64_t{1} << (weight_bits - 1)) - 1;
  for (size_t i = 0; i < weight.size(); ++i) {
    if (weight[i] < -wmax - 1 || weight[i] > wmax) {
      throw std::invalid_argument(
          fmt::format("{}: weight {} at flat index {} outside {}..{}", who, weight[i], i, -wmax - 1, wmax));
    }
  }
}

}  // namespace

void check_zero_point(int zero_point, int act_bits, const char* who) {
  const int64_t amax = (int64_t{1} << act_bits) - 1;
  if (zero_point < 0 || zero_point > amax) {
    throw std::invalid_argument(fmt::format("{}: zero point {} outside 0..{}", who, zero_point, amax));
  }
}

void check_conv_args(const Tensor& in, std::span<const int32_t> weight, const ConvParams& p, const Precision& prec,
                     const char* who, bool weight_values_checked) {
  check_precision(prec, who);
  check_zero_point(p.zero_point, prec.act_bits, who);
  if (p.in_channels < 1 || p.out_channels < 1 || p.kernel < 1 || p.stride < 1 || p.padding < 0) {
    throw std::invalid_argument(fmt::format("{}: bad parameters C{} O{} k{} s{} p{}", who, p.in_channels,
                                            p.out_channels, p.kernel, p.stride, p.padding));
  }
  if (in.rank() != 3 || in.channels() != p.in_channels) {
    throw std::invalid_argument(
        fmt::format("{}: input {} does not have {} channels x H x W", who, in.shape_str(), p.in_channels));
  }
  const size_t wn = size_t(p.out_channels) * p.in_channels * p.kernel * p.kernel;
  if (weight.size() != wn) {
    throw std::invalid_argument(fmt::format("{}: {} weights, OIHW {}x{}x{}x{} needs {}", who, weight.size(),
                                            p.out_channels, p.in_channels, p.kernel, p.kernel, wn));
  }
  conv_out_size(in.height(), p.kernel, p.stride, p.padding);
  conv_out_size(in.width(), p.kernel, p.stride, p.padding);
  check_activations(in, prec.act_bits, who);
  if (!weight_values_checked) check_weights(weight, prec.weight_bits, who);
}

void check_linear_args(const Tensor& in, std::span<const int32_t> weight, int out_features, const Precision& prec,
                       const char* who, bool weight_values_checked) {
  check_precision(prec, who);
  if (in.rank() != 1 || out_features < 1 || weight.size() != size_t(out_features) * in.size()) {
    throw std::invalid_argument(fmt::format("{}: input {} and {} weights do not make a {}-output linear layer", who,
                                            in.shape_str(), weight.size(), out_features));
  }
  check_activations(in, prec.act_bits, who);
  if (!weight_values_checked) check_weights(weight, prec.weight_bits, who);
}

std::vector<int32_t> pad_input(const Tensor& in, int padding, int pad, int offset) {
  const int c = in.channels(), h = in.height(), w = in.width();
  const int hp = h + 2 * padding, wp = w + 2 * padding;
  // Padding is the real value 0, i.e. the activation value z (the zero point); the accumulator
  // passes pad = offset = z (padded terms are 0), the array's partial sums pad = z, offset = 0.
  std::vector<int32_t> out(size_t(c) * hp * wp, pad - offset);
  for (int ch = 0; ch < c; ++ch) {
    for (int y = 0; y < h; ++y) {
      const int64_t* src = &in.data[(size_t(ch) * h + y) * w];
      int32_t* dst = &out[(size_t(ch) * hp + y + padding) * wp + padding];
      for (int x = 0; x < w; ++x) dst[x] = static_cast<int32_t>(src[x] - offset);
    }
  }
  return out;
}

GOLDEN_HOT_LOOP Tensor conv_terms(const std::vector<int32_t>& padded, int hp, int wp, std::span<const int32_t> weight,
                                  const ConvParams& p, int psum_bits, std::span<const ConvTermIndex> terms, int o0,
                                  int o1) {
  const int k = p.kernel, s = p.stride, cin = p.in_channels;
  const int oh = (hp - k) / s + 1, ow = (wp - k) / s + 1;
  const size_t plane = size_t(oh) * ow;
  Tensor out = Tensor::chw(o1 - o0, oh, ow);
  // Every term as one long run that vectorizes, not oh short rows (8 to 28 wide) that are strided
  // when s > 1. The padded channel c is split into s x s phases: phase (py, px) holds
  // padded[c][i*s + py][j*s + px] at (i, j), hq x wq (positions past the edge 0). Term
  // (c, ky, kx) reads phase (ky % s, kx % s) from (ky / s, kx / s) on, unit stride: output row y
  // is phase row y + ky / s. So the whole plane is one run through the phase's rows at pitch wq,
  // and acc keeps that pitch (its columns ow .. wq - 1 collect sums no output uses). Only the
  // (phase, channel) planes the terms use are made; with s = 1 the padded input is the phase.
  const int hq = (hp + s - 1) / s, wq = (wp + s - 1) / s;
  const size_t qplane = size_t(hq) * wq;
  std::vector<int32_t> split;
  std::vector<size_t> base_of(terms.size());
  if (s == 1) {
    for (size_t i = 0; i < terms.size(); ++i) base_of[i] = (size_t(terms[i].c) * hp + terms[i].ky) * wp + terms[i].kx;
  } else {
    std::vector<int> slot(size_t(s) * s * cin, -1);
    for (size_t i = 0; i < terms.size(); ++i) {
      const ConvTermIndex& t = terms[i];
      const int py = t.ky % s, px = t.kx % s;
      int& sl = slot[(size_t(py) * s + px) * cin + t.c];
      if (sl < 0) {
        sl = int(split.size() / qplane);
        split.resize(split.size() + qplane, 0);
        int32_t* q = &split[size_t(sl) * qplane];
        for (int y = py, i2 = 0; y < hp; y += s, ++i2)
          for (int x = px, j = 0; x < wp; x += s, ++j) q[size_t(i2) * wq + j] = padded[(size_t(t.c) * hp + y) * wp + x];
      }
      base_of[i] = size_t(sl) * qplane + size_t(t.ky / s) * wq + t.kx / s;
    }
  }
  const int32_t* phases = s == 1 ? padded.data() : split.data();
  const size_t run = size_t(oh - 1) * wq + ow;
  std::vector<uint32_t> acc(size_t(oh) * wq);
  for (int o = o0; o < o1; ++o) {
    std::fill(acc.begin(), acc.end(), 0u);
    for (size_t i = 0; i < terms.size(); ++i) {
      const ConvTermIndex& t = terms[i];
      const int32_t wv = weight[((size_t(o) * cin + t.c) * k + t.ky) * k + t.kx];
      if (wv == 0) continue;
      // Modulo 2^32 (see kernels.hpp): exact for the final wrap to P <= 32 bits.
      const uint32_t uw = static_cast<uint32_t>(wv);
      const int32_t* base = phases + base_of[i];
      for (size_t j = 0; j < run; ++j) acc[j] += uw * static_cast<uint32_t>(base[j]);
    }
    int64_t* dst = &out.data[size_t(o - o0) * plane];
    // Step (1): the P-bit two's complement accumulator register.
    for (int y = 0; y < oh; ++y) {
      const uint32_t* arow = &acc[size_t(y) * wq];
      for (int x = 0; x < ow; ++x) dst[size_t(y) * ow + x] = wrap_u32(arow[x], psum_bits);
    }
  }
  return out;
}

GOLDEN_HOT_LOOP Tensor linear_range(const Tensor& in, std::span<const int32_t> weight, int psum_bits, int offset,
                                    int k0, int k1, int o0, int o1) {
  const size_t kin = in.size();
  std::vector<uint32_t> a(kin);
  // a - offset may be negative; modulo 2^32 like the products (kernels.hpp).
  for (size_t i = 0; i < kin; ++i) a[i] = static_cast<uint32_t>(in.data[i] - offset);
  Tensor out = Tensor::vec(o1 - o0);
  for (int o = o0; o < o1; ++o) {
    const int32_t* w = &weight[size_t(o) * kin];
    uint32_t acc = 0;  // modulo 2^32, see kernels.hpp
    for (int k = k0; k < k1; ++k) acc += static_cast<uint32_t>(w[k]) * a[k];
    // Step (1): the P-bit two's complement accumulator register.
    out.data[o - o0] = wrap_u32(acc, psum_bits);
  }
  return out;
}

}  // namespace detail

int conv_out_size(int in, int kernel, int stride, int padding) {
  const int span = in + 2 * padding - kernel;
  if (kernel < 1 || stride < 1 || padding < 0 || span < 0) {
    throw std::invalid_argument(
        fmt::format("conv_out_size: kernel {} stride {} padding {} does not fit size {}", kernel, stride, padding, in));
  }
  return span / stride + 1;  // floor
}

int64_t wrap_psum(int64_t v, int psum_bits) {
  if (psum_bits < 1 || psum_bits > 64) {
    throw std::invalid_argument(fmt::format("wrap_psum: psum_bits {} outside 1..64", psum_bits));
  }
  if (psum_bits <= 32) return detail::wrap_u32(static_cast<uint32_t>(v), psum_bits);  // v mod 2^32 first
  if (psum_bits == 64) return v;
  // Keep the low P bits (v mod 2^P), then sign-extend bit P-1: a P-bit two's
  // complement register that silently overflows.
  const uint64_t mask = (uint64_t{1} << psum_bits) - 1;
  uint64_t u = static_cast<uint64_t>(v) & mask;
  if (u >> (psum_bits - 1)) u |= ~mask;
  return static_cast<int64_t>(u);
}

int64_t input_pixel(uint8_t p, int act_bits) {
  if (act_bits < 1 || act_bits > 8) {
    throw std::invalid_argument(fmt::format("input_pixel: act_bits {} outside 1..8", act_bits));
  }
  // Keep the top A bits of the 8-bit pixel (truncation, not rounding).
  return p >> (8 - act_bits);
}

Tensor input_from_pixels(std::span<const uint8_t> pixels, int c, int h, int w, int act_bits) {
  if (pixels.size() != size_t(c) * h * w) {
    throw std::invalid_argument(
        fmt::format("input_from_pixels: {} pixels for a {}x{}x{} input", pixels.size(), c, h, w));
  }
  input_pixel(0, act_bits);  // validates act_bits
  Tensor t = Tensor::chw(c, h, w);
  const int sh = 8 - act_bits;
  for (size_t i = 0; i < pixels.size(); ++i) t.data[i] = pixels[i] >> sh;
  return t;
}

Tensor conv2d_acc(const Tensor& in, std::span<const int32_t> weight, const ConvParams& p, const Precision& prec) {
  return detail::conv2d_acc(in, weight, p, prec, false);
}

Tensor linear_acc(const Tensor& in, std::span<const int32_t> weight, int out_features, const Precision& prec,
                  int zero_point) {
  return detail::linear_acc(in, weight, out_features, prec, zero_point, false);
}

Tensor detail::conv2d_acc(const Tensor& in, std::span<const int32_t> weight, const ConvParams& p, const Precision& prec,
                          bool weight_values_checked) {
  detail::check_conv_args(in, weight, p, prec, "conv2d_acc", weight_values_checked);
  std::vector<detail::ConvTermIndex> terms;
  terms.reserve(size_t(p.in_channels) * p.kernel * p.kernel);
  for (int c = 0; c < p.in_channels; ++c) {
    for (int ky = 0; ky < p.kernel; ++ky) {
      for (int kx = 0; kx < p.kernel; ++kx) terms.push_back({c, ky, kx});
    }
  }
  // sum (a - z) * w: every term, padded or not, relative to the zero point.
  const std::vector<int32_t> padded = detail::pad_input(in, p.padding, p.zero_point, p.zero_point);
  return detail::conv_terms(padded, in.height() + 2 * p.padding, in.width() + 2 * p.padding, weight, p, prec.psum_bits,
                            terms, 0, p.out_channels);
}

Tensor detail::linear_acc(const Tensor& in, std::span<const int32_t> weight, int out_features, const Precision& prec,
                          int zero_point, bool weight_values_checked) {
  detail::check_linear_args(in, weight, out_features, prec, "linear_acc", weight_values_checked);
  detail::check_zero_point(zero_point, prec.act_bits, "linear_acc");
  return detail::linear_range(in, weight, prec.psum_bits, zero_point, 0, static_cast<int>(in.size()), 0, out_features);
}

Tensor add_bias(Tensor acc, std::span<const int32_t> bias) {
  if (acc.rank() < 1 || size_t(acc.shape[0]) != bias.size()) {
    throw std::invalid_argument(fmt::format("add_bias: {} biases for a {} tensor", bias.size(), acc.shape_str()));
  }
  const size_t per = bias.empty() ? 0 : acc.size() / bias.size();
  // Step (2): exact in int64; |acc| < 2^31 and |bias| <= 2^31, so no overflow
  // and no wrap back to P bits.
  for (size_t ch = 0; ch < bias.size(); ++ch) {
    for (size_t i = 0; i < per; ++i) acc.data[ch * per + i] += bias[ch];
  }
  return acc;
}

Tensor relu(Tensor y) {
  for (int64_t& v : y.data) v = std::max<int64_t>(v, 0);
  return y;
}

namespace {

// floor((y*M + R) / 2^S) without argument checks; see rescale().
inline __int128 rescale_unchecked(int64_t y, int32_t multiplier, int32_t shift) {
  // y*M is exact in 64 bits (|y| <= 2^32, M < 2^31) but adding R = 2^(S-1) can
  // exceed int64 (R up to 2^61), so the sum is formed in 128 bits.
  const __int128 r = shift > 0 ? (__int128{1} << (shift - 1)) : 0;
  const __int128 sum = static_cast<__int128>(y) * multiplier + r;
  // Arithmetic right shift of a signed value = floor division by 2^S, so with
  // + 2^(S-1) exact halves round towards +infinity (round half up).
  return sum >> shift;
}

// Step (3) without argument checks; see requantize().
inline int64_t requantize_unchecked(int64_t y, int32_t multiplier, int32_t shift, int64_t amax, int zero_point) {
  // The output zero point after the rounding shift, before the clamp.
  const __int128 q = rescale_unchecked(y, multiplier, shift) + zero_point;
  // Clamp to the unsigned A-bit activation range; a q below 0 lands at 0.
  if (q < 0) return 0;
  if (q > amax) return amax;
  return static_cast<int64_t>(q);
}

void check_requant_params(int32_t multiplier, int32_t shift, int act_bits, const char* who) {
  if (multiplier < 1 || shift < 0 || shift > 62 || act_bits < 1 || act_bits > 16) {
    throw std::invalid_argument(
        fmt::format("{}: M {} / S {} / A {} outside M 1..2^31-1, S 0..62, A 1..16", who, multiplier, shift, act_bits));
  }
}

}  // namespace

int64_t rescale(int64_t y, int32_t multiplier, int32_t shift) {
  check_requant_params(multiplier, shift, 1, "rescale");
  constexpr int64_t kMaxY = int64_t{1} << 32;
  if (y < -kMaxY || y > kMaxY) {
    throw std::invalid_argument(fmt::format("rescale: |y| = {} exceeds 2^32", y));
  }
  return static_cast<int64_t>(rescale_unchecked(y, multiplier, shift));
}

int64_t requantize(int64_t y, int32_t multiplier, int32_t shift, int act_bits, int zero_point) {
  check_requant_params(multiplier, shift, act_bits, "requantize");
  detail::check_zero_point(zero_point, act_bits, "requantize");
  return requantize_unchecked(y, multiplier, shift, (int64_t{1} << act_bits) - 1, zero_point);
}

Tensor requantize(const Tensor& y, std::span<const int32_t> multiplier, std::span<const int32_t> shift, int act_bits,
                  int zero_point) {
  if (y.rank() < 1 || size_t(y.shape[0]) != multiplier.size() || multiplier.size() != shift.size()) {
    throw std::invalid_argument(fmt::format("requantize: {} multipliers / {} shifts for a {} tensor", multiplier.size(),
                                            shift.size(), y.shape_str()));
  }
  for (size_t ch = 0; ch < multiplier.size(); ++ch) {
    check_requant_params(multiplier[ch], shift[ch], act_bits, "requantize");
  }
  detail::check_zero_point(zero_point, act_bits, "requantize");
  Tensor q = y;
  const int64_t amax = (int64_t{1} << act_bits) - 1;
  const size_t per = multiplier.empty() ? 0 : y.size() / multiplier.size();
  for (size_t ch = 0; ch < multiplier.size(); ++ch) {
    for (size_t i = 0; i < per; ++i) {
      int64_t& v = q.data[ch * per + i];
      v = requantize_unchecked(v, multiplier[ch], shift[ch], amax, zero_point);
    }
  }
  return q;
}

Tensor maxpool2d(const Tensor& in, int kernel, int stride) {
  if (in.rank() != 3 || kernel < 1 || stride < 1 || in.height() < kernel || in.width() < kernel) {
    throw std::invalid_argument(
        fmt::format("maxpool2d: kernel {} stride {} on a {} input", kernel, stride, in.shape_str()));
  }
  // Floor mode, no padding: windows that would run past the edge are not formed.
  const int oh = (in.height() - kernel) / stride + 1, ow = (in.width() - kernel) / stride + 1;
  Tensor out = Tensor::chw(in.channels(), oh, ow);
  for (int c = 0; c < in.channels(); ++c) {
    for (int y = 0; y < oh; ++y) {
      for (int x = 0; x < ow; ++x) {
        int64_t m = in.at(c, y * stride, x * stride);
        for (int ky = 0; ky < kernel; ++ky) {
          for (int kx = 0; kx < kernel; ++kx) m = std::max(m, in.at(c, y * stride + ky, x * stride + kx));
        }
        out.at(c, y, x) = m;
      }
    }
  }
  return out;
}

Tensor flatten(Tensor in) {
  // The data is already C order (c, y, x), which is PyTorch's flatten order.
  in.shape = {static_cast<int>(in.data.size())};
  return in;
}

int argmax(std::span<const int64_t> values) {
  if (values.empty()) throw std::invalid_argument("argmax: empty input");
  size_t best = 0;
  for (size_t i = 1; i < values.size(); ++i) {
    if (values[i] > values[best]) best = i;  // strict: ties keep the lowest index
  }
  return static_cast<int>(best);
}

}  // namespace golden
