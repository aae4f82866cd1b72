// Option helpers shared by the cosim subcommands: the usage error, configurations by name,
// device options, comma lists and the flags a user gave (for rerun commands).
#pragma once

#include <accel/isa.hpp>

#include <CLI/CLI.hpp>
#include <chrono>
#include <golden/precision.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace accel::cosim {

// A problem with what the user asked for: one "error:" line, exit 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0);

// Progress goes to stderr only for a person watching: a terminal, not CI.
bool show_progress();

// config_by_name, config_for (accel/config_precision.hpp) as usage errors.
const CoreConfig& config_named(const std::string& name);
const CoreConfig& config_for_model(const golden::Precision& p, const std::string& forced);

// --device NAME, its help `before` + the factory's device names ("rtl|functional|systemc") + `after`.
CLI::Option* add_device_option(CLI::App* app, std::string& device, const std::string& before, const std::string& after);

std::vector<std::string> split_commas(const std::string& s);

// Flags to remember as "--flag value" when given (shape flags of random layers, for reruns).
using FlagOptions = std::vector<std::pair<std::string, CLI::Option*>>;
std::vector<std::string> given_flags(const FlagOptions& opts);

}  // namespace accel::cosim
