#pragma once
// GTKWave layouts made for the trace they view. A trace's signal names depend on the
// configuration (rows, columns, widths) and on the host (core.core.* under the plain harness,
// accel_<cfg>.rtl.core.* under SystemC), so no single saved layout fits every trace: cosim layer
// --trace writes OUT.gtkw beside OUT.fst from the trace's own names (docs/cosim.md "Traces").
#include <string>
#include <vector>

#include "accel/config.hpp"

namespace accel::sim {

// One traced signal as GTKWave names it: the scope path, the name and, for a vector, its range,
// e.g. "core.core.u_corelet.u_l0.act_o[3][7:0]".
struct TraceSignal {
  std::string name;
  unsigned bits = 1;
};

// Every variable of an FST trace (parameters left out). Throws std::runtime_error naming the file
// when it cannot be read as FST.
std::vector<TraceSignal> read_trace_signals(const std::string& fst_path);

// The layout: instruction fields, L0 rows, PE row 0, OFIFO column heads, SFP, counters, for a core
// of configuration cfg. Throws std::runtime_error naming the first signal the layout needs that
// the trace lacks (a renamed RTL signal, or a trace of another configuration).
std::string wave_layout(const std::vector<TraceSignal>& signals, const CoreConfig& cfg, const std::string& trace);

// The signals a layout displays, in order (the lines GTKWave resolves).
std::vector<std::string> layout_signals(const std::string& layout);

// read_trace_signals + wave_layout, written to gtkw_path.
void write_wave_layout(const std::string& fst_path, const std::string& gtkw_path, const CoreConfig& cfg);

}  // namespace accel::sim
