// cosim mnist: a quantized CNN on an IDX image set, every psum and output checked against golden
// (docs/cosim.md "cosim mnist").
#include <accel/config_text.hpp>
#include <accel/report/check_counter.hpp>
#include <accel/report/report_json.hpp>
#include <accel/report/report_text.hpp>
#include <accel/runtime.hpp>
#include <accel/scoreboard.hpp>
#include <accel/sim/device_factory.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <golden/idx.hpp>
#include <golden/model.hpp>
#include <golden/network.hpp>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "commands.hpp"
#include "model_inputs.hpp"
#include "options.hpp"
#include "repro.hpp"

namespace accel::cosim {

namespace {

using report::RunReport;

struct MnistArgs {
  std::string model, images, labels, device{sim::rtl_device_name()}, rtl_layers, json_path, config;
  std::string inject;  // test hook: a layer whose expected outputs are corrupted
  int limit = 0, batch = 100;
  bool device_given = false;
};

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
    for (const std::string& name : split_commas(a.rtl_layers))
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

class MnistRun {
 public:
  MnistRun(const MnistArgs& a, const golden::Model& model, const CoreConfig& cfg, const golden::Dataset& data,
           Clock::time_point t_start)
      : a_(a),
        model_(model),
        cfg_(cfg),
        data_(data),
        pool_(cfg),
        expected_(model),
        sb_(expected_),
        checks_(sb_),
        t_start_(t_start) {
    if (!a.inject.empty()) {
      const std::string layer = model.layers[size_t(layer_index(model, a.inject))].name;
      sb_.tamper_output = [layer](const Mismatch& place, std::span<int64_t> exp) {
        if (place.layer == layer) exp[0] += 1;
      };
    }
  }

  void start(int n);
  void run_batch(int b);
  void finish();
  bool passed() const { return r_.passed; }

 private:
  void add_layers(const ModelRun& run);
  void tally(const ModelRun& run, int first, int count);
  void progress(int b) const;

  const MnistArgs& a_;
  const golden::Model& model_;
  const CoreConfig& cfg_;
  const golden::Dataset& data_;
  DevicePool pool_;
  std::vector<std::string> layer_device_;
  BatchValues expected_;
  Scoreboard sb_;
  report::CheckCounter checks_;
  RunReport r_;
  int n_ = 0, batches_ = 0;
  uint64_t cycles_so_far_ = 0;
  Clock::time_point t_start_, t_run_;
};

// Places the layers, makes their devices, prints the header.
void MnistRun::start(int n) {
  n_ = n;
  batches_ = (n + a_.batch - 1) / a_.batch;
  layer_device_ = place_layers(model_, a_);
  r_.command = "mnist";
  r_.model = model_.name;
  r_.model_dir = a_.model;
  report::set_config(r_, cfg_);
  for (size_t i = 0; i < model_.layers.size(); ++i) {
    r_.layers.push_back(report::named_row(model_.layers[i].name, model_.layers[i].describe(), layer_device_[i]));
    if (r_.layers.back().on_host()) continue;
    pool_.get(layer_device_[i]);
    r_.devices += fmt::format("{}{}={}", r_.devices.empty() ? "" : ", ", model_.layers[i].name, layer_device_[i]);
  }
  r_.images = n;
  r_.images_in_file = data_.images.count;
  r_.images_file = a_.images;
  r_.batch = a_.batch;
  r_.accuracy = r_.golden_accuracy = r_.agreement = report::Tally{0, n};
  fmt::print("{}", report::text_header(r_));
  std::fflush(stdout);
  t_run_ = Clock::now();
}

void MnistRun::run_batch(int b) {
  const int first = b * a_.batch, count = std::min(a_.batch, n_ - first);
  std::vector<std::span<const uint8_t>> images;
  std::vector<int> ids;
  for (int i = first; i < first + count; ++i) {
    images.push_back(data_.images.image(i));
    ids.push_back(i);
  }
  const auto tg = Clock::now();
  expected_.set_batch(images, ids);
  r_.golden_seconds += seconds_since(tg);
  const DeviceFor device_for = [&](const golden::Layer&, int index) -> Device& {
    return pool_.get(layer_device_[size_t(index)]);
  };
  const ModelRun run = run_model(model_, images, device_for, &checks_, RunOptions{}, ids);
  r_.protocol_errors += run.protocol_errors;
  add_layers(run);
  tally(run, first, count);
  progress(b);
}

void MnistRun::add_layers(const ModelRun& run) {
  for (size_t l = 0; l < run.layers.size(); ++l) {
    report::LayerRow& row = r_.layers[l];
    if (row.on_host()) continue;
    report::accumulate(row, run.layers[l], cfg_.rows, cfg_.cols);
    cycles_so_far_ += run.layers[l].total();
    r_.device_seconds += run.layers[l].seconds;
  }
}

void MnistRun::tally(const ModelRun& run, int first, int count) {
  for (int i = 0; i < count; ++i) {
    const int id = first + i;
    const golden::NetworkTrace& g = expected_.trace(id);
    const int label = data_.labels.labels[size_t(id)];
    r_.accuracy->count += run.predicted[size_t(i)] == label;
    r_.golden_accuracy->count += g.predicted() == label;
    r_.agreement->count += run.logits[size_t(i)] == g.logits().data;
  }
}

void MnistRun::progress(int b) const {
  if (!show_progress()) return;
  const double el = seconds_since(t_run_);
  const int done = std::min(n_, (b + 1) * a_.batch);
  fmt::print(stderr, "\rbatch {}/{}, images {}/{}, {:.2f} M simulated cycles/s, ETA {:.0f} s   ", b + 1, batches_, done,
             n_, r_.device_seconds > 0 ? cycles_so_far_ / r_.device_seconds / 1e6 : 0.0,
             done ? el / done * (n_ - done) : 0.0);
  if (b + 1 == batches_) fmt::print(stderr, "\n");
}

// The checks, the verdict and the rerun command into the report; prints it, writes the JSON.
void MnistRun::finish() {
  r_.wall_seconds = seconds_since(t_start_);
  for (size_t l = 0; l < r_.layers.size(); ++l)
    if (!r_.layers[l].on_host()) checks_.fill(r_.layers[l], int(l));
  r_.passed = sb_.mismatches() == 0 && r_.protocol_errors == 0 && r_.agreement->count == n_;
  RerunFlags f;
  if (!model_.reference || a_.images != default_images(model_)) f.images = a_.images;
  f.config = a_.config;
  report::set_scoreboard(r_, sb_, rerun_model_layer(sb_, a_.model, f));
  fmt::print("{}", report::text_results(r_));
  if (!a_.json_path.empty()) report::write_json(r_, a_.json_path);
}

int run_mnist(const MnistArgs& a) {
  const auto t_start = Clock::now();
  check_option("--batch", a.batch, 1, kMaxBatch);
  check_option("--limit", a.limit, 0, std::numeric_limits<int>::max());
  if (!a.json_path.empty()) check_output_file("--json", a.json_path);
  const golden::Model model = load_model_checked(a.model);
  const CoreConfig& cfg = config_for_model(model.precision, a.config);
  const golden::Dataset data = golden::read_idx_dataset(a.images, a.labels);
  golden::check_not_empty(data.images);
  check_images_fit(model, data.images);
  golden::check_label_range(data.labels, model.classes());
  if (a.limit > data.images.count)
    throw UsageError(fmt::format("--limit {}: {} has {} images", a.limit, a.images, data.images.count));
  const int n = a.limit > 0 ? a.limit : data.images.count;
  MnistRun run(a, model, cfg, data, t_start);
  run.start(n);
  for (int b = 0; b < (n + a.batch - 1) / a.batch; ++b) run.run_batch(b);
  run.finish();
  return run.passed() ? 0 : 1;
}

}  // namespace

Command add_mnist_command(CLI::App& app) {
  auto a = std::make_shared<MnistArgs>();
  CLI::App* c = app.add_subcommand("mnist", "a quantized CNN on an IDX image set, every psum and output checked");
  c->add_option("--model", a->model, "model directory (model.json + .npy)")->required();
  c->add_option("--images", a->images, "IDX3 images, raw or .gz")->required();
  c->add_option("--labels", a->labels, "IDX1 labels, raw or .gz")->required();
  c->add_option("--limit", a->limit, "first N images only (0: all)");
  c->add_option("--batch", a->batch, "images per run_model call (default 100, at most 1000)");
  CLI::Option* dev = add_device_option(
      c, a->device, "default device of the conv/linear layers: ", " (systemc: all of them on the SystemC model)");
  c->add_option("--rtl-layers", a->rtl_layers,
                "comma-separated layers on the RTL (the rest: --device, default functional)");
  c->add_option("--json", a->json_path, "write the report as JSON");
  c->add_option("--config", a->config, "core configuration (default: from the model's bit widths)");
  c->add_option("--inject-mismatch", a->inject, "test hook: corrupt golden's expected outputs of this layer")
      ->group("");
  return {c, [a, dev] {
            a->device_given = dev->count() > 0;
            return run_mnist(*a);
          }};
}

}  // namespace accel::cosim
