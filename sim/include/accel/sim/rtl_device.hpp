// accel::Device over the Verilated core (accel::sim::CoreSim): the runtime plays a Schedule on
// the RTL slot for slot, exactly as on the functional device.
//
// Hot path, per slot: one pack() of the instruction, apply_words() (no allocation), one
// tick(), two port-valid checks; a whole psum/out row is copied only after a step that shows one.
// An RTL assertion becomes a DeviceError naming the slot and the simulator's %Error line (the
// process never aborts).
#pragma once

#include <accel/device.hpp>
#include <accel/sim/core_sim.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace accel::sim {

class RtlDevice final : public Device {
 public:
  // The Verilated model of `config` (accel::sim::make_core_sim); accel::sim::ModelError otherwise.
  explicit RtlDevice(const CoreConfig& config);
  explicit RtlDevice(std::string_view config_name);

  const CoreConfig& config() const override { return sim_->config(); }
  std::string_view name() const override { return "rtl"; }
  void reset() override;
  StepResult step(const Instr& instr, DataSpan data) override;
  Counters counters() const override;

  // FST trace of device slots [begin, end) counted from the next reset() (slot 0 = the first
  // step after it). play() steps one ctr_clr slot before the schedule, so schedule slot n is
  // device slot n + 1. One-shot: later resets do not trace again.
  void trace(const std::string& path, uint64_t begin, uint64_t end);
  bool trace_open() const { return sim_->trace_open(); }

  // Slots stepped since the last reset.
  uint64_t slot() const { return slot_; }
  CoreSim& core() { return *sim_; }

 private:
  std::unique_ptr<CoreSim> sim_;
  unsigned cols_;
  uint64_t slot_ = 0;
  std::vector<int64_t> psum_, out_;
  struct TraceRequest {
    std::string path;
    uint64_t begin = 0, end = 0;
  };
  std::optional<TraceRequest> trace_;
};

}  // namespace accel::sim
