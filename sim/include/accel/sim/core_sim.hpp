// The Verilated accelerator core behind one C++ interface for every configuration.
//
//   auto sim = accel::sim::make_core_sim("int8");
//   sim->reset();
//   sim->step(instr, data);          // one instruction slot: drive instr_i/data_i, one clock
//   if (sim->psum_valid()) ... sim->psum(c) ...
//
// Timing of each instruction relative to step() is in docs/isa.md. No Verilator header is needed
// to use this interface: each configuration's Verilated model is a library of its own
// (<build>/models/libaccel_core_<name>.so, with its own copy of the Verilator runtime), loaded
// when a simulator of that configuration is first made, so an RTL edit rebuilds only the models
// in use and relinks no program (docs/extending.md).
#pragma once

#include <accel/isa.hpp>
#include <accel/sim/fault.hpp>

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace accel::sim {

// An RTL assertion ($error in an assert) fired during a clock cycle.
class __attribute__((visibility("default"))) AssertionFailure : public std::runtime_error {
 public:
  AssertionFailure(uint64_t cycle, std::string messages)
      : std::runtime_error("RTL assertion failed in cycle " + std::to_string(cycle) + ": " + first_line(messages)),
        cycle_(cycle),
        messages_(std::move(messages)) {}
  uint64_t cycle() const { return cycle_; }
  // Everything the simulator printed in that cycle (the %Error lines).
  const std::string& messages() const { return messages_; }

 private:
  static std::string first_line(const std::string& m) {
    const auto start = m.find("%Error");
    const std::string s = start == std::string::npos ? m : m.substr(start);
    return s.substr(0, s.find('\n'));
  }
  uint64_t cycle_;
  std::string messages_;
};

class CoreSim {
 public:
  virtual ~CoreSim() = default;

  virtual const CoreConfig& config() const = 0;
  // The parameters the Verilated model was built with, read from the core's params_o port (the
  // name is config()'s). make_core_sim checks them against config().
  virtual CoreConfig model_params() const = 0;

  // Holds rst_ni low for `cycles` clock cycles with a no-op on instr_i, then releases it.
  // All state, FIFOs and counters restart; SRAM contents are kept.
  virtual void reset(unsigned cycles = 2) = 0;

  // Drives instr_i and data_i for the next clock edge. An empty `data` drives zeros.
  virtual void apply(const Instr& instr, const BitVec& data) = 0;
  void apply(const Instr& instr) { apply(instr, BitVec{}); }
  // The same with an instruction packed beforehand (accel::pack), for hot loops.
  virtual void apply_packed(const InstrWord& instr, const BitVec& data) = 0;
  // The same without allocation: data_i as 32-bit words, word 0 = bits 31:0 (empty: zeros).
  virtual void apply_words(const InstrWord& instr, std::span<const uint32_t> data) = 0;

  // One clock cycle (rising edge registers instr_i/data_i, then the falling edge). Throws
  // AssertionFailure if an RTL assertion fired in it (unless throw_on_assert(false)).
  virtual void tick() = 0;

  // One instruction slot: apply() then tick().
  void step(const Instr& instr, const BitVec& data) {
    apply(instr, data);
    tick();
  }
  void step(const Instr& instr = Instr{}) { step(instr, BitVec{}); }

  // Clock cycles since construction (reset cycles included).
  virtual uint64_t cycle() const = 0;

  // Output ports as they are after the last tick().
  virtual bool psum_valid() const = 0;
  virtual int64_t psum(unsigned col) const = 0;  // psum_o lane, sign-extended from PsumBits
  virtual bool out_valid() const = 0;
  virtual int64_t out(unsigned col) const = 0;  // out_o lane (64-bit)
  virtual uint64_t counter(Counter id) const = 0;
  virtual Status status() const = 0;
  // All lanes at once into dst[0 .. cols-1] (same values as psum(c) / out(c)).
  virtual void psum_row(int64_t* dst) const = 0;
  virtual void out_row(int64_t* dst) const = 0;

  // FST trace of the clock cycles in [begin, end): the file opens when cycle() enters the
  // window and closes when it leaves it (or when the simulator is destroyed).
  virtual void trace(const std::string& path, uint64_t begin = 0,
                     uint64_t end = std::numeric_limits<uint64_t>::max()) = 0;
  virtual bool trace_open() const = 0;

  // By default an RTL assertion makes tick() throw AssertionFailure. With false, tick() only
  // counts them; assertion_count() and take_messages() tell what happened.
  virtual void throw_on_assert(bool on) = 0;
  virtual uint64_t assertion_count() const = 0;
  // Everything the simulator printed since the last call.
  virtual std::string take_messages() = 0;
  // Echo the simulator's messages to stdout (default true).
  static void echo_messages(bool on);

  // Flips one bit at the end of clock cycle f.cycle (accel/sim/fault.hpp says exactly when and
  // what). One fault at a time: scheduling another replaces one still pending. Throws FaultError
  // if a coordinate is out of range or f.cycle < cycle() (the cycle has been simulated).
  virtual void schedule_fault(const Fault& f) = 0;
  virtual void cancel_fault() = 0;
  virtual bool fault_pending() const = 0;
  // Faults applied since construction.
  virtual uint64_t faults_applied() const = 0;
};

// The model library does not exist, cannot be loaded or is not the configuration it claims to be.
class __attribute__((visibility("default"))) ModelError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Builds the simulator of one configuration (accel::kConfigs) from its model library
// (model_library(config.name)). If the library is missing and this program runs from a build
// tree, it is built first (cmake --build <build> --target accel_core_<name>); with
// ACCEL_REBUILD_MODELS=1 in the environment it is brought up to date even when present (make sim
// does this, so an RTL edit takes effect). Throws ModelError if the library cannot be had, or if
// the model's parameters (params_o) differ from `config`.
std::unique_ptr<CoreSim> make_core_sim(const CoreConfig& config);
std::unique_ptr<CoreSim> make_core_sim(std::string_view config_name);
// The same from an explicit library file, which must hold a model of `config` (tests).
std::unique_ptr<CoreSim> make_core_sim(const CoreConfig& config, const std::string& library);

// Where the model library of a configuration is: $ACCEL_MODEL_DIR or the build tree's models/.
// kind "core" (plain C++ model) or "core_sc" (the SystemC model, sim/systemc).
std::string model_library(std::string_view config_name, std::string_view kind = "core");
// Loads (once per process) the model library of a configuration, building it as make_core_sim
// says, and returns its symbol `name`. Throws ModelError.
void* model_symbol(const std::string& library, const char* name);
std::string ensure_model_library(std::string_view config_name, std::string_view kind = "core");

// Checks that a model built as `built` is the configuration `claimed`; ModelError naming
// `library` and every differing parameter otherwise.
void check_model_params(const CoreConfig& claimed, const CoreConfig& built, const std::string& library);

// The interface between a program and a model library (sim/src/core_model.cpp). Bumped when
// CoreSim or the entry points change, so a stale library is refused, not misused.
inline constexpr int kModelAbi = 2;  // 2: schedule_fault

}  // namespace accel::sim
