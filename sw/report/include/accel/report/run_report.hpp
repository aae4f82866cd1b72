// One run of cosim (mnist, layer, ...), as data: what ran where, per-layer rows (strategy,
// estimates, MACs, cycles by category, utilization, checked rows and mismatches), accuracy and
// agreement where they apply, the scoreboard's first mismatches and the rerun command. Filled from
// the runtime's ModelRun/LayerReport and the scoreboard; the writers (report_text.hpp,
// report_json.hpp) only read it.
#pragma once

#include <accel/report/energy.hpp>
#include <accel/runtime.hpp>
#include <accel/scoreboard.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace accel::report {

struct StrategyEstimate {
  std::string strategy;  // strategy_name()
  uint64_t cycles = 0;
  std::string dataflow = "ws";  // dataflow_name()
  bool operator==(const StrategyEstimate&) const = default;
};

// The tiler's estimates as rows ("ws im2col 1234" in the text).
std::vector<StrategyEstimate> estimate_rows(const std::vector<Estimate>& es);

// The one schedule a single-layer run played.
struct ScheduleShape {
  uint64_t slots = 0, passes = 0, psum_rows = 0, out_rows = 0;
  bool operator==(const ScheduleShape&) const = default;
};

struct LayerRow {
  std::string name, describe;
  std::string device;  // "host" (max-pool, flatten): nothing below is set
  std::string dataflow;  // dataflow_name(): "ws", "os"
  std::string strategy;
  std::vector<StrategyEstimate> estimates;
  int64_t macs = 0;
  uint64_t cycles = 0, compute_cycles = 0, weight_load_cycles = 0, host_transfer_cycles = 0, stall_cycles = 0,
           drain_cycles = 0;  // output-stationary drain (docs/isa.md "Performance counters")
  double utilization = 0;  // macs / (peak MACs per cycle * cycles), peak = rows * cols * lanes
  int schedules = 0;
  uint64_t psum_rows_checked = 0, psum_mismatches = 0;
  uint64_t out_rows_checked = 0, out_mismatches = 0, protocol_errors = 0;
  // Root cause (mnist): the layer's mismatching values (psums, outputs, protocol) when it runs on
  // golden's input; the rest of its mismatches are inherited from the layers before it. Absent
  // when not measured (cosim layer, which runs on golden's input anyway; --fault, which does not
  // repeat).
  std::optional<uint64_t> own_mismatches;
  // The event counters (accel::Counter ids kNumCycleCounters..), summed over the layer's schedules,
  // and the energy estimate they give (energy.hpp, by kEnergyParts; absent without a table).
  std::array<uint64_t, kNumCounters - kNumCycleCounters> events{};
  std::optional<EnergyParts> energy_pj;
  double seconds = 0;  // device time
  std::optional<ScheduleShape> schedule;

  bool on_host() const { return device == "host"; }
  bool operator==(const LayerRow&) const = default;
};

// The tiler's estimate of the mapping the layer ran with (0 if the report has none).
uint64_t chosen_estimate(const LayerRow& l);

// `count` of `total` images (correct predictions, bit-identical logits).
struct Tally {
  int count = 0, total = 0;
  double percent() const { return total ? 100.0 * count / total : 0.0; }
  bool operator==(const Tally&) const = default;
};

// mnist: one image's result (docs/cosim.md "Per-image results").
struct ImageResult {
  int image = 0;             // index in the image set
  std::optional<int> label;  // absent for --random-images
  int predicted = 0, golden_predicted = 0;
  bool logits_identical = false;  // the device's logits equal golden's, every one
  // The image's share of its batch: the batch's network cycles / its images (the images of a
  // batch share the array's schedules, so one image's own cycles do not exist).
  double cycles = 0;
  bool operator==(const ImageResult&) const = default;
};

// A listed mismatch as fields, beside its text in first_mismatches (scoreboard.hpp Mismatch).
struct MismatchFields {
  std::string kind;  // "psum", "output", "protocol"
  std::string layer;
  int image = 0;
  std::string tile;                          // the tile of the schedule (Schedule::describe)
  int column = -1, channel = -1, y = -1, x = -1;  // -1: does not apply
  uint64_t slot = 0;                         // of_rd / out_rd slot (protocol: the step)
  int64_t device = 0, expected = 0;
  std::string what;  // protocol: the runtime's message
  bool operator==(const MismatchFields&) const = default;
};

struct RunReport {
  std::string command;           // "mnist", "layer"
  std::string model, model_dir;  // empty for a random layer
  std::optional<uint32_t> seed;  // random layer
  std::string config, widths;    // configuration name, "8x8, 8/8/32"
  std::string energy_table;      // the energy table's name and file, empty without one
  unsigned rows = 0, cols = 0;
  unsigned lanes = 1;   // products per PE and cycle at the peak: 2 in the SIMD mode (--simd)
  std::string devices;  // mnist: "conv1=rtl, ..."; layer: the device
  int images = 0, first_image = 0, images_in_file = 0, batch = 0;
  // mnist: this report is shard `index` (1-based) of `count` (--shard K/N); absent for a whole run.
  struct Shard {
    int index = 0, count = 0;
    bool operator==(const Shard&) const = default;
  };
  std::optional<Shard> shard;
  std::string images_file;
  std::vector<LayerRow> layers;
  std::optional<Tally> accuracy, golden_accuracy, agreement;  // mnist
  uint64_t psum_values_checked = 0, output_values_checked = 0, mismatches = 0, protocol_errors = 0;
  std::vector<std::string> first_mismatches;  // Scoreboard::format, at most kListedMismatches
  std::vector<MismatchFields> first_mismatch_fields;  // the same mismatches as fields
  std::vector<ImageResult> per_image;                 // mnist: in image order
  // mnist with labels: confusion[label][predicted] counts the device's predictions.
  std::vector<std::vector<int>> confusion;
  std::string reproduce;                      // the command that reruns the first mismatch
  std::string trace;                          // layer --trace: the trace file written
  // How the run went, not what it found: timings and the number of worker threads. Reports that
  // differ only here describe the same results (without_timings).
  double device_seconds = 0, golden_seconds = 0, wall_seconds = 0;
  int jobs = 1;
  bool passed = false;

  // Sums over the device layers.
  uint64_t network_cycles() const;
  int64_t network_macs() const;
  uint64_t peak_macs() const { return uint64_t{rows} * cols * lanes; }  // per cycle
  // "8x8, 4/4/32", with ", SIMD mode" when the run used it: what the reports show in parentheses.
  std::string widths_and_mode() const { return lanes > 1 ? widths + ", SIMD mode" : widths; }
  double network_utilization() const;  // network MACs / (peak MACs per cycle * network cycles)
  std::optional<double> network_energy_pj() const;  // the device layers' estimates summed
  double cycles_per_image(uint64_t cycles) const { return images ? double(cycles) / images : 0.0; }
  double simulated_cycles_per_second() const;
  bool operator==(const RunReport&) const = default;
};

inline constexpr size_t kListedMismatches = 10;

// A row with only its name, description and device set.
LayerRow named_row(std::string name, std::string describe, std::string device);
// The configuration fields of a report (name, widths, rows, cols).
void set_config(RunReport& r, const CoreConfig& c);

// A row of a runtime layer report (utilization from its own rows and cols).
LayerRow layer_row(const LayerReport& l);
// Adds one played schedule (or batch of them): counters, MACs, device time; utilization again.
// `peak`: MACs per cycle at the peak (Rows x Cols x lanes), what utilization is measured against.
void add_play(LayerRow& row, const Counters& c, int64_t macs, double seconds, uint64_t peak);
// Adds one more batch of the same layer (counters, MACs, time, schedules) to `row`.
void accumulate(LayerRow& row, const LayerReport& l, uint64_t peak);
// Adds the energy estimate of the counters `c` to `row` (event_costs of the run's table).
void add_energy(LayerRow& row, const std::array<EventCost, kNumCounters>& costs, const Counters& c);
// The rows of a whole model run, and its protocol errors.
RunReport from_model_run(const ModelRun& run);
// The scoreboard's counts, its first mismatches and the rerun command (kept only on a mismatch).
void set_scoreboard(RunReport& r, const Scoreboard& sb, const std::string& reproduce);

// PASS: no mismatching value, no protocol error, and (mnist) every image's logits bit-identical.
bool verdict(const RunReport& r);

// Adds `part`, the report of the images right after those of `total` in the same run (a batch of
// a worker thread, the next shard), to `total`: images, per-layer counters and checks, tallies,
// check counts; the first mismatches and the rerun command stay the earliest ones; device and
// golden time add up, wall time is the longer; the verdict is taken again. Merging the batches of
// a run in order gives what one pass over them reports. std::invalid_argument when `part` comes
// from another run (command, model, configuration, devices, layers, image set or batch differ) or
// does not start where `total` ends.
void merge(RunReport& total, const RunReport& part);

// `r` with timings and the job count cleared, and no shard: what two runs over the same images
// must agree on whatever their parallelism.
RunReport without_timings(RunReport r);

}  // namespace accel::report
