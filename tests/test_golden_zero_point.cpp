// Zero points in the golden model (docs/quantization.md "Zero points"): the accumulator sums
// (a - z) * w with padding z, requantization adds the output zero point after the shift and before
// the clamp, and the partial sums are the array's raw sums (padding z) that differ from the
// accumulator by z * sum w. Every expected value is worked out by hand in the comments.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

#include "golden/model.hpp"
#include "golden/network.hpp"
#include "golden/ops.hpp"
#include "golden/partial.hpp"
#include "support/random_values.hpp"
#include "support/tensor_literal.hpp"

using golden::ConvParams;
using golden::Layer;
using golden::LayerType;
using golden::Precision;
using golden::Tensor;
using test_support::chw;

TEST_CASE("zero point: linear sums (a - z) * w", "[golden][zp]") {
  // a = [5, 0, 7], z = 2: a - z = [3, -2, 5].
  //   o0: 3*1 + (-2)*2 + 5*(-1) = 3 - 4 - 5 = -6;  o1: 3*3 + (-2)*(-3) + 5*0 = 15.
  const Tensor in = Tensor{{3}, {5, 0, 7}};
  const std::vector<int32_t> w = {1, 2, -1, 3, -3, 0};
  CHECK(golden::linear_acc(in, w, 2, golden::kInt8, 2).data == std::vector<int64_t>{-6, 15});
  CHECK(golden::linear_acc(in, w, 2, golden::kInt8).data == std::vector<int64_t>{-2, 15});  // z = 0: 5+0-7, 15+0+0
  CHECK_THROWS_WITH(golden::linear_acc(in, w, 2, golden::kInt8, 256), "linear_acc: zero point 256 outside 0..255");
  CHECK_THROWS_AS(golden::linear_acc(in, w, 2, golden::kInt8, -1), std::invalid_argument);
}

TEST_CASE("zero point: conv padding is the real zero, so padded terms add nothing", "[golden][zp]") {
  // One 2x2 channel [[4, 6], [5, 7]], z = 5: a - z = [[-1, 1], [0, 2]]; kernel 3, padding 1, weights
  // w[ky][kx] = 3*ky + kx + 1. Output (y, x) sees input (iy, ix) through w[iy - y + 1][ix - x + 1]:
  //   (0,0): 5*(-1) + 6*1 + 8*0 + 9*2 = 19     (0,1): 4*(-1) + 5*1 + 7*0 + 8*2 = 17
  //   (1,0): 2*(-1) + 3*1 + 5*0 + 6*2 = 13     (1,1): 1*(-1) + 2*1 + 4*0 + 5*2 = 11
  const Tensor in = chw({{{4, 6}, {5, 7}}});
  const std::vector<int32_t> w = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  ConvParams p{1, 1, 3, 1, 1, 5};
  CHECK(golden::conv2d_acc(in, w, p, golden::kInt8) == chw({{{19, 17}, {13, 11}}}));
  // The array's partial sum over all nine positions: raw activations, padding 5. (0,0): padded
  // positions (0,0) (0,1) (0,2) (1,0) (2,0) with weights 1+2+3+4+7 = 17 give 85, the image
  // 4*5 + 6*6 + 5*8 + 7*9 = 159: 244 = 19 + 5 * 45 (z times the weight sum).
  const golden::ConvSlice all{0, 1, golden::all_kernel_positions(3), 0, 1};
  CHECK(golden::conv2d_partial_acc(in, w, p, golden::kInt8, all) == chw({{{244, 242}, {238, 236}}}));
  // Position (0,0) alone (weight 1): output (0,0) reads padding (5), output (1,1) reads a[0][0] = 4.
  const golden::ConvSlice corner{0, 1, {{0, 0}}, 0, 1};
  CHECK(golden::conv2d_partial_acc(in, w, p, golden::kInt8, corner) == chw({{{5, 5}, {5, 4}}}));
  p.zero_point = 0;  // zero padding: (0,0) = 4*5 + 6*6 + 5*8 + 7*9 = 159
  CHECK(golden::conv2d_acc(in, w, p, golden::kInt8).data[0] == 159);
  p.zero_point = 16;
  CHECK_THROWS_WITH(golden::conv2d_acc(in, w, p, golden::kEce284), "conv2d_acc: zero point 16 outside 0..15");
}

TEST_CASE("zero point: requantization adds z after the shift and before the clamp", "[golden][zp]") {
  CHECK(golden::requantize(10, 1, 1, 8, 3) == 8);    // (10 + 1) >> 1 = 5, + 3
  CHECK(golden::requantize(5, 1, 1, 8, 2) == 5);     // 2.5 rounds up to 3, + 2
  CHECK(golden::requantize(-2, 1, 0, 8, 3) == 1);    // -2 + 3: a negative y above -z is not clamped
  CHECK(golden::requantize(-10, 1, 0, 8, 3) == 0);   // -7 clamps to 0
  CHECK(golden::requantize(254, 1, 0, 8, 3) == 255);  // 257 clamps to 255
  CHECK(golden::requantize(12, 1, 0, 4, 5) == 15);   // 17 clamps to 2^4 - 1
  const Tensor y = Tensor{{2, 1}, {0, 6}};
  const std::vector<int32_t> m = {1, 1}, s = {1, 1};
  CHECK(golden::requantize(y, m, s, 8, 7).data == std::vector<int64_t>{7, 10});  // 0 + 7, 3 + 7
  CHECK_THROWS_WITH(golden::requantize(1, 1, 0, 4, 16), "requantize: zero point 16 outside 0..15");
  CHECK_THROWS_AS(golden::requantize(y, m, s, 8, -1), std::invalid_argument);
}

namespace {

// Input 1x2x2; conv 1->1 k1 p1 (z_in 2, w 3, b 1, ReLU, M 1, S 1, z_out 4); max-pool k2 s2;
// flatten; linear 4->2 logits (z_in 4, w [[1,0,0,1],[0,-1,2,0]], b [0, 10]).
golden::Model zp_model() {
  golden::Model m;
  m.name = "zp";
  m.precision = golden::kInt8;
  m.input = {1, 2, 2};
  Layer conv;
  conv.name = "conv";
  conv.type = LayerType::conv2d;
  conv.in_channels = conv.out_channels = 1;
  conv.kernel = 1;
  conv.padding = 1;
  conv.relu = true;
  conv.weight = {3};
  conv.bias = {1};
  conv.multiplier = {1};
  conv.shift = {1};
  conv.input_zero_point = 2;
  conv.output_zero_point = 4;
  Layer pool;
  pool.name = "pool";
  pool.type = LayerType::maxpool2d;
  pool.kernel = pool.stride = 2;
  Layer flat;
  flat.name = "flatten";
  flat.type = LayerType::flatten;
  Layer fc;
  fc.name = "fc";
  fc.type = LayerType::linear;
  fc.in_features = 4;
  fc.out_features = 2;
  fc.logits = true;
  fc.weight = {1, 0, 0, 1, 0, -1, 2, 0};
  fc.bias = {0, 10};
  fc.input_zero_point = 4;
  m.layers = {conv, pool, flat, fc};
  golden::validate_model(m, "zp_model");
  return m;
}

}  // namespace

TEST_CASE("zero point: a network carries z through padding, ReLU, max-pool and flatten", "[golden][zp]") {
  const golden::Model m = zp_model();
  const std::vector<uint8_t> pixels = {0, 2, 5, 9};
  const golden::NetworkTrace t = golden::run_network(m, pixels);
  // conv: acc = (a - 2) * 3 = -6, 0, 9, 21 inside; padded border (2 - 2) * 3 = 0.
  CHECK(t.layers[0].acc == chw({{{0, 0, 0, 0}, {0, -6, 0, 0}, {0, 9, 21, 0}, {0, 0, 0, 0}}}));
  // y = acc + 1, ReLU: border 1 -> (1 + 1) >> 1 = 1, + 4 = 5; inside -5 -> 0 -> 0 + 4 = 4 (the real
  // zero is z_out); 1 -> 1 + 4 = 5; 10 -> 11 >> 1 = 5, + 4 = 9; 22 -> 23 >> 1 = 11, + 4 = 15.
  CHECK(t.layers[0].output == chw({{{5, 5, 5, 5}, {5, 4, 5, 5}, {5, 9, 15, 5}, {5, 5, 5, 5}}}));
  // Max-pool 2x2: max(5,5,5,4) = 5, max(5,5,5,5) = 5, max(5,9,5,5) = 9, max(15,5,5,5) = 15.
  CHECK(t.layers[1].output == chw({{{5, 5}, {9, 15}}}));
  // fc: a - 4 = [1, 1, 5, 11]; o0 = 1 + 11 = 12, o1 = -1 + 10 = 9; logits + bias = 12, 19.
  CHECK(t.layers[3].acc.data == std::vector<int64_t>{12, 9});
  CHECK(t.logits().data == std::vector<int64_t>{12, 19});
  // The array's partial sums (raw a, padding z) are the accumulators plus z * sum w:
  // conv: + 2 * 3 = 6 everywhere; fc: + 4 * 2 = 8 and + 4 * 1 = 4 (raw 5 + 15 = 20, -5 + 18 = 13).
  CHECK(golden::partial_acc(m.layers[0], m.precision, t.input_of(0), golden::ConvSlice{0, 1, {{0, 0}}, 0, 1}) ==
        chw({{{6, 6, 6, 6}, {6, 0, 6, 6}, {6, 15, 27, 6}, {6, 6, 6, 6}}}));
  CHECK(golden::partial_acc(m.layers[3], m.precision, t.input_of(3), golden::LinearSlice{0, 4, 0, 2}).data ==
        std::vector<int64_t>{20, 13});
}

TEST_CASE("zero point: the hand-computed network check fails when an input or a zero point changes",
          "[golden][zp]") {
  const std::vector<int64_t> expected = {12, 19};  // the previous test's logits
  golden::Model m = zp_model();
  // Pixel 3 from 9 to 3: conv (2,2) = (3 - 2) * 3 + 1 = 4 -> (4 + 1) >> 1 = 2, + 4 = 6; the pool gives
  // [5, 5, 9, 6], a - 4 = [1, 1, 5, 2]: o0 = 1 + 2 = 3, o1 = -1 + 10 + 10 = 19.
  CHECK(golden::infer_logits(m, std::vector<uint8_t>{0, 2, 5, 3}) == std::vector<int64_t>{3, 19});
  CHECK(golden::infer_logits(m, std::vector<uint8_t>{0, 2, 5, 3}) != expected);
  CHECK(golden::infer_logits(m, std::vector<uint8_t>{0, 2, 5, 9}) == expected);
  // Conv input zero point 0: inside acc = 0, 6, 15, 27, y = 1, 7, 16, 28 -> 1, 4, 8, 14, + 4 = 5, 8,
  // 12, 18; pool [5, 8, 12, 18]; a - 4 = [1, 4, 8, 14]: o0 = 1 + 14 = 15, o1 = -4 + 16 + 10 = 22.
  m.layers[0].input_zero_point = 0;
  CHECK(golden::infer_logits(m, std::vector<uint8_t>{0, 2, 5, 9}) == std::vector<int64_t>{15, 22});
  // A changed output zero point without the next layer's input one does not load.
  m = zp_model();
  m.layers[0].output_zero_point = 5;
  CHECK_THROWS_WITH(golden::validate_model(m, "zp"),
                    "zp: layer 'fc': field 'input_zero_point' is 4, layer 'conv' outputs zero point 5 (through pool, "
                    "flatten)");
}

namespace {

// The accumulator written directly from the contract, independently of the library: bounds test
// (a padded term is (z - z) * w = 0), int64 sum, wrap by hand.
Tensor naive_conv_zp(const Tensor& in, const std::vector<int32_t>& w, const ConvParams& p, int psum_bits) {
  const int oh = (in.height() + 2 * p.padding - p.kernel) / p.stride + 1;
  const int ow = (in.width() + 2 * p.padding - p.kernel) / p.stride + 1;
  Tensor out = Tensor::chw(p.out_channels, oh, ow);
  for (int o = 0; o < p.out_channels; ++o)
    for (int y = 0; y < oh; ++y)
      for (int x = 0; x < ow; ++x) {
        int64_t s = 0;
        for (int c = 0; c < p.in_channels; ++c)
          for (int ky = 0; ky < p.kernel; ++ky)
            for (int kx = 0; kx < p.kernel; ++kx) {
              const int iy = y * p.stride + ky - p.padding, ix = x * p.stride + kx - p.padding;
              if (iy < 0 || ix < 0 || iy >= in.height() || ix >= in.width()) continue;
              s += (in.at(c, iy, ix) - p.zero_point) * w[((o * p.in_channels + c) * p.kernel + ky) * p.kernel + kx];
            }
        const int64_t mod = int64_t{1} << psum_bits;
        s %= mod;
        if (s < 0) s += mod;
        if (s >= mod / 2) s -= mod;
        out.at(o, y, x) = s;
      }
  return out;
}

}  // namespace

TEST_CASE("zero point: random padded convolutions match the direct definition", "[golden][zp][random]") {
  std::mt19937 rng(2027);
  for (int trial = 0; trial < 40; ++trial) {
    const Precision prec = trial % 2 ? golden::kEce284 : golden::kInt8;
    ConvParams p;
    p.in_channels = 1 + rng() % 4;
    p.out_channels = 1 + rng() % 3;
    p.kernel = 1 + rng() % 4;
    p.stride = 1 + rng() % 2;
    p.padding = rng() % 3;
    p.zero_point = int(rng() % (1u << prec.act_bits));
    const int h = p.kernel + rng() % 5, w = p.kernel + rng() % 5;
    const Tensor in = test_support::random_activations(Tensor::chw(p.in_channels, h, w), prec, rng);
    const std::vector<int32_t> weight =
        test_support::random_weights(size_t(p.out_channels) * p.in_channels * p.kernel * p.kernel, prec, rng);
    INFO(fmt::format("trial {}: C{} O{} k{} s{} p{} z{} on {}x{}, P{}", trial, p.in_channels, p.out_channels,
                     p.kernel, p.stride, p.padding, p.zero_point, h, w, prec.psum_bits));
    CHECK(golden::conv2d_acc(in, weight, p, prec) == naive_conv_zp(in, weight, p, prec.psum_bits));
  }
}
