// Force-included into every Verilated source (sim/CMakeLists.txt): VL_PRINTF is redirected to
// accel_vl_printf, which echoes to stdout and keeps the text for the harness's exceptions.
#pragma once
#include <string>

int accel_vl_printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

namespace accel::sim::detail {
// Returns and forgets everything Verilator printed since the last call.
std::string take_vl_messages();
// Echo Verilator's messages to stdout (default true).
void set_vl_echo(bool on);
}  // namespace accel::sim::detail
