// cosim mnist: a quantized CNN on an IDX image set, every psum and output checked against golden
// (docs/cosim.md "cosim mnist").
#include <accel/config_text.hpp>
#include <accel/report/check_counter.hpp>
#include <accel/report/report_json.hpp>
#include <accel/report/report_text.hpp>
#include <accel/runtime.hpp>
#include <accel/scoreboard.hpp>
#include <accel/report/run_report.hpp>
#include <accel/sim/device_factory.hpp>
#include <fmt/format.h>
#include <random>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <optional>
#include <cstdio>
#include <limits>
#include <golden/idx.hpp>
#include <golden/input_file.hpp>
#include <golden/model.hpp>
#include <golden/network.hpp>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "commands.hpp"
#include "defect_device.hpp"
#include "fault_option.hpp"
#include "model_inputs.hpp"
#include "options.hpp"
#include "parallel.hpp"
#include "report_files.hpp"
#include "repro.hpp"

namespace accel::cosim {

namespace {

using report::RunReport;

struct MnistArgs {
  std::string model, images, labels, device{sim::rtl_device_name()}, rtl_layers, config;
  ReportFiles out;  // --json, --csv, --html
  std::string inject;  // test hook: a layer whose expected outputs are corrupted
  std::string defect;  // test hook: a layer whose device has a wrong saturation bound
  std::string energy;  // --energy FILE
  report::EnergyTable energy_table;  // loaded from it (run_mnist)
  std::string energy_label;
  std::string shard;   // --shard K/N
  std::string fault;   // --fault SPEC
  std::string dataflow = "auto";
  bool simd = false;
  int limit = 0, batch = 100, jobs = 0;
  int random_images = 0;  // --random-images N: seeded random inputs of the model's shape, no labels
  uint32_t seed = 1;
  bool device_given = false;
  bool seed_given = false;
  bool random_given = false;
  bool other_data_set = false;  // --other-data-set: no check_data_set
};

// --random-images: n inputs of the model's {C, H, W} input, uniform bytes from `seed`, as an
// image set of C*H rows of W (image(i) is then the C*H*W bytes golden::run_network takes).
golden::Dataset random_dataset(const golden::Model& m, int n, uint32_t seed) {
  golden::Dataset d;
  d.images.path = fmt::format("random inputs (seed {})", seed);
  d.images.count = n;
  d.images.rows = m.input.at(0) * m.input.at(1);
  d.images.cols = m.input.at(2);
  d.images.pixels.resize(size_t(n) * d.images.rows * d.images.cols);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> px(0, 255);
  for (uint8_t& p : d.images.pixels) p = uint8_t(px(rng));
  return d;
}

// Golden traces of the current batch only (a trace of every image of a large set would not fit).
class BatchValues final : public ExpectedValues {
 public:
  explicit BatchValues(const golden::Model& m) : m_(m) {}
  void set_batch(std::span<const std::span<const uint8_t>> images, std::span<const int> ids) {
    cur_.reset();
    cur_ = std::make_unique<GoldenModelValues>(m_, images, ids);
  }
  const golden::Precision& precision() const override { return m_.precision; }
  const golden::Tensor& input(int li, const golden::Layer& l, int image) override { return cur_->input(li, l, image); }
  const golden::Tensor& output(int li, const golden::Layer& l, int image) override {
    return cur_->output(li, l, image);
  }
  const golden::NetworkTrace& trace(int image) const { return cur_->trace(image); }

 private:
  const golden::Model& m_;
  std::unique_ptr<GoldenModelValues> cur_;
};

// One device per name, made on first use.
class DevicePool {
 public:
  explicit DevicePool(const CoreConfig& cfg) : cfg_(cfg) {}
  Device& get(const std::string& name) {
    auto& d = devices_[name];
    if (!d) d = sim::make_device(name, cfg_);
    return *d;
  }

 private:
  const CoreConfig& cfg_;
  std::map<std::string, std::unique_ptr<Device>> devices_;
};

// The device of each model layer ("host": max-pool and flatten): --rtl-layers on the RTL, the
// others on --device (default then functional; --device systemc puts them on the SystemC model).
std::vector<std::string> place_layers(const golden::Model& model, const MnistArgs& a) {
  std::set<std::string> on_rtl;
  std::string default_device = a.device;
  if (!a.rtl_layers.empty()) {
    const std::vector<std::string> names = split_commas(a.rtl_layers);
    if (names.empty() || std::count(a.rtl_layers.begin(), a.rtl_layers.end(), ',') + 1 != std::ptrdiff_t(names.size()))
      throw UsageError(fmt::format("--rtl-layers '{}': an empty layer name (expected names like conv2,fc1)",
                                   golden::printable(a.rtl_layers)));
    for (const std::string& name : names)
      on_rtl.insert(model.layers[size_t(layer_index(model, name))].name);
    if (!a.device_given) default_device = sim::functional_device_name();
  }
  sim::check_device_name(default_device);
  std::vector<std::string> device(model.layers.size(), "host");
  for (size_t i = 0; i < model.layers.size(); ++i)
    if (model.layers[i].has_weights())
      device[i] = on_rtl.count(model.layers[i].name) ? std::string(sim::rtl_device_name()) : default_device;
  return device;
}

// --shard K/N: the K-th (1-based) of N near-equal runs of whole batches, so that a shard's batches
// are the same batches a whole run plays (a linear layer's cycles depend on the batch).
struct BatchRange {
  int first = 0, last = 0;  // batches [first, last)
};

BatchRange shard_batches(const std::string& shard, int batches, std::optional<RunReport::Shard>& parsed) {
  if (shard.empty()) return {0, batches};
  // from_chars: no sign, no spaces, no overflow into undefined behaviour (sscanf's %d has it).
  int k = 0, n = 0;
  const char *p = shard.data(), *end = p + shard.size();
  const auto [pk, ek] = std::from_chars(p, end, k);
  const auto [pn, en] = ek == std::errc{} && pk != end && *pk == '/'
                            ? std::from_chars(pk + 1, end, n)
                            : std::from_chars_result{pk, std::errc::invalid_argument};
  if (ek != std::errc{} || en != std::errc{} || pn != end || n < 1 || k < 1 || k > n)
    throw UsageError(fmt::format("--shard {}: expected K/N with 1 <= K <= N", shard));
  if (n > batches)
    throw UsageError(fmt::format("--shard {}: {} shards of {} batches; use at most {} shards (or a smaller --batch)",
                                 shard, n, batches, batches));
  parsed = RunReport::Shard{k, n};
  return {int(int64_t(k - 1) * batches / n), int(int64_t(k) * batches / n)};
}

// One worker thread's own devices (each RTL device its own Verilated model and context), golden
// values and scoreboard; a batch in, that batch's report out.
class BatchWorker {
 public:
  BatchWorker(const MnistArgs& a, const golden::Model& model, const CoreConfig& cfg, const golden::Dataset& data,
              const std::vector<std::string>& layer_device, FaultOption& fault)
      : a_(a),
        model_(model),
        cfg_(cfg),
        data_(data),
        layer_device_(layer_device),
        pool_(cfg),
        expected_(model),
        fault_(fault),
        costs_(report::event_costs(a.energy_table, cfg, a.simd)) {
    for (size_t i = 0; i < model.layers.size(); ++i)
      if (layer_device[i] != "host") pool_.get(layer_device[i]);  // models built and loaded before any thread runs
    if (fault.active()) fault.arm(pool_.get(std::string(sim::rtl_device_name())));  // one worker (run_mnist)
    if (!a.defect.empty()) {
      defect_layer_ = layer_index(model, a.defect);
      defect_ = std::make_unique<SaturationDefect>(pool_.get(layer_device[size_t(defect_layer_)]));
    }
  }

  // Images [first, first + count) as one run_model call, into a copy of `skeleton`.
  RunReport run(const RunReport& skeleton, int first, int count);

 private:
  void tally(RunReport& r, const ModelRun& run, int first) const;
  void arm_inject(Scoreboard& sb) const;
  Device& device(const golden::Layer& l, int index, int first, int count);
  std::optional<std::string> isolate(RunReport& r, std::span<const std::span<const uint8_t>> images,
                                     std::span<const int> ids, RunOptions ro, const RerunFlags& f);

  const MnistArgs& a_;
  const golden::Model& model_;
  const CoreConfig& cfg_;
  const golden::Dataset& data_;
  const std::vector<std::string>& layer_device_;
  DevicePool pool_;
  BatchValues expected_;
  FaultOption& fault_;
  std::array<report::EventCost, kNumCounters> costs_;
  int defect_layer_ = -1;
  std::unique_ptr<SaturationDefect> defect_;
};

// --inject-mismatch: golden's expected outputs of that layer off by one.
void BatchWorker::arm_inject(Scoreboard& sb) const {
  if (a_.inject.empty()) return;
  const std::string layer = model_.layers[size_t(layer_index(model_, a_.inject))].name;
  sb.tamper_output = [layer](const Mismatch& place, std::span<int64_t> exp) {
    if (place.layer == layer) exp[0] += 1;
  };
}

Device& BatchWorker::device(const golden::Layer& l, int index, int first, int count) {
  if (index == defect_layer_) return *defect_;
  const std::string& name = layer_device_[size_t(index)];
  if (name == sim::rtl_device_name())
    fault_.entering(fmt::format("layer {} of images {}..{}", l.name, first, first + count - 1));
  return pool_.get(name);
}

// Root cause (docs/cosim.md "Own and inherited mismatches"): a batch with mismatches runs again
// with every device layer on golden's input; what a layer still gets wrong there is its own. A
// batch without mismatches ran on golden's input already (its inputs matched), so its own counts
// are 0. The rerun command then points at an own mismatch, which cosim layer (golden's input)
// reproduces; an inherited one it would not. A --fault does not repeat: no own counts.
std::optional<std::string> BatchWorker::isolate(RunReport& r, std::span<const std::span<const uint8_t>> images,
                                                std::span<const int> ids, RunOptions ro, const RerunFlags& f) {
  if (fault_.active()) return std::nullopt;
  if (r.mismatches == 0 && r.protocol_errors == 0) {
    for (report::LayerRow& l : r.layers)
      if (!l.on_host()) l.own_mismatches = 0;
    return std::nullopt;
  }
  Scoreboard sb(expected_);
  arm_inject(sb);
  report::CheckCounter checks(sb);
  ro.layer_input = [this](int li, int image) { return expected_.input(li, model_.layers[size_t(li)], image); };
  const int first = ids.front(), count = int(ids.size());
  const DeviceFor device_for = [&](const golden::Layer& l, int index) -> Device& { return device(l, index, first, count); };
  const ModelRun run = run_model(model_, images, device_for, &checks, ro, ids);
  for (size_t l = 0; l < run.layers.size(); ++l) {
    if (r.layers[l].on_host()) continue;
    const report::LayerChecks c = checks.of_layer(int(l));
    r.layers[l].own_mismatches = c.psum_bad + c.out_bad + c.protocol;
  }
  if (sb.kept().empty()) return std::nullopt;
  return rerun_model_layer(sb, a_.model, f);
}

RunReport BatchWorker::run(const RunReport& skeleton, int first, int count) {
  std::vector<std::span<const uint8_t>> images;
  std::vector<int> ids;
  for (int i = first; i < first + count; ++i) {
    images.push_back(data_.images.image(i));
    ids.push_back(i);
  }
  RunReport r = skeleton;
  r.images = count;
  r.first_image = first;
  const auto tg = Clock::now();
  expected_.set_batch(images, ids);
  r.golden_seconds = seconds_since(tg);
  Scoreboard sb(expected_);
  arm_inject(sb);
  report::CheckCounter checks(sb);
  const DeviceFor device_for = [&](const golden::Layer& l, int index) -> Device& { return device(l, index, first, count); };
  RunOptions ro;
  ro.tiler.dataflow = parse_dataflow(a_.dataflow);
  ro.tiler.simd = a_.simd;
  const ModelRun run = run_model(model_, images, device_for, &checks, ro, ids);
  r.protocol_errors = run.protocol_errors;
  for (size_t l = 0; l < run.layers.size(); ++l) {
    if (r.layers[l].on_host()) continue;
    report::accumulate(r.layers[l], run.layers[l], run.layers[l].peak_macs());
    report::add_energy(r.layers[l], costs_, run.layers[l].counters);
    checks.fill(r.layers[l], int(l));
    r.device_seconds += run.layers[l].seconds;
  }
  tally(r, run, first);
  RerunFlags f;
  if (!model_.reference || a_.images != default_images(model_)) f.images = a_.images;
  f.config = a_.config;
  f.dataflow = a_.dataflow;
  f.simd = a_.simd;
  report::set_scoreboard(r, sb, rerun_model_layer(sb, a_.model, f));
  if (const std::optional<std::string> own = isolate(r, images, ids, ro, f)) r.reproduce = *own;
  r.passed = report::verdict(r);
  return r;
}

void BatchWorker::tally(RunReport& r, const ModelRun& run, int first) const {
  const int count = int(run.logits.size());
  const bool labelled = !data_.labels.labels.empty();  // random inputs: no accuracy
  r.accuracy = r.golden_accuracy = r.agreement = report::Tally{0, count};
  if (!labelled) r.accuracy = r.golden_accuracy = std::nullopt;
  const size_t classes = size_t(model_.classes());
  if (labelled) r.confusion.assign(classes, std::vector<int>(classes, 0));
  const double share = count ? double(r.network_cycles()) / count : 0.0;
  for (int i = 0; i < count; ++i) {
    const golden::NetworkTrace& g = expected_.trace(first + i);
    const int predicted = run.predicted[size_t(i)];
    report::ImageResult& img = r.per_image.emplace_back(
        report::ImageResult{first + i, std::nullopt, predicted, g.predicted(), run.logits[size_t(i)] == g.logits().data, share});
    r.agreement->count += img.logits_identical;
    if (!labelled) continue;
    const int label = data_.labels.labels[size_t(first + i)];
    img.label = label;
    r.accuracy->count += predicted == label;
    r.golden_accuracy->count += g.predicted() == label;
    if (predicted >= 0 && size_t(predicted) < classes) ++r.confusion[size_t(label)][size_t(predicted)];
  }
}

// The whole run: the layers placed, the batches of the shard on the workers, their reports merged
// in batch order.
class MnistRun {
 public:
  MnistRun(const MnistArgs& a, const golden::Model& model, const CoreConfig& cfg, const golden::Dataset& data,
           FaultOption& fault)
      : a_(a), model_(model), cfg_(cfg), data_(data), layer_device_(place_layers(model, a)), fault_(fault) {}

  // Returns the exit code.
  int run(int n, Clock::time_point t_start);

 private:
  RunReport skeleton() const;
  void progress(bool last) const;

  const MnistArgs& a_;
  const golden::Model& model_;
  const CoreConfig& cfg_;
  const golden::Dataset& data_;
  std::vector<std::string> layer_device_;
  FaultOption& fault_;
  int images_ = 0;
  std::atomic<int> images_done_{0};
  std::atomic<uint64_t> cycles_done_{0};
  Clock::time_point t_run_;
};

// What every batch report starts from: the run, the layers and where they run; no images yet.
RunReport MnistRun::skeleton() const {
  RunReport r;
  r.command = "mnist";
  r.model = model_.name;
  r.model_dir = a_.model;
  report::set_config(r, cfg_);
  r.lanes = lanes(a_.simd);
  r.energy_table = a_.energy_label;
  for (size_t i = 0; i < model_.layers.size(); ++i) {
    r.layers.push_back(report::named_row(model_.layers[i].name, model_.layers[i].describe(), layer_device_[i]));
    if (r.layers.back().on_host()) continue;
    r.devices += fmt::format("{}{}={}", r.devices.empty() ? "" : ", ", model_.layers[i].name, layer_device_[i]);
  }
  r.images_in_file = data_.images.count;
  r.images_file = a_.random_images > 0 ? data_.images.path : a_.images;
  r.batch = a_.batch;
  r.accuracy = r.golden_accuracy = r.agreement = report::Tally{0, 0};
  if (a_.random_images > 0) r.accuracy = r.golden_accuracy = std::nullopt;
  return r;
}

int MnistRun::run(int n, Clock::time_point t_start) {
  const int batches = (n + a_.batch - 1) / a_.batch;
  std::optional<RunReport::Shard> shard;
  const BatchRange range = shard_batches(a_.shard, batches, shard);
  const int first = range.first * a_.batch, last = std::min(n, range.last * a_.batch);
  // SystemC elaborates one kernel per process: its layers run on one thread.
  const bool systemc = std::count(layer_device_.begin(), layer_device_.end(), "systemc") > 0;
  // A fault goes into the one RTL device of the one worker (check_fault_run).
  const int jobs = systemc || fault_.active() ? 1 : worker_count(a_.jobs, range.last - range.first);
  if (fault_.active() && std::count(layer_device_.begin(), layer_device_.end(), sim::rtl_device_name()) == 0)
    throw UsageError(fmt::format("--fault needs a layer on the {} device", sim::rtl_device_name()));
  std::vector<std::unique_ptr<BatchWorker>> workers;
  for (int w = 0; w < jobs; ++w)
    workers.push_back(std::make_unique<BatchWorker>(a_, model_, cfg_, data_, layer_device_, fault_));
  const RunReport base = skeleton();
  RunReport total = base;
  total.first_image = first;
  total.shard = shard;
  total.jobs = jobs;
  RunReport header = total;
  header.images = images_ = last - first;
  fmt::print("{}", report::text_header(header));
  std::fflush(stdout);
  t_run_ = Clock::now();
  const std::vector<RunReport> parts = parallel_map<RunReport>(
      range.last - range.first, jobs,
      [&](int w, int i) {
        const int b0 = (range.first + i) * a_.batch;
        RunReport r = workers[size_t(w)]->run(base, b0, std::min(a_.batch, n - b0));
        images_done_ += r.images;
        cycles_done_ += r.network_cycles();
        return r;
      },
      [&] { progress(images_done_ == images_); });
  for (const RunReport& p : parts) report::merge(total, p);
  total.wall_seconds = seconds_since(t_start);
  fmt::print("{}", fault_.result());
  fmt::print("{}", report::text_results(total));
  write_report_files(total, a_.out);
  return total.passed ? 0 : 1;
}

void MnistRun::progress(bool last) const {
  if (!show_progress()) return;
  const double el = seconds_since(t_run_);
  const int done = images_done_;
  fmt::print(stderr, "\rimages {}/{}, {:.2f} M simulated cycles/s, ETA {:.0f} s   ", done, images_,
             el > 0 ? double(cycles_done_) / el / 1e6 : 0.0, done ? el / done * (images_ - done) : 0.0);
  if (last) fmt::print(stderr, "\n");
}

// --fault: one worker (with several, which device runs which batch would depend on timing) and
// the whole run (a shard's report would not say which fault it ran with).
void check_fault_run(const MnistArgs& a) {
  if (a.fault.empty()) return;
  if (a.jobs > 1) throw UsageError(fmt::format("--fault needs one worker: --jobs 1, not --jobs {}", a.jobs));
  if (!a.shard.empty()) throw UsageError("--fault applies to a whole run, not to --shard");
}

int run_mnist(MnistArgs& a) {
  const auto t_start = Clock::now();
  check_fault_run(a);
  FaultOption fault(a.fault);
  check_option("--batch", a.batch, 1, kMaxBatch);
  parse_dataflow(a.dataflow);  // a bad value is a usage error before anything runs
  check_option("--limit", a.limit, 0, std::numeric_limits<int>::max());
  check_option("--jobs", a.jobs, 0, 1024);
  check_report_files(a.out);
  const golden::Model model = load_model_checked(a.model);
  const CoreConfig& cfg = config_for_model(model.precision, a.config, a.simd);
  fault.check(cfg);
  a.energy_table = load_energy_table(a.energy, a.energy_label);
  for (const golden::Layer& l : model.layers)
    if (l.name == a.defect && !l.has_weights())
      throw UsageError(fmt::format("--inject-defect {}: a host layer (max-pool, flatten) runs on no device", a.defect));
  golden::Dataset data;
  if (a.random_given) {
    if (!a.images.empty() || !a.labels.empty())
      throw UsageError("--random-images replaces --images and --labels: give one or the other");
    check_option("--random-images", a.random_images, 1, 1000000);
    data = random_dataset(model, a.random_images, a.seed);
  } else {
    if (a.images.empty() != a.labels.empty())
      throw UsageError("give --images and --labels together (or neither: the model's own data set)");
    if (a.seed_given) throw UsageError("--seed applies to --random-images");
    if (a.images.empty()) {
      a.images = default_images(model);
      a.labels = default_labels(model);
    }
    data = golden::read_idx_dataset(a.images, a.labels);
    golden::check_not_empty(data.images);
    check_images_fit(model, data.images);
    golden::check_label_range(data.labels, model.classes());
    if (!a.other_data_set) check_data_set(model, data.images, a.images);
  }
  if (a.limit > data.images.count)
    throw UsageError(fmt::format("--limit {}: {} has {} images", a.limit, a.images, data.images.count));
  const int n = a.limit > 0 ? a.limit : data.images.count;
  MnistRun run(a, model, cfg, data, fault);
  return run.run(n, t_start);
}

}  // namespace

Command add_mnist_command(CLI::App& app) {
  auto a = std::make_shared<MnistArgs>();
  CLI::App* c = app.add_subcommand("mnist", "a quantized CNN on an IDX image set, every psum and output checked");
  c->add_option("--model", a->model, "model directory (model.json + .npy)")->required();
  c->add_option("--images", a->images, "IDX3 images, raw or .gz (default: the model's own reference set)");
  c->add_option("--labels", a->labels, "IDX1 labels, raw or .gz (default: the model's own reference labels)");
  c->add_flag("--other-data-set", a->other_data_set,
              "run --images that do not look like the model's data set (pixel statistics) anyway");
  CLI::Option* random = c->add_option("--random-images", a->random_images,
                "N seeded random inputs of the model's input shape instead (any channel count; no accuracy)");
  CLI::Option* seed = c->add_option("--seed", a->seed, "seed of --random-images (default 1)");
  c->add_option("--limit", a->limit, "first N images only (0: all)");
  c->add_option("--batch", a->batch, "images per run_model call (default 100, at most 1000)");
  CLI::Option* dev = add_device_option(
      c, a->device, "default device of the conv/linear layers: ", " (systemc: all of them on the SystemC model)");
  c->add_option("--rtl-layers", a->rtl_layers,
                "comma-separated layers on the RTL (the rest: --device, default functional)");
  c->add_option("--json", a->out.json, "write the report as JSON");
  c->add_option("--csv", a->out.csv, "write DIR/images.csv (per-image results) and DIR/confusion.csv");
  c->add_option("--html", a->out.html, "write the HTML report (FILE.html, or DIR for DIR/index.html)");
  c->add_option("--jobs", a->jobs, "worker threads, each with its own models (0: one per core; default 0)");
  c->add_option("--shard", a->shard,
                "K/N: only the K-th of N equal parts of the batches (its report merges with cosim merge)");
  c->add_option("--config", a->config, "core configuration (default: from the model's bit widths)");
  c->add_option("--dataflow", a->dataflow, kDataflowHelp);
  c->add_flag("--simd", a->simd, kSimdHelp);
  c->add_option("--fault", a->fault,
                "flip one bit in the RTL core: psum:R,C,BIT@CYCLE, weight:R,C,BUF,BIT@CYCLE, xmem:ADDR,BIT@CYCLE or "
                "pmem:ADDR,BIT@CYCLE (core cycles of the RTL device from its creation; one worker)");
  c->add_option("--energy", a->energy, kEnergyHelp);
  c->add_option("--inject-defect", a->defect,
                "test hook: this layer's device saturates outputs at the signed bound (a wrong SFP bound)");
  c->add_option("--inject-mismatch", a->inject, "test hook: corrupt golden's expected outputs of this layer")
      ->group("");
  return {c, [a, dev, seed, random] {
            a->random_given = random->count() > 0;
            a->device_given = dev->count() > 0;
            a->seed_given = seed->count() > 0;
            return run_mnist(*a);
          }};
}

}  // namespace accel::cosim
