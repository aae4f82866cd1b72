// cosim layer: one layer, from a model or random, on a device, every psum row and output checked
// (docs/cosim.md "cosim layer").
#include <accel/config_precision.hpp>
#include <accel/random_layer.hpp>
#include <accel/report/check_counter.hpp>
#include <accel/report/report_json.hpp>
#include <accel/report/report_text.hpp>
#include <accel/runtime.hpp>
#include <accel/scoreboard.hpp>
#include <accel/sim/device_factory.hpp>
#include <accel/sim/wave_layout.hpp>
#include <accel/tiler.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <golden/idx.hpp>
#include <golden/model.hpp>
#include <golden/network.hpp>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "commands.hpp"
#include "fault_option.hpp"
#include "model_inputs.hpp"
#include "options.hpp"
#include "report_files.hpp"
#include "repro.hpp"

namespace accel::cosim {

namespace {

namespace fs = std::filesystem;
using report::RunReport;
using Window = std::pair<uint64_t, uint64_t>;

struct ShapeArgs {
  std::string kind = "conv";
  int in_ch = 8, out_ch = 8, size = 6, kernel = 3, stride = 1, padding = 1;
  int in_features = 64, out_features = 16, batch = 1;
  bool logits = false;
};

struct LayerArgs {
  std::string model, layer, images, device{sim::rtl_device_name()}, config, strategy = "auto", trace, window;
  std::string dataflow = "auto";
  bool simd = false;
  std::string json_path, fault, html, energy;
  int image = 0;
  uint32_t seed = 1;
  ShapeArgs shape;
  std::vector<std::string> given;  // the random shape flags given, for the reproduction command
  struct {
    const CLI::Option *seed, *image, *images, *trace, *json;
  } opt{};  // options whose use depends on the mode
};

std::optional<Strategy> parse_strategy(const std::string& s) {
  if (s == "auto") return std::nullopt;
  if (s == "im2col") return Strategy::Im2col;
  if (s == "kernel-major") return Strategy::KernelMajor;
  throw UsageError(fmt::format("unknown strategy '{}' (expected auto, im2col or kernel-major)", s));
}

Window parse_window(const std::string& w) {
  const auto bad = [&] { return UsageError(fmt::format("--trace-window '{}': expected A:B (slots, A < B)", w)); };
  const auto num = [&](const std::string& s) -> uint64_t {
    uint64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) throw bad();
    return v;
  };
  const auto colon = w.find(':');
  if (colon == std::string::npos) throw bad();
  const uint64_t a = num(w.substr(0, colon)), b = num(w.substr(colon + 1));
  if (b <= a) throw bad();
  return {a, b};
}

golden::Layer random_layer(const ShapeArgs& s, const golden::Precision& prec, std::mt19937& rng) {
  if (s.kind == "conv") {
    RandomConvSpec spec;
    spec.in_channels = s.in_ch;
    spec.out_channels = s.out_ch;
    spec.kernel = s.kernel;
    spec.stride = s.stride;
    spec.padding = s.padding;
    spec.height = spec.width = s.size;
    spec.relu = !s.logits;
    spec.logits = s.logits;
    check_random_conv(spec, s.batch);
    return random_conv(spec, prec, rng);
  }
  if (s.kind == "linear") {
    const RandomLinearSpec spec{s.in_features, s.out_features, !s.logits, s.logits};
    check_random_linear(spec, s.batch);
    return random_linear(spec, prec, rng);
  }
  throw UsageError(fmt::format("unknown --kind '{}' (expected conv or linear)", s.kind));
}

// The flags given that start with one of `flags` ("--in-ch 8").
std::optional<std::string> given_one_of(const LayerArgs& a, std::initializer_list<const char*> flags) {
  for (const std::string& g : a.given)
    for (const char* f : flags)
      if (g == f || g.starts_with(std::string(f) + " ")) return g.substr(0, g.find(' '));
  return std::nullopt;
}

// Flags that apply to one kind of layer only (a random conv or linear layer, a model layer).
void check_mode_flags(const LayerArgs& a) {
  const bool from_model = !a.model.empty();
  if (from_model && a.layer.empty()) throw UsageError("--model needs --layer NAME");
  if (!from_model && !a.layer.empty()) throw UsageError("--layer needs --model DIR");
  if (from_model && !a.given.empty())
    throw UsageError(fmt::format("{} applies to random layers (without --model)",
                                 a.given.front().substr(0, a.given.front().find(' '))));
  if (from_model) check_not_given(a.opt.seed, "random layers (without --model)");
  if (!from_model) {
    check_not_given(a.opt.image, "model layers (with --model DIR --layer NAME)");
    check_not_given(a.opt.images, "model layers (with --model DIR --layer NAME)");
  }
  const bool linear = from_model ? false : a.shape.kind == "linear";
  if (!from_model && linear)
    if (auto f = given_one_of(a, {"--in-ch", "--out-ch", "--size", "--kernel", "--stride", "--padding"}))
      throw UsageError(fmt::format("{} applies to conv layers (--kind conv), not --kind linear", *f));
  if (!from_model && !linear)
    if (auto f = given_one_of(a, {"--in-features", "--out-features"}))
      throw UsageError(fmt::format("{} applies to linear layers (--kind linear), not --kind {}", *f, a.shape.kind));
  if (linear && a.strategy != "auto")
    throw UsageError(fmt::format("--strategy {} applies to conv2d layers, not --kind linear", a.strategy));
}

// The flags that only make sense together; the trace window.
std::optional<Window> check_flags(const LayerArgs& a) {
  check_mode_flags(a);
  check_option("--batch", a.shape.batch, 1, kMaxBatch);
  std::optional<Window> window;
  if (!a.window.empty()) {
    if (a.trace.empty()) throw UsageError("--trace-window needs --trace FILE");
    window = parse_window(a.window);
  }
  const auto traced = sim::traced_device_names();
  if (!a.trace.empty() && std::find(traced.begin(), traced.end(), a.device) == traced.end())
    throw UsageError(
        fmt::format("--trace needs --device {}", sim::device_list(traced, ", --device ", " or --device ")));
  if (a.opt.trace->count() > 0) check_output_file("--trace", a.trace);
  if (!a.fault.empty() && a.device != sim::rtl_device_name())
    throw UsageError(fmt::format("--fault needs --device {}", sim::rtl_device_name()));
  if (a.opt.json->count() > 0) check_output_file("--json", a.json_path);
  check_report_files({"", "", a.html});
  return window;
}

// The layer, its inputs and golden's view of them.
struct LayerInput {
  std::optional<golden::Model> model;
  golden::Layer own;  // a random layer
  const golden::Layer* layer = nullptr;
  int index = -1;
  std::vector<golden::Tensor> inputs;
  std::vector<int> ids;
  std::vector<uint8_t> pixels;
  std::unique_ptr<ExpectedValues> expected;
  const CoreConfig* cfg = nullptr;
  golden::Precision prec;
};

// Layer `a.layer` of the model on golden's own input of that layer for image `a.image`.
void model_input(const LayerArgs& a, LayerInput& in, RunReport& r) {
  in.model = load_model_checked(a.model);
  in.cfg = &config_for_model(in.model->precision, a.config, a.simd);
  in.prec = in.model->precision;
  in.index = layer_index(*in.model, a.layer);
  in.layer = &in.model->layers[size_t(in.index)];
  r.images_file = a.images.empty() ? default_images(*in.model) : a.images;
  const golden::ImageSet set = golden::read_idx_images(r.images_file);
  check_images_fit(*in.model, set);
  check_image_index(a.image, set, r.images_file);
  const auto px = set.image(a.image);
  in.pixels.assign(px.begin(), px.end());
  in.inputs.push_back(golden::run_network(*in.model, in.pixels).input_of(size_t(in.index)));
  in.ids.push_back(a.image);
  std::vector<std::span<const uint8_t>> imgs{std::span<const uint8_t>(in.pixels)};
  in.expected = std::make_unique<GoldenModelValues>(*in.model, imgs, in.ids);
  r.model = in.model->name;
  r.model_dir = a.model;
  r.images_in_file = set.count;
  r.first_image = a.image;
  r.images = 1;
}

// A random layer of `a.shape` and its random inputs, seeded with `a.seed`.
void random_input(const LayerArgs& a, LayerInput& in, RunReport& r) {
  in.cfg = &config_named(a.config.empty() ? "int8" : a.config);
  if (a.simd && !in.cfg->simd)
    throw UsageError(fmt::format("--simd: core '{}' has no SIMD mode (rtl/configs.txt tags the cores that have it "
                                 "'simd')",
                                 in.cfg->name));
  in.prec = precision_of(*in.cfg, a.simd);
  std::mt19937 rng(a.seed);
  in.own = random_layer(a.shape, in.prec, rng);
  in.layer = &in.own;
  in.inputs = random_inputs(in.own, a.shape.batch, in.prec.act_bits, rng);
  in.expected = std::make_unique<GoldenLayerValues>(in.own, in.prec, in.inputs);
  r.seed = a.seed;
  r.images = a.shape.batch;
}

// The layer's row as planned: strategy, estimates, the schedule's shape and MACs.
report::LayerRow schedule_row(const golden::Layer& layer, const Schedule& s, const Device& dev) {
  report::LayerRow row = report::named_row(layer.name, layer.describe(), std::string(dev.name()));
  row.dataflow = std::string(dataflow_name(s.dataflow));
  row.strategy = std::string(strategy_name(s.strategy));
  row.estimates = report::estimate_rows(s.estimates);
  row.schedule = report::ScheduleShape{s.size(), s.passes.size(), s.psum_rows(), s.reads.size()};
  return row;
}

// --trace: an FST of the window (default: the whole schedule). Schedule slot n is device slot n + 1
// (play() steps a ctr_clr slot first).
sim::DeviceTrace start_trace(const LayerArgs& a, Device& dev, const Schedule& s, std::optional<Window> window) {
  if (a.trace.empty()) return {};
  const fs::path p(a.trace);
  std::error_code ec;
  if (p.has_parent_path() && !fs::create_directories(p.parent_path(), ec) && ec)
    throw UsageError(fmt::format("--trace {}: cannot create {}: {}", a.trace, p.parent_path().string(), ec.message()));
  fs::remove(p, ec);  // a regular file (check_output_file): the trace replaces it
  const Window w = window.value_or(Window{0, s.size()});
  if (w.second > s.size())
    throw UsageError(
        fmt::format("--trace-window {}: the schedule has slots 0..{}", a.window, s.size() == 0 ? 0 : s.size() - 1));
  sim::DeviceTrace t = sim::start_trace(dev, a.trace, w.first + 1, w.second + 1);
  fmt::print("trace: {} (schedule slots {}..{})\n", a.trace, w.first, w.second - 1);
  return t;
}

// The GTKWave layout of the trace, beside it (OUT.fst -> OUT.gtkw): made from the trace's own signal
// names, so it fits every configuration and host (wave_layout.hpp).
void write_layout(const std::string& trace, const CoreConfig& cfg) {
  if (!fs::exists(trace)) throw UsageError(fmt::format("--trace {}: no trace was written", trace));
  const std::string gtkw = fs::path(trace).replace_extension(".gtkw").string();
  sim::write_wave_layout(trace, gtkw, cfg);
  fmt::print("wave layout: {} (gtkwave {} {})\n", gtkw, trace, gtkw);
}

std::string rerun(const LayerArgs& a, const LayerInput& in, const Scoreboard& sb) {
  if (sb.kept().empty()) return {};
  RerunFlags f{a.images, in.model ? a.config : "", a.strategy, a.dataflow, a.simd};
  if (in.model) return rerun_model_layer(sb, a.model, f);
  return rerun_random_layer(sb.kept().front(), *in.cfg, a.seed, a.given, f);
}

void play_checked(const LayerArgs& a, LayerInput& in, Device& dev, const Schedule& s, RunReport& r,
                  FaultOption& fault) {
  Scoreboard sb(*in.expected);
  report::CheckCounter checks(sb);
  fault.entering(fmt::format("layer {}", in.layer->name));
  const PlayResult p = play(s, dev, &checks);
  report::LayerRow& row = r.layers.front();
  report::add_play(row, p.counters, s.macs, p.seconds, uint64_t{in.cfg->rows} * in.cfg->cols * lanes(s.simd));
  report::add_energy(row, report::event_costs(load_energy_table(a.energy, r.energy_table), *in.cfg, a.simd),
                      p.counters);
  row.schedules = 1;
  checks.fill(row, in.index);
  r.device_seconds = p.seconds;
  r.protocol_errors = p.protocol_errors;
  r.passed = sb.mismatches() == 0 && p.protocol_errors == 0;
  report::set_scoreboard(r, sb, rerun(a, in, sb));
}

// Where the fault went: play() resets (2 cycles) and steps one ctr_clr slot before the schedule.
std::string fault_line(const FaultOption& fault) {
  const uint64_t slot0 = fault.entered_at() + 3, cycle = fault.fault()->cycle;
  return fault.result(cycle >= slot0 ? fmt::format(", schedule slot {}", cycle - slot0)
                                     : fmt::format(", before schedule slot 0 (core cycle {})", slot0));
}

int run_layer(const LayerArgs& a) {
  const std::optional<Window> window = check_flags(a);
  FaultOption fault(a.fault);
  TilerOptions topt;
  topt.strategy = parse_strategy(a.strategy);
  topt.dataflow = parse_dataflow(a.dataflow);
  topt.simd = a.simd;
  LayerInput in;
  RunReport r;
  r.command = "layer";
  r.batch = 1;
  a.model.empty() ? random_input(a, in, r) : model_input(a, in, r);
  r.layers.push_back(report::named_row(in.layer->name, in.layer->describe(), ""));
  fmt::print("{}", report::text_header(r));

  fault.check(*in.cfg);
  std::unique_ptr<Device> dev = sim::make_device(a.device, *in.cfg);
  fault.arm(*dev);
  report::set_config(r, *in.cfg);
  r.lanes = lanes(a.simd);
  r.devices = std::string(dev->name());
  fmt::print("{}", report::text_config(r));
  const Schedule s = tile_layer(*in.cfg, *in.layer, in.prec, in.inputs, in.ids, in.index, topt);
  r.layers.front() = schedule_row(*in.layer, s, *dev);
  fmt::print("{}", report::text_schedule(r.layers.front()));

  {
    const sim::DeviceTrace trace = start_trace(a, *dev, s, window);
    play_checked(a, in, *dev, s, r, fault);
  }
  if (!a.trace.empty()) write_layout(a.trace, *in.cfg);
  if (fault.active()) fmt::print("{}", fault_line(fault));
  fmt::print("{}", report::text_results(r));
  r.trace = a.trace;
  write_report_files(r, {a.json_path, "", a.html});
  return r.passed ? 0 : 1;
}

}  // namespace

Command add_layer_command(CLI::App& app) {
  auto a = std::make_shared<LayerArgs>();
  CLI::App* c = app.add_subcommand("layer", "one layer (from a model, or random) on a device, checked");
  c->add_option("--model", a->model, "model directory");
  c->add_option("--layer", a->layer, "layer name in the model");
  a->opt.image = c->add_option("--image", a->image, "image number in the image set (default 0)");
  a->opt.images = c->add_option("--images", a->images, "IDX3 images (default: the model's reference set)");
  a->opt.seed = c->add_option("--seed", a->seed, "random layer seed (default 1)");
  ShapeArgs& sh = a->shape;
  const FlagOptions shape{
      {"--kind", c->add_option("--kind", sh.kind, "random layer: conv|linear")},
      {"--in-ch", c->add_option("--in-ch", sh.in_ch, "conv input channels (8)")},
      {"--out-ch", c->add_option("--out-ch", sh.out_ch, "conv output channels (8)")},
      {"--size", c->add_option("--size", sh.size, "conv input height = width (6)")},
      {"--kernel", c->add_option("--kernel", sh.kernel, "conv kernel (3)")},
      {"--stride", c->add_option("--stride", sh.stride, "conv stride (1)")},
      {"--padding", c->add_option("--padding", sh.padding, "conv padding (1)")},
      {"--in-features", c->add_option("--in-features", sh.in_features, "linear inputs (64)")},
      {"--out-features", c->add_option("--out-features", sh.out_features, "linear outputs (16)")},
      {"--batch", c->add_option("--batch", sh.batch, "random inputs (1)")},
  };
  CLI::Option* logits = c->add_flag("--logits", sh.logits, "random layer: raw logits output instead of requantized");
  add_device_option(c, a->device, "", fmt::format(" (default {})", sim::rtl_device_name()));
  c->add_option("--config", a->config, "core configuration (default: the model's, int8 for random layers)");
  c->add_option("--strategy", a->strategy, "conv2d: auto|im2col|kernel-major");
  c->add_option("--dataflow", a->dataflow, kDataflowHelp);
  c->add_flag("--simd", a->simd, kSimdHelp);
  a->opt.trace = c->add_option("--trace", a->trace, "FST trace file (RTL device)");
  c->add_option("--trace-window", a->window, "A:B, schedule slots [A, B) to trace");
  a->opt.json = c->add_option("--json", a->json_path, "write the report as JSON");
  c->add_option("--energy", a->energy, kEnergyHelp);
  c->add_option("--html", a->html, "write the HTML report (FILE.html, or DIR for DIR/index.html)");
  c->add_option("--fault", a->fault,
                "flip one bit in the RTL core: psum:R,C,BIT@CYCLE, weight:R,C,BUF,BIT@CYCLE, xmem:ADDR,BIT@CYCLE or "
                "pmem:ADDR,BIT@CYCLE (core cycles of the device; schedule slot n is cycle n + 5)");
  return {c, [a, shape, logits] {
            a->given = given_flags(shape);
            if (logits->count() > 0) a->given.push_back("--logits");
            return run_layer(*a);
          }};
}

}  // namespace accel::cosim
