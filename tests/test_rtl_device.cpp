// accel::sim::RtlDevice: the Verilated core behind accel::Device. Random conv and linear layers and
// 20 real MNIST images bit-exact with golden (every psum row and output through the scoreboard);
// the functional and RTL devices step for step identical (rows and counters); a vector set
// exported and replayed on the ece284 RTL; a corrupted expectation caught at its place; an RTL
// assertion as a DeviceError; tracing a slot window; the slot rate.
#include <accel/config_precision.hpp>
#include <fmt/format.h>

#include <accel/functional_device.hpp>
#include <accel/random_layer.hpp>
#include <accel/report/report_text.hpp>
#include <accel/runtime.hpp>
#include <accel/scoreboard.hpp>
#include <accel/sim/device_factory.hpp>
#include <accel/sim/rtl_device.hpp>
#include <accel/tiler.hpp>
#include <accel/vectors.hpp>
#include <catch2/catch.hpp>

#include "support/mixed_program.hpp"
#include "support/mnist_reference.hpp"
#include <cstdlib>
#include <filesystem>
#include <golden/idx.hpp>
#include <golden/model.hpp>
#include <golden/network.hpp>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

using namespace accel;
using accel::sim::RtlDevice;
namespace fs = std::filesystem;

namespace {

unsigned base_seed() {
  const char* s = std::getenv("ACCEL_SEED");
  return s ? unsigned(std::strtoul(s, nullptr, 10)) : 1000u;
}

// A small random conv or linear layer, its inputs and a forced conv strategy, from one seed.
struct RandomCase {
  golden::Layer layer;
  std::vector<golden::Tensor> inputs;
  TilerOptions options;
  std::string what;
};

// `simd`: a layer at half the activation width, tiled for the SIMD mode (cores tagged simd).
// `zero_points`: random input and output zero points, and convolutions padded by at least 1.
RandomCase random_case(const CoreConfig& cfg, unsigned seed, bool simd = false, bool zero_points = false) {
  std::mt19937 rng(seed);
  const golden::Precision prec = precision_of(cfg, simd);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  RandomCase c;
  if (seed % 3 != 2) {
    RandomConvSpec s;
    s.in_channels = pick(1, 20);
    s.out_channels = pick(1, 20);
    s.kernel = pick(1, 3);
    s.stride = pick(1, 2);
    s.padding = zero_points ? pick(1, s.kernel / 2 + 1) : pick(0, s.kernel / 2 + 0);
    s.height = s.width = pick(s.kernel, 8);
    s.relu = pick(0, 1) == 1;
    if (zero_points) s.input_zero_point = s.output_zero_point = -1;
    c.layer = random_conv(s, prec, rng);
    c.options.strategy = pick(0, 1) ? Strategy::Im2col : Strategy::KernelMajor;
    c.inputs = random_inputs(c.layer, pick(1, 2), prec.act_bits, rng);
  } else {
    RandomLinearSpec s{pick(1, 70), pick(1, 24), pick(0, 1) == 1, false};
    s.logits = !s.relu && pick(0, 1) == 1;
    if (zero_points) s.input_zero_point = s.output_zero_point = -1;
    c.layer = random_linear(s, prec, rng);
    c.inputs = random_inputs(c.layer, pick(1, 6), prec.act_bits, rng);
  }
  if (seed % 4 == 3) {  // a quarter output-stationary (conv: the im2col order)
    c.options.dataflow = Dataflow::OS;
    if (c.options.strategy) c.options.strategy = Strategy::Im2col;
  } else {
    c.options.dataflow = Dataflow::WS;
  }
  c.options.simd = simd;
  c.what = fmt::format("{} {} seed {} {}{} zero points {} -> {}", cfg.name, c.layer.describe(), seed,
                       dataflow_name(*c.options.dataflow), simd ? " simd" : "", c.layer.input_zero_point,
                       c.layer.output_zero_point);
  return c;
}

}  // namespace

TEST_CASE("rtl device: random conv and linear layers are bit-exact with golden", "[rtl][random]") {
  sim::CoreSim::echo_messages(false);
  const unsigned seed0 = base_seed();
  fmt::print("rtl device random layers: seeds {}..{} (ACCEL_SEED overrides)\n", seed0, seed0 + 35);
  const CoreConfig* cfgs[] = {&configs::int8, &configs::int4, &configs::ece284};
  for (unsigned ci = 0; ci < 3; ++ci) {
    const CoreConfig* cfg = cfgs[ci];
    RtlDevice dev(*cfg);
    for (unsigned k = 0; k < 12; ++k) {
      const unsigned seed = seed0 + k * 3 + ci;
      RandomCase c = random_case(*cfg, seed);
      INFO(c.what);
      GoldenLayerValues ev(c.layer, precision_of(*cfg), c.inputs);
      Scoreboard sb(ev, ScoreboardOptions{10, 100});
      const Schedule s = tile_layer(*cfg, c.layer, precision_of(*cfg), c.inputs, {}, -1, c.options);
      const PlayResult r = play(s, dev, &sb);
      INFO(sb.report());
      CHECK(sb.mismatches() == 0);
      CHECK(r.protocol_errors == 0);
      CHECK(r.psum_rows == s.psum_rows());
      CHECK(r.out_rows == s.reads.size());
      CHECK(counter(r.counters, Counter::Total) == s.size());
    }
  }
}

TEST_CASE("rtl device: random padded conv and linear layers with zero points are bit-exact with golden",
          "[rtl][random][zp]") {
  sim::CoreSim::echo_messages(false);
  const unsigned seed0 = base_seed() + 500;
  fmt::print("rtl device zero-point layers: seeds {}..{} (ACCEL_SEED overrides)\n", seed0, seed0 + 35);
  struct Run {
    const CoreConfig* cfg;
    bool simd;
  };
  const Run runs[] = {{&configs::int8, false}, {&configs::int4, false}, {&configs::int4, true}};
  uint64_t nonzero_in = 0, nonzero_out = 0, padded = 0;
  for (unsigned ri = 0; ri < 3; ++ri) {
    const CoreConfig& cfg = *runs[ri].cfg;
    const golden::Precision prec = precision_of(cfg, runs[ri].simd);
    RtlDevice dev(cfg);
    for (unsigned k = 0; k < 12; ++k) {
      const unsigned seed = seed0 + k * 3 + ri;
      RandomCase c = random_case(cfg, seed, runs[ri].simd, true);
      INFO(c.what);
      nonzero_in += c.layer.input_zero_point != 0;
      nonzero_out += c.layer.output_zero_point != 0;
      padded += c.layer.padding > 0;
      GoldenLayerValues ev(c.layer, prec, c.inputs);
      Scoreboard sb(ev, ScoreboardOptions{10, 100});
      const Schedule s = tile_layer(cfg, c.layer, prec, c.inputs, {}, -1, c.options);
      const PlayResult r = play(s, dev, &sb);
      INFO(sb.report());
      CHECK(sb.mismatches() == 0);
      CHECK(r.protocol_errors == 0);
      CHECK(sb.psum_values_checked() == s.psum_rows() * cfg.cols);
      CHECK(r.out_rows == s.reads.size());
    }
  }
  // The draws exercise what they are meant to.
  CHECK(nonzero_in >= 24);
  CHECK(nonzero_out >= 15);
  CHECK(padded >= 15);
}

TEST_CASE("rtl device: 20 MNIST images through models/mnist_int8 are bit-exact with golden, on each dataflow",
          "[rtl][mnist][os]") {
  const test_support::MnistReference ref = test_support::load_mnist_reference(20);
  const golden::Model& m = ref.model;
  const std::vector<std::span<const uint8_t>>& images = ref.images;
  const int n = int(images.size());
  const Dataflow df = GENERATE(Dataflow::WS, Dataflow::OS);
  INFO(dataflow_name(df));
  RtlDevice dev(configs::int8);
  GoldenModelValues ev(m, images);
  Scoreboard sb(ev, ScoreboardOptions{10, 100});
  RunOptions opt;
  opt.tiler.dataflow = df;
  const ModelRun run = run_model(
      m, images, [&](const golden::Layer&, int) -> Device& { return dev; }, &sb, opt);
  for (const LayerReport& l : run.layers)
    if (l.schedules > 0) CHECK(l.dataflow == df);
  INFO(sb.report());
  WARN(format_report(run));
  CHECK(sb.mismatches() == 0);
  CHECK(run.protocol_errors == 0);
  CHECK(sb.psum_values_checked() > 0);
  for (int i = 0; i < n; ++i) {
    CHECK(run.logits[size_t(i)] == ev.trace(i).logits().data);
    for (int c = 0; c < m.reference->classes; ++c) CHECK(run.logits[size_t(i)][size_t(c)] == m.reference->at(i, c));
  }
}

// Plays `s` on the functional and the RTL device at once: every psum row, out row and counter equal
// in every slot, every row of the schedule seen.
static void check_side_by_side(const CoreConfig& cfg, const Schedule& s) {
  FunctionalDevice f(cfg);
  RtlDevice r(cfg);
  f.reset();
  r.reset();
  Instr clr;
  clr.ctr_clr = true;
  uint64_t rows = 0, bad = 0;
  for (uint64_t t = 0; t <= s.size() + 1; ++t) {
    const Instr in = t == 0 ? clr : (t <= s.size() ? s.instrs[t - 1] : Instr{});
    const DataSpan d = (t >= 1 && t <= s.size()) ? s.data_at(t - 1) : DataSpan{};
    const StepResult a = f.step(in, d), b = r.step(in, d);
    bad += (a.psum == nullptr) != (b.psum == nullptr);
    bad += (a.out == nullptr) != (b.out == nullptr);
    if (a.psum && b.psum) {
      ++rows;
      bad += !std::equal(a.psum, a.psum + cfg.cols, b.psum);
    }
    if (a.out && b.out) {
      ++rows;
      bad += !std::equal(a.out, a.out + cfg.cols, b.out);
    }
    bad += f.counters() != r.counters();
  }
  CHECK(bad == 0);
  CHECK(rows == s.psum_rows() + s.reads.size());
  CHECK(r.slot() == s.size() + 2);
}

TEST_CASE("rtl device: functional and RTL devices agree on every row and counter, slot by slot, on each dataflow",
          "[rtl][random][os]") {
  const unsigned seed0 = base_seed() + 100;
  fmt::print("rtl vs functional: seeds {}..{}\n", seed0, seed0 + 2 * kConfigs.size() - 1);
  for (const CoreConfig& cfg : kConfigs) {
    for (unsigned k = 0; k < 4; ++k) {
      const unsigned seed = seed0 + 2 * unsigned(&cfg - kConfigs.data()) + k / 2;
      RandomCase c = random_case(cfg, seed);
      c.options.dataflow = k % 2 ? Dataflow::OS : Dataflow::WS;  // the same layer on both
      if (c.options.dataflow == Dataflow::OS && c.options.strategy) c.options.strategy = Strategy::Im2col;
      INFO(c.what << " as " << dataflow_name(*c.options.dataflow));
      const Schedule s = tile_layer(cfg, c.layer, precision_of(cfg), c.inputs, {}, -1, c.options);
      check_side_by_side(cfg, s);
    }
  }
}

TEST_CASE("rtl device: output- and weight-stationary tiles mixed agree with the functional device slot by slot",
          "[rtl][os][random]") {
  const unsigned seed0 = base_seed() + 300;
  for (const CoreConfig& cfg : kConfigs) {
    for (unsigned k = 0; k < 3; ++k) {
      const unsigned seed = seed0 + 3 * unsigned(&cfg - kConfigs.data()) + k;
      const accel::test::MixedProgram m = accel::test::mixed_program(cfg, seed, 8);
      INFO(cfg.name << " seed " << seed << ": " << m.what);
      FunctionalDevice f(cfg);
      RtlDevice r(cfg);
      CHECK(accel::test::play_side_by_side(r, f, m) == "");
      CHECK(r.counters()[static_cast<unsigned>(Counter::Drain)] > 0);
    }
  }
}

TEST_CASE("rtl device: an exported vector set replays on the ece284 RTL", "[rtl][vectors]") {
  const fs::path dir = fs::temp_directory_path() / fmt::format("accel_rtl_vectors_{}", getpid());
  fs::remove_all(dir);
  RandomVectorSpec spec;
  spec.seed = base_seed() + 200;
  INFO("seed " << spec.seed);
  export_random_vectors(dir, configs::ece284, spec);
  RtlDevice dev(configs::ece284);
  const ReplayResult r = replay_vectors(dir, dev);
  INFO(format_replay(r));
  CHECK(r.passed());
  CHECK(r.device == "rtl");
  CHECK(r.psum_rows_compared == 9u * 36u);  // kernel 3, 6x6 outputs
  CHECK(r.psum_rows_matched == r.psum_rows_compared);
  CHECK(r.output_rows_compared == 36u);
  fs::remove_all(dir);
}

TEST_CASE("rtl device: a corrupted expected psum and output are reported at exactly their place", "[rtl]") {
  std::mt19937 rng(base_seed() + 300);
  INFO("seed " << base_seed() + 300);
  golden::Layer layer = random_conv({5, 11, 3, 2, 1, 10, 10, true, false}, golden::kInt8, rng);
  layer.name = "convx";
  const auto in = random_inputs(layer, 2, 8, rng);
  const std::vector<int> ids{4, 6};
  TilerOptions o;
  o.strategy = Strategy::KernelMajor;
  const Schedule s = tile_layer(configs::int8, layer, golden::kInt8, in, ids, 2, o);
  const Pass& p = s.passes.at(17);
  const uint64_t slot = p.of_rd_slot(3);
  const Slice& sl = s.slices[p.slice];
  const Item& it = s.items[p.item0 + 3];
  const OutRead& rd = s.reads.at(5);
  GoldenLayerValues ev(layer, golden::kInt8, in, ids);
  Scoreboard sb(ev, ScoreboardOptions{10, 100});
  sb.tamper_psum = [&](const Mismatch& place, std::span<int64_t> e) {
    if (place.slot == slot) e[1] -= 3;
  };
  sb.tamper_output = [&](const Mismatch& place, std::span<int64_t> e) {
    if (place.slot == rd.slot) e[1] += 1;
  };
  RtlDevice dev(configs::int8);
  play(s, dev, &sb);
  REQUIRE(sb.mismatches() == 2);
  const Mismatch* psum = nullptr;
  const Mismatch* out = nullptr;
  for (const Mismatch& m : sb.kept()) (m.kind == Mismatch::Kind::Psum ? psum : out) = &m;
  REQUIRE(psum);
  REQUIRE(out);
  CHECK(psum->layer == "convx");
  CHECK(psum->image == ids[it.image]);
  CHECK(psum->slice.red_tile == sl.red_tile);
  CHECK(psum->slice.out_tile == sl.out_tile);
  CHECK(psum->slice.ky == sl.ky);
  CHECK(psum->slice.kx == sl.kx);
  CHECK(psum->column == 1);
  CHECK(psum->channel == sl.o0 + 1);
  CHECK(psum->y == it.y);
  CHECK(psum->x == it.x);
  CHECK(psum->slot == slot);
  CHECK(psum->expected == psum->device - 3);
  CHECK(out->slot == rd.slot);
  CHECK(out->column == 1);
  CHECK(out->image == ids[s.items[rd.item].image]);
  CHECK(out->expected == out->device + 1);
  // The place carries the slot windows a rerun traces (sim/cosim/repro.cpp formats the command).
  REQUIRE(psum->schedule_window);
  CHECK(psum->schedule_window->first <= slot);
  CHECK(psum->schedule_window->second > slot);
  CHECK(psum->window);
}

TEST_CASE("rtl device: an RTL assertion is a DeviceError naming the slot, and the device recovers", "[rtl]") {
  sim::CoreSim::echo_messages(false);
  RtlDevice dev(configs::int8);
  std::vector<uint32_t> data(data_words(configs::int8), 0u);
  Instr bad;
  bad.xmem_wr = true;
  bad.w_load = true;  // two users of data_i
  dev.step(Instr{}, data);
  dev.step(Instr{}, data);
  try {
    for (int i = 0; i < 4; ++i) dev.step(i == 0 ? bad : Instr{}, data);
    FAIL("no assertion");
  } catch (const DeviceError& e) {
    CHECK(e.slot() >= 2);
    CHECK(e.slot() <= 4);
    CHECK_THAT(e.what(), Catch::Contains("RTL assertion failed"));
  }
  // Through the runtime: a PlayError naming the layer and the device.
  std::mt19937 rng(7);
  const golden::Layer layer = random_linear({16, 8, true, false}, golden::kInt8, rng);
  const auto x = random_inputs(layer, 4, 8, rng);
  Schedule s = tile_layer(configs::int8, layer, golden::kInt8, x);
  uint64_t t = 0;
  while (!s.instrs[t].w_load) ++t;
  s.instrs[t].xmem_wr = true;  // shares data_i with the w_load
  CHECK_THROWS_WITH(play(s, dev),
                    Catch::Contains("on the rtl device, schedule slot") && Catch::Contains("RTL assertion failed"));
  // A clean schedule plays after the failure.
  const Schedule ok = tile_layer(configs::int8, layer, golden::kInt8, x);
  const PlayResult r = play(ok, dev);
  CHECK(r.protocol_errors == 0);
}

TEST_CASE("rtl device: trace writes an FST of the slot window only", "[rtl]") {
  const fs::path f = fs::temp_directory_path() / fmt::format("accel_rtl_device_{}.fst", getpid());
  fs::remove(f);
  std::mt19937 rng(8);
  const golden::Layer layer = random_linear({20, 10, true, false}, golden::kInt8, rng);
  const Schedule s = tile_layer(configs::int8, layer, golden::kInt8, random_inputs(layer, 3, 8, rng));
  RtlDevice dev(configs::int8);
  dev.trace(f.string(), 5, 25);
  play(s, dev);
  CHECK(!dev.trace_open());
  REQUIRE(fs::exists(f));
  CHECK(fs::file_size(f) > 100);
  // One-shot: the next play does not trace again.
  fs::remove(f);
  play(s, dev);
  CHECK(!fs::exists(f));
  CHECK_THROWS_AS(dev.trace(f.string(), 5, 5), std::invalid_argument);
}

TEST_CASE("device factory: every device by name, one error naming the names otherwise", "[rtl][systemc]") {
  const std::vector<std::string_view> names(sim::device_names().begin(), sim::device_names().end());
  CHECK(names == std::vector<std::string_view>{"rtl", "functional", "systemc"});
  CHECK(sim::device_list(sim::device_names()) == "rtl, functional or systemc");
  CHECK(sim::device_list(sim::device_names(), "|", "|") == "rtl|functional|systemc");
  for (std::string_view name : names) {
    INFO(name);
    const std::unique_ptr<Device> d = sim::make_device(name, configs::ece284);
    CHECK(d->name() == name);
    CHECK(d->config().name == "ece284");
  }
  CHECK_THROWS_WITH(sim::make_device("gpu", configs::int8),
                    "unknown device 'gpu' (expected rtl, functional or systemc)");
  CoreConfig wide = configs::int4;  // a shape no model of that name has
  wide.psum_bits = 24;
  CHECK_THROWS_WITH(sim::make_device("systemc", wide), Catch::Contains("differs from the SystemC model"));
  const std::unique_ptr<Device> f = sim::make_device("functional", configs::int8);
  CHECK_THROWS_WITH(sim::start_trace(*f, "/tmp/never.fst", 0, 1), Catch::Contains("cannot trace"));
}

TEST_CASE("rtl device: the SIMD mode agrees with the functional device slot by slot on every configuration with it",
          "[rtl][random][simd]") {
  const unsigned seed0 = base_seed() + 500;
  size_t simd_configs = 0;
  for (const CoreConfig& cfg : kConfigs) {
    if (!cfg.simd) continue;
    ++simd_configs;
    for (unsigned k = 0; k < 6; ++k) {
      const RandomCase c = random_case(cfg, seed0 + 6 * unsigned(&cfg - kConfigs.data()) + k, true);
      INFO(c.what);
      const Schedule s = tile_layer(cfg, c.layer, precision_of(cfg, true), c.inputs, {}, -1, c.options);
      REQUIRE(s.simd);
      check_side_by_side(cfg, s);
    }
  }
  CHECK(simd_configs > 0);
}

TEST_CASE("rtl device: 20 MNIST images through models/mnist_a2w4 in int4's SIMD mode are bit-exact with golden",
          "[rtl][mnist][simd]") {
  const test_support::MnistReference ref = test_support::load_mnist_reference(20, "mnist_a2w4");
  RtlDevice dev(configs::int4);
  GoldenModelValues ev(ref.model, ref.images);
  Scoreboard sb(ev, ScoreboardOptions{10, 100});
  RunOptions opt;
  opt.tiler.simd = true;
  const ModelRun run = run_model(
      ref.model, ref.images, [&](const golden::Layer&, int) -> Device& { return dev; }, &sb, opt);
  INFO(sb.report());
  WARN(format_report(run));
  CHECK(sb.mismatches() == 0);
  CHECK(run.protocol_errors == 0);
  CHECK(sb.psum_values_checked() > 0);
  for (size_t i = 0; i < ref.images.size(); ++i)
    for (int c = 0; c < ref.model.reference->classes; ++c)
      CHECK(run.logits[i][size_t(c)] == ref.model.reference->at(int(i), c));
  for (const LayerReport& l : run.layers)
    if (l.schedules > 0) CHECK(l.lanes == 2);
}
