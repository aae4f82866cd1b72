// accel::Device over the core's SystemC/TLM-2.0 model (core_target.hpp): the unchanged tiler and
// runtime drive it exactly as the functional and RTL devices.
//
// Design (docs/systemc.md "Host device"): one SystemC simulation per process, elaborated lazily
// the first time any SystemcDevice is built: a 10 ns platform clock and, for every configuration
// with a SystemC model (int8, ece284), a CoreTarget bound to an initiator module whose SC_THREAD
// issues the b_transport calls. step() runs on the caller's ordinary C++ stack: it hands the slot
// to the initiator, then calls sc_start() until the initiator has finished the slot's transactions
// (DATA write, INSTR write, STATUS read, PSUM/OUT reads when valid) and calls sc_pause(). So one
// process holds one SystemC device per configuration at a time, all in the same simulation.
#pragma once

#include <accel/device.hpp>

#include <tlm>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace accel::systemc {

class SystemcDevice final : public Device {
 public:
  // The configuration's lane of the process-wide simulation. Throws std::invalid_argument for a
  // configuration without a SystemC model and std::logic_error while another SystemcDevice of the
  // same configuration exists (or if the process started a SystemC simulation of its own).
  explicit SystemcDevice(const CoreConfig& config);
  explicit SystemcDevice(std::string_view config_name);
  ~SystemcDevice() override;
  SystemcDevice(const SystemcDevice&) = delete;
  SystemcDevice& operator=(const SystemcDevice&) = delete;

  const CoreConfig& config() const override { return cfg_; }
  std::string_view name() const override { return "systemc"; }
  void reset() override;
  // An RTL assertion, or any transaction the bridge rejects, throws DeviceError naming the slot
  // and the bridge's message.
  StepResult step(const Instr& instr, DataSpan data) override;
  Counters counters() const override;

  // Slots stepped since the last reset.
  uint64_t slot() const { return slot_; }

  // As sim::RtlDevice::trace: an FST (VerilatedFstSc) of device slots [begin, end) counted from
  // the next reset() (slot 0 = the first step after it). One-shot: later resets do not trace again.
  void trace(const std::string& path, uint64_t begin, uint64_t end);
  bool trace_open() const;
  // Ends an open trace early (and forgets a pending one): the FST is complete after this.
  void close_trace();

  // One transaction of the caller's own through the same initiator socket (tests, tools): returns
  // the response status; last_error() is the bridge's message for the last failed one.
  tlm::tlm_response_status transport(tlm::tlm_generic_payload& t);
  const std::string& last_error() const;

  // Simulated time (sc_time_stamp) in nanoseconds: 10 per slot or reset cycle.
  static uint64_t now_ns();

  struct Lane;  // the configuration's target and initiator in the process-wide platform

 private:
  CoreConfig cfg_;
  Lane* lane_;
  uint64_t slot_ = 0;
  struct TraceRequest {
    std::string path;
    uint64_t begin = 0, end = 0;
  };
  std::optional<TraceRequest> trace_, armed_;
};

// The factory for programs choosing a device by name (cosim --device systemc).
std::unique_ptr<Device> make_systemc_device(const CoreConfig& config);

}  // namespace accel::systemc
