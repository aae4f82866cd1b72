// The one set of bit-packing helpers: bit fields of values held as 32-bit words, word 0 = bits
// 31:0 (Verilator's port layout, the instruction word, data_i, psum and out rows). Word-at-a-time,
// no per-bit loops; header-only.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

namespace accel {

// v with bits [width, 64) set to bit width - 1 (two's complement of a width-bit field).
constexpr int64_t sign_extend(uint64_t v, unsigned width) {
  if (width < 64 && ((v >> (width - 1)) & 1u)) v |= ~uint64_t{0} << width;
  return static_cast<int64_t>(v);
}

constexpr uint64_t low_mask(unsigned width) { return width >= 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1; }

// Writes the low `width` bits of v at bit `lsb` of `words` (width <= 64).
inline void put_bits(std::span<uint32_t> words, unsigned lsb, unsigned width, uint64_t v) {
  for (unsigned done = 0; done < width;) {
    const unsigned pos = lsb + done, w = pos / 32, b = pos % 32;
    const unsigned n = (32 - b < width - done) ? 32 - b : width - done;
    const uint32_t mask = (n == 32) ? 0xffffffffu : ((1u << n) - 1u);
    words[w] = (words[w] & ~(mask << b)) | (static_cast<uint32_t>(v >> done) & mask) << b;
    done += n;
  }
}
// The `width` bits at `lsb` of `words` (width <= 64), zero-extended.
inline uint64_t get_bits(std::span<const uint32_t> words, unsigned lsb, unsigned width) {
  uint64_t v = 0;
  for (unsigned done = 0; done < width;) {
    const unsigned pos = lsb + done, w = pos / 32, b = pos % 32;
    const unsigned n = (32 - b < width - done) ? 32 - b : width - done;
    const uint32_t mask = (n == 32) ? 0xffffffffu : ((1u << n) - 1u);
    v |= static_cast<uint64_t>((words[w] >> b) & mask) << done;
    done += n;
  }
  return v;
}
// The same as a two's complement number.
inline int64_t get_bits_signed(std::span<const uint32_t> words, unsigned lsb, unsigned width) {
  return sign_extend(get_bits(words, lsb, width), width);
}

// A wide value of a fixed number of bits (data_i, psum_o, out_o), range-checked.
class BitVec {
 public:
  BitVec() = default;
  explicit BitVec(unsigned bits) : bits_(bits), words_((bits + 31) / 32, 0u) {}

  unsigned bits() const { return bits_; }
  std::vector<uint32_t>& words() { return words_; }
  const std::vector<uint32_t>& words() const { return words_; }

  // Writes the low `width` bits of v at [lsb +: width] (width <= 64).
  void set(unsigned lsb, unsigned width, uint64_t v) {
    check(lsb, width);
    put_bits(words_, lsb, width, v);
  }
  uint64_t get(unsigned lsb, unsigned width) const {
    check(lsb, width);
    return get_bits(words_, lsb, width);
  }
  // [lsb +: width] as a two's complement number.
  int64_t get_signed(unsigned lsb, unsigned width) const { return sign_extend(get(lsb, width), width); }
  bool operator==(const BitVec&) const = default;

 private:
  void check(unsigned lsb, unsigned width) const {
    if (width == 0 || width > 64 || lsb + width > bits_) throw std::out_of_range("BitVec: field out of range");
  }
  unsigned bits_ = 0;
  std::vector<uint32_t> words_;
};

}  // namespace accel
