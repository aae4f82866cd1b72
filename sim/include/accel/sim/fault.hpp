// One single-bit fault in the Verilated core (docs/cosim.md "Fault injection"): a bit of one PE's
// psum register, of one PE's weight buffer, or of one word of xmem or pmem, flipped at a chosen
// clock cycle by CoreSim::schedule_fault. The scoreboard then shows where the flip surfaced.
//
// Timing: the flip happens at the end of CoreSim::tick() for clock cycle `cycle` (the value
// cycle() returned before that tick), after its clock edge has been evaluated. The register or
// word holds the flipped value from then on until the hardware writes it again; everything
// combinational is settled again, so logic that reads it at the next edge (cycle + 1) sees the
// flip. A trace shows the flipped value from the next cycle's dump on.
#pragma once

#include <accel/config.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace accel::sim {

struct Fault {
  enum class Target : uint8_t {
    Psum,    // mac_tile psum_q of PE (row, col): bit < PsumBits
    Weight,  // mac_tile buf_q[buffer] of PE (row, col): buffer 0..1, bit < WeightBits
    Xmem,    // u_xmem word `address`: bit < Rows * ActBits (row r's activation at r * ActBits)
    Pmem,    // u_pmem row `address`: bit < Cols * PsumBits (column c's psum at c * PsumBits)
  };
  Target target = Target::Psum;
  unsigned row = 0, col = 0;  // Psum, Weight
  unsigned buffer = 0;        // Weight
  unsigned address = 0;       // Xmem, Pmem
  unsigned bit = 0;
  uint64_t cycle = 0;
};

// A fault outside the configuration (row, column, buffer, address or bit out of range) or in the
// past: the message names the coordinate and its range.
class FaultError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

inline std::string_view fault_target_name(Fault::Target t) {
  switch (t) {
    case Fault::Target::Psum:
      return "psum";
    case Fault::Target::Weight:
      return "weight";
    case Fault::Target::Xmem:
      return "xmem";
    case Fault::Target::Pmem:
      return "pmem";
  }
  return "?";
}

// Bits of the register or word a fault flips in `cfg`.
inline unsigned fault_width(const CoreConfig& cfg, Fault::Target t) {
  switch (t) {
    case Fault::Target::Psum:
      return cfg.psum_bits;
    case Fault::Target::Weight:
      return cfg.weight_bits;
    case Fault::Target::Xmem:
      return cfg.rows * cfg.act_bits;
    case Fault::Target::Pmem:
      return cfg.cols * cfg.psum_bits;
  }
  return 0;
}

// "psum of PE (2, 3) bit 5 at cycle 120", "xmem word 7 bit 12 at cycle 40", ...
inline std::string describe(const Fault& f) {
  const std::string at = " bit " + std::to_string(f.bit) + " at cycle " + std::to_string(f.cycle);
  const std::string pe = " of PE (" + std::to_string(f.row) + ", " + std::to_string(f.col) + ")";
  switch (f.target) {
    case Fault::Target::Psum:
      return "psum" + pe + at;
    case Fault::Target::Weight:
      return "weight buffer " + std::to_string(f.buffer) + pe + at;
    case Fault::Target::Xmem:
      return "xmem word " + std::to_string(f.address) + at;
    case Fault::Target::Pmem:
      return "pmem row " + std::to_string(f.address) + at;
  }
  return "?";
}

namespace detail {
inline void check_fault_range(const char* what, unsigned v, unsigned limit) {
  if (v >= limit)
    throw FaultError(std::string("fault ") + what + " " + std::to_string(v) + " out of range 0.." +
                     std::to_string(limit - 1));
}
}  // namespace detail

// FaultError unless every coordinate of `f` exists in `cfg` (the cycle is not checked here).
inline void check_fault(const CoreConfig& cfg, const Fault& f) {
  if (f.target == Fault::Target::Psum || f.target == Fault::Target::Weight) {
    detail::check_fault_range("row", f.row, cfg.rows);
    detail::check_fault_range("column", f.col, cfg.cols);
  }
  if (f.target == Fault::Target::Weight) detail::check_fault_range("buffer", f.buffer, 2);
  if (f.target == Fault::Target::Xmem) detail::check_fault_range("xmem address", f.address, cfg.xmem_depth);
  if (f.target == Fault::Target::Pmem) detail::check_fault_range("pmem address", f.address, cfg.pmem_depth);
  detail::check_fault_range("bit", f.bit, fault_width(cfg, f.target));
}

}  // namespace accel::sim
