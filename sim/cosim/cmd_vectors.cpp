// cosim vectors: replays a text vector set on a device and checks it (docs/cosim.md "cosim vectors").
#include <accel/config_text.hpp>
#include <accel/sim/device_factory.hpp>
#include <accel/vectors.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "options.hpp"

namespace accel::cosim {

namespace {

namespace fs = std::filesystem;

struct VectorsArgs {
  std::string dir, config, device{sim::rtl_device_name()}, activation, output;
  std::vector<std::string> weights, psums;
  std::optional<int> stride, padded_width, kernel;
};

ReplayOptions replay_options(const VectorsArgs& a) {
  ReplayOptions opt;
  opt.files.activation = a.activation;
  for (const auto& w : a.weights) opt.files.weights.emplace_back(w);
  for (const auto& p : a.psums) opt.files.psums.emplace_back(p);
  opt.files.output = a.output;
  opt.shape.stride = a.stride;
  opt.shape.padded_width = a.padded_width;
  opt.shape.kernel = a.kernel;
  return opt;
}

int run_vectors(const VectorsArgs& a) {
  if (a.dir.empty()) throw UsageError("give the vector directory: --dir D");
  if (!fs::is_directory(a.dir)) throw UsageError(fmt::format("{}: no such directory", a.dir));
  if (a.stride) check_option("--stride", *a.stride, 1, kMaxStride);
  if (a.kernel) check_option("--kernel", *a.kernel, 1, kMaxKernel);
  if (a.padded_width) check_option("--padded-width", *a.padded_width, 1, kMaxSize + 2 * kMaxPadding);
  const ReplayOptions opt = replay_options(a);
  // An exported set's header names its core: the default, and load_vectors checks --config against it.
  const std::string recorded = read_set_header(a.dir, opt.files).core;
  const CoreConfig& cfg = config_named(!a.config.empty() ? a.config : !recorded.empty() ? recorded : "ece284");
  std::unique_ptr<Device> dev = sim::make_device(a.device, cfg);
  fmt::print("cosim vectors: {} on {} ({}), device {}\n", a.dir, cfg.name, config_widths(cfg), dev->name());
  const ReplayResult r = replay_vectors(a.dir, *dev, opt);
  const std::string text = format_replay(r);
  fmt::print("{}{}", text, text.ends_with("\n") ? "" : "\n");
  fmt::print("result: {}\n", r.passed() ? "PASS" : "FAIL");
  return r.passed() ? 0 : 1;
}

}  // namespace

Command add_vectors_command(CLI::App& app) {
  auto a = std::make_shared<VectorsArgs>();
  CLI::App* c = app.add_subcommand("vectors", "replay a text vector set on a device and check it");
  c->add_option("--dir,dir", a->dir, "directory with activation/weight/psum/output files");
  c->add_option("--config", a->config, "core configuration (default: the one the header records, else ece284)");
  add_device_option(c, a->device, "", fmt::format(" (default {})", sim::rtl_device_name()));
  c->add_option("--activation", a->activation, "activation file (default: found in --dir)");
  c->add_option("--weight", a->weights, "weight files in kij order (repeat)");
  c->add_option("--psum", a->psums, "psum files in kij order, or one with every kij (repeat)");
  c->add_option("--output", a->output, "output file");
  c->add_option("--stride", a->stride, "conv stride (default: the header's, else 1)");
  c->add_option("--padded-width", a->padded_width, "padded input width (default sqrt(lines))");
  c->add_option("--kernel", a->kernel, "kernel size (default sqrt(weight files))");
  return {c, [a] { return run_vectors(*a); }};
}

}  // namespace accel::cosim
