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

}  // namespace accel
