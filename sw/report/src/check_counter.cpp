#include <accel/report/check_counter.hpp>

namespace accel::report {

void CheckCounter::on_psum(const Schedule& s, const Event& e, std::span<const int64_t> row) {
  const uint64_t before = sb_.mismatches();
  sb_.on_psum(s, e, row);
  LayerChecks& c = per_layer_[s.layer_index];
  ++c.psum_rows;
  c.psum_bad += sb_.mismatches() - before;
}

void CheckCounter::on_out(const Schedule& s, const Event& e, std::span<const int64_t> row) {
  const uint64_t before = sb_.mismatches();
  sb_.on_out(s, e, row);
  LayerChecks& c = per_layer_[s.layer_index];
  ++c.out_rows;
  c.out_bad += sb_.mismatches() - before;
}

void CheckCounter::on_protocol(const Schedule& s, uint64_t slot, const std::string& what) {
  sb_.on_protocol(s, slot, what);
  ++per_layer_[s.layer_index].protocol;
}

LayerChecks CheckCounter::of_layer(int index) const {
  const auto it = per_layer_.find(index);
  return it == per_layer_.end() ? LayerChecks{} : it->second;
}

void CheckCounter::fill(LayerRow& row, int index) const {
  const LayerChecks c = of_layer(index);
  row.psum_rows_checked = c.psum_rows;
  row.psum_mismatches = c.psum_bad;
  row.out_rows_checked = c.out_rows;
  row.out_mismatches = c.out_bad;
  row.protocol_errors = c.protocol;
}

}  // namespace accel::report
