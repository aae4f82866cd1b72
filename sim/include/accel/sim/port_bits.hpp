// Verilator port types (CData..QData or VlWide<N>) as spans of 32-bit words, for the bit helpers
// of accel/bits.hpp. For test benches and harnesses that hold a Verilated model; needs verilated.h.
#pragma once

#include <accel/bits.hpp>
#include <verilated.h>

#include <cstdint>
#include <span>
#include <type_traits>

namespace accel::sim::detail {

using accel::sign_extend;

// Sets a port from words (missing words are zero).
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
  if constexpr (std::is_integral_v<T>) {
    return (static_cast<uint64_t>(port) >> lsb) & low_mask(width);
  } else {
    constexpr std::size_t n = sizeof(T) / sizeof(EData);
    return get_bits(std::span<const uint32_t>(port.data(), n), lsb, width);
  }
}

// Lanes 0..count-1 of `width` bits each, sign-extended (psum rows): 32-bit lanes of a wide port
// are its words (the common case, once per simulated cycle), others go through read_port.
template <class T>
inline void read_signed_lanes(const T& port, unsigned width, unsigned count, int64_t* dst) {
  if constexpr (!std::is_integral_v<T>) {
    if (width == 32) {
      for (unsigned c = 0; c < count; ++c) dst[c] = static_cast<int32_t>(port[c]);
      return;
    }
  }
  for (unsigned c = 0; c < count; ++c) dst[c] = sign_extend(read_port(port, c * width, width), width);
}

// Sets bits [lsb +: width] of a port to the low bits of v, width <= 64.
template <class T>
inline void write_bits(T& port, unsigned lsb, unsigned width, uint64_t v) {
  if constexpr (std::is_integral_v<T>) {
    const uint64_t m = low_mask(width) << lsb;
    port = static_cast<T>((static_cast<uint64_t>(port) & ~m) | ((v << lsb) & m));
  } else {
    constexpr std::size_t n = sizeof(T) / sizeof(EData);
    put_bits(std::span<uint32_t>(port.data(), n), lsb, width, v);
  }
}

}  // namespace accel::sim::detail
