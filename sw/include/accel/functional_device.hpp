// The functional device: a C++ model of the core's instruction semantics (docs/isa.md) with no
// pipeline inside, only the visible timing: psum rows and out rows appear after the same step as
// on the RTL, the counters follow the same priority rule, and every rule the RTL asserts (and the
// host-side FIFO limits of docs/isa.md) is checked, throwing DeviceError naming the slot.
//
// It computes the MACs and the SFP read-out itself: it is a device under comparison, not the
// oracle, and shares no code with golden/ (the arithmetic is written from docs/isa.md).
#pragma once

#include <accel/device.hpp>
#include <cstdint>
#include <string_view>
#include <vector>

namespace accel {

class FunctionalDevice final : public Device {
 public:
  explicit FunctionalDevice(const CoreConfig& config);

  const CoreConfig& config() const override { return cfg_; }
  std::string_view name() const override { return "functional"; }
  void reset() override;
  StepResult step(const Instr& instr, DataSpan data) override;
  Counters counters() const override { return ctr_; }

  // Slots stepped since the last reset.
  uint64_t slot() const { return slot_; }

 private:
  void check_fields(const Instr& in, DataSpan data) const;
  void count_previous();
  void read_out(const Instr& in);
  void update_pmem(const Instr& in);
  void pop_l0(const Instr& in);
  void commit(const Instr& in);
  void load_column(DataSpan data);
  void read_xmem(const Instr& in);
  void read_wmem(const Instr& in);
  void compute_os(const int32_t* a);
  void drain(const Instr& in);

  CoreConfig cfg_;
  unsigned rows_, cols_;
  unsigned wrows_;  // weights per column: Rows, or 2 x Rows with the SIMD mode (both lanes)
  uint64_t slot_ = 0;

  // xmem: depth x rows activations.
  std::vector<int32_t> xmem_;
  // L0: ring of vectors (rows each) with the first slot an l0_rd may pop them.
  std::vector<int32_t> l0_data_;
  std::vector<uint64_t> l0_ready_;
  unsigned l0_head_ = 0, l0_count_ = 0;
  // Weights, [c][r] (r < wrows_): the load chain and the two buffers.
  std::vector<int32_t> chain_, wbuf_[2];
  bool wsel_used_[2] = {false, false};
  uint64_t last_l0rd_[2] = {0, 0};
  // Output-stationary: wmem (depth x cols weights), N0 (ring of weight rows, like L0), the
  // accumulators [r][c], and the last OS l0_rd / WS l0_rd / os_drain for the drain rules.
  std::vector<int32_t> wmem_;
  std::vector<int32_t> n0_data_;
  std::vector<uint64_t> n0_ready_;
  unsigned n0_head_ = 0, n0_count_ = 0;
  std::vector<int64_t> acc_;
  bool os_used_ = false, ws_used_ = false, drain_used_ = false;
  uint64_t last_os_ = 0, last_ws_ = 0, last_drain_ = 0;
  // OFIFO: ring of psum rows with the first slot an of_rd may pop them.
  std::vector<int64_t> of_data_;
  std::vector<uint64_t> of_ready_;
  unsigned of_head_ = 0, of_count_ = 0;
  // pmem rows (PsumBits values, sign-extended) and the SFP parameters.
  std::vector<int64_t> pmem_;
  std::vector<int32_t> bias_;
  std::vector<uint32_t> mult_;
  std::vector<uint32_t> shift_;
  std::vector<uint32_t> zero_;  // output zero point
  // Output registers: psum_o one step behind of_rd, out_o two steps behind out_rd.
  std::vector<int64_t> psum_next_, psum_vis_;
  bool psum_next_valid_ = false;
  std::vector<int64_t> out_stage_[2], out_vis_;
  bool out_stage_valid_[2] = {false, false};
  // Counters and the previous slot's instruction (counted in its execute cycle).
  Counters ctr_{};
  CounterTrack track_{1, 1};
  Instr prev_{};
};

}  // namespace accel
