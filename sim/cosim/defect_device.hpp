// --inject-defect LAYER (a test hook, like --inject-mismatch): the device of one layer with a
// persistent design bug, for trying the own and inherited mismatch counts (docs/cosim.md "Own and
// inherited mismatches"). The bug is a wrong SFP saturation bound: out lanes clamp at
// 2^(ActBits-1) - 1, the signed bound, instead of 2^ActBits - 1.
#pragma once

#include <accel/device.hpp>
#include <algorithm>
#include <cstdint>
#include <vector>

namespace accel::cosim {

class SaturationDefect final : public Device {
 public:
  explicit SaturationDefect(Device& inner)
      : inner_(inner), bound_((int64_t{1} << (inner.config().act_bits - 1)) - 1), out_(inner.config().cols) {}

  const CoreConfig& config() const override { return inner_.config(); }
  std::string_view name() const override { return inner_.name(); }
  void reset() override { inner_.reset(); }
  Counters counters() const override { return inner_.counters(); }
  StepResult step(const Instr& instr, DataSpan data) override {
    StepResult r = inner_.step(instr, data);
    if (r.out) {
      for (size_t c = 0; c < out_.size(); ++c) out_[c] = std::min(r.out[c], bound_);
      r.out = out_.data();
    }
    return r;
  }

 private:
  Device& inner_;
  int64_t bound_;
  std::vector<int64_t> out_;
};

}  // namespace accel::cosim
