#include <accel/config_text.hpp>
#include <accel/report/run_report.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
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
  return c ? double(network_macs()) / (double(peak_macs()) * c) : 0.0;
}

std::optional<double> RunReport::network_energy_pj() const {
  std::optional<double> sum;
  for (const LayerRow& l : layers)
    if (l.energy_pj)
      for (const double pj : *l.energy_pj) sum = sum.value_or(0) + pj;
  return sum;
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
  accumulate(row, l, l.peak_macs());
  return row;
}

std::vector<StrategyEstimate> estimate_rows(const std::vector<Estimate>& es) {
  std::vector<StrategyEstimate> rows;
  for (const Estimate& e : es)
    rows.push_back({std::string(strategy_name(e.strategy)), e.cycles, std::string(dataflow_name(e.dataflow))});
  return rows;
}

// Estimates are per batch: a row's are their sums, mapping by mapping.
static void add_estimates(LayerRow& row, const std::vector<StrategyEstimate>& es) {
  for (const StrategyEstimate& e : es) {
    auto it = std::find_if(row.estimates.begin(), row.estimates.end(), [&](const StrategyEstimate& x) {
      return x.dataflow == e.dataflow && x.strategy == e.strategy;
    });
    if (it == row.estimates.end())
      row.estimates.push_back(e);
    else
      it->cycles += e.cycles;
  }
}

void add_play(LayerRow& row, const Counters& c, int64_t macs, double seconds, uint64_t peak) {
  row.macs += macs;
  row.cycles += c[0];
  row.compute_cycles += c[1];
  row.weight_load_cycles += c[2];
  row.host_transfer_cycles += c[3];
  row.stall_cycles += c[4];
  row.drain_cycles += c[5];
  for (unsigned k = kNumCycleCounters; k < kNumCounters; ++k) row.events[k - kNumCycleCounters] += c[k];
  row.seconds += seconds;
  row.utilization = row.cycles ? double(row.macs) / (double(peak) * row.cycles) : 0.0;
}

void accumulate(LayerRow& row, const LayerReport& l, uint64_t peak) {
  row.dataflow = std::string(dataflow_name(l.dataflow));
  row.strategy = std::string(strategy_name(l.strategy));
  add_estimates(row, estimate_rows(l.estimates));
  add_play(row, l.counters, l.macs, l.seconds, peak);
  row.schedules += l.schedules;
  row.psum_rows_checked += l.psum_rows;
  row.out_rows_checked += l.out_rows;
}

namespace {

// Adds an estimate part by part (a row without one starts at 0).
void add_parts(std::optional<EnergyParts>& to, const EnergyParts& e) {
  if (!to) to = EnergyParts{};
  for (size_t i = 0; i < e.size(); ++i) (*to)[i] += e[i];
}

}  // namespace

void add_energy(LayerRow& row, const std::array<EventCost, kNumCounters>& costs, const Counters& c) {
  add_parts(row.energy_pj, energy_of(costs, c));
}

RunReport from_model_run(const ModelRun& run) {
  RunReport r;
  for (const LayerReport& l : run.layers) {
    r.layers.push_back(layer_row(l));
    if (!r.layers.back().on_host()) {
      r.rows = l.rows;
      r.cols = l.cols;
      r.lanes = l.lanes;
    }
  }
  r.protocol_errors = run.protocol_errors;
  return r;
}

uint64_t chosen_estimate(const LayerRow& l) {
  for (const StrategyEstimate& e : l.estimates)
    if (e.dataflow == l.dataflow && e.strategy == l.strategy) return e.cycles;
  return 0;
}

void set_scoreboard(RunReport& r, const Scoreboard& sb, const std::string& reproduce) {
  r.psum_values_checked = sb.psum_values_checked();
  r.output_values_checked = sb.output_values_checked();
  r.mismatches = sb.mismatches();
  r.first_mismatches.clear();
  const size_t n = std::min(sb.kept().size(), kListedMismatches);
  r.first_mismatch_fields.clear();
  for (size_t i = 0; i < n; ++i) {
    const Mismatch& m = sb.kept()[i];
    r.first_mismatches.push_back(Scoreboard::format(m));
    const char* kind = m.kind == Mismatch::Kind::Psum ? "psum" : m.kind == Mismatch::Kind::Output ? "output" : "protocol";
    r.first_mismatch_fields.push_back(
        {kind, m.layer, m.image, m.tile, m.column, m.channel, m.y, m.x, m.slot, m.device, m.expected, m.what});
  }
  r.reproduce = sb.kept().empty() ? "" : reproduce;
}

}  // namespace accel::report

namespace accel::report {

namespace {

void merge_row(LayerRow& t, const LayerRow& p, uint64_t peak) {
  if (p.on_host()) return;
  if (!p.strategy.empty()) t.strategy = p.strategy;  // as accumulate(): the latest batch's
  if (!p.dataflow.empty()) t.dataflow = p.dataflow;
  add_estimates(t, p.estimates);
  Counters c{p.cycles, p.compute_cycles, p.weight_load_cycles, p.host_transfer_cycles, p.stall_cycles,
             p.drain_cycles};
  std::copy(p.events.begin(), p.events.end(), c.begin() + kNumCycleCounters);
  add_play(t, c, p.macs, p.seconds, peak);
  if (p.energy_pj) add_parts(t.energy_pj, *p.energy_pj);
  t.schedules += p.schedules;
  t.psum_rows_checked += p.psum_rows_checked;
  t.psum_mismatches += p.psum_mismatches;
  t.out_rows_checked += p.out_rows_checked;
  t.out_mismatches += p.out_mismatches;
  t.protocol_errors += p.protocol_errors;
  if (p.own_mismatches) t.own_mismatches = t.own_mismatches.value_or(0) + *p.own_mismatches;
}

void merge_tally(std::optional<Tally>& t, const std::optional<Tally>& p) {
  if (!p) return;
  if (!t) t = Tally{};
  t->count += p->count;
  t->total += p->total;
}

void merge_confusion(std::vector<std::vector<int>>& t, const std::vector<std::vector<int>>& p) {
  if (p.empty()) return;
  if (t.empty()) {
    t = p;
    return;
  }
  if (t.size() != p.size()) throw std::invalid_argument(fmt::format("not the same run: {} and {} classes", t.size(), p.size()));
  for (size_t i = 0; i < t.size(); ++i)
    for (size_t j = 0; j < t[i].size() && j < p[i].size(); ++j) t[i][j] += p[i][j];
}

// The fields that say which run a report is of.
void check_same_run(const RunReport& t, const RunReport& p) {
  const auto differ = [](const char* what, const auto& a, const auto& b) {
    if (a != b) throw std::invalid_argument(fmt::format("not the same run: {} {} and {}", what, a, b));
  };
  differ("command", t.command, p.command);
  differ("model", t.model_dir, p.model_dir);
  differ("configuration", t.config, p.config);
  differ("products per PE and cycle (the SIMD mode)", t.lanes, p.lanes);
  differ("energy table", t.energy_table, p.energy_table);
  differ("devices", t.devices, p.devices);
  differ("image set", t.images_file, p.images_file);
  differ("images in the set", t.images_in_file, p.images_in_file);
  differ("batch", t.batch, p.batch);
  differ("layers", t.layers.size(), p.layers.size());
  for (size_t i = 0; i < t.layers.size(); ++i) differ("layer", t.layers[i].name, p.layers[i].name);
  if (p.first_image != t.first_image + t.images)
    throw std::invalid_argument(fmt::format("images {}.. do not follow images {}..{}", p.first_image, t.first_image,
                                            t.first_image + t.images - 1));
}

}  // namespace

bool verdict(const RunReport& r) {
  return r.mismatches == 0 && r.protocol_errors == 0 && (!r.agreement || r.agreement->count == r.agreement->total);
}

void merge(RunReport& total, const RunReport& part) {
  check_same_run(total, part);
  total.images += part.images;
  for (size_t i = 0; i < total.layers.size(); ++i) merge_row(total.layers[i], part.layers[i], total.peak_macs());
  merge_tally(total.accuracy, part.accuracy);
  merge_tally(total.golden_accuracy, part.golden_accuracy);
  merge_tally(total.agreement, part.agreement);
  total.psum_values_checked += part.psum_values_checked;
  total.output_values_checked += part.output_values_checked;
  total.mismatches += part.mismatches;
  total.protocol_errors += part.protocol_errors;
  for (const std::string& m : part.first_mismatches)
    if (total.first_mismatches.size() < kListedMismatches) total.first_mismatches.push_back(m);
  for (const MismatchFields& m : part.first_mismatch_fields)
    if (total.first_mismatch_fields.size() < kListedMismatches) total.first_mismatch_fields.push_back(m);
  total.per_image.insert(total.per_image.end(), part.per_image.begin(), part.per_image.end());
  merge_confusion(total.confusion, part.confusion);
  if (total.reproduce.empty()) total.reproduce = part.reproduce;
  total.device_seconds += part.device_seconds;
  total.golden_seconds += part.golden_seconds;
  total.wall_seconds = std::max(total.wall_seconds, part.wall_seconds);
  total.jobs = std::max(total.jobs, part.jobs);
  total.passed = verdict(total);
}

RunReport without_timings(RunReport r) {
  r.device_seconds = r.golden_seconds = r.wall_seconds = 0;
  r.jobs = 1;
  r.shard.reset();
  for (LayerRow& l : r.layers) l.seconds = 0;
  return r;
}

}  // namespace accel::report
