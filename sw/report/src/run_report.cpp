#include <accel/config_text.hpp>
#include <accel/report/run_report.hpp>

#include <algorithm>
#include <utility>

namespace accel::report {

uint64_t RunReport::network_cycles() const {
  uint64_t n = 0;
  for (const LayerRow& l : layers) n += l.cycles;
  return n;
}

int64_t RunReport::network_macs() const {
  int64_t n = 0;
  for (const LayerRow& l : layers) n += l.macs;
  return n;
}

double RunReport::network_utilization() const {
  const uint64_t c = network_cycles();
  return c ? double(network_macs()) / (double(rows) * cols * c) : 0.0;
}

double RunReport::simulated_cycles_per_second() const {
  return device_seconds > 0 ? double(network_cycles()) / device_seconds : 0.0;
}

void set_config(RunReport& r, const CoreConfig& c) {
  r.config = std::string(c.name);
  r.widths = config_widths(c);
  r.rows = c.rows;
  r.cols = c.cols;
}

LayerRow named_row(std::string name, std::string describe, std::string device) {
  LayerRow row;
  row.name = std::move(name);
  row.describe = std::move(describe);
  row.device = std::move(device);
  return row;
}

LayerRow layer_row(const LayerReport& l) {
  LayerRow row = named_row(l.name, l.describe, l.device);
  if (row.on_host()) return row;
  for (const Estimate& e : l.estimates) row.estimates.push_back({std::string(strategy_name(e.strategy)), e.cycles});
  accumulate(row, l, l.rows, l.cols);
  return row;
}

void add_play(LayerRow& row, const Counters& c, int64_t macs, double seconds, unsigned rows, unsigned cols) {
  row.macs += macs;
  row.cycles += c[0];
  row.compute_cycles += c[1];
  row.weight_load_cycles += c[2];
  row.host_transfer_cycles += c[3];
  row.stall_cycles += c[4];
  row.seconds += seconds;
  row.utilization = row.cycles ? double(row.macs) / (double(rows) * cols * row.cycles) : 0.0;
}

void accumulate(LayerRow& row, const LayerReport& l, unsigned rows, unsigned cols) {
  row.strategy = std::string(strategy_name(l.strategy));
  add_play(row, l.counters, l.macs, l.seconds, rows, cols);
  row.schedules += l.schedules;
  row.psum_rows_checked += l.psum_rows;
  row.out_rows_checked += l.out_rows;
}

RunReport from_model_run(const ModelRun& run) {
  RunReport r;
  for (const LayerReport& l : run.layers) {
    r.layers.push_back(layer_row(l));
    if (!r.layers.back().on_host()) {
      r.rows = l.rows;
      r.cols = l.cols;
    }
  }
  r.protocol_errors = run.protocol_errors;
  return r;
}

void set_scoreboard(RunReport& r, const Scoreboard& sb, const std::string& reproduce) {
  r.psum_values_checked = sb.psum_values_checked();
  r.output_values_checked = sb.output_values_checked();
  r.mismatches = sb.mismatches();
  r.first_mismatches.clear();
  const size_t n = std::min(sb.kept().size(), kListedMismatches);
  for (size_t i = 0; i < n; ++i) r.first_mismatches.push_back(Scoreboard::format(sb.kept()[i]));
  r.reproduce = sb.kept().empty() ? "" : reproduce;
}

}  // namespace accel::report
