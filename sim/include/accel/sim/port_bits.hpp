// Copying between accel::BitVec / lanes and Verilator port types (CData..QData or VlWide<N>).
// For test benches and harnesses that hold a Verilated model; needs verilated.h.
#pragma once

#include <accel/isa.hpp>
#include <verilated.h>

#include <cstdint>
#include <span>
#include <type_traits>

namespace accel::sim::detail {

template <class T>
inline void write_port(T& port, std::span<const uint32_t> w) {
  if constexpr (std::is_integral_v<T>) {
    uint64_t x = 0;
    if (!w.empty()) x = w[0];
    if (w.size() > 1) x |= uint64_t(w[1]) << 32;
    port = static_cast<T>(x);
  } else {
    constexpr std::size_t n = sizeof(T) / sizeof(EData);
    for (std::size_t i = 0; i < n; ++i) port[i] = i < w.size() ? w[i] : 0u;
  }
}

// Bits [lsb +: width] of a port, width <= 64.
template <class T>
inline uint64_t read_port(const T& port, unsigned lsb, unsigned width) {
  uint64_t v;
  if constexpr (std::is_integral_v<T>) {
    v = static_cast<uint64_t>(port) >> lsb;
  } else {
    const unsigned w0 = lsb / 32, sh = lsb % 32;
    constexpr unsigned n = sizeof(T) / sizeof(EData);
    uint64_t lo = port[w0];
    if (w0 + 1 < n) lo |= uint64_t(port[w0 + 1]) << 32;
    v = lo >> sh;
    if (sh != 0 && width + sh > 64 && w0 + 2 < n) v |= uint64_t(port[w0 + 2]) << (64 - sh);
  }
  return width >= 64 ? v : (v & ((uint64_t{1} << width) - 1));
}

// Sets bits [lsb +: width] of a port to the low bits of v, width <= 64.
template <class T>
inline void write_bits(T& port, unsigned lsb, unsigned width, uint64_t v) {
  for (unsigned b = 0; b < width; ++b) {
    const unsigned p = lsb + b;
    const bool bit = (v >> b) & 1u;
    if constexpr (std::is_integral_v<T>) {
      const T m = static_cast<T>(T{1} << p);
      port = bit ? static_cast<T>(port | m) : static_cast<T>(port & ~m);
    } else {
      const EData m = EData{1} << (p % 32);
      port[p / 32] = bit ? (port[p / 32] | m) : (port[p / 32] & ~m);
    }
  }
}

inline int64_t sign_extend(uint64_t v, unsigned width) {
  if (width < 64 && ((v >> (width - 1)) & 1u)) v |= ~uint64_t{0} << width;
  return static_cast<int64_t>(v);
}

}  // namespace accel::sim::detail
