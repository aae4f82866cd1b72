#include "golden/tensor.hpp"

#include <fmt/format.h>

#include <ostream>
#include <stdexcept>

namespace golden {

Tensor Tensor::chw(int c, int h, int w, int64_t fill) {
  if (c < 0 || h < 0 || w < 0) throw std::invalid_argument(fmt::format("Tensor::chw: bad shape {}x{}x{}", c, h, w));
  return Tensor{{c, h, w}, std::vector<int64_t>(static_cast<size_t>(c) * h * w, fill)};
}

Tensor Tensor::vec(int n, int64_t fill) {
  if (n < 0) throw std::invalid_argument(fmt::format("Tensor::vec: bad size {}", n));
  return Tensor{{n}, std::vector<int64_t>(static_cast<size_t>(n), fill)};
}

Tensor Tensor::vec(std::span<const int64_t> values) {
  return Tensor{{static_cast<int>(values.size())}, std::vector<int64_t>(values.begin(), values.end())};
}

std::string Tensor::shape_str() const {
  std::string out;
  for (size_t i = 0; i < shape.size(); ++i) out += fmt::format("{}{}", i ? "x" : "", shape[i]);
  return out.empty() ? "()" : out;
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  std::string s = t.shape_str() + " [";
  for (size_t i = 0; i < t.data.size() && i < 64; ++i) s += fmt::format("{}{}", i ? ", " : "", t.data[i]);
  if (t.data.size() > 64) s += ", ...";
  return os << s << "]";
}

}  // namespace golden
