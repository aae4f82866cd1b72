// The text writer: a RunReport as the lines cosim prints (docs/cosim.md). A command prints the
// parts as the run goes (the header before the run, the schedule before it is played, the results
// after); format_text() is all of them at once.
#pragma once

#include <accel/report/run_report.hpp>
#include <accel/runtime.hpp>
#include <string>

namespace accel::report {

// mnist: model, configuration, devices, images. layer: the layer and its input.
std::string text_header(const RunReport& r);
// layer: "config NAME (widths), device D".
std::string text_config(const RunReport& r);
// layer: "schedule: strategy, slots, passes, rows (estimates: ...)".
std::string text_schedule(const LayerRow& row);
// mnist: the per-layer table, network, accuracy, agreement, speed. layer: cycles and checks. Then
// the scoreboard summary and "result: PASS|FAIL".
std::string text_results(const RunReport& r);
// The scoreboard summary, the first mismatches and "reproduce: ..." when there are some.
std::string text_scoreboard(const RunReport& r);
std::string format_text(const RunReport& r);

// The runtime's compact form: one line per layer (MACs, cycles by category, utilization, slots/s,
// estimates) and a network line.
std::string text_layer_line(const LayerRow& row);
std::string text_summary(const RunReport& r);

}  // namespace accel::report

namespace accel {

// text_summary(from_model_run(run)), text_layer_line(layer_row(layer)).
std::string format_report(const ModelRun& run);
std::string format_report(const LayerReport& layer);

}  // namespace accel
