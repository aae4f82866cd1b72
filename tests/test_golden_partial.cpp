// Partial sums of tile slices: hand-computed slices, and partitions of the
// reduction whose wrapped sum equals the full accumulator.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <random>
#include <stdexcept>
#include <vector>

#include "golden/ops.hpp"
#include "golden/partial.hpp"
#include "support/random_values.hpp"
#include "support/tensor_literal.hpp"

using golden::ConvParams;
using golden::ConvSlice;
using golden::KernelPos;
using golden::LinearSlice;
using golden::Precision;
using golden::Tensor;
using test_support::chw;
using test_support::random_activations;
using test_support::random_weights;

namespace {

// 2 input channels of 3x3, 2 output channels, kernel 2, stride 1, no padding:
//   c0 = [[1,2,3],[4,5,6],[7,8,9]], c1 = all 2
//   w[0][0] = [[1,0],[0,0]]  w[0][1] = [[0,0],[0,1]]
//   w[1][0] = [[0,3],[0,0]]  w[1][1] = [[-1,-1],[-1,-1]]
// Full: o0[y][x] = c0[y][x] + c1[y+1][x+1] = c0[y][x] + 2 -> [[3,4],[6,7]]
//       o1[y][x] = 3*c0[y][x+1] - (4 * 2)               -> [[6-8, 9-8],[15-8, 18-8]] = [[-2,1],[7,10]]
const Tensor kIn = chw({{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}, {{2, 2, 2}, {2, 2, 2}, {2, 2, 2}}});
const std::vector<int32_t> kW = {1, 0, 0, 0, /**/ 0, 0, 0, 1, /**/ 0, 3, 0, 0, /**/ -1, -1, -1, -1};
const ConvParams kP{2, 2, 2, 1, 0};

// Adds partial tensors element-wise into sum (int64, wrapped at the end by the caller).
void accumulate(Tensor& sum, const Tensor& part, int o0) {
  const size_t plane = part.size() / part.shape[0];
  for (size_t i = 0; i < part.size(); ++i) sum.data[o0 * plane + i] += part.data[i];
}

Tensor wrapped(Tensor t, int psum_bits) {
  for (auto& v : t.data) v = golden::wrap_psum(v, psum_bits);
  return t;
}

}  // namespace

TEST_CASE("partial conv2d: hand-computed slices", "[golden]") {
  REQUIRE(golden::conv2d_acc(kIn, kW, kP, golden::kInt8) == chw({{{3, 4}, {6, 7}}, {{-2, 1}, {7, 10}}}));
  // c [0,1), position (0,0), o [0,2): o0 = 1*c0[y][x] = [[1,2],[4,5]]; w[1][0][0][0] = 0 -> zeros.
  CHECK(golden::conv2d_partial_acc(kIn, kW, kP, golden::kInt8, ConvSlice{0, 1, {{0, 0}}, 0, 2}) ==
        chw({{{1, 2}, {4, 5}}, {{0, 0}, {0, 0}}}));
  // c [0,1), position (0,1), o [1,2): 3*c0[y][x+1] = [[6,9],[15,18]]; result dimension 0 is o - 1.
  CHECK(golden::conv2d_partial_acc(kIn, kW, kP, golden::kInt8, ConvSlice{0, 1, {{0, 1}}, 1, 2}) ==
        chw({{{6, 9}, {15, 18}}}));
  // c [1,2), all four positions, o [1,2): -1 * 2 * 4 = -8 everywhere.
  CHECK(
      golden::conv2d_partial_acc(kIn, kW, kP, golden::kInt8, ConvSlice{1, 2, golden::all_kernel_positions(2), 1, 2}) ==
      chw({{{-8, -8}, {-8, -8}}}));
  // c [0,2), positions (0,0) and (1,1), o [0,1): c0[y][x] + c1[y+1][x+1] = the full o0.
  CHECK(golden::conv2d_partial_acc(kIn, kW, kP, golden::kInt8, ConvSlice{0, 2, {{0, 0}, {1, 1}}, 0, 1}) ==
        chw({{{3, 4}, {6, 7}}}));
  // Empty channel range: zeros of the right shape.
  CHECK(golden::conv2d_partial_acc(kIn, kW, kP, golden::kInt8, ConvSlice{1, 1, {{0, 0}}, 0, 2}) ==
        Tensor::chw(2, 2, 2));
}

TEST_CASE("partial conv2d: arbitrary term sets and im2col rows", "[golden]") {
  // im2col rows r = (c*2 + ky)*2 + kx: rows [3, 5) are (c0, 1, 1) and (c1, 0, 0).
  auto terms = golden::im2col_terms(2, 2, 3, 5);
  REQUIRE(terms == std::vector<golden::ConvTerm>{{0, 1, 1}, {1, 0, 0}});
  // o0: w[0][0][1][1] = 0, w[0][1][0][0] = 0 -> zeros.
  // o1: w[1][0][1][1] = 0, w[1][1][0][0] = -1 -> -c1[y][x] = -2.
  CHECK(golden::conv2d_partial_acc(kIn, kW, kP, golden::kInt8, terms, 0, 2) ==
        chw({{{0, 0}, {0, 0}}, {{-2, -2}, {-2, -2}}}));
  // A 3-channel 3x3 kernel: row 9 is channel 1 (0,0), row 17 is channel 1 (2,2).
  CHECK(golden::im2col_terms(3, 3, 8, 10) == std::vector<golden::ConvTerm>{{0, 2, 2}, {1, 0, 0}});
  CHECK(golden::im2col_terms(3, 3, 17, 18) == std::vector<golden::ConvTerm>{{1, 2, 2}});
}

TEST_CASE("partial linear: hand-computed slices", "[golden]") {
  // in = [1,2,3,4]; w0 = [1,1,1,1], w1 = [1,-1,1,-1].
  Tensor in = Tensor::vec(std::vector<int64_t>{1, 2, 3, 4});
  std::vector<int32_t> w = {1, 1, 1, 1, 1, -1, 1, -1};
  // k [1,3), o [0,2): o0 = 2 + 3 = 5; o1 = -2 + 3 = 1.
  CHECK(golden::linear_partial_acc(in, w, 2, golden::kInt8, LinearSlice{1, 3, 0, 2}) ==
        Tensor::vec(std::vector<int64_t>{5, 1}));
  // k [0,4), o [1,2): 1 - 2 + 3 - 4 = -2.
  CHECK(golden::linear_partial_acc(in, w, 2, golden::kInt8, LinearSlice{0, 4, 1, 2}) ==
        Tensor::vec(std::vector<int64_t>{-2}));
}

TEST_CASE("partial linear: each slice wraps and the sum wraps to the full acc", "[golden]") {
  // P16, a = 15, w = 7 (105 per term), 313 terms.
  Tensor in = Tensor::vec(313, 15);
  std::vector<int32_t> w(313, 7);
  // [0,200): 200 * 105 = 21000 (no wrap); [200,313): 113 * 105 = 11865.
  const int64_t a = golden::linear_partial_acc(in, w, 1, golden::kEce284, {0, 200, 0, 1})[0];
  const int64_t b = golden::linear_partial_acc(in, w, 1, golden::kEce284, {200, 313, 0, 1})[0];
  CHECK(a == 21000);
  CHECK(b == 11865);
  // 21000 + 11865 = 32865 -> wraps to 32865 - 65536 = -32671, the full accumulator.
  CHECK(golden::wrap_psum(a + b, 16) == -32671);
  CHECK(golden::linear_acc(in, w, 1, golden::kEce284)[0] == -32671);
  // [0,313) as one slice already wraps: -32671.
  CHECK(golden::linear_partial_acc(in, w, 1, golden::kEce284, {0, 313, 0, 1})[0] == -32671);
}

TEST_CASE("partial conv2d: tile partitions sum to the full accumulator", "[golden][random]") {
  const uint32_t seed = 8;
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  for (int trial = 0; trial < 24; ++trial) {
    // P = 16 with 8-bit values so that accumulators and partial sums wrap.
    const Precision prec = trial % 3 == 0 ? golden::kEce284 : (trial % 3 == 1 ? Precision{8, 8, 16} : golden::kInt8);
    ConvParams p;
    p.in_channels = 1 + rng() % 12;
    p.out_channels = 1 + rng() % 10;
    p.kernel = 1 + rng() % 5;
    p.stride = 1 + rng() % 2;
    p.padding = rng() % 3;
    const int h = p.kernel + rng() % 5, w = p.kernel + rng() % 5;
    const Tensor in = random_activations(Tensor::chw(p.in_channels, h, w), prec, rng);
    const std::vector<int32_t> weight =
        random_weights(size_t(p.out_channels) * p.in_channels * p.kernel * p.kernel, prec, rng);
    INFO(fmt::format("trial {}: C{} O{} k{} s{} p{} on {}x{} P{}", trial, p.in_channels, p.out_channels, p.kernel,
                     p.stride, p.padding, h, w, prec.psum_bits));
    const Tensor full = golden::conv2d_acc(in, weight, p, prec);

    // Kernel-position-major: channel tiles of 3 x output tiles of 4 x one position each.
    Tensor sum = Tensor{full.shape, std::vector<int64_t>(full.size(), 0)};
    for (int c0 = 0; c0 < p.in_channels; c0 += 3) {
      for (int o0 = 0; o0 < p.out_channels; o0 += 4) {
        for (const KernelPos& kp : golden::all_kernel_positions(p.kernel)) {
          ConvSlice s{c0, std::min(c0 + 3, p.in_channels), {kp}, o0, std::min(o0 + 4, p.out_channels)};
          accumulate(sum, golden::conv2d_partial_acc(in, weight, p, prec, s), o0);
        }
      }
    }
    CHECK(wrapped(sum, prec.psum_bits) == full);

    // im2col: row chunks of 8 over (c, ky, kx), all outputs at once.
    const int rows = p.in_channels * p.kernel * p.kernel;
    Tensor sum2 = Tensor{full.shape, std::vector<int64_t>(full.size(), 0)};
    for (int r0 = 0; r0 < rows; r0 += 8) {
      auto terms = golden::im2col_terms(p.in_channels, p.kernel, r0, std::min(r0 + 8, rows));
      accumulate(sum2, golden::conv2d_partial_acc(in, weight, p, prec, terms, 0, p.out_channels), 0);
    }
    CHECK(wrapped(sum2, prec.psum_bits) == full);

    // The whole reduction as one slice is the full accumulator itself.
    CHECK(golden::conv2d_partial_acc(
              in, weight, p, prec,
              ConvSlice{0, p.in_channels, golden::all_kernel_positions(p.kernel), 0, p.out_channels}) == full);
  }
}

TEST_CASE("partial linear: tile partitions sum to the full accumulator", "[golden][random]") {
  const uint32_t seed = 88;
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  for (int trial = 0; trial < 20; ++trial) {
    const Precision prec = trial % 2 ? golden::kEce284 : Precision{8, 8, 16};
    const int k = 1 + rng() % 700, out = 1 + rng() % 20;
    const Tensor in = random_activations(Tensor::vec(k), prec, rng);
    const std::vector<int32_t> w = random_weights(size_t(k) * out, prec, rng);
    const Tensor full = golden::linear_acc(in, w, out, prec);
    Tensor sum = Tensor::vec(out);
    for (int k0 = 0; k0 < k; k0 += 8) {
      for (int o0 = 0; o0 < out; o0 += 8) {
        Tensor part =
            golden::linear_partial_acc(in, w, out, prec, {k0, std::min(k0 + 8, k), o0, std::min(o0 + 8, out)});
        accumulate(sum, part, o0);
      }
    }
    INFO(fmt::format("trial {}: K{} O{} P{}", trial, k, out, prec.psum_bits));
    CHECK(wrapped(sum, prec.psum_bits) == full);
  }
}

TEST_CASE("partial: bad slices are program errors", "[golden][bad_input]") {
  // Position listed twice, position outside the kernel, ranges outside the layer.
  CHECK_THROWS_AS(golden::conv2d_partial_acc(kIn, kW, kP, golden::kInt8, ConvSlice{0, 1, {{0, 0}, {0, 0}}, 0, 2}),
                  std::invalid_argument);
  CHECK_THROWS_AS(golden::conv2d_partial_acc(kIn, kW, kP, golden::kInt8, ConvSlice{0, 1, {{2, 0}}, 0, 2}),
                  std::invalid_argument);
  CHECK_THROWS_AS(golden::conv2d_partial_acc(kIn, kW, kP, golden::kInt8, ConvSlice{0, 3, {{0, 0}}, 0, 2}),
                  std::invalid_argument);
  CHECK_THROWS_AS(golden::conv2d_partial_acc(kIn, kW, kP, golden::kInt8, ConvSlice{0, 1, {{0, 0}}, 1, 0}),
                  std::invalid_argument);
  Tensor in = Tensor::vec(4, 1);
  CHECK_THROWS_AS(golden::linear_partial_acc(in, std::vector<int32_t>(8, 1), 2, golden::kInt8, {0, 5, 0, 2}),
                  std::invalid_argument);
}
