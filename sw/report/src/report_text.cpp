#include <accel/report/report_text.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace accel::report {

namespace {

std::string mnist_header(const RunReport& r) {
  return fmt::format("cosim mnist: model {} ({}), config {} ({})\n", r.model, r.model_dir, r.config, r.widths_and_mode()) +
         fmt::format("devices: {}\n", r.devices) +
         fmt::format("images: {} of {} from {}, batch {}, deterministic (no seed)\n", r.images, r.images_in_file,
                     r.images_file, r.batch) +
         (r.shard ? fmt::format("shard {}/{}: images {}..{}\n", r.shard->index, r.shard->count, r.first_image,
                                r.first_image + r.images - 1)
                  : "") +
         fmt::format("jobs: {} (worker threads, each with its own models)\n", r.jobs);
}

std::string layer_header(const RunReport& r) {
  const LayerRow none;
  const LayerRow& l = r.layers.empty() ? none : r.layers.front();
  if (!r.seed)
    return fmt::format("cosim layer: model {} layer {} ({}) image {} of {}\n", r.model, l.name, l.describe,
                       r.first_image, r.images_file);
  return fmt::format("cosim layer: random {} ({}), {} input{}, seed {}\n", l.name, l.describe, r.images,
                     r.images == 1 ? "" : "s", *r.seed);
}

std::string mnist_table(const RunReport& r) {
  const auto own_text = [](const LayerRow& l) { return l.own_mismatches ? fmt::format("{}", *l.own_mismatches) : "-"; };
  std::string s = fmt::format(
      "\n{:<8} {:<4} {:<12} {:<10} {:>12} {:>11} {:>11} {:>11} {:>7} {:>6} {:>6} {:>6} {:>6} {:>10} {:>5} {:>9} {:>5} {:>5}\n",
      "layer", "flow", "strategy", "device", "MACs", "cycles", "estimate", "compute", "w-load", "host", "drain", "stall",
      "util", "psum rows", "bad", "out rows", "bad", "own");
  for (const LayerRow& l : r.layers) {
    if (l.on_host()) {
      s += fmt::format("{:<8} {:<4} {:<12} {:<10}\n", l.name, "-", "-", "host");
      continue;
    }
    s += fmt::format(
        "{:<8} {:<4} {:<12} {:<10} {:>12} {:>11} {:>11} {:>11} {:>7} {:>6} {:>6} {:>6} {:>5.1f}% {:>10} {:>5} {:>9} {:>5} {:>5}\n",
        l.name, l.dataflow, l.strategy, l.device, l.macs, l.cycles, chosen_estimate(l), l.compute_cycles, l.weight_load_cycles,
        l.host_transfer_cycles, l.drain_cycles, l.stall_cycles, 100.0 * l.utilization, l.psum_rows_checked,
        l.psum_mismatches, l.out_rows_checked, l.out_mismatches + l.protocol_errors, own_text(l));
  }
  return s;
}

std::string tally(const char* what, const std::optional<Tally>& t, const char* after = "") {
  if (!t) return {};
  return fmt::format("{}: {}/{}{} ({:.2f}%)\n", what, t->count, t->total, after, t->percent());
}

// The device layers' energy estimate (docs/energy.md), if the run had a table.
std::string energy_line(const RunReport& r) {
  const std::optional<double> e = r.network_energy_pj();
  if (!e) return {};
  return fmt::format("energy: {:.3f} uJ, {:.3f} uJ per image (an estimate: {})\n", *e / 1e6,
                     r.images ? *e / 1e6 / r.images : 0.0, r.energy_table);
}

std::string mnist_results(const RunReport& r) {
  const uint64_t cycles = r.network_cycles();
  std::string s = mnist_table(r);
  s += fmt::format(
      "network: {} cycles, {:.0f} cycles per image, {} MACs, utilization {:.1f}% (every cycle of every "
      "layer{})\n",
      cycles, r.cycles_per_image(cycles), r.network_macs(), 100.0 * r.network_utilization(),
      r.lanes > 1 ? fmt::format(", of the SIMD mode's peak of {} MACs per cycle", r.peak_macs()) : "");
  s += energy_line(r);
  s += tally("accuracy", r.accuracy);
  s += tally("golden accuracy", r.golden_accuracy);
  s += tally("agreement with golden", r.agreement, " images with bit-identical logits");
  s += fmt::format(
      "simulated: {:.2f} M cycles/s per device ({} cycles in {:.2f} s on the devices); golden {:.2f} s; wall "
      "time {:.2f} s, {:.2f} M cycles/s end to end\n",
      r.simulated_cycles_per_second() / 1e6, cycles, r.device_seconds, r.golden_seconds, r.wall_seconds,
      r.wall_seconds > 0 ? cycles / r.wall_seconds / 1e6 : 0.0);
  return s;
}

std::string layer_results(const RunReport& r) {
  const LayerRow none;
  const LayerRow& l = r.layers.empty() ? none : r.layers.front();
  return fmt::format(
             "cycles {} (compute {}, weight-load {}, host-transfer {}, drain {}, stall {}), utilization {:.1f}%, "
             "{:.2f} M slots/s\n",
             l.cycles, l.compute_cycles, l.weight_load_cycles, l.host_transfer_cycles, l.drain_cycles, l.stall_cycles,
             100.0 * l.utilization, l.seconds > 0 ? double(l.cycles) / l.seconds / 1e6 : 0.0) +
         energy_line(r) +
         fmt::format("checked: {} psum rows, {} out rows, {} protocol errors\n", l.psum_rows_checked,
                     l.out_rows_checked, r.protocol_errors);
}

}  // namespace

std::string text_header(const RunReport& r) { return r.command == "mnist" ? mnist_header(r) : layer_header(r); }

std::string text_config(const RunReport& r) {
  return fmt::format("config {} ({}), device {}\n", r.config, r.widths_and_mode(), r.devices);
}

std::string text_schedule(const LayerRow& row) {
  const ScheduleShape s = row.schedule.value_or(ScheduleShape{});
  std::string est;
  for (const StrategyEstimate& e : row.estimates) est += fmt::format(" {} {} {}", e.dataflow, e.strategy, e.cycles);
  return fmt::format("schedule: {} {}, {} slots, {} passes, {} psum rows, {} out rows (estimates:{})\n", row.dataflow,
                     row.strategy, s.slots, s.passes, s.psum_rows, s.out_rows, est);
}

std::string text_scoreboard(const RunReport& r) {
  std::string s = fmt::format("scoreboard: {} psum values and {} outputs checked, {} mismatches\n",
                              r.psum_values_checked, r.output_values_checked, r.mismatches);
  for (const std::string& m : r.first_mismatches) s += "  " + m + "\n";
  const uint64_t listed = r.first_mismatches.size();
  if (r.mismatches > listed) s += fmt::format("  ... and {} more\n", r.mismatches - listed);
  if (!r.first_mismatches.empty() && !r.reproduce.empty()) s += "reproduce: " + r.reproduce + "\n";
  return s;
}

std::string text_results(const RunReport& r) {
  return (r.command == "mnist" ? mnist_results(r) : layer_results(r)) + text_scoreboard(r) +
         fmt::format("result: {}\n", r.passed ? "PASS" : "FAIL");
}

std::string format_text(const RunReport& r) {
  std::string s = text_header(r);
  if (r.command != "mnist") {
    s += text_config(r);
    if (!r.layers.empty()) s += text_schedule(r.layers.front());
  }
  return s + text_results(r);
}

std::string text_layer_line(const LayerRow& l) {
  if (l.on_host()) return fmt::format("{:<8} {:<28} host", l.name, l.describe);
  std::string est;
  for (const StrategyEstimate& e : l.estimates) {
    if (!est.empty()) est += ", ";
    est += fmt::format("{} {} {}", e.dataflow, e.strategy, e.cycles);
  }
  return fmt::format(
      "{:<8} {:<28} {:<10} {:<2} {:<12} MACs {:>11}  cycles {:>10} (compute {}, weight {}, host {}, drain {}, stall "
      "{})  util {:5.1f}%  {:.2f} Mslots/s  est: {}",
      l.name, l.describe, l.device, l.dataflow, l.strategy, l.macs, l.cycles, l.compute_cycles, l.weight_load_cycles,
      l.host_transfer_cycles, l.drain_cycles, l.stall_cycles, 100.0 * l.utilization,
      l.seconds > 0 ? double(l.cycles) / l.seconds / 1e6 : 0.0, est);
}

std::string text_summary(const RunReport& r) {
  std::string s;
  for (const LayerRow& l : r.layers) s += text_layer_line(l) + "\n";
  s += fmt::format("network: {} cycles, utilization {:.1f}%\n", r.network_cycles(), 100.0 * r.network_utilization());
  return s;
}

}  // namespace accel::report

namespace accel {

std::string format_report(const ModelRun& run) { return report::text_summary(report::from_model_run(run)); }
std::string format_report(const LayerReport& layer) { return report::text_layer_line(report::layer_row(layer)); }

}  // namespace accel
