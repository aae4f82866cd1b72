#include "repro.hpp"

#include <accel/sim/device_factory.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <system_error>

namespace accel::cosim {

namespace fs = std::filesystem;

std::string self_path() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "cosim";
  const fs::path rel = exe.lexically_relative(fs::current_path(ec));
  if (ec || rel.empty() || *rel.begin() == "..") return exe.string();
  return rel.has_parent_path() ? rel.string() : (fs::path(".") / rel).string();
}

namespace {

std::string with_flags(std::string cmd, const RerunFlags& f) {
  if (!f.images.empty()) cmd += " --images " + f.images;
  if (!f.config.empty()) cmd += " --config " + f.config;
  if (f.strategy != "auto") cmd += " --strategy " + f.strategy;
  if (f.dataflow != "auto") cmd += " --dataflow " + f.dataflow;
  if (f.simd) cmd += " --simd";
  return cmd;
}

}  // namespace

std::string rerun_model_layer(const Scoreboard& sb, const std::string& model_dir, const RerunFlags& f) {
  if (sb.kept().empty()) return {};
  // The window is the place's single-image one: `cosim layer --image` tiles that image alone.
  const Mismatch& m = sb.kept().front();
  std::string cmd = fmt::format("{} layer --model {} --layer {} --image {} --device {} --trace out.fst", self_path(),
                                model_dir, m.layer, m.image, sim::rtl_device_name());
  if (m.window) cmd += fmt::format(" --trace-window {}:{}", m.window->first, m.window->second);
  return with_flags(cmd, f);
}

std::string rerun_random_layer(const Mismatch& m, const CoreConfig& cfg, uint32_t seed,
                               const std::vector<std::string>& shape_flags, const RerunFlags& f) {
  // The same flags rebuild the same random layer and batch: the window is the played schedule's.
  std::string cmd = fmt::format("{} layer --seed {} --config {}", self_path(), seed, cfg.name);
  for (const std::string& g : shape_flags) cmd += " " + g;
  cmd += fmt::format(" --device {} --trace out.fst", sim::rtl_device_name());
  if (m.schedule_window)
    cmd += fmt::format(" --trace-window {}:{}", m.schedule_window->first, m.schedule_window->second);
  return with_flags(cmd, RerunFlags{"", "", f.strategy, f.dataflow, f.simd});
}

std::string replay_vectors_command(const std::string& dir, const CoreConfig& cfg, int stride) {
  return fmt::format("{} vectors --dir {} --config {}{}", self_path(), dir, cfg.name,
                     stride != 1 ? fmt::format(" --stride {}", stride) : "");
}

}  // namespace accel::cosim
