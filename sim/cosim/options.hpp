// Option helpers shared by the cosim subcommands: the usage error, configurations by name,
// device options, comma lists and the flags a user gave (for rerun commands).
#pragma once

#include <accel/report/energy.hpp>

#include <accel/isa.hpp>
#include <accel/random_layer.hpp>

#include <CLI/CLI.hpp>
#include <chrono>
#include <accel/schedule.hpp>
#include <golden/precision.hpp>
#include <optional>
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
// `simd`: a core whose SIMD mode computes in the model's widths (--simd).
const CoreConfig& config_for_model(const golden::Precision& p, const std::string& forced, bool simd = false);

// --device NAME, its help `before` + the factory's device names ("rtl|functional|systemc") + `after`.
CLI::Option* add_device_option(CLI::App* app, std::string& device, const std::string& before, const std::string& after);

std::vector<std::string> split_commas(const std::string& s);

inline constexpr const char* kSimdHelp =
    "the SIMD mode: activations of half the core's width, two products per PE and cycle on weight-stationary "
    "layers (cores tagged simd in rtl/configs.txt; docs/isa.md)";

// --dataflow ws|os|auto (auto: nullopt, the tiler chooses per layer); UsageError otherwise.
std::optional<Dataflow> parse_dataflow(const std::string& s);
inline constexpr const char* kDataflowHelp =
    "ws|os|auto: weight- or output-stationary on every array layer, or per layer by the tiler's estimate "
    "(default auto)";

// Limits of the options (docs/cosim.md "Limits"), checked before anything is allocated.
inline constexpr int kMaxChannels = 4096, kMaxSize = 4096, kMaxFeatures = 65536, kMaxBatch = 1000;
inline constexpr int kMaxKernel = 32, kMaxStride = 32, kMaxPadding = 32;
inline constexpr int64_t kMaxRandomValues = int64_t{1} << 24;  // any tensor of a random layer and batch
inline constexpr int64_t kMaxRandomMacs = int64_t{1} << 28;    // a random layer times its batch

// UsageError "FLAG V: must be LO..HI" unless lo <= v <= hi.
void check_option(const std::string& flag, int64_t v, int64_t lo, int64_t hi);
// A random layer's shape flags: each in its range, the kernel fits, tensors and MACs (times
// `batch`) within the limits; messages name the flags.
void check_random_conv(const RandomConvSpec& s, int batch);
void check_random_linear(const RandomLinearSpec& s, int batch);
// The file of an output option: an existing one must be a regular file (a FIFO would block) and
// writable, a new one must be creatable (its nearest existing ancestor a writable directory).
void check_output_file(const std::string& flag, const std::string& path);
// `path` is, or is made, a writable directory (--csv DIR).
void check_output_dir(const std::string& flag, const std::string& path);

// --energy FILE (default: the repository's energy/horowitz_45nm.json): the table the run's energy
// estimate uses (docs/energy.md), checked; a bad table is a UsageError naming the file. `label` is
// set to the table's name and file, for the report.
report::EnergyTable load_energy_table(const std::string& path, std::string& label);
inline constexpr const char* kEnergyHelp = "energy table JSON (default energy/horowitz_45nm.json, docs/energy.md)";
// UsageError "FLAG applies to WHEN" if the option was given.
void check_not_given(const CLI::Option* o, const std::string& when);

// Flags to remember as "--flag value" when given (shape flags of random layers, for reruns).
using FlagOptions = std::vector<std::pair<std::string, CLI::Option*>>;
std::vector<std::string> given_flags(const FlagOptions& opts);

}  // namespace accel::cosim
