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
  return cmd;
}

}  // namespace

std::string rerun_model_layer(const Scoreboard& sb, const RerunFlags& f) {
  if (sb.kept().empty()) return {};
  // The scoreboard's "cosim layer ..." names the place; the program is ours to name.
  std::string args = sb.repro_command(sb.kept().front());
  if (args.starts_with("cosim ")) args.erase(0, 6);
  return with_flags(self_path() + " " + args, f);
}

std::string rerun_random_layer(const Mismatch& m, const CoreConfig& cfg, uint32_t seed,
                               const std::vector<std::string>& shape_flags, const RerunFlags& f) {
  // From 4 row latencies before the bad row's read-out to 8 slots after it.
  const uint64_t back = 4 * lat::l0rd_to_ofrd(cfg);
  std::string cmd = fmt::format("{} layer --seed {} --config {}", self_path(), seed, cfg.name);
  for (const std::string& g : shape_flags) cmd += " " + g;
  cmd += fmt::format(" --device {} --trace out.fst --trace-window {}:{}", sim::rtl_device_name(),
                     m.slot > back ? m.slot - back : 0, m.slot + 8);
  return with_flags(cmd, RerunFlags{"", "", f.strategy});
}

std::string replay_vectors_command(const std::string& dir, const CoreConfig& cfg, int stride) {
  return fmt::format("{} vectors --dir {} --config {}{}", self_path(), dir, cfg.name,
                     stride != 1 ? fmt::format(" --stride {}", stride) : "");
}

}  // namespace accel::cosim
