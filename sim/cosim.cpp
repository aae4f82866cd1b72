// cosim: the accelerator against the golden model (docs/cosim.md).
//
//   cosim mnist   --model DIR --images FILE --labels FILE [--limit N] [--batch B] [--device rtl|functional|systemc]
//                 [--rtl-layers conv2,fc1] [--config NAME] [--json FILE]
//   cosim layer   (--model DIR --layer NAME [--image I] [--images FILE] | --seed S [shape flags])
//                 [--device rtl|functional|systemc] [--config NAME] [--strategy auto|im2col|kernel-major]
//                 [--trace FILE [--trace-window A:B]]
//   cosim vectors --dir D [--config ece284] [--device rtl|functional|systemc] [file and shape options]
//   cosim export-vectors --out D [--config ece284] (--seed S [shape flags] | --model DIR --layer NAME --image I)
//
// Every psum row and every output is checked against golden/ (accel::Scoreboard); the exit code
// is the verdict (0: no mismatch, 1: mismatches, 2: bad input or a device error).
#include <accel/functional_device.hpp>
#include <accel/random_layer.hpp>
#include <accel/runtime.hpp>
#include <accel/scoreboard.hpp>
#include <accel/sim/core_sim.hpp>
#include <accel/sim/reproduce.hpp>
#include <accel/sim/rtl_device.hpp>
#include <accel/systemc/systemc_device.hpp>
#include <accel/tiler.hpp>
#include <accel/vector_files.hpp>
#include <accel/vectors.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <golden/idx.hpp>
#include <golden/model.hpp>
#include <golden/network.hpp>
#include <golden/ops.hpp>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace accel;
using Clock = std::chrono::steady_clock;
using json = nlohmann::json;

// A problem with what the user asked for: one "error:" line, exit 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Progress goes to stderr only for a person watching: a terminal, not CI.
bool show_progress() { return isatty(STDERR_FILENO) && std::getenv("CI") == nullptr; }

std::string widths(const CoreConfig& c) {
  return fmt::format("{}x{}, {}/{}/{}", c.rows, c.cols, c.act_bits, c.weight_bits, c.psum_bits);
}

const CoreConfig& config_named(const std::string& name) {
  try {
    return config_by_name(name);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
}

// --config, or the first configuration with the model's widths (8/8/32 -> int8, 4/4/32 -> int4,
// 4/4/16 -> ece284).
const CoreConfig& config_for(const golden::Precision& p, const std::string& forced) {
  if (!forced.empty()) {
    const CoreConfig& c = config_named(forced);
    if (int(c.act_bits) != p.act_bits || int(c.weight_bits) != p.weight_bits || int(c.psum_bits) != p.psum_bits)
      throw UsageError(fmt::format("--config {} has widths {}/{}/{}, the model {}/{}/{}", c.name, c.act_bits,
                                   c.weight_bits, c.psum_bits, p.act_bits, p.weight_bits, p.psum_bits));
    return c;
  }
  for (const CoreConfig& c : kConfigs)
    if (int(c.act_bits) == p.act_bits && int(c.weight_bits) == p.weight_bits && int(c.psum_bits) == p.psum_bits)
      return c;
  throw UsageError(fmt::format("no core configuration has the model's widths {}/{}/{} (act/weight/psum)", p.act_bits,
                               p.weight_bits, p.psum_bits));
}

golden::Precision precision_of(const CoreConfig& c) {
  return golden::Precision{int(c.act_bits), int(c.weight_bits), int(c.psum_bits)};
}

// A SystemC device lives for the rest of the process (one per configuration per process, and the
// simulation cannot drop it): make_device hands out borrowers of the cached one.
class BorrowedDevice final : public Device {
 public:
  explicit BorrowedDevice(Device& d) : d_(d) {}
  const CoreConfig& config() const override { return d_.config(); }
  std::string_view name() const override { return d_.name(); }
  void reset() override { d_.reset(); }
  StepResult step(const Instr& instr, DataSpan data) override { return d_.step(instr, data); }
  Counters counters() const override { return d_.counters(); }
  Device& target() { return d_; }

 private:
  Device& d_;
};

systemc::SystemcDevice& systemc_device(const CoreConfig& cfg) {
  static std::map<std::string, std::unique_ptr<systemc::SystemcDevice>>* cache =
      new std::map<std::string, std::unique_ptr<systemc::SystemcDevice>>();
  auto& d = (*cache)[std::string(cfg.name)];
  if (!d) {
    try {
      d = std::make_unique<systemc::SystemcDevice>(cfg);
    } catch (const std::invalid_argument& e) {
      cache->erase(std::string(cfg.name));
      throw UsageError(fmt::format("--device systemc: {}", e.what()));
    }
  }
  return *d;
}

std::unique_ptr<Device> make_device(const std::string& kind, const CoreConfig& cfg) {
  if (kind == "rtl") return std::make_unique<sim::RtlDevice>(cfg);
  if (kind == "functional") return std::make_unique<FunctionalDevice>(cfg);
  if (kind == "systemc") return std::make_unique<BorrowedDevice>(systemc_device(cfg));
  throw UsageError(fmt::format("unknown device '{}' (expected rtl, functional or systemc)", kind));
}

golden::Model load_model_checked(const std::string& dir) {
  if (!fs::exists(fs::path(dir) / "model.json"))
    throw UsageError(fmt::format("{}: no model.json (not a model directory)", dir));
  return golden::load_model(dir);
}

int layer_index(const golden::Model& m, const std::string& name) {
  std::string names;
  for (size_t i = 0; i < m.layers.size(); ++i) {
    if (m.layers[i].name == name) {
      if (!m.layers[i].has_weights())
        throw UsageError(fmt::format("layer '{}' of model '{}' is a {} (runs on the host, not the core)", name,
                                     m.name, golden::layer_type_name(m.layers[i].type)));
      return int(i);
    }
    if (m.layers[i].has_weights()) names += (names.empty() ? "" : ", ") + m.layers[i].name;
  }
  throw UsageError(fmt::format("model '{}' has no layer '{}' (device layers: {})", m.name, name, names));
}

// The model's reference image set (model.json "reference"), relative to the working directory
// or the repository root.
std::string default_images(const golden::Model& m) {
  if (!m.reference) throw UsageError(fmt::format("model '{}' names no image set: give --images", m.name));
  const fs::path p = m.reference->images;
  if (p.is_absolute() || fs::exists(p)) return p.string();
  const fs::path root = fs::path(ACCEL_ROOT) / p;
  return fs::exists(root) ? root.string() : p.string();
}

void check_images_fit(const golden::Model& m, const golden::ImageSet& images) {
  if (m.input.size() != 3 || m.input[0] != 1)
    throw UsageError(fmt::format("model '{}' does not take single-channel images", m.name));
  golden::check_image_size(images, m.input[1], m.input[2]);
}

// Counts, per layer, what the scoreboard checked and how many values disagreed.
struct LayerCheck {
  uint64_t psum_rows = 0, psum_bad = 0, out_rows = 0, out_bad = 0, protocol = 0;
};

class CountingObserver final : public RunObserver {
 public:
  explicit CountingObserver(Scoreboard& sb) : sb_(sb) {}
  void on_psum(const Schedule& s, const Event& e, std::span<const int64_t> row) override {
    const uint64_t before = sb_.mismatches();
    sb_.on_psum(s, e, row);
    LayerCheck& c = per_layer[s.layer_index];
    ++c.psum_rows;
    c.psum_bad += sb_.mismatches() - before;
  }
  void on_out(const Schedule& s, const Event& e, std::span<const int64_t> row) override {
    const uint64_t before = sb_.mismatches();
    sb_.on_out(s, e, row);
    LayerCheck& c = per_layer[s.layer_index];
    ++c.out_rows;
    c.out_bad += sb_.mismatches() - before;
  }
  void on_protocol(const Schedule& s, uint64_t slot, const std::string& what) override {
    sb_.on_protocol(s, slot, what);
    ++per_layer[s.layer_index].protocol;
  }
  std::map<int, LayerCheck> per_layer;

 private:
  Scoreboard& sb_;
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

// The scoreboard's summary and first mismatches, with our own reproduction command.
std::string scoreboard_report(const Scoreboard& sb, const std::string& repro) {
  std::string s = fmt::format("scoreboard: {} psum values and {} outputs checked, {} mismatches\n",
                              sb.psum_values_checked(), sb.output_values_checked(), sb.mismatches());
  const size_t n = std::min<size_t>(sb.kept().size(), 10);
  for (size_t i = 0; i < n; ++i) s += "  " + Scoreboard::format(sb.kept()[i]) + "\n";
  if (sb.mismatches() > n) s += fmt::format("  ... and {} more\n", sb.mismatches() - n);
  if (!sb.kept().empty() && !repro.empty()) s += "reproduce: " + repro + "\n";
  return s;
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

// ------------------------------------------------------------------------------------------------
// cosim mnist
// ------------------------------------------------------------------------------------------------
struct MnistArgs {
  std::string model, images, labels, device = "rtl", rtl_layers, json_path, config;
  int limit = 0, batch = 100;
  bool device_given = false;
};

struct LayerTotals {
  std::string name, describe, device, strategy;
  bool on_core = false;
  int64_t macs = 0;
  Counters counters{};
  uint64_t psum_rows = 0, out_rows = 0;
  double seconds = 0;
  int schedules = 0;
};

int run_mnist(const MnistArgs& a) {
  const auto t_start = Clock::now();
  const golden::Model model = load_model_checked(a.model);
  const CoreConfig& cfg = config_for(model.precision, a.config);
  const golden::Dataset data = golden::read_idx_dataset(a.images, a.labels);
  check_images_fit(model, data.images);
  golden::check_label_range(data.labels, model.classes());
  if (a.batch < 1) throw UsageError("--batch must be at least 1");
  const int n = a.limit > 0 ? std::min(a.limit, data.images.count) : data.images.count;

  // Which device runs which layer.
  std::set<std::string> on_rtl;
  std::string default_device = a.device;
  if (!a.rtl_layers.empty()) {
    for (const std::string& name : split_commas(a.rtl_layers)) on_rtl.insert(model.layers[size_t(layer_index(model, name))].name);
    if (!a.device_given) default_device = "functional";
  }
  if (default_device != "rtl" && default_device != "functional" && default_device != "systemc")
    throw UsageError(fmt::format("unknown device '{}' (expected rtl, functional or systemc)", default_device));
  // --device systemc: every device layer on the SystemC model (--rtl-layers still puts the
  // named layers on the plain RTL model).
  std::unique_ptr<Device> rtl, functional, sysc;
  auto device_named = [&](const std::string& kind) -> Device& {
    auto& d = kind == "rtl" ? rtl : kind == "systemc" ? sysc : functional;
    if (!d) d = make_device(kind, cfg);
    return *d;
  };
  std::vector<std::string> layer_device(model.layers.size(), "host");
  std::string devices_desc;
  for (size_t i = 0; i < model.layers.size(); ++i) {
    if (!model.layers[i].has_weights()) continue;
    layer_device[i] = on_rtl.count(model.layers[i].name) ? "rtl" : default_device;
    device_named(layer_device[i]);
    devices_desc += fmt::format("{}{}={}", devices_desc.empty() ? "" : ", ", model.layers[i].name, layer_device[i]);
  }
  const DeviceFor device_for = [&](const golden::Layer&, int index) -> Device& {
    return device_named(layer_device[size_t(index)]);
  };

  fmt::print("cosim mnist: model {} ({}), config {} ({})\n", model.name, a.model, cfg.name, widths(cfg));
  fmt::print("devices: {}\n", devices_desc);
  fmt::print("images: {} of {} from {}, batch {}, deterministic (no seed)\n", n, data.images.count, a.images,
             a.batch);
  std::fflush(stdout);

  BatchValues expected(model);
  Scoreboard sb(expected);
  CountingObserver obs(sb);

  std::vector<LayerTotals> totals(model.layers.size());
  for (size_t i = 0; i < model.layers.size(); ++i) {
    totals[i].name = model.layers[i].name;
    totals[i].describe = model.layers[i].describe();
    totals[i].device = layer_device[i];
    totals[i].on_core = model.layers[i].has_weights();
  }
  int correct = 0, golden_correct = 0, identical = 0;
  uint64_t protocol_errors = 0;
  double golden_seconds = 0;
  const bool progress = show_progress();
  const int batches = (n + a.batch - 1) / a.batch;
  const auto t_run = Clock::now();
  uint64_t cycles_so_far = 0;
  double device_seconds = 0;
  for (int b = 0; b < batches; ++b) {
    const int first = b * a.batch, count = std::min(a.batch, n - first);
    std::vector<std::span<const uint8_t>> images;
    std::vector<int> ids;
    for (int i = first; i < first + count; ++i) {
      images.push_back(data.images.image(i));
      ids.push_back(i);
    }
    const auto tg = Clock::now();
    expected.set_batch(images, ids);
    golden_seconds += seconds_since(tg);
    const ModelRun run = run_model(model, images, device_for, &obs, RunOptions{}, ids);
    protocol_errors += run.protocol_errors;
    for (size_t l = 0; l < run.layers.size(); ++l) {
      const LayerReport& r = run.layers[l];
      LayerTotals& t = totals[l];
      if (!t.on_core) continue;
      t.strategy = std::string(strategy_name(r.strategy));
      t.macs += r.macs;
      for (unsigned k = 0; k < kNumCounters; ++k) t.counters[k] += r.counters[k];
      t.psum_rows += r.psum_rows;
      t.out_rows += r.out_rows;
      t.seconds += r.seconds;
      t.schedules += r.schedules;
      cycles_so_far += r.total();
      device_seconds += r.seconds;
    }
    for (int i = 0; i < count; ++i) {
      const int id = first + i;
      const golden::NetworkTrace& g = expected.trace(id);
      correct += run.predicted[size_t(i)] == data.labels.labels[size_t(id)];
      golden_correct += g.predicted() == data.labels.labels[size_t(id)];
      identical += run.logits[size_t(i)] == g.logits().data;
    }
    if (progress) {
      const double el = seconds_since(t_run);
      const int done = first + count;
      fmt::print(stderr, "\rbatch {}/{}, images {}/{}, {:.2f} M simulated cycles/s, ETA {:.0f} s   ", b + 1, batches,
                 done, n, device_seconds > 0 ? cycles_so_far / device_seconds / 1e6 : 0.0,
                 done ? el / done * (n - done) : 0.0);
      if (b + 1 == batches) fmt::print(stderr, "\n");
    }
  }
  const double wall = seconds_since(t_start);

  // Per-layer table.
  fmt::print("\n{:<8} {:<12} {:<10} {:>12} {:>11} {:>11} {:>7} {:>6} {:>6} {:>6} {:>10} {:>5} {:>9} {:>5}\n", "layer",
             "strategy", "device", "MACs", "cycles", "compute", "w-load", "host", "stall", "util", "psum rows", "bad",
             "out rows", "bad");
  uint64_t net_cycles = 0;
  int64_t net_macs = 0;
  json jlayers = json::array();
  for (size_t l = 0; l < totals.size(); ++l) {
    const LayerTotals& t = totals[l];
    if (!t.on_core) {
      fmt::print("{:<8} {:<12} {:<10}\n", t.name, "-", "host");
      jlayers.push_back({{"name", t.name}, {"describe", t.describe}, {"device", "host"}});
      continue;
    }
    const LayerCheck& c = obs.per_layer[int(l)];
    const uint64_t cyc = t.counters[0];
    const double util = cyc ? double(t.macs) / (double(cfg.rows) * cfg.cols * cyc) : 0.0;
    net_cycles += cyc;
    net_macs += t.macs;
    fmt::print("{:<8} {:<12} {:<10} {:>12} {:>11} {:>11} {:>7} {:>6} {:>6} {:>5.1f}% {:>10} {:>5} {:>9} {:>5}\n",
               t.name, t.strategy, t.device, t.macs, cyc, t.counters[1], t.counters[2], t.counters[3], t.counters[4],
               100.0 * util, c.psum_rows, c.psum_bad, c.out_rows, c.out_bad + c.protocol);
    jlayers.push_back({{"name", t.name},
                       {"describe", t.describe},
                       {"strategy", t.strategy},
                       {"device", t.device},
                       {"macs", t.macs},
                       {"cycles", cyc},
                       {"compute_cycles", t.counters[1]},
                       {"weight_load_cycles", t.counters[2]},
                       {"host_transfer_cycles", t.counters[3]},
                       {"stall_cycles", t.counters[4]},
                       {"cycles_per_image", n ? double(cyc) / n : 0.0},
                       {"utilization", util},
                       {"schedules", t.schedules},
                       {"psum_rows_checked", c.psum_rows},
                       {"psum_mismatches", c.psum_bad},
                       {"out_rows_checked", c.out_rows},
                       {"out_mismatches", c.out_bad},
                       {"protocol_errors", c.protocol},
                       {"seconds", t.seconds}});
  }
  const double net_util = net_cycles ? double(net_macs) / (double(cfg.rows) * cfg.cols * net_cycles) : 0.0;
  fmt::print("network: {} cycles, {:.0f} cycles per image, {} MACs, utilization {:.1f}% (every cycle of every layer)\n",
             net_cycles, n ? double(net_cycles) / n : 0.0, net_macs, 100.0 * net_util);
  auto pct = [](int x, int total) { return total ? 100.0 * x / total : 0.0; };
  fmt::print("accuracy: {}/{} ({:.2f}%)\n", correct, n, pct(correct, n));
  fmt::print("golden accuracy: {}/{} ({:.2f}%)\n", golden_correct, n, pct(golden_correct, n));
  fmt::print("agreement with golden: {}/{} images with bit-identical logits ({:.2f}%)\n", identical, n,
             pct(identical, n));
  const double rate = device_seconds > 0 ? double(net_cycles) / device_seconds : 0.0;
  fmt::print("simulated: {:.2f} M cycles/s ({} cycles in {:.2f} s on the devices); golden {:.2f} s; wall time {:.2f} s\n",
             rate / 1e6, net_cycles, device_seconds, golden_seconds, wall);

  const uint64_t mismatches = sb.mismatches();
  const bool passed = mismatches == 0 && protocol_errors == 0 && identical == n;
  std::string repro;
  if (!sb.kept().empty()) {
    repro = sim::rerun_model_layer(sb.kept().front(), a.model);
    if (a.images != default_images(model)) repro += " --images " + a.images;
    if (!a.config.empty()) repro += " --config " + a.config;
  }
  fmt::print("{}", scoreboard_report(sb, repro));
  fmt::print("result: {}\n", passed ? "PASS" : "FAIL");

  if (!a.json_path.empty()) {
    json j;
    j["model"] = model.name;
    j["model_dir"] = a.model;
    j["config"] = std::string(cfg.name);
    j["rows"] = cfg.rows;
    j["cols"] = cfg.cols;
    j["devices"] = devices_desc;
    j["images"] = n;
    j["images_file"] = a.images;
    j["batch"] = a.batch;
    j["layers"] = jlayers;
    j["network"] = {{"cycles", net_cycles},
                    {"cycles_per_image", n ? double(net_cycles) / n : 0.0},
                    {"macs", net_macs},
                    {"utilization", net_util}};
    j["accuracy"] = {{"correct", correct}, {"total", n}, {"percent", pct(correct, n)}};
    j["golden_accuracy"] = {{"correct", golden_correct}, {"total", n}, {"percent", pct(golden_correct, n)}};
    j["agreement"] = {{"identical", identical}, {"total", n}, {"percent", pct(identical, n)}};
    j["psum_values_checked"] = sb.psum_values_checked();
    j["output_values_checked"] = sb.output_values_checked();
    j["mismatches"] = mismatches;
    j["protocol_errors"] = protocol_errors;
    json first = json::array();
    for (size_t i = 0; i < std::min<size_t>(10, sb.kept().size()); ++i) first.push_back(Scoreboard::format(sb.kept()[i]));
    j["first_mismatches"] = first;
    j["reproduce"] = repro;
    j["simulated_cycles_per_second"] = rate;
    j["device_seconds"] = device_seconds;
    j["golden_seconds"] = golden_seconds;
    j["wall_seconds"] = wall;
    j["passed"] = passed;
    std::ofstream f(a.json_path);
    if (!f) throw UsageError(fmt::format("{}: cannot write the JSON report", a.json_path));
    f << j.dump(2) << "\n";
    if (!f) throw UsageError(fmt::format("{}: cannot write the JSON report", a.json_path));
  }
  return passed ? 0 : 1;
}

// ------------------------------------------------------------------------------------------------
// cosim layer
// ------------------------------------------------------------------------------------------------
struct ShapeArgs {
  std::string kind = "conv";
  int in_ch = 8, out_ch = 8, size = 6, kernel = 3, stride = 1, padding = 1;
  int in_features = 64, out_features = 16, batch = 1;
  bool logits = false;
};

struct LayerArgs {
  std::string model, layer, images, device = "rtl", config, strategy = "auto", trace, window;
  int image = 0;
  uint32_t seed = 1;
  ShapeArgs shape;
  std::vector<std::string> given;  // the random shape flags given, for the reproduction command
};

std::optional<Strategy> parse_strategy(const std::string& s) {
  if (s == "auto") return std::nullopt;
  if (s == "im2col") return Strategy::Im2col;
  if (s == "kernel-major") return Strategy::KernelMajor;
  throw UsageError(fmt::format("unknown strategy '{}' (expected auto, im2col or kernel-major)", s));
}

std::pair<uint64_t, uint64_t> parse_window(const std::string& w) {
  const auto colon = w.find(':');
  auto num = [&](const std::string& s) -> uint64_t {
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos)
      throw UsageError(fmt::format("--trace-window '{}': expected A:B (slots, A < B)", w));
    return std::stoull(s);
  };
  if (colon == std::string::npos) throw UsageError(fmt::format("--trace-window '{}': expected A:B (slots, A < B)", w));
  const uint64_t a = num(w.substr(0, colon)), b = num(w.substr(colon + 1));
  if (b <= a) throw UsageError(fmt::format("--trace-window '{}': expected A:B (slots, A < B)", w));
  return {a, b};
}

golden::Layer random_layer(const ShapeArgs& s, const golden::Precision& prec, std::mt19937& rng) {
  if (s.kind == "conv") {
    if (s.in_ch < 1 || s.out_ch < 1 || s.size < 1 || s.kernel < 1 || s.stride < 1 || s.padding < 0 ||
        s.size + 2 * s.padding < s.kernel)
      throw UsageError(fmt::format("bad conv shape: in-ch {} out-ch {} size {} kernel {} stride {} padding {}",
                                   s.in_ch, s.out_ch, s.size, s.kernel, s.stride, s.padding));
    RandomConvSpec spec;
    spec.in_channels = s.in_ch;
    spec.out_channels = s.out_ch;
    spec.kernel = s.kernel;
    spec.stride = s.stride;
    spec.padding = s.padding;
    spec.height = spec.width = s.size;
    spec.relu = !s.logits;
    spec.logits = s.logits;
    return random_conv(spec, prec, rng);
  }
  if (s.kind == "linear") {
    if (s.in_features < 1 || s.out_features < 1)
      throw UsageError(fmt::format("bad linear shape: in-features {} out-features {}", s.in_features, s.out_features));
    return random_linear({s.in_features, s.out_features, !s.logits, s.logits}, prec, rng);
  }
  throw UsageError(fmt::format("unknown --kind '{}' (expected conv or linear)", s.kind));
}

int run_layer(const LayerArgs& a) {
  const bool from_model = !a.model.empty();
  if (from_model && a.layer.empty()) throw UsageError("--model needs --layer NAME");
  if (!from_model && !a.layer.empty()) throw UsageError("--layer needs --model DIR");
  if (from_model && !a.given.empty())
    throw UsageError(fmt::format("{} applies to random layers (without --model)", a.given.front()));
  if (a.shape.batch < 1) throw UsageError("--batch must be at least 1");
  TilerOptions topt;
  topt.strategy = parse_strategy(a.strategy);
  std::optional<std::pair<uint64_t, uint64_t>> window;
  if (!a.window.empty()) {
    if (a.trace.empty()) throw UsageError("--trace-window needs --trace FILE");
    window = parse_window(a.window);
  }
  if (!a.trace.empty() && a.device != "rtl" && a.device != "systemc")
    throw UsageError("--trace needs --device rtl or --device systemc");

  std::optional<golden::Model> model;
  golden::Layer own;  // a random layer
  const golden::Layer* layer = nullptr;
  int index = -1;
  std::vector<golden::Tensor> inputs;
  std::vector<int> ids;
  std::unique_ptr<ExpectedValues> expected;
  const CoreConfig* cfg = nullptr;
  std::vector<uint8_t> pixels;

  if (from_model) {
    model = load_model_checked(a.model);
    cfg = &config_for(model->precision, a.config);
    index = layer_index(*model, a.layer);
    layer = &model->layers[size_t(index)];
    const std::string images_path = a.images.empty() ? default_images(*model) : a.images;
    const golden::ImageSet set = golden::read_idx_images(images_path);
    check_images_fit(*model, set);
    if (a.image < 0 || a.image >= set.count)
      throw UsageError(fmt::format("--image {}: {} has images 0..{}", a.image, images_path, set.count - 1));
    const auto px = set.image(a.image);
    pixels.assign(px.begin(), px.end());
    const golden::NetworkTrace tr = golden::run_network(*model, pixels);
    inputs.push_back(tr.input_of(size_t(index)));
    ids.push_back(a.image);
    std::vector<std::span<const uint8_t>> imgs{std::span<const uint8_t>(pixels)};
    expected = std::make_unique<GoldenModelValues>(*model, imgs, ids);
    fmt::print("cosim layer: model {} layer {} ({}) image {} of {}\n", model->name, layer->name, layer->describe(),
               a.image, images_path);
  } else {
    cfg = &config_named(a.config.empty() ? "int8" : a.config);
    const golden::Precision prec = precision_of(*cfg);
    std::mt19937 rng(a.seed);
    own = random_layer(a.shape, prec, rng);
    layer = &own;
    inputs = random_inputs(own, a.shape.batch, prec.act_bits, rng);
    expected = std::make_unique<GoldenLayerValues>(own, prec, inputs);
    fmt::print("cosim layer: random {} ({}), {} input{}, seed {}\n", own.name, own.describe(), a.shape.batch,
               a.shape.batch == 1 ? "" : "s", a.seed);
  }
  const golden::Precision prec = from_model ? model->precision : precision_of(*cfg);
  std::unique_ptr<Device> dev = make_device(a.device, *cfg);
  fmt::print("config {} ({}), device {}\n", cfg->name, widths(*cfg), dev->name());

  const Schedule s = tile_layer(*cfg, *layer, prec, inputs, ids, index, topt);
  std::string est;
  for (const Estimate& e : s.estimates) est += fmt::format(" {} {}", strategy_name(e.strategy), e.cycles);
  fmt::print("schedule: {}, {} slots, {} passes, {} psum rows, {} out rows (estimates:{})\n",
             strategy_name(s.strategy), s.size(), s.passes.size(), s.psum_rows(), s.reads.size(), est);

  // The cached SystemC device outlives main(): close its trace here, also after a device error.
  systemc::SystemcDevice* sc_trace = nullptr;
  struct CloseTrace {
    systemc::SystemcDevice*& d;
    ~CloseTrace() {
      if (d) d->close_trace();
    }
  } close_trace{sc_trace};
  if (!a.trace.empty()) {
    const fs::path p(a.trace);
    if (p.has_parent_path()) fs::create_directories(p.parent_path());
    const auto w = window.value_or(std::make_pair(uint64_t{0}, uint64_t(s.size())));
    // Schedule slot n is device slot n + 1 (play() steps a ctr_clr slot first).
    if (a.device == "systemc") {
      sc_trace = &static_cast<systemc::SystemcDevice&>(static_cast<BorrowedDevice&>(*dev).target());
      sc_trace->trace(a.trace, w.first + 1, w.second + 1);
    } else
      static_cast<sim::RtlDevice&>(*dev).trace(a.trace, w.first + 1, w.second + 1);
    fmt::print("trace: {} (schedule slots {}..{})\n", a.trace, w.first, w.second - 1);
  }

  Scoreboard sb(*expected);
  const PlayResult r = play(s, *dev, &sb);
  const Counters& c = r.counters;
  const uint64_t total = c[0];
  fmt::print("cycles {} (compute {}, weight-load {}, host-transfer {}, stall {}), utilization {:.1f}%, {:.2f} M slots/s\n",
             total, c[1], c[2], c[3], c[4],
             total ? 100.0 * double(s.macs) / (double(cfg->rows) * cfg->cols * total) : 0.0,
             r.seconds > 0 ? r.slots / r.seconds / 1e6 : 0.0);
  fmt::print("checked: {} psum rows, {} out rows, {} protocol errors\n", r.psum_rows, r.out_rows, r.protocol_errors);

  std::string repro;
  if (!sb.kept().empty()) {
    if (from_model) {
      repro = sim::rerun_model_layer(sb.kept().front(), a.model);
      if (!a.images.empty()) repro += " --images " + a.images;
    } else {
      std::string flags = fmt::format("--seed {} --config {}", a.seed, cfg->name);
      for (const std::string& g : a.given) flags += " " + g;
      repro = sim::rerun_random_layer(sb.kept().front(), flags);
    }
    if (a.strategy != "auto") repro += " --strategy " + a.strategy;
  }
  fmt::print("{}", scoreboard_report(sb, repro));
  const bool passed = sb.mismatches() == 0 && r.protocol_errors == 0;
  fmt::print("result: {}\n", passed ? "PASS" : "FAIL");
  return passed ? 0 : 1;
}

// ------------------------------------------------------------------------------------------------
// cosim vectors / export-vectors
// ------------------------------------------------------------------------------------------------
struct VectorsArgs {
  std::string dir, config = "ece284", device = "rtl", activation, output;
  std::vector<std::string> weights, psums;
  std::optional<int> stride, padded_width, kernel;
};

int run_vectors(const VectorsArgs& a) {
  if (a.dir.empty()) throw UsageError("give the vector directory: --dir D");
  if (!fs::is_directory(a.dir)) throw UsageError(fmt::format("{}: no such directory", a.dir));
  const CoreConfig& cfg = config_named(a.config);
  ReplayOptions opt;
  opt.files.activation = a.activation;
  for (const auto& w : a.weights) opt.files.weights.emplace_back(w);
  for (const auto& p : a.psums) opt.files.psums.emplace_back(p);
  opt.files.output = a.output;
  opt.shape.stride = a.stride;
  opt.shape.padded_width = a.padded_width;
  opt.shape.kernel = a.kernel;
  std::unique_ptr<Device> dev = make_device(a.device, cfg);
  fmt::print("cosim vectors: {} on {} ({}), device {}\n", a.dir, cfg.name, widths(cfg), dev->name());
  const ReplayResult r = replay_vectors(a.dir, *dev, opt);
  fmt::print("{}", format_replay(r));
  if (!format_replay(r).ends_with("\n")) fmt::print("\n");
  fmt::print("result: {}\n", r.passed() ? "PASS" : "FAIL");
  return r.passed() ? 0 : 1;
}

struct ExportArgs {
  std::string out, config = "ece284", model, layer, images;
  std::optional<uint32_t> seed;
  std::optional<int> image;
  int in_ch = 0, out_ch = 0, size = 6, kernel = 3, stride = 1, padding = 1, in_tile = 0, out_tile = 0;
  bool combined = false;
  std::vector<std::string> given;
};

int run_export(const ExportArgs& a) {
  const CoreConfig& cfg = config_named(a.config);
  ExportOptions eo;
  eo.in_tile = a.in_tile;
  eo.out_tile = a.out_tile;
  eo.combined_psum = a.combined;
  if (a.in_tile < 0 || a.out_tile < 0) throw UsageError("--in-tile and --out-tile must be >= 0");
  ExportResult r;
  if (!a.model.empty()) {
    if (a.seed) throw UsageError("--seed and --model exclude each other");
    if (!a.given.empty()) throw UsageError(fmt::format("{} applies to random layers (without --model)", a.given.front()));
    if (a.layer.empty()) throw UsageError("--model needs --layer NAME");
    const golden::Model model = load_model_checked(a.model);
    const int idx = layer_index(model, a.layer);
    if (model.layers[size_t(idx)].type != golden::LayerType::conv2d)
      throw UsageError(fmt::format("layer '{}' is not a conv2d (vector files describe conv tiles)", a.layer));
    const std::string images_path = a.images.empty() ? default_images(model) : a.images;
    const golden::ImageSet set = golden::read_idx_images(images_path);
    check_images_fit(model, set);
    const int image = a.image.value_or(0);
    if (image < 0 || image >= set.count)
      throw UsageError(fmt::format("--image {}: {} has images 0..{}", image, images_path, set.count - 1));
    fmt::print("cosim export-vectors: model {} layer {} image {}, config {} ({})\n", model.name, a.layer, image,
               cfg.name, widths(cfg));
    r = export_model_vectors(a.out, cfg, model, a.layer, set.image(image), eo);
  } else {
    if (!a.layer.empty() || a.image) throw UsageError("--layer and --image need --model DIR");
    RandomVectorSpec spec;
    spec.seed = a.seed.value_or(1);
    spec.conv.in_channels = a.in_ch;
    spec.conv.out_channels = a.out_ch;
    spec.conv.height = spec.conv.width = a.size;
    spec.conv.kernel = a.kernel;
    spec.conv.stride = a.stride;
    spec.conv.padding = a.padding;
    fmt::print("cosim export-vectors: random conv, seed {}, config {} ({})\n", spec.seed, cfg.name, widths(cfg));
    r = export_random_vectors(a.out, cfg, spec, eo);
  }
  fmt::print("tile: input channels {}..{}, output channels {}..{}; padded input {}x{}, kernel {}, stride {}, output {}x{}\n",
             r.c0, r.c1 - 1, r.o0, r.o1 - 1, r.padded_height, r.padded_width, r.kernel, r.stride, r.out_height,
             r.out_width);
  fmt::print("wrote {} files to {}\n", r.files.size(), a.out);
  fmt::print("replay: cosim vectors --dir {} --config {}{}\n", a.out, cfg.name,
             r.stride != 1 ? fmt::format(" --stride {}", r.stride) : "");
  return 0;
}

// ------------------------------------------------------------------------------------------------
// main
// ------------------------------------------------------------------------------------------------
// Remembers which shape flags were given, for reproduction commands.
void note_given(CLI::App* sub, const std::vector<std::pair<std::string, CLI::Option*>>& opts,
                std::vector<std::string>& given) {
  for (const auto& [flag, o] : opts)
    if (o->count() > 0) given.push_back(flag + " " + o->as<std::string>());
  (void)sub;
}

int run(int argc, char** argv) {
  CLI::App app{"cosim: the accelerator core (RTL or functional) against the golden model, bit for bit."};
  app.require_subcommand(1);
  app.failure_message(CLI::FailureMessage::simple);

  MnistArgs ma;
  CLI::App* mnist = app.add_subcommand("mnist", "a quantized CNN on an IDX image set, every psum and output checked");
  mnist->add_option("--model", ma.model, "model directory (model.json + .npy)")->required();
  mnist->add_option("--images", ma.images, "IDX3 images, raw or .gz")->required();
  mnist->add_option("--labels", ma.labels, "IDX1 labels, raw or .gz")->required();
  mnist->add_option("--limit", ma.limit, "first N images only (0: all)")->check(CLI::NonNegativeNumber);
  mnist->add_option("--batch", ma.batch, "images per run_model call (default 100)")->check(CLI::PositiveNumber);
  auto* mdev = mnist->add_option("--device", ma.device, "default device of the conv/linear layers: rtl|functional|systemc (systemc: all of them on the SystemC model)");
  mnist->add_option("--rtl-layers", ma.rtl_layers, "comma-separated layers on the RTL (the rest: --device, default functional)");
  mnist->add_option("--json", ma.json_path, "write the report as JSON");
  mnist->add_option("--config", ma.config, "core configuration (default: from the model's bit widths)");

  LayerArgs la;
  CLI::App* layer = app.add_subcommand("layer", "one layer (from a model, or random) on a device, checked");
  layer->add_option("--model", la.model, "model directory");
  layer->add_option("--layer", la.layer, "layer name in the model");
  layer->add_option("--image", la.image, "image number in the image set (default 0)");
  layer->add_option("--images", la.images, "IDX3 images (default: the model's reference set)");
  layer->add_option("--seed", la.seed, "random layer seed (default 1)");
  std::vector<std::pair<std::string, CLI::Option*>> lshape{
      {"--kind", layer->add_option("--kind", la.shape.kind, "random layer: conv|linear")},
      {"--in-ch", layer->add_option("--in-ch", la.shape.in_ch, "conv input channels (8)")},
      {"--out-ch", layer->add_option("--out-ch", la.shape.out_ch, "conv output channels (8)")},
      {"--size", layer->add_option("--size", la.shape.size, "conv input height = width (6)")},
      {"--kernel", layer->add_option("--kernel", la.shape.kernel, "conv kernel (3)")},
      {"--stride", layer->add_option("--stride", la.shape.stride, "conv stride (1)")},
      {"--padding", layer->add_option("--padding", la.shape.padding, "conv padding (1)")},
      {"--in-features", layer->add_option("--in-features", la.shape.in_features, "linear inputs (64)")},
      {"--out-features", layer->add_option("--out-features", la.shape.out_features, "linear outputs (16)")},
      {"--batch", layer->add_option("--batch", la.shape.batch, "random inputs (1)")},
  };
  auto* llogits = layer->add_flag("--logits", la.shape.logits, "random layer: raw logits output instead of requantized");
  layer->add_option("--device", la.device, "rtl|functional|systemc (default rtl)");
  layer->add_option("--config", la.config, "core configuration (default: the model's, int8 for random layers)");
  layer->add_option("--strategy", la.strategy, "conv2d: auto|im2col|kernel-major");
  layer->add_option("--trace", la.trace, "FST trace file (RTL device)");
  layer->add_option("--trace-window", la.window, "A:B, schedule slots [A, B) to trace");

  VectorsArgs va;
  CLI::App* vectors = app.add_subcommand("vectors", "replay a text vector set on a device and check it");
  vectors->add_option("--dir,dir", va.dir, "directory with activation/weight/psum/output files");
  vectors->add_option("--config", va.config, "core configuration (default ece284)");
  vectors->add_option("--device", va.device, "rtl|functional|systemc (default rtl)");
  vectors->add_option("--activation", va.activation, "activation file (default: found in --dir)");
  vectors->add_option("--weight", va.weights, "weight files in kij order (repeat)");
  vectors->add_option("--psum", va.psums, "psum files in kij order, or one with every kij (repeat)");
  vectors->add_option("--output", va.output, "output file");
  vectors->add_option("--stride", va.stride, "conv stride (default 1)");
  vectors->add_option("--padded-width", va.padded_width, "padded input width (default sqrt(lines))");
  vectors->add_option("--kernel", va.kernel, "kernel size (default sqrt(weight files))");

  ExportArgs ea;
  CLI::App* exp = app.add_subcommand("export-vectors", "write a text vector set of one conv tile");
  exp->add_option("--out", ea.out, "directory to write")->required();
  exp->add_option("--config", ea.config, "core configuration (default ece284)");
  exp->add_option("--seed", ea.seed, "random conv layer");
  exp->add_option("--model", ea.model, "model directory");
  exp->add_option("--layer", ea.layer, "conv2d layer of the model");
  exp->add_option("--image", ea.image, "image number (default 0)");
  exp->add_option("--images", ea.images, "IDX3 images (default: the model's reference set)");
  std::vector<std::pair<std::string, CLI::Option*>> eshape{
      {"--in-ch", exp->add_option("--in-ch", ea.in_ch, "input channels (0: Rows)")},
      {"--out-ch", exp->add_option("--out-ch", ea.out_ch, "output channels (0: Cols)")},
      {"--size", exp->add_option("--size", ea.size, "input height = width, unpadded (6)")},
      {"--kernel", exp->add_option("--kernel", ea.kernel, "kernel (3)")},
      {"--stride", exp->add_option("--stride", ea.stride, "stride (1)")},
      {"--padding", exp->add_option("--padding", ea.padding, "padding (1)")},
  };
  exp->add_option("--in-tile", ea.in_tile, "input-channel tile (0)");
  exp->add_option("--out-tile", ea.out_tile, "output-channel tile (0)");
  exp->add_flag("--combined-psum", ea.combined, "one psum.txt instead of psum_kij<N>.txt");

  const std::set<std::string> subcommands{"mnist", "layer", "vectors", "export-vectors"};
  if (argc > 1 && argv[1][0] != '-' && !subcommands.count(argv[1])) {
    fmt::print(stderr, "error: unknown subcommand '{}' (expected mnist, layer, vectors or export-vectors)\n", argv[1]);
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string m = e.what();
    std::replace(m.begin(), m.end(), '\n', ' ');
    fmt::print(stderr, "error: {}\n", m);
    return 2;
  }
  // Assertion messages go into our exceptions, not onto stdout.
  sim::CoreSim::echo_messages(false);
  if (mnist->parsed()) {
    ma.device_given = mdev->count() > 0;
    return run_mnist(ma);
  }
  if (layer->parsed()) {
    note_given(layer, lshape, la.given);
    if (llogits->count() > 0) la.given.push_back("--logits");
    return run_layer(la);
  }
  if (vectors->parsed()) return run_vectors(va);
  note_given(exp, eshape, ea.given);
  return run_export(ea);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::string m = e.what();
    std::replace(m.begin(), m.end(), '\n', ' ');
    fmt::print(stderr, "error: {}\n", m);
    return 2;
  }
}
