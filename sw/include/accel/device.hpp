// One interface for every back-end that executes the core's instruction stream: the functional
// model (sw/), the Verilated RTL and its SystemC wrapping (sim/). The runtime plays a Schedule on
// any of them, slot for slot, and they must be interchangeable: the same psum rows and out rows
// become visible after the same step, and the counters agree (docs/isa.md).
//
// The interface is built for a loop of ~10^8 slots: one virtual call per slot, no allocation,
// rows returned as pointers into the device's own buffers.
#pragma once

#include <accel/isa.hpp>
#include <array>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace accel {

// data_i as 32-bit words, word 0 = bits 31:0 (Verilator's layout). Empty means all zeros;
// otherwise at least data_words(config) words.
using DataSpan = std::span<const uint32_t>;

constexpr unsigned data_words(const CoreConfig& c) { return (c.data_bits() + 31) / 32; }

// What became visible on the output ports after one step (docs/isa.md "Timing": a psum row
// kOfRdToPsumOut = 1 step after its of_rd, an out row kOutRdToOut = 2 steps after its out_rd).
// Pointers to config().cols values, valid until the next step() or reset(); null = not valid.
struct StepResult {
  const int64_t* psum = nullptr;  // psum_o lanes, sign-extended from PsumBits
  const int64_t* out = nullptr;   // out_o lanes (64-bit: requantized q or raw acc + bias)
};

using Counters = std::array<uint64_t, kNumCounters>;  // indexed by accel::Counter

inline uint64_t counter(const Counters& c, Counter id) { return c[static_cast<unsigned>(id)]; }

// A rule of docs/isa.md broken by the instruction stream (FIFO underflow/overflow, data_i shared,
// address out of range, weight buffer overwritten while in use, ...), detected by a device.
class DeviceError : public std::runtime_error {
 public:
  DeviceError(uint64_t slot, const std::string& what)
      : std::runtime_error("slot " + std::to_string(slot) + ": " + what), slot_(slot) {}
  // Slots since the last reset(), 0-based: the slot whose instruction broke the rule.
  uint64_t slot() const { return slot_; }

 private:
  uint64_t slot_;
};

class Device {
 public:
  virtual ~Device() = default;

  virtual const CoreConfig& config() const = 0;
  // "functional", "rtl", "systemc": for reports and reproduction commands.
  virtual std::string_view name() const = 0;

  // Restarts FIFOs, weights, SFP parameters, counters and the output registers; SRAM contents
  // (xmem, pmem) are kept, as in the RTL. The first step after reset also counts the no-op the
  // core held during reset (docs/isa.md: counters after step n see slots up to n - 1).
  virtual void reset() = 0;

  // One instruction slot: drive instr/data, one clock. Throws DeviceError (functional) or the
  // back-end's assertion error (RTL) if the slot breaks a rule.
  virtual StepResult step(const Instr& instr, DataSpan data) = 0;

  // Counters as the host reads ctr_o now (after the last step).
  virtual Counters counters() const = 0;
};

// ------------------------------------------------------------------------------------------------
// Data word packing (the layouts of docs/isa.md "Ports of core"), without allocation.
// ------------------------------------------------------------------------------------------------
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
// The `width` bits at `lsb` of `words`, zero-extended.
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
// The `width` bits at `lsb` as a two's complement number.
inline int64_t get_bits_signed(std::span<const uint32_t> words, unsigned lsb, unsigned width) {
  const uint64_t v = get_bits(words, lsb, width);
  if (width < 64 && ((v >> (width - 1)) & 1u)) return static_cast<int64_t>(v | (~uint64_t{0} << width));
  return static_cast<int64_t>(v);
}

// ------------------------------------------------------------------------------------------------
// A fast equivalent of accel::pack() (isa.hpp) for back-ends that drive instr_i every slot:
// shifts instead of a loop over bits. tests/test_functional.cpp checks it against pack().
// ------------------------------------------------------------------------------------------------
inline InstrWord pack_fast(const Instr& i) {
  uint64_t lo = 0;  // bits 63:0
  lo |= uint64_t(i.xmem_wr) << 0;
  lo |= uint64_t(i.xmem_wr_addr) << 1;
  lo |= uint64_t(i.xmem_rd) << 17;
  lo |= uint64_t(i.xmem_rd_addr) << 18;
  lo |= uint64_t(i.w_load) << 34;
  lo |= uint64_t(i.w_commit) << 35;
  lo |= uint64_t(i.w_buf & 1u) << 36;
  lo |= uint64_t(i.l0_rd) << 37;
  lo |= uint64_t(i.l0_wsel & 1u) << 38;
  lo |= uint64_t(i.of_rd) << 39;
  lo |= uint64_t(i.of_acc) << 40;
  lo |= uint64_t(i.of_addr) << 41;
  lo |= uint64_t(i.out_rd) << 57;
  lo |= uint64_t(i.out_raw) << 58;
  lo |= uint64_t(i.out_relu) << 59;
  lo |= uint64_t(i.out_addr & 0xfu) << 60;
  uint32_t hi = 0;                                               // bits 87:64
  hi |= uint32_t(i.out_addr >> 4);                               // out_addr[15:4] at 75:64
  hi |= uint32_t(i.par_wr) << 12;                                // 76
  hi |= (uint32_t(static_cast<uint8_t>(i.par_sel)) & 3u) << 13;  // 78:77
  hi |= uint32_t(i.par_col) << 15;                               // 86:79
  hi |= uint32_t(i.ctr_clr) << 23;                               // 87
  return InstrWord{static_cast<uint32_t>(lo), static_cast<uint32_t>(lo >> 32), hi};
}

}  // namespace accel
