// --fault SPEC of cosim mnist and cosim layer (docs/cosim.md "Fault injection"): one bit flipped
// in the RTL device's core at a chosen core cycle, and where it was applied.
//
//   psum:R,C,BIT@CYCLE        PE (R, C)'s psum register
//   weight:R,C,BUF,BIT@CYCLE  PE (R, C)'s weight buffer BUF (0 or 1)
//   xmem:ADDR,BIT@CYCLE       xmem word ADDR (row r's activation at bits r * ActBits)
//   pmem:ADDR,BIT@CYCLE       pmem row ADDR (column c's psum at bits c * PsumBits)
//
// CYCLE counts the RTL device's core cycles from its creation (CoreSim::cycle()), across every
// layer and batch it runs.
#pragma once

#include <accel/device.hpp>
#include <accel/sim/fault.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace accel::cosim {

// The fault of `spec`; UsageError "--fault 'SPEC': <problem>" for a malformed one.
sim::Fault parse_fault(const std::string& spec);

class FaultOption {
 public:
  // `spec` empty: no fault, every call below does nothing.
  explicit FaultOption(const std::string& spec);
  bool active() const { return fault_.has_value(); }
  // UsageError naming --fault unless every coordinate exists in `cfg`.
  void check(const CoreConfig& cfg) const;
  // Schedules the fault on `dev`, which must be an RTL device (UsageError otherwise).
  void arm(Device& dev);
  // `what` (a layer and its images) runs on the armed device next.
  void entering(const std::string& what);
  // The line after the run: where the fault was applied. UsageError if it never was (the device
  // did not reach the cycle): the run then showed nothing about the fault.
  // `extra` goes at the end of the line.
  std::string result(const std::string& extra = "") const;
  const std::optional<sim::Fault>& fault() const { return fault_; }
  // The cycle at which `what` of the last entering() began.
  uint64_t entered_at() const { return entered_at_; }

 private:
  std::string spec_;
  std::optional<sim::Fault> fault_;
  Device* dev_ = nullptr;
  std::string during_;
  uint64_t entered_at_ = 0;
};

}  // namespace accel::cosim
