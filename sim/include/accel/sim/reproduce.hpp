// The command lines that rerun a scoreboard mismatch with a trace around its place. Only the
// command-line layer knows its own flags, so the scoreboard gives places (accel::Mismatch) and
// cosim formats the commands here.
#pragma once

#include <fmt/format.h>

#include <accel/scoreboard.hpp>
#include <string>

namespace accel::sim {

// cosim layer --model DIR --layer NAME --image I --device rtl --trace out.fst [--trace-window A:B]
// The window is the place's single-image one: `cosim layer --image` tiles that image alone.
inline std::string rerun_model_layer(const Mismatch& m, const std::string& model_dir) {
  std::string cmd = fmt::format("cosim layer --model {} --layer {} --image {} --device rtl --trace out.fst",
                                model_dir.empty() ? "<model-dir>" : model_dir, m.layer, m.image);
  if (m.window) cmd += fmt::format(" --trace-window {}:{}", m.window->first, m.window->second);
  return cmd;
}

// cosim layer LAYER_FLAGS --device rtl --trace out.fst [--trace-window A:B], LAYER_FLAGS rebuilding
// the same random layer and batch, so the window is the one in the schedule as played.
inline std::string rerun_random_layer(const Mismatch& m, const std::string& layer_flags) {
  std::string cmd = fmt::format("cosim layer {} --device rtl --trace out.fst", layer_flags);
  if (m.schedule_window)
    cmd += fmt::format(" --trace-window {}:{}", m.schedule_window->first, m.schedule_window->second);
  return cmd;
}

}  // namespace accel::sim
