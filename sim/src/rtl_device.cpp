#include <accel/sim/rtl_device.hpp>

#include <fmt/format.h>

namespace accel::sim {

RtlDevice::RtlDevice(const CoreConfig& config) : sim_(make_core_sim(config)), cols_(config.cols) {
  psum_.assign(cols_, 0);
  out_.assign(cols_, 0);
  reset();
}

RtlDevice::RtlDevice(std::string_view config_name) : RtlDevice(config_by_name(config_name)) {}

void RtlDevice::reset() {
  try {
    sim_->reset();
  } catch (const AssertionFailure& e) {
    throw DeviceError(0, fmt::format("during reset: {}", e.what()));
  }
  slot_ = 0;
  if (trace_) {
    // Slot k after reset is clocked in core cycle cycle() + k.
    const uint64_t base = sim_->cycle();
    sim_->trace(trace_->path, base + trace_->begin, base + trace_->end);
    trace_.reset();
  }
}

StepResult RtlDevice::step(const Instr& instr, DataSpan data) {
  sim_->apply_words(pack(instr), data);
  try {
    sim_->tick();
  } catch (const AssertionFailure& e) {
    // The core checks a rule when the instruction executes (the cycle after its slot's edge) or
    // when its effect lands, so the slot named can be one or two after the offending one.
    throw DeviceError(slot_, e.what());
  }
  ++slot_;
  StepResult r;
  if (sim_->psum_valid()) {
    sim_->psum_row(psum_.data());
    r.psum = psum_.data();
  }
  if (sim_->out_valid()) {
    sim_->out_row(out_.data());
    r.out = out_.data();
  }
  return r;
}

Counters RtlDevice::counters() const {
  Counters c{};
  for (unsigned k = 0; k < kNumCounters; ++k) c[k] = sim_->counter(static_cast<Counter>(k));
  return c;
}

void RtlDevice::trace(const std::string& path, uint64_t begin, uint64_t end) {
  if (end <= begin) throw std::invalid_argument(fmt::format("empty trace window {}:{}", begin, end));
  trace_ = TraceRequest{path, begin, end};
}

}  // namespace accel::sim
