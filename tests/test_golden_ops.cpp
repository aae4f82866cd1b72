// Integer ops of the golden model against hand-computed values. Each
// expectation carries the arithmetic that produced it.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

#include "golden/ops.hpp"
#include "support/random_values.hpp"
#include "support/tensor_literal.hpp"

using golden::ConvParams;
using golden::Precision;
using golden::Tensor;
using test_support::chw;
using test_support::random_activations;
using test_support::random_weights;

namespace {

// in[r][c] = 4r + c + 1: [[1,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,16]].
Tensor ramp4x4() { return chw({{{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}, {13, 14, 15, 16}}}); }

// 3x3 kernel [[1,2,0],[0,1,0],[0,0,-1]]:
//   out[y][x] = in[y][x] + 2*in[y][x+1] + in[y+1][x+1] - in[y+2][x+2]  (padded coordinates)
const std::vector<int32_t> kKernel3 = {1, 2, 0, 0, 1, 0, 0, 0, -1};

// Direct definition of the accumulator, written independently of the library
// (bounds test instead of a padded copy, int64 sum, wrap by hand).
Tensor naive_conv(const Tensor& in, const std::vector<int32_t>& w, const ConvParams& p, int psum_bits) {
  const int oh = (in.height() + 2 * p.padding - p.kernel) / p.stride + 1;
  const int ow = (in.width() + 2 * p.padding - p.kernel) / p.stride + 1;
  Tensor out = Tensor::chw(p.out_channels, oh, ow);
  for (int o = 0; o < p.out_channels; ++o) {
    for (int y = 0; y < oh; ++y) {
      for (int x = 0; x < ow; ++x) {
        int64_t s = 0;
        for (int c = 0; c < p.in_channels; ++c) {
          for (int ky = 0; ky < p.kernel; ++ky) {
            for (int kx = 0; kx < p.kernel; ++kx) {
              const int iy = y * p.stride + ky - p.padding, ix = x * p.stride + kx - p.padding;
              if (iy < 0 || ix < 0 || iy >= in.height() || ix >= in.width()) continue;
              s += in.at(c, iy, ix) * w[((o * p.in_channels + c) * p.kernel + ky) * p.kernel + kx];
            }
          }
        }
        const int64_t m = int64_t{1} << psum_bits;
        s %= m;  // C++ remainder keeps the sign of s
        if (s < 0) s += m;
        if (s >= m / 2) s -= m;
        out.at(o, y, x) = s;
      }
    }
  }
  return out;
}

}  // namespace

TEST_CASE("conv2d: kernel 3 stride 1 padding 0", "[golden]") {
  // out[y][x] = (4y+x+1) + 2(4y+x+2) + (4(y+1)+x+2) - (4(y+2)+x+3) = 12y + 3x
  //   -> [[0, 3], [12, 15]]; e.g. out[0][0] = 1 + 2*2 + 6 - 11 = 0.
  Tensor out = golden::conv2d_acc(ramp4x4(), kKernel3, {1, 1, 3, 1, 0}, golden::kInt8);
  CHECK(out == chw({{{0, 3}, {12, 15}}}));
}

TEST_CASE("conv2d: kernel 3 stride 2 padding 1", "[golden]") {
  // OH = floor((4 + 2 - 3) / 2) + 1 = 2. Window top-left in input coordinates
  // (2y-1, 2x-1); values outside the 4x4 input are 0.
  //   (0,0): in[-1][-1] + 2in[-1][0] + in[0][0] - in[1][1] = 0 + 0 + 1 - 6 = -5
  //   (0,1): in[-1][1] + 2in[-1][2] + in[0][2] - in[1][3] = 0 + 0 + 3 - 8 = -5
  //   (1,0): in[1][-1] + 2in[1][0] + in[2][0] - in[3][1] = 0 + 10 + 9 - 14 = 5
  //   (1,1): in[1][1] + 2in[1][2] + in[2][2] - in[3][3] = 6 + 14 + 11 - 16 = 15
  Tensor out = golden::conv2d_acc(ramp4x4(), kKernel3, {1, 1, 3, 2, 1}, golden::kInt8);
  CHECK(out == chw({{{-5, -5}, {5, 15}}}));
}

TEST_CASE("conv2d: kernel 3 padding 2 places the input in the corner", "[golden]") {
  // Only w[0][0] = 1: out[y][x] = in[y-2][x-2]; OH = 2 + 4 - 3 + 1 = 4.
  Tensor in = chw({{{1, 2}, {3, 4}}});
  std::vector<int32_t> w = {1, 0, 0, 0, 0, 0, 0, 0, 0};
  Tensor out = golden::conv2d_acc(in, w, {1, 1, 3, 1, 2}, golden::kInt8);
  CHECK(out == chw({{{0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 1, 2}, {0, 0, 3, 4}}}));
}

TEST_CASE("conv2d: kernel 1 with two input and three output channels", "[golden]") {
  // c0 = [[1,2],[3,4]], c1 = [[10,20],[30,40]]; w[o][c] = o0:(1,1) o1:(2,-1) o2:(0,3)
  //   o0 = c0 + c1   = [[11,22],[33,44]]
  //   o1 = 2c0 - c1  = [[2-10, 4-20], [6-30, 8-40]] = [[-8,-16],[-24,-32]]
  //   o2 = 3c1       = [[30,60],[90,120]]
  Tensor in = chw({{{1, 2}, {3, 4}}, {{10, 20}, {30, 40}}});
  std::vector<int32_t> w = {1, 1, 2, -1, 0, 3};
  Tensor out = golden::conv2d_acc(in, w, {2, 3, 1, 1, 0}, golden::kInt8);
  CHECK(out == chw({{{11, 22}, {33, 44}}, {{-8, -16}, {-24, -32}}, {{30, 60}, {90, 120}}}));
}

TEST_CASE("conv2d: kernel 1 stride 2 subsamples", "[golden]") {
  // 3x3 input 1..9, OH = floor((3-1)/2)+1 = 2: picks (0,0) (0,2) (2,0) (2,2) = 1 3 7 9, times 2.
  Tensor in = chw({{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}});
  Tensor out = golden::conv2d_acc(in, std::vector<int32_t>{2}, {1, 1, 1, 2, 0}, golden::kInt8);
  CHECK(out == chw({{{2, 6}, {14, 18}}}));
}

TEST_CASE("conv2d: kernel 5 padding 2 over two channels with stride 1 and 2", "[golden]") {
  // c0 = 1..9 with an all-ones 5x5 kernel: every 5x5 window around a 3x3 input
  // covers all of it, so c0 contributes sum(1..9) = 45 everywhere.
  // c1 = diag(1,2,3) with only the centre tap -1: contributes -c1[y][x].
  //   stride 1: [[45-1, 45, 45], [45, 45-2, 45], [45, 45, 45-3]]
  //   stride 2: OH = floor((3+4-5)/2)+1 = 2, positions (0,0) (0,2) (2,0) (2,2): [[44,45],[45,42]]
  Tensor in = chw({{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}, {{1, 0, 0}, {0, 2, 0}, {0, 0, 3}}});
  std::vector<int32_t> w(2 * 25, 0);
  for (int i = 0; i < 25; ++i) w[i] = 1;
  w[25 + 12] = -1;  // channel 1, (ky, kx) = (2, 2)
  CHECK(golden::conv2d_acc(in, w, {2, 1, 5, 1, 2}, golden::kInt8) == chw({{{44, 45, 45}, {45, 43, 45}, {45, 45, 42}}}));
  CHECK(golden::conv2d_acc(in, w, {2, 1, 5, 2, 2}, golden::kInt8) == chw({{{44, 45}, {45, 42}}}));
}

TEST_CASE("conv2d: accumulator wraps at 16 bits", "[golden]") {
  // ece284: A4/W4/P16. 313 channels of 1x1, a = 15, w = 7: 313 * 105 = 32865
  //   > 32767, wraps to 32865 - 65536 = -32671.
  Tensor in = Tensor::chw(313, 1, 1, 15);
  std::vector<int32_t> w(313, 7);
  CHECK(golden::conv2d_acc(in, w, {313, 1, 1, 1, 0}, golden::kEce284)[0] == -32671);
  // w = -8 (the 4-bit minimum): 313 * -120 = -37560, wraps to -37560 + 65536 = 27976.
  std::vector<int32_t> wn(313, -8);
  CHECK(golden::conv2d_acc(in, wn, {313, 1, 1, 1, 0}, golden::kEce284)[0] == 27976);
  // With P = 32 the same sum does not wrap.
  CHECK(golden::conv2d_acc(in, w, {313, 1, 1, 1, 0}, Precision{4, 4, 32})[0] == 32865);
}

TEST_CASE("conv2d: random layers match the direct definition", "[golden][random]") {
  const uint32_t seed = 284;
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  for (int trial = 0; trial < 40; ++trial) {
    const Precision prec = trial % 2 ? golden::kEce284 : golden::kInt8;
    ConvParams p;
    p.in_channels = 1 + rng() % 5;
    p.out_channels = 1 + rng() % 4;
    p.kernel = 1 + rng() % 5;
    p.stride = 1 + rng() % 3;
    p.padding = rng() % 3;
    const int h = p.kernel + rng() % 6, w = p.kernel + rng() % 6;
    const Tensor in = random_activations(Tensor::chw(p.in_channels, h, w), prec, rng);
    const std::vector<int32_t> weight =
        random_weights(size_t(p.out_channels) * p.in_channels * p.kernel * p.kernel, prec, rng);
    INFO(fmt::format("trial {}: C{} O{} k{} s{} p{} on {}x{}, P{}", trial, p.in_channels, p.out_channels, p.kernel,
                     p.stride, p.padding, h, w, prec.psum_bits));
    CHECK(golden::conv2d_acc(in, weight, p, prec) == naive_conv(in, weight, p, prec.psum_bits));
  }
}

TEST_CASE("conv2d: out-of-range activation or weight is a program error", "[golden][bad_input]") {
  Tensor in = chw({{{16, 0}, {0, 0}}});  // 16 > 2^4 - 1
  CHECK_THROWS_AS(golden::conv2d_acc(in, std::vector<int32_t>{1}, {1, 1, 1, 1, 0}, golden::kEce284),
                  std::invalid_argument);
  Tensor ok = chw({{{15, 0}, {0, 0}}});
  CHECK_THROWS_AS(golden::conv2d_acc(ok, std::vector<int32_t>{8}, {1, 1, 1, 1, 0}, golden::kEce284),
                  std::invalid_argument);  // 8 > 2^3 - 1
  CHECK_THROWS_AS(golden::conv2d_acc(ok, std::vector<int32_t>{1}, {1, 1, 3, 1, 0}, golden::kEce284),
                  std::invalid_argument);  // 3x3 kernel on 2x2 without padding
}

TEST_CASE("linear: dot products per output", "[golden]") {
  // in = [1,2,3]; w0 = [1,-1,2]: 1 - 2 + 6 = 5; w1 = [0,3,-4]: 0 + 6 - 12 = -6.
  Tensor out = golden::linear_acc(Tensor::vec(std::vector<int64_t>{1, 2, 3}), std::vector<int32_t>{1, -1, 2, 0, 3, -4},
                                  2, golden::kInt8);
  CHECK(out == Tensor::vec(std::vector<int64_t>{5, -6}));
}

TEST_CASE("linear: accumulator wraps at 16 and at 32 bits", "[golden]") {
  // P16: 313 * (15 * 7) = 32865 -> 32865 - 2^16 = -32671.
  CHECK(golden::linear_acc(Tensor::vec(313, 15), std::vector<int32_t>(313, 7), 1, golden::kEce284)[0] == -32671);
  // P32: 66312 * (255 * 127) = 66312 * 32385 = 2147514120 > 2^31 - 1
  //   -> 2147514120 - 2^32 = 2147514120 - 4294967296 = -2147453176.
  CHECK(golden::linear_acc(Tensor::vec(66312, 255), std::vector<int32_t>(66312, 127), 1, golden::kInt8)[0] ==
        -2147453176LL);
  // One fewer term: 66311 * 32385 = 2147481735 <= 2^31 - 1, no wrap.
  CHECK(golden::linear_acc(Tensor::vec(66311, 255), std::vector<int32_t>(66311, 127), 1, golden::kInt8)[0] ==
        2147481735LL);
}

TEST_CASE("wrap_psum: two's complement at P bits", "[golden]") {
  CHECK(golden::wrap_psum(32767, 16) == 32767);
  CHECK(golden::wrap_psum(32768, 16) == -32768);  // 2^15 -> -2^15
  CHECK(golden::wrap_psum(65535, 16) == -1);      // 2^16 - 1 -> -1
  CHECK(golden::wrap_psum(65536, 16) == 0);       // 2^16 -> 0
  CHECK(golden::wrap_psum(-32769, 16) == 32767);  // -2^15 - 1 + 2^16
  CHECK(golden::wrap_psum(2147483648LL, 32) == -2147483648LL);
  CHECK(golden::wrap_psum(-5, 32) == -5);
  CHECK(golden::wrap_psum(3, 1) == -1);  // 3 mod 2 = 1 -> 1-bit -1
}

TEST_CASE("add_bias and relu: exact int64 without wrap", "[golden]") {
  // [[1,-2],[3,4]] + bias (10, -20) per channel = [[11,8],[-17,-16]].
  Tensor acc = chw({{{1, -2}}, {{3, 4}}});
  CHECK(golden::add_bias(acc, std::vector<int32_t>{10, -20}) == chw({{{11, 8}}, {{-17, -16}}}));
  // (2^31 - 1) + (2^31 - 1) = 4294967294: not wrapped back to 32 bits.
  CHECK(golden::add_bias(Tensor::vec(std::vector<int64_t>{2147483647}), std::vector<int32_t>{2147483647})[0] ==
        4294967294LL);
  CHECK(golden::relu(Tensor::vec(std::vector<int64_t>{-3, 0, 5})) == Tensor::vec(std::vector<int64_t>{0, 0, 5}));
}

TEST_CASE("requantize: exact halves round up", "[golden]") {
  // floor((y*M + 2^(S-1)) / 2^S):
  CHECK(golden::requantize(3, 1, 1, 8) == 2);   // 1.5  -> (3+1)/2 = 2
  CHECK(golden::requantize(5, 1, 1, 8) == 3);   // 2.5  -> (5+1)/2 = 3 (half up, not to even)
  CHECK(golden::requantize(1, 8, 4, 8) == 1);   // 8/16 = 0.5 -> (8+8)/16 = 1
  CHECK(golden::requantize(1, 7, 4, 8) == 0);   // 7/16 = 0.4375 -> (7+8)/16 = 0.9375 -> 0
  CHECK(golden::requantize(5, 3, 4, 8) == 1);   // 15/16 = 0.9375 -> (15+8)/16 = 1.4375 -> 1
  CHECK(golden::requantize(25, 3, 4, 8) == 5);  // 75/16 = 4.6875 -> (75+8)/16 = 5.1875 -> 5
}

TEST_CASE("rescale: negative halves round towards plus infinity", "[golden]") {
  // A layer without ReLU: the rounding before the clamp.
  CHECK(golden::rescale(-3, 1, 1) == -1);  // -1.5 -> floor((-3+1)/2) = floor(-1) = -1
  CHECK(golden::rescale(-5, 1, 1) == -2);  // -2.5 -> floor((-5+1)/2) = -2
  CHECK(golden::rescale(-1, 1, 1) == 0);   // -0.5 -> floor(0/2) = 0
  CHECK(golden::rescale(-1, 3, 2) == -1);  // -0.75 -> floor((-3+2)/4) = floor(-0.25) = -1
  CHECK(golden::rescale(-7, 1, 2) == -2);  // -1.75 -> floor((-7+2)/4) = floor(-1.25) = -2
  // ... and the clamp then takes every negative result to 0.
  CHECK(golden::requantize(-3, 1, 1, 8) == 0);
  CHECK(golden::requantize(-1000, 5, 0, 8) == 0);
}

TEST_CASE("requantize: clamps at 0 and at 2^A - 1", "[golden]") {
  CHECK(golden::requantize(255, 1, 0, 8) == 255);  // exactly 2^8 - 1, kept
  CHECK(golden::requantize(256, 1, 0, 8) == 255);  // clamped
  CHECK(golden::requantize(1000, 1, 0, 4) == 15);  // A = 4: 2^4 - 1
  CHECK(golden::requantize(31, 1, 1, 4) == 15);    // (31+1)/2 = 16 -> 15
  CHECK(golden::requantize(29, 1, 1, 4) == 15);    // (29+1)/2 = 15, kept
  CHECK(golden::requantize(70000, 1, 0, 16) == 65535);
  CHECK(golden::requantize(-1, 1, 0, 8) == 0);
}

TEST_CASE("requantize: shift 0 adds no rounding constant", "[golden]") {
  CHECK(golden::requantize(7, 3, 0, 8) == 21);  // R = 0: 7 * 3 = 21
  CHECK(golden::rescale(-7, 3, 0) == -21);
}

TEST_CASE("requantize: large multiplier and y need 128 bits", "[golden]") {
  // y = 2^32 - 2 (acc 2^31 - 1 plus bias 2^31 - 1), M = 2^31 - 1, S = 62:
  //   y*M = 2^63 - 2^33 + 2 = 9223372028264841218 (fits int64),
  //   + R = 2^61 -> 11529215037478535170 > 2^63 - 1 (overflows int64),
  //   / 2^62 = 2.4999999981... -> floor 2.
  CHECK(golden::requantize(4294967294LL, 2147483647, 62, 8) == 2);
  CHECK(golden::rescale(4294967294LL, 2147483647, 62) == 2);
  // y = -2^32: (-2^63 + 2^32 + 2^61) / 2^62 = -1.4999999990... -> floor -2; clamp 0.
  CHECK(golden::rescale(-4294967296LL, 2147483647, 62) == -2);
  CHECK(golden::requantize(-4294967296LL, 2147483647, 62, 8) == 0);
  // y = 2^31, M = 2^31 - 1, S = 31: y*M / 2^31 = 2^31 - 1 exactly, + 0.5 -> 2147483647.
  CHECK(golden::rescale(2147483648LL, 2147483647, 31) == 2147483647LL);
}

TEST_CASE("requantize: per-channel tensor form", "[golden]") {
  // channel 0: M 1, S 1 -> (y+1)/2; channel 1: M 3, S 0 -> 3y clamped to 255.
  Tensor y = chw({{{3, 4}}, {{50, 100}}});
  // (3+1)/2 = 2, (4+1)/2 = 2.5 -> 2; 150, 300 -> 255.
  CHECK(golden::requantize(y, std::vector<int32_t>{1, 3}, std::vector<int32_t>{1, 0}, 8) ==
        chw({{{2, 2}}, {{150, 255}}}));
  CHECK_THROWS_AS(golden::requantize(y, std::vector<int32_t>{1, 0}, std::vector<int32_t>{1, 0}, 8),
                  std::invalid_argument);  // M = 0
  CHECK_THROWS_AS(golden::requantize(y, std::vector<int32_t>{1, 1}, std::vector<int32_t>{63, 0}, 8),
                  std::invalid_argument);  // S = 63
}

TEST_CASE("maxpool2d: floor mode drops the last row and column", "[golden]") {
  // 5x5 with in[r][c] = 5r + c, except the last row and column are 100.
  // k2 s2: OH = floor((5-2)/2)+1 = 2, windows cover rows/cols 0..3 only, so the
  // 100s are never seen: (0,0) max(0,1,5,6) = 6; (0,1) max(2,3,7,8) = 8;
  // (1,0) max(10,11,15,16) = 16; (1,1) max(12,13,17,18) = 18.
  Tensor in = Tensor::chw(1, 5, 5);
  for (int r = 0; r < 5; ++r) {
    for (int c = 0; c < 5; ++c) in.at(0, r, c) = (r == 4 || c == 4) ? 100 : 5 * r + c;
  }
  CHECK(golden::maxpool2d(in, 2, 2) == chw({{{6, 8}, {16, 18}}}));
}

TEST_CASE("maxpool2d: kernel 3 stride 2 per channel", "[golden]") {
  // 6x6, k3 s2: OH = floor((6-3)/2)+1 = 2; windows start at 0 and 2 (rows 0..4), row/col 5 dropped.
  // Channel 0 is 0 except a 9 at (4,4) (inside window (1,1)) and a 50 at (5,5) (dropped).
  // Channel 1 is 0 except a 7 at (2,2), shared by all four windows.
  Tensor in = Tensor::chw(2, 6, 6);
  in.at(0, 4, 4) = 9;
  in.at(0, 5, 5) = 50;
  in.at(1, 2, 2) = 7;
  CHECK(golden::maxpool2d(in, 3, 2) == chw({{{0, 0}, {0, 9}}, {{7, 7}, {7, 7}}}));
}

TEST_CASE("flatten: PyTorch CHW order", "[golden]") {
  // 2x2x3 with value 100c + 10y + x; index = c*6 + y*3 + x.
  Tensor in = Tensor::chw(2, 2, 3);
  for (int c = 0; c < 2; ++c) {
    for (int y = 0; y < 2; ++y) {
      for (int x = 0; x < 3; ++x) in.at(c, y, x) = 100 * c + 10 * y + x;
    }
  }
  Tensor f = golden::flatten(in);
  CHECK(f.shape == std::vector<int>{12});
  CHECK(f.data == std::vector<int64_t>{0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112});
}

TEST_CASE("argmax: lowest index wins ties", "[golden]") {
  CHECK(golden::argmax(std::vector<int64_t>{3, 7, 7, 1}) == 1);
  CHECK(golden::argmax(std::vector<int64_t>{5, 5, 5}) == 0);
  CHECK(golden::argmax(std::vector<int64_t>{-3, -1, -1, -2}) == 1);
  CHECK(golden::argmax(std::vector<int64_t>{1, 2, 9, 9}) == 2);
  CHECK(golden::argmax(std::vector<int64_t>{0}) == 0);
  CHECK_THROWS_AS(golden::argmax(std::vector<int64_t>{}), std::invalid_argument);
}

TEST_CASE("input: pixels shift right to A bits", "[golden]") {
  CHECK(golden::input_pixel(200, 8) == 200);
  CHECK(golden::input_pixel(200, 4) == 12);  // 200 = 0xC8 -> 0xC
  CHECK(golden::input_pixel(255, 4) == 15);
  CHECK(golden::input_pixel(15, 4) == 0);  // truncation, not rounding
  CHECK(golden::input_pixel(128, 1) == 1);
  CHECK(golden::input_pixel(127, 1) == 0);
  std::vector<uint8_t> px = {0, 16, 255, 31};
  CHECK(golden::input_from_pixels(px, 1, 2, 2, 4) == chw({{{0, 1}, {15, 1}}}));
}
