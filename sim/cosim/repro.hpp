// Rerun commands, as printed by cosim: they run as printed from the directory cosim ran in (the
// program's own path, relative to it; the model, image and trace paths as the user gave them).
// Only the command line formats them; the scoreboard gives the place of the mismatch.
#pragma once

#include <accel/isa.hpp>
#include <accel/scoreboard.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace accel::cosim {

// This program as typed from the current directory: "build/sim/cosim" from the repository root,
// "./cosim" from its own directory, the absolute path from outside the tree it is in.
std::string self_path();

// What the first run's command line gave that a rerun must repeat.
struct RerunFlags {
  std::string images;             // --images, unless the model's default set
  std::string config;             // --config, if given
  std::string strategy = "auto";  // --strategy
  std::string dataflow = "auto";  // --dataflow
  bool simd = false;              // --simd
};

// cosim layer for the first mismatch of a model run, with a trace of its slot window.
std::string rerun_model_layer(const Scoreboard& sb, const std::string& model_dir, const RerunFlags& f);
// cosim layer for the first mismatch `m` of random layer `seed` (shape flags as given).
std::string rerun_random_layer(const Mismatch& m, const CoreConfig& cfg, uint32_t seed,
                               const std::vector<std::string>& shape_flags, const RerunFlags& f);
// cosim vectors for a vector set just written.
std::string replay_vectors_command(const std::string& dir, const CoreConfig& cfg, int stride);

}  // namespace accel::cosim
