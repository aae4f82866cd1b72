// golden::Tensor literals for hand-computed expectations.
#pragma once

#include <cstdint>
#include <vector>

#include "golden/tensor.hpp"

namespace test_support {

// A {C, H, W} tensor from nested rows: values[c][y][x].
inline golden::Tensor chw(const std::vector<std::vector<std::vector<int64_t>>>& v) {
  golden::Tensor t =
      golden::Tensor::chw(static_cast<int>(v.size()), static_cast<int>(v[0].size()), static_cast<int>(v[0][0].size()));
  for (size_t c = 0; c < v.size(); ++c) {
    for (size_t y = 0; y < v[c].size(); ++y) {
      for (size_t x = 0; x < v[c][y].size(); ++x) t.at(int(c), int(y), int(x)) = v[c][y][x];
    }
  }
  return t;
}

}  // namespace test_support
