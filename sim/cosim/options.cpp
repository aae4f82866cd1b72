#include "options.hpp"

#include <accel/config_precision.hpp>
#include <accel/sim/device_factory.hpp>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <system_error>

namespace accel::cosim {

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

bool show_progress() { return isatty(STDERR_FILENO) && std::getenv("CI") == nullptr; }

const CoreConfig& config_named(const std::string& name) {
  try {
    return config_by_name(name);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
}

const CoreConfig& config_for_model(const golden::Precision& p, const std::string& forced, bool simd) {
  try {
    return config_for(p, forced, simd);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
}

CLI::Option* add_device_option(CLI::App* app, std::string& device, const std::string& before,
                               const std::string& after) {
  return app->add_option("--device", device, before + sim::device_list(sim::device_names(), "|", "|") + after);
}

std::optional<Dataflow> parse_dataflow(const std::string& s) {
  if (s == "auto") return std::nullopt;
  if (s == "ws") return Dataflow::WS;
  if (s == "os") return Dataflow::OS;
  throw UsageError(fmt::format("--dataflow '{}': expected ws, os or auto", s));
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

void check_option(const std::string& flag, int64_t v, int64_t lo, int64_t hi) {
  if (v < lo || v > hi) throw UsageError(fmt::format("{} {}: must be {}..{}", flag, v, lo, hi));
}

namespace {

// UsageError naming `what` (flags and values) unless n <= limit.
void check_product(const std::string& what, int64_t n, int64_t limit, const char* unit) {
  if (n > limit) throw UsageError(fmt::format("{}: {} {}, more than the limit of {}", what, n, unit, limit));
}

}  // namespace

void check_random_conv(const RandomConvSpec& s, int batch) {
  check_option("--in-ch", s.in_channels, 1, kMaxChannels);
  check_option("--out-ch", s.out_channels, 1, kMaxChannels);
  check_option("--size", s.height, 1, kMaxSize);
  check_option("--kernel", s.kernel, 1, kMaxKernel);
  check_option("--stride", s.stride, 1, kMaxStride);
  check_option("--padding", s.padding, 0, kMaxPadding);
  const int64_t padded = int64_t{s.height} + 2 * s.padding;
  if (padded < s.kernel)
    throw UsageError(fmt::format("--kernel {}: does not fit the input of --size {} with --padding {}", s.kernel,
                                 s.height, s.padding));
  const int64_t out = (padded - s.kernel) / s.stride + 1;
  const std::string shape = fmt::format("--in-ch {} --out-ch {} --size {} --kernel {} --stride {} --padding {}",
                                        s.in_channels, s.out_channels, s.height, s.kernel, s.stride, s.padding);
  check_product(shape + " (input)", batch * s.in_channels * padded * padded, kMaxRandomValues, "values");
  check_product(shape + " (output)", batch * s.out_channels * out * out, kMaxRandomValues, "values");
  check_product(shape, batch * out * out * s.out_channels * s.in_channels * s.kernel * s.kernel, kMaxRandomMacs,
                "MACs");
}

void check_random_linear(const RandomLinearSpec& s, int batch) {
  check_option("--in-features", s.in_features, 1, kMaxFeatures);
  check_option("--out-features", s.out_features, 1, kMaxFeatures);
  check_product(fmt::format("--in-features {} --out-features {}", s.in_features, s.out_features),
                int64_t{batch} * s.in_features * s.out_features, kMaxRandomMacs, "MACs");
}

void check_output_file(const std::string& flag, const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto bad = [&](const std::string& why) { return UsageError(fmt::format("{} {}: {}", flag, path, why)); };
  if (path.empty()) throw bad("no file name");
  const fs::file_status st = fs::status(path, ec);
  if (fs::exists(st)) {
    if (!fs::is_regular_file(st))
      throw bad(fs::is_directory(st) ? "is a directory" : "exists and is not a regular file");
    if (access(path.c_str(), W_OK) != 0) throw bad("cannot write: " + std::generic_category().message(errno));
    return;
  }
  fs::path dir = fs::absolute(path, ec).parent_path();
  while (!dir.empty() && !fs::exists(dir, ec) && dir != dir.parent_path()) dir = dir.parent_path();
  if (!fs::is_directory(dir, ec)) throw bad(fmt::format("cannot create: {} is not a directory", dir.string()));
  if (access(dir.c_str(), W_OK | X_OK) != 0)
    throw bad(fmt::format("cannot create: {}: {}", dir.string(), std::generic_category().message(errno)));
}

void check_output_dir(const std::string& flag, const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (path.empty()) throw UsageError(fmt::format("{}: no directory name", flag));
  if (!fs::create_directories(path, ec) && !fs::is_directory(path, ec))
    throw UsageError(fmt::format("{} {}: cannot create the directory{}", flag, path, ec ? ": " + ec.message() : ""));
  if (access(path.c_str(), W_OK | X_OK) != 0)
    throw UsageError(fmt::format("{} {}: cannot write: {}", flag, path, std::generic_category().message(errno)));
}

void check_not_given(const CLI::Option* o, const std::string& when) {
  if (o->count() > 0) throw UsageError(fmt::format("{} applies to {}", o->get_name(), when));
}

std::vector<std::string> given_flags(const FlagOptions& opts) {
  std::vector<std::string> given;
  for (const auto& [flag, o] : opts)
    if (o->count() > 0) given.push_back(flag + " " + o->as<std::string>());
  return given;
}

}  // namespace accel::cosim

namespace accel::cosim {

report::EnergyTable load_energy_table(const std::string& path, std::string& label) {
  const std::string file =
      path.empty() ? (std::filesystem::path(ACCEL_ROOT) / report::kDefaultEnergyTable).string() : path;
  try {
    report::EnergyTable t = report::read_energy_table(file);
    label = fmt::format("{}, {}", t.name.empty() ? "unnamed table" : t.name,
                        path.empty() ? std::string(report::kDefaultEnergyTable) : path);
    return t;
  } catch (const std::runtime_error& e) {
    throw UsageError(fmt::format("--energy {}", e.what()));
  }
}

}  // namespace accel::cosim
