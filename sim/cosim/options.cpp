#include "options.hpp"

#include <accel/config_precision.hpp>
#include <accel/sim/device_factory.hpp>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

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

const CoreConfig& config_for_model(const golden::Precision& p, const std::string& forced) {
  try {
    return config_for(p, forced);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
}

CLI::Option* add_device_option(CLI::App* app, std::string& device, const std::string& before,
                               const std::string& after) {
  return app->add_option("--device", device, before + sim::device_list(sim::device_names(), "|", "|") + after);
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

std::vector<std::string> given_flags(const FlagOptions& opts) {
  std::vector<std::string> given;
  for (const auto& [flag, o] : opts)
    if (o->count() > 0) given.push_back(flag + " " + o->as<std::string>());
  return given;
}

}  // namespace accel::cosim
