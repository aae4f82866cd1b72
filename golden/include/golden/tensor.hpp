// The golden model's one tensor type: an owning, C-order int64 array of shape
// {C, H, W} (feature maps) or {N} (feature vectors). Deliberately plain.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <span>
#include <string>
#include <vector>

namespace golden {

struct Tensor {
  std::vector<int> shape;     // {C, H, W} or {N}
  std::vector<int64_t> data;  // C order: index = (c * H + y) * W + x

  static Tensor chw(int c, int h, int w, int64_t fill = 0);
  static Tensor vec(int n, int64_t fill = 0);
  static Tensor vec(std::span<const int64_t> values);

  int rank() const { return static_cast<int>(shape.size()); }
  size_t size() const { return data.size(); }
  int channels() const { return shape.at(0); }
  int height() const { return shape.at(1); }
  int width() const { return shape.at(2); }

  int64_t& at(int c, int y, int x) { return data[(static_cast<size_t>(c) * shape[1] + y) * shape[2] + x]; }
  int64_t at(int c, int y, int x) const { return data[(static_cast<size_t>(c) * shape[1] + y) * shape[2] + x]; }
  int64_t& operator[](size_t i) { return data[i]; }
  int64_t operator[](size_t i) const { return data[i]; }

  std::string shape_str() const;  // "32x14x14", "128"
  bool operator==(const Tensor&) const = default;
};

// "2x2x2 [1, 2, 3, ...]" (at most 64 values), for test failure messages.
std::ostream& operator<<(std::ostream& os, const Tensor& t);

}  // namespace golden
