// The tiler: random conv2d (stride 1/2, padding 0..2, kernel 1..5, odd channel counts) and linear
// layers tiled with each strategy, played on the functional device, every psum row and every output
// checked by the scoreboard against golden, for every core configuration; the schedule's own
// timing; memory chunking; the strategy choice and the utilization of the MNIST network's shapes.
#include <accel/config_precision.hpp>
#include <fmt/format.h>

#include <accel/functional_device.hpp>
#include <accel/random_layer.hpp>
#include <accel/report/report_text.hpp>
#include <accel/runtime.hpp>
#include <accel/scoreboard.hpp>
#include <accel/tiler.hpp>
#include <accel/zero_point.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <tuple>
#include <vector>

using namespace accel;

namespace {

struct Checked {
  uint64_t mismatches = 0;
  std::string report;
  std::vector<Mismatch> kept;
};

// Tiles, plays on the functional device and scores one layer; checks that every psum lane and
// every output was compared.
// `expected`: the layer golden computes the expectation from (default: `layer` itself).
Checked run_checked(const CoreConfig& cfg, const golden::Layer& layer, const std::vector<golden::Tensor>& in,
                    std::optional<Strategy> strategy, std::optional<Dataflow> dataflow = std::nullopt,
                    bool simd = false, const golden::Layer* expected = nullptr) {
  const golden::Precision prec = precision_of(cfg, simd);
  TilerOptions opt;
  opt.strategy = strategy;
  opt.dataflow = dataflow;
  opt.simd = simd;
  const Schedule s = tile_layer(cfg, layer, prec, in, {}, -1, opt);
  if (strategy) REQUIRE(s.strategy == *strategy);
  if (dataflow) REQUIRE(s.dataflow == *dataflow);
  GoldenLayerValues values(expected ? *expected : layer, prec, in);
  Scoreboard sb(values, ScoreboardOptions{10, 100});
  FunctionalDevice dev(cfg);
  const PlayResult r = play(s, dev, &sb);
  CHECK(r.protocol_errors == 0);
  CHECK(sb.psum_values_checked() == s.psum_rows() * cfg.cols);
  size_t outputs = 1;
  for (int d : s.out_shape) outputs *= size_t(d);
  CHECK(sb.output_values_checked() == outputs * in.size());
  CHECK(counter(r.counters, Counter::Total) == s.size());
  const auto l0_rds = uint64_t(std::count_if(s.instrs.begin(), s.instrs.end(), [](const Instr& i) { return i.l0_rd; }));
  CHECK(counter(r.counters, Counter::Compute) == l0_rds);
  // The SIMD mode: every weight-stationary vector is SIMD (two products per PE), every requantized
  // read-out half-width; nothing of it otherwise.
  const auto count = [&](auto pred) { return uint64_t(std::count_if(s.instrs.begin(), s.instrs.end(), pred)); };
  const bool ws = s.dataflow == Dataflow::WS;
  CHECK(count([](const Instr& i) { return i.l0_simd; }) == (simd && ws ? l0_rds : 0));
  CHECK(count([](const Instr& i) { return i.out_half; }) ==
        (simd ? count([](const Instr& i) { return i.out_rd && !i.out_raw; }) : 0));
  CHECK(counter(r.counters, Counter::Macs) == l0_rds * cfg.rows * cfg.cols * (simd && ws ? 2 : 1));
  if (s.dataflow == Dataflow::WS) CHECK(l0_rds == s.psum_rows());  // OS: one row per item of a tile instead
  if (s.dataflow == Dataflow::WS) CHECK(counter(r.counters, Counter::Drain) == 0);
  return {sb.mismatches(), sb.report(), sb.kept()};
}

RandomConvSpec random_conv_spec(std::mt19937& rng) {
  std::uniform_int_distribution<int> ch(1, 11), oc(1, 13), k(1, 5), st(1, 2), pad(0, 2), extra(0, 6);
  RandomConvSpec s;
  s.in_channels = ch(rng);
  s.out_channels = oc(rng);
  s.kernel = k(rng);
  s.stride = st(rng);
  s.padding = std::min(pad(rng), s.kernel - 1 + 1);
  s.height = std::max(1, s.kernel - 2 * s.padding) + extra(rng);
  s.width = std::max(1, s.kernel - 2 * s.padding) + extra(rng);
  s.relu = extra(rng) % 2 == 0;
  s.logits = extra(rng) == 6;
  return s;
}

}  // namespace

TEST_CASE("tiler: random conv layers match golden with each dataflow and strategy on every configuration",
          "[tiler][random][os]") {
  const unsigned seed = GENERATE(1u, 2u);
  for (const CoreConfig& cfg : kConfigs) {
    std::mt19937 rng(seed * 7919u + cfg.rows * 31u + cfg.psum_bits);
    for (int n = 0; n < 6; ++n) {
      const RandomConvSpec spec = random_conv_spec(rng);
      const golden::Layer layer = random_conv(spec, precision_of(cfg), rng);
      const auto in = random_inputs(layer, 2, int(cfg.act_bits), rng);
      for (const auto& [df, st] : {std::pair{Dataflow::WS, Strategy::KernelMajor},
                                   std::pair{Dataflow::WS, Strategy::Im2col}, std::pair{Dataflow::OS, Strategy::Im2col}}) {
        INFO(fmt::format("seed {} config {} layer {} {}x{} relu {} logits {} {} {}", seed, cfg.name, layer.name,
                         spec.height, spec.width, layer.relu, layer.logits, dataflow_name(df), strategy_name(st)));
        const Checked c = run_checked(cfg, layer, in, st, df);
        INFO(c.report);
        CHECK(c.mismatches == 0);
      }
    }
  }
}

namespace {

// Two schedules are the same stream with the same rows: every instruction word, every data word,
// every event, and the image ids.
void check_same_schedule(const Schedule& a, const Schedule& b) {
  REQUIRE(a.size() == b.size());
  for (size_t t = 0; t < a.size(); ++t) {
    INFO("slot " << t);
    REQUIRE(pack(a.instrs[t]) == pack(b.instrs[t]));
    const DataSpan da = a.data_at(t), db = b.data_at(t);
    REQUIRE(std::vector<uint32_t>(da.begin(), da.end()) == std::vector<uint32_t>(db.begin(), db.end()));
  }
  REQUIRE(a.events.size() == b.events.size());
  for (size_t i = 0; i < a.events.size(); ++i) {
    CHECK(a.events[i].slot == b.events[i].slot);
    CHECK(a.events[i].solo == b.events[i].solo);
    CHECK(a.events[i].ref == b.events[i].ref);
  }
  CHECK(a.images == b.images);
}

}  // namespace

TEST_CASE("tiler: a schedule retiled for other inputs is the schedule tiled for them", "[tiler][random]") {
  std::mt19937 rng(4242);
  for (const CoreConfig& cfg : kConfigs) {
    const golden::Precision prec = precision_of(cfg);
    for (int n = 0; n < 3; ++n) {
      const golden::Layer conv = random_conv(random_conv_spec(rng), prec, rng);
      for (Strategy st : {Strategy::KernelMajor, Strategy::Im2col}) {
        INFO(fmt::format("config {} {} {}", cfg.name, conv.describe(), strategy_name(st)));
        TilerOptions opt;
        opt.strategy = st;
        const auto a = random_inputs(conv, 3, int(cfg.act_bits), rng),
                   b = random_inputs(conv, 3, int(cfg.act_bits), rng);
        const std::vector<int> ids{7, 8, 9};
        Schedule s = tile_layer(cfg, conv, prec, a, {}, -1, opt);
        retile(s, b, ids);
        check_same_schedule(s, tile_layer(cfg, conv, prec, b, ids, -1, opt));
      }
    }
    const golden::Layer fc = random_linear({1 + int(rng() % 300), 1 + int(rng() % 40), true, false}, prec, rng);
    const auto a = random_inputs(fc, 5, int(cfg.act_bits), rng), b = random_inputs(fc, 5, int(cfg.act_bits), rng);
    Schedule s = tile_layer(cfg, fc, prec, a);
    retile(s, b);
    check_same_schedule(s, tile_layer(cfg, fc, prec, b));
    // Another count or shape, or an activation out of range: refused.
    CHECK_THROWS_WITH(retile(s, std::span(b).first(4)), Catch::Contains("4 inputs of"));
    auto bad = b;
    bad[2].data[0] = int64_t{1} << cfg.act_bits;
    CHECK_THROWS_WITH(retile(s, bad), Catch::Contains("input activation"));
  }
}

TEST_CASE("tiler: random linear layers match golden with each dataflow on every configuration", "[tiler][random][os]") {
  const unsigned seed = GENERATE(3u, 4u);
  for (const CoreConfig& cfg : kConfigs) {
    std::mt19937 rng(seed * 104729u + cfg.cols * 17u + cfg.act_bits);
    std::uniform_int_distribution<int> in(1, 70), out(1, 27), batch(1, 24), coin(0, 3);
    for (int n = 0; n < 5; ++n) {
      RandomLinearSpec spec{in(rng), out(rng), coin(rng) != 0, coin(rng) == 0};
      const golden::Layer layer = random_linear(spec, precision_of(cfg), rng);
      const auto x = random_inputs(layer, batch(rng), int(cfg.act_bits), rng);
      INFO(fmt::format("seed {} config {} layer {} batch {} relu {} logits {}", seed, cfg.name, layer.name, x.size(),
                       layer.relu, layer.logits));
      for (Dataflow df : {Dataflow::WS, Dataflow::OS}) {
        INFO(dataflow_name(df));
        const Checked c = run_checked(cfg, layer, x, std::nullopt, df);
        INFO(c.report);
        CHECK(c.mismatches == 0);
      }
    }
  }
}

TEST_CASE("tiler: layers larger than xmem and pmem are chunked and still exact", "[tiler][random]") {
  const unsigned seed = 5;
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  const CoreConfig& cfg = configs::odd4x6;  // 1024-word memories
  SECTION("linear: input-feature chunks and output-tile groups") {
    // 300 inputs = 75 row tiles x batch 40 > xmem/2; 100 outputs = 17 tiles x 40 > pmem/2.
    const golden::Layer layer = random_linear({300, 100, true, false}, precision_of(cfg), rng);
    const auto x = random_inputs(layer, 40, int(cfg.act_bits), rng);
    for (Dataflow df : {Dataflow::WS, Dataflow::OS}) {
      const Checked c = run_checked(cfg, layer, x, std::nullopt, df);
      INFO(c.report);
      CHECK(c.mismatches == 0);
    }
  }
  SECTION("output-stationary: a reduction longer than half of xmem and wmem, weights not resident") {
    // 60 channels x 9 = 540 terms > 511 (half of 1023 words): two reduction chunks accumulated in
    // pmem; 17 output tiles x 540 rows > 1024 wmem words: weight rows rewritten per chunk.
    const golden::Layer layer = random_conv({60, 100, 3, 1, 1, 5, 5, true, false}, precision_of(cfg), rng);
    const auto x = random_inputs(layer, 2, int(cfg.act_bits), rng);
    const Checked c = run_checked(cfg, layer, x, Strategy::Im2col, Dataflow::OS);
    INFO(c.report);
    CHECK(c.mismatches == 0);
  }
  SECTION("conv: output-position chunks") {
    // 20 output channels = 4 tiles x 400 positions > pmem/2.
    const golden::Layer layer = random_conv({3, 20, 3, 1, 1, 20, 20, true, false}, precision_of(cfg), rng);
    const auto x = random_inputs(layer, 1, int(cfg.act_bits), rng);
    for (const auto& [df, st] : {std::pair{Dataflow::WS, Strategy::KernelMajor},
                                 std::pair{Dataflow::WS, Strategy::Im2col}, std::pair{Dataflow::OS, Strategy::Im2col}}) {
      const Checked c = run_checked(cfg, layer, x, st, df);
      INFO(c.report);
      CHECK(c.mismatches == 0);
    }
  }
}

TEST_CASE("tiler: every l0_rd has its xmem_rd 2 slots before and its of_rd Rows + Cols after", "[tiler]") {
  std::mt19937 rng(6);
  for (const CoreConfig& cfg : kConfigs) {
    const golden::Layer layer = random_conv({5, 9, 3, 2, 1, 9, 9, true, false}, precision_of(cfg), rng);
    const auto x = random_inputs(layer, 2, int(cfg.act_bits), rng);
    for (Strategy st : {Strategy::KernelMajor, Strategy::Im2col}) {
      INFO(fmt::format("config {} strategy {}", cfg.name, strategy_name(st)));
      TilerOptions opt;
      opt.strategy = st;
      opt.dataflow = Dataflow::WS;
      const Schedule s = tile_layer(cfg, layer, precision_of(cfg), x, {}, -1, opt);
      const uint64_t rc = lat::l0rd_to_ofrd(cfg);
      uint64_t l0 = 0, xr = 0, of = 0, data = 0;
      bool ok = true;
      for (uint64_t t = 0; t < s.size(); ++t) {
        const Instr& i = s.instrs[t];
        l0 += i.l0_rd;
        xr += i.xmem_rd;
        of += i.of_rd;
        data += data_users(i);
        if (data_users(i) > 1) ok = false;
        if (i.l0_rd && (t < 2 || !s.instrs[t - 2].xmem_rd || t + rc >= s.size() || !s.instrs[t + rc].of_rd)) ok = false;
        if (i.of_rd && (t < rc || !s.instrs[t - rc].l0_rd)) ok = false;
      }
      CHECK(ok);
      CHECK(l0 == s.psum_rows());
      CHECK(xr == l0);
      CHECK(of == l0);
      // Every weight tile is loaded exactly once per pass: Cols w_loads and one w_commit.
      uint64_t loads = 0, commits = 0;
      for (const Instr& i : s.instrs) {
        loads += i.w_load;
        commits += i.w_commit;
      }
      CHECK(loads == s.passes.size() * cfg.cols);
      CHECK(commits == s.passes.size());
    }
  }
}

TEST_CASE("tiler: every output-stationary accumulation reads its words 2 slots ahead and drains at the minimum",
          "[tiler][os]") {
  std::mt19937 rng(16);
  for (const CoreConfig& cfg : kConfigs) {
    const golden::Layer conv = random_conv({5, 9, 3, 2, 1, 9, 9, true, false}, precision_of(cfg), rng);
    const golden::Layer fc = random_linear({37, 21, true, false}, precision_of(cfg), rng);
    for (const golden::Layer* layer : {&conv, &fc}) {
      INFO(fmt::format("config {} layer {}", cfg.name, layer->describe()));
      TilerOptions opt;
      opt.dataflow = Dataflow::OS;
      const auto x = random_inputs(*layer, 11, int(cfg.act_bits), rng);
      const Schedule s = tile_layer(cfg, *layer, precision_of(cfg), x, {}, -1, opt);
      REQUIRE(s.dataflow == Dataflow::OS);
      uint64_t l0 = 0, drains = 0, of = 0, bad = 0;
      for (uint64_t t = 0; t < s.size(); ++t) {
        const Instr& i = s.instrs[t];
        l0 += i.l0_rd;
        drains += i.os_drain;
        of += i.of_rd;
        if (i.l0_rd && (!i.l0_os || t < 2 || !s.instrs[t - 2].xmem_rd || !s.instrs[t - 2].wmem_rd)) ++bad;
        if (i.w_load || i.w_commit || data_users(i) > 1) ++bad;
      }
      CHECK(bad == 0);
      CHECK(drains == s.passes.size());
      CHECK(of == s.passes.size() * cfg.rows);
      CHECK(of == s.psum_rows());
      // Each accumulation: its steps back to back, the drain exactly Rows + Cols - 2 after the last
      // one unless an earlier drain or pmem row holds it back, of_rd j at drain + 2 + j.
      uint64_t at_minimum = 0;
      for (const Pass& p : s.passes) {
        const uint64_t d = p.first_ofrd - lat::kDrainToOfRd;
        REQUIRE(s.instrs[d].os_drain);
        uint64_t t = p.first_l0rd;
        while (t < d && s.instrs[t].l0_rd) ++t;
        const uint64_t steps = t - p.first_l0rd;
        CHECK(steps == uint64_t(s.slices[p.slice].r1 - s.slices[p.slice].r0));
        CHECK(d >= p.first_l0rd + steps - 1 + lat::os_l0rd_to_drain(cfg));
        at_minimum += d == p.first_l0rd + steps - 1 + lat::os_l0rd_to_drain(cfg);
        for (uint32_t j = 0; j < p.count; ++j) CHECK(s.instrs[p.of_rd_slot(j)].of_rd);
      }
      CHECK(at_minimum * 2 >= s.passes.size());
    }
  }
}

TEST_CASE("tiler: the MNIST shapes choose im2col for conv1 and kernel-major for conv2", "[tiler]") {
  std::mt19937 rng(7);
  const golden::Model m = random_mnist_model(golden::kInt8, rng);
  const auto e1 = estimate_layer(configs::int8, m.layers[0], 1);
  const auto e2 = estimate_layer(configs::int8, m.layers[1], 1);
  REQUIRE(e1.size() == 3);  // ws kernel-major, ws im2col, os im2col
  REQUIRE(e2.size() == 3);
  CHECK(choose_strategy(configs::int8, m.layers[0]) == Strategy::Im2col);
  CHECK(e1[0].strategy == Strategy::Im2col);
  CHECK(e1[0].dataflow == Dataflow::WS);
  const auto of = [](const std::vector<Estimate>& es, Dataflow d, Strategy st) {
    for (const Estimate& e : es)
      if (e.dataflow == d && e.strategy == st) return e;
    FAIL("no estimate");
    return Estimate{};
  };
  CHECK(of(e1, Dataflow::WS, Strategy::KernelMajor).cycles > 4 * e1[0].cycles);  // 1 of 8 rows used
  // conv1 OS: 784 positions = 98 tiles x 4 oc tiles, each 25 steps + 14 drain slots.
  CHECK(of(e1, Dataflow::OS, Strategy::Im2col).compute_slots == 98u * 4u * (25u + 14u));
  CHECK(choose_strategy(configs::int8, m.layers[1]) == Strategy::KernelMajor);
  CHECK(e2[0].compute_slots == 28224);  // 4 ic x 4 oc x 9 kernel positions x 196 positions
  CHECK(estimate_layer(configs::int8, m.layers[4], 100).front().strategy == Strategy::Linear);
}

TEST_CASE("tiler: the MNIST-shaped network reaches 70 % utilization at batch 100", "[tiler]") {
  const unsigned seed = 8;
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  const golden::Model m = random_mnist_model(golden::kInt8, rng);
  std::uniform_int_distribution<int> px(0, 255);
  std::vector<std::vector<uint8_t>> pixels(100, std::vector<uint8_t>(784));
  for (auto& im : pixels)
    for (auto& p : im) p = uint8_t(px(rng));
  std::vector<std::span<const uint8_t>> images(pixels.begin(), pixels.end());
  FunctionalDevice dev(configs::int8);
  const ModelRun run = run_model(m, images, [&](const golden::Layer&, int) -> Device& { return dev; });
  const std::string rep = format_report(run);
  WARN(rep);
  CHECK(run.protocol_errors == 0);
  CHECK(run.utilization() >= 0.70);
  for (const LayerReport& l : run.layers) {
    if (l.device == "host") continue;
    // Compute + weight + host + stall == total (the priority rule), and streaming slots == MACs / R*C
    // for every layer whose tiles are full.
    CHECK(l.counters[1] + l.counters[2] + l.counters[3] + l.counters[4] == l.counters[0]);
  }
}

TEST_CASE("tiler: events name every psum row and out row in slot order, and their slots alone", "[tiler]") {
  std::mt19937 rng(8);
  const golden::Layer conv = random_conv({5, 11, 3, 2, 1, 7, 7, true, false}, golden::kInt8, rng);
  const golden::Layer fc = random_linear({37, 19, true, false}, golden::kInt8, rng);
  const std::vector<int> ids{4, 5, 6};
  for (const auto& [layer, st] : {std::pair{&conv, Strategy::KernelMajor}, std::pair{&conv, Strategy::Im2col},
                                  std::pair{&fc, Strategy::Linear}}) {
    INFO(fmt::format("{} {}", layer->name, strategy_name(st)));
    const auto x = random_inputs(*layer, 3, 8, rng);
    TilerOptions opt;
    if (st != Strategy::Linear) opt.strategy = st;
    const Schedule s = tile_layer(configs::int8, *layer, golden::kInt8, x, ids, 2, opt);
    REQUIRE(s.events.size() == s.psum_rows() + s.reads.size());
    // A psum event one slot after each of_rd, an out event two after each out_rd (docs/isa.md).
    uint64_t psums = 0, outs = 0;
    for (size_t k = 0; k < s.events.size(); ++k) {
      const Event& e = s.events[k];
      if (k > 0) CHECK(s.events[k - 1].slot <= e.slot);
      REQUIRE(e.slot < s.size());
      if (e.kind == EventKind::Psum) {
        ++psums;
        CHECK(s.instrs[e.slot - lat::kOfRdToPsumOut].of_rd);
        CHECK(e.slot - lat::kOfRdToPsumOut == s.passes[e.ref].of_rd_slot(e.vec));
        CHECK(s.instrs[e.issue()].l0_rd);
      } else {
        ++outs;
        CHECK(e.issue() == s.reads[e.ref].slot);
        CHECK(e.slot == s.reads[e.ref].slot + lat::kOutRdToOut);
      }
    }
    CHECK(psums == s.psum_rows());
    CHECK(outs == s.reads.size());
    // Event::solo is the same row's slot in the schedule of that image alone.
    for (size_t img = 0; img < x.size(); ++img) {
      const Schedule one =
          tile_layer(configs::int8, *layer, golden::kInt8, std::span(&x[img], 1), std::span(&ids[img], 1), 2, opt);
      std::map<std::tuple<int, uint32_t, uint32_t, int, int, int, int>, uint64_t> alone;
      auto key = [](const Schedule& sc, const Event& e) {
        const Item& it = sc.item_of(e);
        if (e.kind == EventKind::Out) return std::make_tuple(1, 0u, sc.reads[e.ref].out_tile, -1, -1, it.y, it.x);
        const Slice& sl = sc.slices[sc.passes[e.ref].slice];
        return std::make_tuple(0, sl.red_tile, sl.out_tile, sl.ky, sl.kx, it.y, it.x);
      };
      for (const Event& e : one.events) {
        CHECK(e.solo == e.slot);
        alone[key(one, e)] = e.slot;
      }
      size_t matched = 0;
      for (const Event& e : s.events) {
        if (s.item_of(e).image != img) continue;
        const auto it = alone.find(key(s, e));
        REQUIRE(it != alone.end());
        CHECK(e.solo == it->second);
        ++matched;
      }
      CHECK(matched == one.events.size());
    }
  }
}

TEST_CASE("tiler: a layer type outside golden::LayerType is a clear error", "[tiler][bad_input]") {
  std::mt19937 rng(9);
  golden::Layer layer = random_linear({16, 8, true, false}, golden::kInt8, rng);
  const auto x = random_inputs(layer, 1, 8, rng);
  layer.type = static_cast<golden::LayerType>(42);
  CHECK_THROWS_WITH(tile_layer(configs::int8, layer, golden::kInt8, x),
                    Catch::Contains("layer 'fc16to8': layer type value 42 is not a known layer type"));
  CHECK_THROWS_WITH(estimate_layer(configs::int8, layer, 1), Catch::Contains("layer type value 42"));
}

// The SIMD mode (docs/isa.md "SIMD mode"): the models' activations are half the core's width, and
// weight-stationary vectors carry 2 x Rows reduction terms.
TEST_CASE("tiler: random conv and linear layers in the SIMD mode match golden on every configuration with it",
          "[tiler][random][simd]") {
  size_t simd_configs = 0;
  for (const CoreConfig& cfg : kConfigs) {
    if (!cfg.simd) continue;
    ++simd_configs;
    const golden::Precision prec = precision_of(cfg, true);
    REQUIRE(unsigned(prec.act_bits) * 2 == cfg.act_bits);
    std::mt19937 rng(97u + cfg.rows * 13u + cfg.psum_bits);
    for (int n = 0; n < 6; ++n) {
      const RandomConvSpec spec = random_conv_spec(rng);
      const golden::Layer layer = random_conv(spec, prec, rng);
      const auto in = random_inputs(layer, 2, prec.act_bits, rng);
      for (const auto& [df, st] : {std::pair{Dataflow::WS, Strategy::KernelMajor},
                                   std::pair{Dataflow::WS, Strategy::Im2col}, std::pair{Dataflow::OS, Strategy::Im2col}}) {
        INFO(fmt::format("config {} layer {} {} {}", cfg.name, layer.describe(), dataflow_name(df), strategy_name(st)));
        const Checked c = run_checked(cfg, layer, in, st, df, true);
        INFO(c.report);
        CHECK(c.mismatches == 0);
      }
    }
    std::uniform_int_distribution<int> features(1, 70), outs(1, 27), batch(1, 24);
    for (int n = 0; n < 5; ++n) {
      const golden::Layer layer = random_linear({features(rng), outs(rng), n % 2 == 0, n == 4}, prec, rng);
      const auto x = random_inputs(layer, batch(rng), prec.act_bits, rng);
      for (Dataflow df : {Dataflow::WS, Dataflow::OS}) {
        INFO(fmt::format("config {} layer {} batch {} {}", cfg.name, layer.describe(), x.size(), dataflow_name(df)));
        const Checked c = run_checked(cfg, layer, x, std::nullopt, df, true);
        INFO(c.report);
        CHECK(c.mismatches == 0);
      }
    }
    // The extremes: every activation at 2^(A/2) - 1 and every weight at -2^(W-1), so both halves of
    // every lane and both lanes' weights carry their largest magnitude.
    golden::Layer edge = random_linear({4 * int(cfg.rows) + 3, int(cfg.cols) + 1, false, true}, prec, rng);
    std::fill(edge.weight.begin(), edge.weight.end(), -(int64_t{1} << (cfg.weight_bits - 1)));
    auto x = random_inputs(edge, 3, prec.act_bits, rng);
    for (auto& t : x) std::fill(t.data.begin(), t.data.end(), (int64_t{1} << prec.act_bits) - 1);
    const Checked c = run_checked(cfg, edge, x, std::nullopt, Dataflow::WS, true);
    INFO(c.report);
    CHECK(c.mismatches == 0);
  }
  CHECK(simd_configs > 0);
}

TEST_CASE("tiler: the SIMD mode halves the weight-stationary reduction passes and is refused where it cannot run",
          "[tiler][simd][bad_input]") {
  const CoreConfig& cfg = configs::int4;
  REQUIRE(cfg.simd);
  std::mt19937 rng(21);
  const golden::Precision half = precision_of(cfg, true), full = precision_of(cfg);
  // The same shapes at both precisions: 2 x Rows terms per vector take half the passes.
  const golden::Layer conv_h = random_conv({32, 16, 3, 1, 1, 8, 8, true, false}, half, rng),
                      conv_f = random_conv({32, 16, 3, 1, 1, 8, 8, true, false}, full, rng);
  const golden::Layer fc_h = random_linear({800, 30, true, false}, half, rng),
                      fc_f = random_linear({800, 30, true, false}, full, rng);
  for (const auto& [h, f] : {std::pair{&conv_h, &conv_f}, std::pair{&fc_h, &fc_f}}) {
    INFO(h->describe());
    TilerOptions ws;
    ws.dataflow = Dataflow::WS;
    TilerOptions ws_simd = ws;
    ws_simd.simd = true;
    const Schedule a = tile_layer(cfg, *f, full, random_inputs(*f, 4, full.act_bits, rng), {}, -1, ws);
    const Schedule b = tile_layer(cfg, *h, half, random_inputs(*h, 4, half.act_bits, rng), {}, -1, ws_simd);
    CHECK(b.passes.size() * 2 == a.passes.size());
    CHECK(b.psum_rows() * 2 == a.psum_rows());
    CHECK(b.size() < a.size());
    CHECK(b.macs == a.macs);
  }
  // Retiling a SIMD schedule rewrites both halves of the lanes in place.
  TilerOptions simd;
  simd.simd = true;
  const auto in1 = random_inputs(conv_h, 2, half.act_bits, rng), in2 = random_inputs(conv_h, 2, half.act_bits, rng);
  Schedule s = tile_layer(cfg, conv_h, half, in1, {}, -1, simd);
  retile(s, in2);
  check_same_schedule(s, tile_layer(cfg, conv_h, half, in2, {}, -1, simd));
  auto bad = in2;
  bad[1].data[5] = int64_t{1} << half.act_bits;  // fits the core's lanes, not the mode's
  CHECK_THROWS_WITH(tile_layer(cfg, conv_h, half, bad, {}, -1, simd),
                    Catch::Contains("input activation 4 outside 0..3"));
  CHECK_THROWS_WITH(retile(s, bad), Catch::Contains("input activation 4 outside 0..3"));
  // A core without the mode, and a model of the core's full width.
  const golden::Layer conv8 = random_conv({3, 4, 3, 1, 1, 5, 5, true, false}, precision_of(configs::int8, false), rng);
  CHECK_THROWS_WITH(tile_layer(configs::int8, conv8, precision_of(configs::int8), random_inputs(conv8, 1, 8, rng), {},
                               -1, simd),
                    Catch::Contains("core 'int8' has no SIMD mode"));
  CHECK_THROWS_WITH(tile_layer(cfg, conv_f, full, random_inputs(conv_f, 1, full.act_bits, rng), {}, -1, simd),
                    Catch::Contains("model precision 4/4/32 (act/weight/psum bits) differs from core 'int4' in the "
                                    "SIMD mode (2/4/32)"));
  CHECK(config_for(half, {}, true).name == "int4");
  CHECK_THROWS_WITH(config_for(half, "int8", true), Catch::Contains("--config int8 has no SIMD mode"));
}

// Zero points (docs/quantization.md "Zero points on the array"): the host folds the input zero
// point into the bias, pads with it and writes the output zero point to the SFP.
TEST_CASE("tiler: the input zero point folds into the bias, and a bias beyond int32 or a sum that could wrap is refused",
          "[tiler][zp][bad_input]") {
  std::mt19937 rng(5);
  golden::Layer l = random_linear({3, 2, true, false}, golden::kInt8, rng);
  l.weight = {1, -2, 3, 4, 0, -1};  // sums 2 and 3
  l.bias = {10, -5};
  l.input_zero_point = 3;
  CHECK(folded_bias(l, 8, 32) == std::vector<int32_t>{10 - 3 * 2, -5 - 3 * 3});
  l.input_zero_point = 0;
  CHECK(folded_bias(l, 8, 32) == l.bias);
  l.input_zero_point = 256;
  CHECK_THROWS_WITH(folded_bias(l, 8, 32), "layer 'fc3to2': input zero point 256 outside 0..255");
  l.input_zero_point = 1;
  l.bias = {INT32_MIN, 0};  // INT32_MIN - 1 * 2
  CHECK_THROWS_WITH(folded_bias(l, 8, 32), Catch::Contains("output 0: bias -2147483648 - 1 * 2 (input zero point "
                                                           "times the weight sum) = -2147483650 leaves int32"));
  // 16-bit psums: 255 * (|1| + |-2| + |3|) = 1530 fits; weights of magnitude 129 in total do not
  // (255 * 129 = 32895 > 32767), 128 do (32640).
  l.bias = {0, 0};
  CHECK_NOTHROW(folded_bias(l, 8, 16));
  l.weight = {64, -64, 1, 64, -64, 0};
  CHECK_THROWS_WITH(folded_bias(l, 8, 16), Catch::Contains("output 0: with input zero point 1 a sum of up to 255 * "
                                                           "129 could wrap 16 psum bits"));
  l.weight = {64, -64, 0, 64, -64, 0};
  CHECK_NOTHROW(folded_bias(l, 8, 16));
  l.input_zero_point = 0;  // no zero point: the array's sum is the contract's, wrapping alike
  l.weight = {127, 127, 127, 127, 127, 127};
  CHECK_NOTHROW(folded_bias(l, 8, 16));
  // The tiler refuses a layer whose output zero point does not fit, or a logits layer with one.
  golden::Layer c = random_conv({2, 3, 3, 1, 1, 4, 4, true, false, 300, 0}, golden::kInt8, rng);
  const auto x = random_inputs(c, 1, 8, rng);
  CHECK_THROWS_WITH(tile_layer(configs::int8, c, golden::kInt8, x), Catch::Contains("input zero point 300 outside 0..255"));
  c.input_zero_point = 0;
  c.output_zero_point = 256;
  CHECK_THROWS_WITH(tile_layer(configs::int8, c, golden::kInt8, x),
                    Catch::Contains("layer 'conv2to3k3s1p1': output zero point 256 outside 0..255"));
}

TEST_CASE("tiler: random padded conv and linear layers with zero points match golden with each dataflow and strategy",
          "[tiler][random][zp][os]") {
  // 32-bit psums only: with P = 16 (ece284) most random layers with an input zero point could
  // wrap, which folded_bias refuses (previous test).
  size_t runs = 0;
  for (const CoreConfig& cfg : kConfigs) {
    if (cfg.psum_bits != 32) continue;
    for (const bool simd : {false, true}) {
      if (simd && !cfg.simd) continue;
      const golden::Precision prec = precision_of(cfg, simd);
      std::mt19937 rng(31u + cfg.rows * 7u + cfg.act_bits + simd);
      for (int n = 0; n < 5; ++n) {
        RandomConvSpec spec = random_conv_spec(rng);
        spec.padding = std::max(spec.padding, 1);
        spec.input_zero_point = spec.output_zero_point = -1;
        const golden::Layer layer = random_conv(spec, prec, rng);
        const auto in = random_inputs(layer, 2, prec.act_bits, rng);
        for (const auto& [df, st] : {std::pair{Dataflow::WS, Strategy::KernelMajor},
                                     std::pair{Dataflow::WS, Strategy::Im2col},
                                     std::pair{Dataflow::OS, Strategy::Im2col}}) {
          INFO(fmt::format("config {}{} layer {} z {} -> {} {} {}", cfg.name, simd ? " simd" : "", layer.describe(),
                           layer.input_zero_point, layer.output_zero_point, dataflow_name(df), strategy_name(st)));
          const Checked c = run_checked(cfg, layer, in, st, df, simd);
          INFO(c.report);
          CHECK(c.mismatches == 0);
          ++runs;
        }
      }
      std::uniform_int_distribution<int> features(1, 70), outs(1, 27), batch(1, 12);
      for (int n = 0; n < 4; ++n) {
        const golden::Layer layer = random_linear({features(rng), outs(rng), n % 2 == 0, n == 3, -1, -1}, prec, rng);
        const auto x = random_inputs(layer, batch(rng), prec.act_bits, rng);
        for (Dataflow df : {Dataflow::WS, Dataflow::OS}) {
          INFO(fmt::format("config {}{} layer {} z {} -> {} {}", cfg.name, simd ? " simd" : "", layer.describe(),
                           layer.input_zero_point, layer.output_zero_point, dataflow_name(df)));
          const Checked c = run_checked(cfg, layer, x, std::nullopt, df, simd);
          INFO(c.report);
          CHECK(c.mismatches == 0);
          ++runs;
        }
      }
    }
  }
  CHECK(runs >= 2 * (5 * 3 + 4 * 2));
}

TEST_CASE("tiler: psums and outputs are checked against the zero points: one off is reported where it matters",
          "[tiler][zp]") {
  std::mt19937 rng(11);
  const golden::Layer layer = random_conv({3, 5, 3, 1, 1, 5, 5, true, false, 9, 7}, golden::kInt8, rng);
  const auto in = random_inputs(layer, 1, 8, rng);
  for (Strategy st : {Strategy::KernelMajor, Strategy::Im2col}) {
    INFO(strategy_name(st));
    REQUIRE(run_checked(configs::int8, layer, in, st, Dataflow::WS).mismatches == 0);
    TilerOptions opt;
    opt.strategy = st;
    // Psums are expected from the schedule's layer: one with input zero point 8 makes golden pad
    // with 8 where the array was given 9, so exactly the psums of padded positions differ.
    golden::Layer other = layer;
    other.input_zero_point = 8;
    Schedule s = tile_layer(configs::int8, layer, golden::kInt8, in, {}, -1, opt);
    s.layer = &other;
    GoldenLayerValues right(layer, golden::kInt8, in);
    Scoreboard pad(right, ScoreboardOptions{1000, 10});
    FunctionalDevice dev(configs::int8);
    play(s, dev, &pad);
    CHECK(pad.mismatches() > 0);
    REQUIRE_FALSE(pad.kept().empty());
    for (const Mismatch& m : pad.kept()) {
      REQUIRE(m.kind == Mismatch::Kind::Psum);
      if (st != Strategy::KernelMajor) continue;
      // Kernel-major: one kernel position per psum, so its input position is in the padding.
      const int iy = m.y - 1 + m.slice.ky, ix = m.x - 1 + m.slice.kx;
      CHECK((iy < 0 || iy >= 5 || ix < 0 || ix >= 5));
    }
    // An output zero point of 8 in the expectation: every psum agrees, outputs do not.
    other = layer;
    other.output_zero_point = 8;
    const Checked out = run_checked(configs::int8, layer, in, st, Dataflow::WS, false, &other);
    CHECK(out.mismatches > 0);
    REQUIRE_FALSE(out.kept.empty());
    for (const Mismatch& m : out.kept) CHECK(m.kind == Mismatch::Kind::Output);
  }
}
