// The core's SystemC/TLM-2.0 model (sim/systemc, docs/systemc.md) as an accel::Device: random
// layers and 20 MNIST images bit-exact with golden, and every psum row, out row and counter equal
// to the plain Verilated harness (accel::sim::make_core_sim) playing the same schedule; the
// bridge's answers to malformed transactions; RTL assertions as DeviceError.
#include <accel/config_precision.hpp>
#include <fmt/format.h>

#include <accel/random_layer.hpp>
#include <accel/runtime.hpp>
#include <accel/scoreboard.hpp>
#include <accel/sim/core_sim.hpp>
#include <accel/systemc/core_target.hpp>
#include <accel/systemc/systemc_device.hpp>
#include <accel/tiler.hpp>
#include <catch2/catch.hpp>

#include "support/mixed_program.hpp"
#include "support/mnist_reference.hpp"
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>
#include <golden/idx.hpp>
#include <golden/model.hpp>
#include <golden/network.hpp>
#include <random>

using namespace accel;
using accel::systemc::SystemcDevice;

namespace {

unsigned seed_or(unsigned fallback) {
  const char* s = std::getenv("ACCEL_SEED");
  return s ? unsigned(std::strtoul(s, nullptr, 10)) : fallback;
}

// The plain harness as a Device (what sim/'s RtlDevice does), kept here so this test depends on
// CoreSim alone.
class PlainDevice final : public Device {
 public:
  explicit PlainDevice(const CoreConfig& cfg) : sim_(sim::make_core_sim(cfg)), psum_(cfg.cols), out_(cfg.cols) {}
  const CoreConfig& config() const override { return sim_->config(); }
  std::string_view name() const override { return "plain"; }
  void reset() override { sim_->reset(); }
  StepResult step(const Instr& instr, DataSpan data) override {
    sim_->apply_words(pack(instr), data);
    sim_->tick();
    StepResult r;
    if (sim_->psum_valid()) {
      sim_->psum_row(psum_.data());
      r.psum = psum_.data();
    }
    if (sim_->out_valid()) {
      sim_->out_row(out_.data());
      r.out = out_.data();
    }
    return r;
  }
  Counters counters() const override {
    Counters c{};
    for (unsigned k = 0; k < kNumCounters; ++k) c[k] = sim_->counter(static_cast<Counter>(k));
    return c;
  }

 private:
  std::unique_ptr<sim::CoreSim> sim_;
  std::vector<int64_t> psum_, out_;
};

// Records every row with its place and slot, and passes it on (to a scoreboard).
struct Recorder final : RunObserver {
  struct Row {
    char kind;  // 'p' psum, 'o' out
    int layer;
    uint64_t slot;
    std::vector<int64_t> lanes;
  };
  explicit Recorder(RunObserver* next = nullptr) : next(next) {}
  RunObserver* next;
  std::vector<Row> rows;
  uint64_t protocol = 0;
  void on_psum(const Schedule& s, const Event& e, std::span<const int64_t> row) override {
    rows.push_back({'p', s.layer_index, s.passes[e.ref].of_rd_slot(e.vec), {row.begin(), row.end()}});
    if (next) next->on_psum(s, e, row);
  }
  void on_out(const Schedule& s, const Event& e, std::span<const int64_t> row) override {
    rows.push_back({'o', s.layer_index, s.reads[e.ref].slot, {row.begin(), row.end()}});
    if (next) next->on_out(s, e, row);
  }
  void on_protocol(const Schedule& s, uint64_t slot, const std::string& what) override {
    ++protocol;
    if (next) next->on_protocol(s, slot, what);
  }
};

// "" if the two recordings are equal, else the first difference with its place.
std::string first_difference(const Recorder& sc, const Recorder& plain) {
  if (sc.rows.size() != plain.rows.size())
    return fmt::format("{} rows on systemc, {} on the plain harness", sc.rows.size(), plain.rows.size());
  for (size_t k = 0; k < sc.rows.size(); ++k) {
    const Recorder::Row &a = sc.rows[k], &b = plain.rows[k];
    if (a.kind != b.kind || a.layer != b.layer || a.slot != b.slot)
      return fmt::format("row {}: {} of layer {} in slot {} on systemc, {} of layer {} in slot {} on plain", k, a.kind,
                         a.layer, a.slot, b.kind, b.layer, b.slot);
    for (size_t c = 0; c < a.lanes.size(); ++c)
      if (a.lanes[c] != b.lanes[c])
        return fmt::format("row {} ({} row of layer {}, slot {}), lane {}: systemc {}, plain {}", k,
                           a.kind == 'p' ? "psum" : "out", a.layer, a.slot, c, a.lanes[c], b.lanes[c]);
  }
  return "";
}

}  // namespace

TEST_CASE("systemc device: random layers match golden and the plain Verilated core slot for slot",
          "[systemc][random]") {
  const unsigned seed = seed_or(284);
  fmt::print("test_systemc random layers: seed {} (ACCEL_SEED overrides)\n", seed);
  INFO("seed " << seed << " (rerun: ACCEL_SEED=" << seed << ")");
  std::mt19937 rng(seed);
  for (const CoreConfig* cfg : {&configs::int8, &configs::ece284}) {
    SystemcDevice sc(*cfg);
    PlainDevice plain(*cfg);
    const golden::Precision prec = precision_of(*cfg);
    std::uniform_int_distribution<int> ch(1, 20), hw(3, 8), k(1, 3), feat(1, 40);
    for (int n = 0; n < 6; ++n) {
      golden::Layer layer;
      if (n % 2 == 0) {
        RandomConvSpec spec;
        spec.in_channels = ch(rng);
        spec.out_channels = ch(rng);
        spec.kernel = k(rng);
        spec.stride = 1 + n % 3 / 2;
        spec.padding = spec.kernel / 2;
        spec.height = hw(rng);
        spec.width = hw(rng);
        layer = random_conv(spec, prec, rng);
      } else {
        RandomLinearSpec spec;
        spec.in_features = feat(rng);
        spec.out_features = feat(rng);
        spec.relu = n != 5;
        spec.logits = n == 5;
        layer = random_linear(spec, prec, rng);
      }
      INFO("config " << cfg->name << ", layer " << n << ": " << layer.describe());
      const std::vector<golden::Tensor> inputs = random_inputs(layer, 2, prec.act_bits, rng);
      const Schedule s = tile_layer(*cfg, layer, prec, inputs);
      GoldenLayerValues ev(layer, prec, inputs);
      Scoreboard sb(ev);
      Recorder on_sc(&sb), on_plain;
      const PlayResult a = play(s, sc, &on_sc);
      const PlayResult b = play(s, plain, &on_plain);
      INFO(sb.report());
      CHECK(sb.mismatches() == 0);
      CHECK(sb.output_values_checked() > 0);
      CHECK(on_sc.protocol == 0);
      CHECK(on_plain.protocol == 0);
      CHECK(first_difference(on_sc, on_plain) == "");
      CHECK(a.counters == b.counters);
      CHECK(a.outputs == b.outputs);
    }
  }
}

TEST_CASE("systemc device: 20 MNIST images through models/mnist_int8 match golden and the plain core",
          "[systemc][mnist]") {
  const test_support::MnistReference ref = test_support::load_mnist_reference(20);
  const golden::Model& m = ref.model;
  const std::vector<std::span<const uint8_t>>& images = ref.images;
  const int n = int(images.size());

  SystemcDevice sc(configs::int8);
  PlainDevice plain(configs::int8);
  GoldenModelValues ev(m, images);
  Scoreboard sb(ev, ScoreboardOptions{10, 100});
  Recorder on_sc(&sb), on_plain;
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  const ModelRun a = run_model(
      m, images, [&](const golden::Layer&, int) -> Device& { return sc; }, &on_sc);
  const auto t1 = clock::now();
  const ModelRun b = run_model(
      m, images, [&](const golden::Layer&, int) -> Device& { return plain; }, &on_plain);
  const auto t2 = clock::now();
  const double ts = std::chrono::duration<double>(t1 - t0).count();
  const double tp = std::chrono::duration<double>(t2 - t1).count();
  WARN(fmt::format("20 MNIST images, {} slots: systemc {:.2f} s, plain harness {:.2f} s, ratio {:.1f}",
                   a.total_cycles(), ts, tp, ts / tp));
  INFO(sb.report());
  CHECK(sb.mismatches() == 0);
  CHECK(a.protocol_errors == 0);
  CHECK(on_plain.protocol == 0);
  CHECK(first_difference(on_sc, on_plain) == "");
  REQUIRE(a.layers.size() == b.layers.size());
  for (size_t l = 0; l < a.layers.size(); ++l) {
    INFO("layer " << a.layers[l].name);
    CHECK(a.layers[l].counters == b.layers[l].counters);
  }
  CHECK(a.logits == b.logits);
  for (int i = 0; i < n; ++i)
    for (int c = 0; c < m.reference->classes; ++c) CHECK(a.logits[size_t(i)][size_t(c)] == m.reference->at(i, c));
}

TEST_CASE("systemc device: output- and weight-stationary tiles mixed match the plain core slot by slot",
          "[systemc][os][random]") {
  for (const CoreConfig* cfg : {&configs::int8, &configs::odd4x6}) {
    const unsigned seed = seed_or(41) + unsigned(cfg->rows);
    const accel::test::MixedProgram m = accel::test::mixed_program(*cfg, seed, 6);
    INFO(cfg->name << " seed " << seed << ": " << m.what);
    SystemcDevice sc(*cfg);
    PlainDevice plain(*cfg);
    CHECK(accel::test::play_side_by_side(sc, plain, m) == "");
  }
}

TEST_CASE("systemc device: the row comparison reports a corrupted lane at its place", "[systemc]") {
  Recorder a, b;
  a.rows.push_back({'p', 0, 40, {1, 2, 3}});
  a.rows.push_back({'o', 0, 50, {4, 5, 6}});
  b.rows = a.rows;
  CHECK(first_difference(a, b) == "");
  b.rows[1].lanes[2] = 7;
  CHECK(first_difference(a, b) == "row 1 (out row of layer 0, slot 50), lane 2: systemc 6, plain 7");
  b.rows[1].slot = 51;
  CHECK(first_difference(a, b) == "row 1: o of layer 0 in slot 50 on systemc, o of layer 0 in slot 51 on plain");
}

namespace {

struct Access {
  tlm::tlm_response_status status;
  std::string message;
};

Access access(SystemcDevice& dev, tlm::tlm_command cmd, uint64_t addr, unsigned len, uint8_t* be = nullptr) {
  std::vector<uint8_t> buf(std::max(len, 64u), 0);
  tlm::tlm_generic_payload t;
  t.set_command(cmd);
  t.set_address(addr);
  t.set_data_ptr(buf.data());
  t.set_data_length(len);
  t.set_streaming_width(len);
  t.set_byte_enable_ptr(be);
  t.set_byte_enable_length(be ? 4 : 0);
  t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  const auto s = dev.transport(t);
  return {s, s == tlm::TLM_OK_RESPONSE ? "" : dev.last_error()};
}

}  // namespace

TEST_CASE("systemc bridge: malformed transactions get a TLM error response and a message", "[systemc][bad_input]") {
  namespace reg = accel::systemc::reg;
  using namespace tlm;
  SystemcDevice dev(configs::ece284);
  const uint64_t slot0 = dev.slot();

  Access a = access(dev, TLM_READ_COMMAND, 0x300, 4);
  CHECK(a.status == TLM_ADDRESS_ERROR_RESPONSE);
  CHECK(a.message == "accel_ece284: read at 0x300: no register there");
  const uint64_t past = reg::kData + 4 * data_words(configs::ece284);  // past the DATA words
  a = access(dev, TLM_WRITE_COMMAND, past, 4);
  CHECK(a.status == TLM_ADDRESS_ERROR_RESPONSE);
  CHECK(a.message == fmt::format("accel_ece284: write at 0x{:03x}: no register there", past));
  a = access(dev, TLM_READ_COMMAND, reg::kPsum + 2, 4);
  CHECK(a.status == TLM_ADDRESS_ERROR_RESPONSE);
  CHECK(a.message == "accel_ece284: read at 0x402: not 4-byte aligned (inside PSUM)");
  a = access(dev, TLM_WRITE_COMMAND, reg::kInstr, 8);
  CHECK(a.status == TLM_BURST_ERROR_RESPONSE);
  CHECK(a.message == "accel_ece284: write of 8 bytes at 0x010: INSTR takes one 16-byte write");
  a = access(dev, TLM_READ_COMMAND, reg::kCounters, 8 * kNumCounters + 8);  // one counter too many
  CHECK(a.status == TLM_BURST_ERROR_RESPONSE);
  CHECK(a.message == fmt::format("accel_ece284: read of {} bytes at 0x200: COUNTERS is {} bytes at 0x200; accesses "
                                 "are whole 32-bit words inside it, no streaming",
                                 8 * kNumCounters + 8, 8 * kNumCounters));
  a = access(dev, TLM_READ_COMMAND, reg::kStatus, 3);
  CHECK(a.status == TLM_BURST_ERROR_RESPONSE);
  a = access(dev, TLM_READ_COMMAND, reg::kInstr, 16);
  CHECK(a.status == TLM_COMMAND_ERROR_RESPONSE);
  CHECK(a.message == "accel_ece284: read at 0x010: INSTR is write-only");
  a = access(dev, TLM_WRITE_COMMAND, reg::kCounters, 8);
  CHECK(a.status == TLM_COMMAND_ERROR_RESPONSE);
  CHECK(a.message == "accel_ece284: write at 0x200: COUNTERS is read-only");
  uint8_t be[4] = {0xff, 0, 0xff, 0};
  a = access(dev, TLM_WRITE_COMMAND, reg::kData, 4, be);
  CHECK(a.status == TLM_BYTE_ENABLE_ERROR_RESPONSE);
  CHECK(a.message == "accel_ece284: write at 0x100: byte enables are not supported");
  // None of them launched a slot or disturbed the core; well-formed reads still work.
  CHECK(dev.slot() == slot0);
  CHECK(access(dev, TLM_READ_COMMAND, reg::kId, 4).status == TLM_OK_RESPONSE);
  const Counters before = dev.counters();
  dev.step(Instr{}, {});
  CHECK(counter(dev.counters(), Counter::Total) == counter(before, Counter::Total) + 1);
}

TEST_CASE("systemc device: an RTL assertion is a DeviceError naming the slot and not an abort",
          "[systemc][bad_input]") {
  SystemcDevice dev(configs::int8);
  sim::CoreSim::echo_messages(false);
  Instr pop;
  pop.l0_rd = true;  // L0 is empty after reset
  dev.step(Instr{}, {});
  try {
    dev.step(pop, {});
    dev.step(Instr{}, {});  // the core checks in the execute cycle
    FAIL("no DeviceError");
  } catch (const DeviceError& e) {
    INFO(e.what());
    CHECK(std::string(e.what()).find("RTL assertion in slot") != std::string::npos);
    CHECK(std::string(e.what()).find("%Error") != std::string::npos);
    CHECK((e.slot() == 1 || e.slot() == 2));
  }
  sim::CoreSim::echo_messages(true);
  dev.reset();  // usable again
  dev.step(Instr{}, {});
  CHECK(counter(dev.counters(), Counter::Total) == 1);
}

TEST_CASE("systemc device: one per configuration per process, of the configuration's own shape",
          "[systemc][bad_input]") {
  SystemcDevice a(configs::int8);
  CHECK_THROWS_WITH(SystemcDevice(configs::int8),
                    "a SystemcDevice for 'int8' already exists: one per configuration per process at a time");
  CoreConfig wide = configs::int4;
  wide.psum_bits = 24;
  CHECK_THROWS_WITH(SystemcDevice(wide), "configuration 'int4' differs from the SystemC model of that name");
  SystemcDevice b(configs::ece284);  // the other configuration lives alongside
  CHECK(b.config().psum_bits == 16);
  // One slot is one 10 ns period of the platform clock; a's core is not clocked while b steps.
  const Counters a0 = a.counters();
  const uint64_t t0 = SystemcDevice::now_ns();
  for (int i = 0; i < 5; ++i) b.step(Instr{}, {});
  CHECK(SystemcDevice::now_ns() - t0 == 50);
  CHECK(a.counters() == a0);
}

TEST_CASE("systemc device: a model library of another configuration is refused", "[systemc][bad_input]") {
  // Runs in a process of its own (one CTest test per case), so this is the process's first platform.
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("accel_sc_models_{}", ::getpid());
  std::filesystem::create_directories(dir);
  const std::string real = sim::model_library("odd4x6", "core_sc");
  REQUIRE(std::filesystem::exists(real));
  std::filesystem::create_symlink(real, dir / "libaccel_core_sc_int8.so");
  ::setenv("ACCEL_MODEL_DIR", dir.c_str(), 1);
  CHECK_THROWS_WITH(SystemcDevice(configs::int8), "the SystemC model of 'odd4x6' cannot act as configuration 'int8'");
  ::unsetenv("ACCEL_MODEL_DIR");
  std::filesystem::remove_all(dir);
}
