// The accelerator core as a SystemC module with a TLM-2.0 target socket: generic-payload
// b_transport transactions on a small register map (docs/systemc.md) become pin activity on the
// Verilated core (rtl/core.sv built with --sc).
//
//   auto core = accel::systemc::make_core_target("core", accel::configs::int8);
//   core->clk(platform_clock);                   // sc_in<bool>: the platform clock
//   cpu.socket.bind(core->socket);               // any TLM-2.0 initiator
//
// One write to INSTR is one instruction slot: the bridge drives instr_i and data_i, gives the core
// one clock edge (the platform clock, gated: the core only sees edges of cycles that carry a
// slot) and returns at the falling edge, when the outputs of that edge are settled. Malformed
// transactions get a TLM error response and a message in last_error(); nothing aborts.
#pragma once

#include <accel/device.hpp>
#include <accel/isa.hpp>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace accel::systemc {

// Byte addresses (little-endian 32-bit words; 64-bit values are two words, low word first).
namespace reg {
inline constexpr uint64_t kId = 0x000;        // R   4  kIdValue
inline constexpr uint64_t kShape = 0x004;     // R   4  rows | cols << 8 | act_bits << 16 | psum_bits << 24
inline constexpr uint64_t kStatus = 0x008;    // R   4  bit 0 psum_valid_o, bit 1 out_valid_o, bits 12:8 status_o
inline constexpr uint64_t kControl = 0x00c;   // W   4  bit 0: reset (rst_ni low for 2 core clocks, no-op)
inline constexpr uint64_t kInstr = 0x010;     // W  16  instr_i (accel::pack, 4 words); the write launches one slot
inline constexpr uint64_t kSlot = 0x020;      // R   8  slots launched since the last reset
inline constexpr uint64_t kData = 0x100;      // W   4 * data_words: data_i of the next slot (then zero)
inline constexpr uint64_t kCounters = 0x200;  // R 152  ctr_o: 19 x 64-bit counters (accel::Counter)
inline constexpr uint64_t kPsum = 0x400;      // R   8 * cols: psum_o lanes, sign-extended to 64 bits
inline constexpr uint64_t kOut = 0x800;       // R   8 * cols: out_o lanes (64-bit)
inline constexpr uint64_t kSize = 0x1000;     // the window a platform maps the core into
static_assert(kInstr + 4 * kInstrWords <= kSlot, "INSTR overlaps SLOT: move the registers");
static_assert(kCounters + 8 * kNumCounters <= kPsum, "COUNTERS overlaps PSUM");
inline constexpr uint32_t kIdValue = 0xacc05c01;
inline constexpr uint32_t kControlReset = 1;
}  // namespace reg

inline constexpr uint32_t kStatusPsumValid = 1u << 0;
inline constexpr uint32_t kStatusOutValid = 1u << 1;
inline constexpr unsigned kStatusCoreShift = 8;  // status_o (accel::Status::from_bits)

class CoreTarget : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<CoreTarget> socket;
  // The platform clock. The core's own clock is this clock gated by the bridge: it rises only in
  // cycles that carry a slot (or a reset cycle), so an idle core keeps its state and counters.
  sc_core::sc_in<bool> clk;

  ~CoreTarget() override;

  const CoreConfig& config() const { return cfg_; }
  // The parameters the Verilated model was built with (its params_o port; valid once the
  // simulation has started). make_core_target's caller checks them (SystemcDevice does).
  virtual CoreConfig model_params() const = 0;
  uint64_t slot() const { return slot_; }
  // The message of the last transaction that did not end with TLM_OK_RESPONSE, and how many did.
  const std::string& last_error() const { return last_error_; }
  uint64_t error_count() const { return errors_; }

  // FST trace of the Verilated model (VerilatedFstSc: one dump per SystemC time step, times in
  // ps) from now until trace_close(). Call after elaboration, between sc_start() calls.
  virtual void trace_open(const std::string& path) = 0;
  virtual void trace_close() = 0;
  virtual bool tracing() const = 0;

  // The blocking transport itself (the socket's callback). Calls wait() for INSTR and CONTROL:
  // call it from an SC_THREAD, as TLM-2.0 requires of b_transport.
  void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay);

 protected:
  CoreTarget(const sc_core::sc_module_name& name, const CoreConfig& cfg);

  // Pin access, implemented per Verilated model.
  virtual void drive(const InstrWord& instr, const uint32_t* data, bool rst_n) = 0;
  virtual void set_core_clock(bool level) = 0;
  virtual uint32_t status_bits() const = 0;  // kStatus layout
  virtual void psum_lanes(int64_t* dst) const = 0;
  virtual void out_lanes(int64_t* dst) const = 0;
  virtual uint64_t counter(unsigned id) const = 0;
  // Makes the model's VerilatedContext the thread's (Verilator reports assertions there).
  virtual void activate() = 0;
  // An RTL assertion fired since the last call: its %Error text, else empty.
  virtual std::string take_assertion() = 0;

 private:
  struct Register {
    const char* name;
    uint64_t base;
    unsigned size;  // bytes
    bool readable, writable;
  };
  const Register* find(uint64_t addr) const;
  void fail(tlm::tlm_generic_payload& t, tlm::tlm_response_status s, std::string what);
  void clock_cycle();
  void launch_slot(const uint8_t* bytes);
  void run_reset();
  void read(const Register& r, uint64_t offset, uint8_t* dst, unsigned len);

  CoreConfig cfg_;
  unsigned data_words_;
  std::vector<Register> regs_;
  std::vector<uint32_t> data_;  // DATA: data_i of the next slot
  std::vector<int64_t> lanes_;
  uint64_t slot_ = 0;
  std::string last_error_;
  uint64_t errors_ = 0;
};

// The core of one configuration as a module named `name`; construct it during elaboration, like
// any sc_module. Loads the SystemC model library of cfg (<build>/models/libaccel_core_sc_<name>.so, built on
// demand like the plain models: accel::sim::make_core_sim) and makes its target.
std::unique_ptr<CoreTarget> make_core_target(const sc_core::sc_module_name& name, const CoreConfig& cfg);

}  // namespace accel::systemc
