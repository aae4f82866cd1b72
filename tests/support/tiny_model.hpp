// The tiny hand-computed model shared by the golden tests, and its two images:
//   input 1x4x4 -> conv1 1->2 k3 s1 p1 relu (ch0: centre tap 1, bias 0, M 1 S 1;
//   ch1: centre tap -1, bias 100, M 3 S 0) -> maxpool k2 s2 -> flatten ->
//   fc 8->3 logits (w0 = e0, w1 = e3 - e4, w2 = e0+e1+e2+e3; bias 0, 5, -175).
// Images: the ramp p[r][c] = 10 * (4r + c) and all zeros; logits [25, -175, 25] and
// [0, -250, -175] (test_golden_network.cpp derives them by hand).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "golden/idx.hpp"
#include "golden/model.hpp"

namespace test_support {

inline golden::Model tiny_model() {
  using golden::Layer;
  using golden::LayerType;
  golden::Model m;
  m.name = "tiny";
  m.precision = golden::kInt8;
  m.input = {1, 4, 4};
  Layer conv;
  conv.name = "conv1";
  conv.type = LayerType::conv2d;
  conv.in_channels = 1, conv.out_channels = 2, conv.kernel = 3, conv.stride = 1, conv.padding = 1;
  conv.relu = true;
  conv.weight = {0, 0, 0, 0, 1, 0, 0, 0, 0, /**/ 0, 0, 0, 0, -1, 0, 0, 0, 0};
  conv.bias = {0, 100};
  conv.multiplier = {1, 3};
  conv.shift = {1, 0};
  Layer pool;
  pool.name = "pool";
  pool.type = LayerType::maxpool2d;
  pool.kernel = 2, pool.stride = 2;
  Layer flat;
  flat.name = "flatten";
  flat.type = LayerType::flatten;
  Layer fc;
  fc.name = "fc";
  fc.type = LayerType::linear;
  fc.in_features = 8, fc.out_features = 3;
  fc.logits = true;
  fc.weight = {1, 0, 0, 0, 0, 0, 0, 0, /**/ 0, 0, 0, 1, -1, 0, 0, 0, /**/ 1, 1, 1, 1, 0, 0, 0, 0};
  fc.bias = {0, 5, -175};
  m.layers = {conv, pool, flat, fc};
  golden::validate_model(m, "tiny");
  return m;
}

// The logits of tiny_images(), image-major.
inline const std::vector<int64_t> kTinyLogits = {25, -175, 25, /**/ 0, -250, -175};

// p[r][c] = 10 * (4r + c): 0, 10, ..., 150.
inline std::vector<uint8_t> ramp_pixels() {
  std::vector<uint8_t> px(16);
  for (int i = 0; i < 16; ++i) px[i] = static_cast<uint8_t>(10 * i);
  return px;
}

// Two 4x4 images: the ramp, then all zeros.
inline golden::ImageSet tiny_images() {
  golden::ImageSet s{"mem", 2, 4, 4, std::vector<uint8_t>(32, 0)};
  const std::vector<uint8_t> ramp = ramp_pixels();
  std::copy(ramp.begin(), ramp.end(), s.pixels.begin());
  return s;
}

}  // namespace test_support
