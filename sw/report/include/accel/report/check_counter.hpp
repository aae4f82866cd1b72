// A RunObserver in front of the scoreboard that counts, per layer, the rows it checked and the
// values that disagreed: the per-layer "bad" columns of a report.
#pragma once

#include <accel/report/run_report.hpp>
#include <accel/runtime.hpp>
#include <accel/scoreboard.hpp>
#include <cstdint>
#include <map>
#include <span>
#include <string>

namespace accel::report {

struct LayerChecks {
  uint64_t psum_rows = 0, psum_bad = 0, out_rows = 0, out_bad = 0, protocol = 0;
};

class CheckCounter final : public RunObserver {
 public:
  explicit CheckCounter(Scoreboard& sb) : sb_(sb) {}
  void on_psum(const Schedule& s, const Event& e, std::span<const int64_t> row) override;
  void on_out(const Schedule& s, const Event& e, std::span<const int64_t> row) override;
  void on_protocol(const Schedule& s, uint64_t slot, const std::string& what) override;

  // By Schedule::layer_index.
  const std::map<int, LayerChecks>& per_layer() const { return per_layer_; }
  LayerChecks of_layer(int index) const;
  // The counts into a layer row (rows checked, psum and output mismatches, protocol errors).
  void fill(LayerRow& row, int index) const;

 private:
  Scoreboard& sb_;
  std::map<int, LayerChecks> per_layer_;
};

}  // namespace accel::report
