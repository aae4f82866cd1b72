// The scoreboard can fail, and says where: one corrupted expected psum, one corrupted device psum,
// one corrupted expected output, a device that drops a row; at most ten listed; trace windows
// around the bad row in the schedule as played and in the single-image schedule. The scoreboard
// formats no rerun command (sim/cosim/repro.cpp does, tests/test_cosim.cpp).
#include <fmt/format.h>

#include <accel/functional_device.hpp>
#include <accel/random_layer.hpp>
#include <accel/runtime.hpp>
#include <accel/scoreboard.hpp>
#include <accel/tiler.hpp>
#include <catch2/catch.hpp>
#include <random>
#include <vector>

using namespace accel;

namespace {

// Wraps a device and changes what it shows: adds `delta` to psum lane `col` of the row visible
// after the step of schedule slot `psum_slot`, or hides that row.
class CorruptingDevice final : public Device {
 public:
  CorruptingDevice(Device& inner, uint64_t psum_slot, unsigned col, int64_t delta, bool hide = false)
      : inner_(inner), target_(psum_slot), col_(col), delta_(delta), hide_(hide), row_(inner.config().cols) {}
  const CoreConfig& config() const override { return inner_.config(); }
  std::string_view name() const override { return "corrupting"; }
  void reset() override {
    inner_.reset();
    steps_ = 0;
  }
  StepResult step(const Instr& in, DataSpan data) override {
    StepResult r = inner_.step(in, data);
    // The runtime steps one ctr_clr before the schedule: schedule slot t is step t + 1.
    if (steps_++ == target_ + 1 && r.psum) {
      if (hide_) {
        r.psum = nullptr;
      } else {
        std::copy(r.psum, r.psum + row_.size(), row_.begin());
        row_[col_] += delta_;
        r.psum = row_.data();
      }
    }
    return r;
  }
  Counters counters() const override { return inner_.counters(); }

 private:
  Device& inner_;
  uint64_t target_;
  unsigned col_;
  int64_t delta_;
  bool hide_;
  std::vector<int64_t> row_;
  uint64_t steps_ = 0;
};

struct Fixture {
  std::mt19937 rng{11};
  golden::Layer layer;
  std::vector<golden::Tensor> in;
  std::vector<int> ids{7, 9};
  Schedule s;
  Fixture() {
    layer = random_conv({5, 11, 3, 2, 1, 10, 10, true, false}, golden::kInt8, rng);
    layer.name = "convx";
    in = random_inputs(layer, 2, 8, rng);
    TilerOptions o;
    o.strategy = Strategy::KernelMajor;
    s = tile_layer(configs::int8, layer, golden::kInt8, in, ids, 3, o);
    REQUIRE(s.passes.size() == 36);  // 2 images x 2 output tiles x 9 kernel positions
  }
};

}  // namespace

TEST_CASE("scoreboard: a corrupted expected psum is reported at exactly its place", "[scoreboard]") {
  Fixture f;
  const Pass& p = f.s.passes.at(23);
  const uint32_t i = 5;
  const uint64_t slot = p.of_rd_slot(i);
  const Slice& sl = f.s.slices[p.slice];
  const Item& it = f.s.items[p.item0 + i];
  GoldenLayerValues ev(f.layer, golden::kInt8, f.in, f.ids);
  Scoreboard sb(ev, ScoreboardOptions{10, 100});
  sb.tamper_psum = [&](const Mismatch& place, std::span<int64_t> e) {
    if (place.slot == slot) e[2] += 1;
  };
  FunctionalDevice dev(configs::int8);
  play(f.s, dev, &sb);
  REQUIRE(sb.mismatches() == 1);
  const Mismatch& m = sb.kept().at(0);
  CHECK(m.kind == Mismatch::Kind::Psum);
  CHECK(m.layer == "convx");
  CHECK(m.layer_index == 3);
  CHECK(m.image == f.ids[it.image]);
  CHECK(m.slice.red_tile == sl.red_tile);
  CHECK(m.slice.out_tile == sl.out_tile);
  CHECK(m.slice.ky == sl.ky);
  CHECK(m.slice.kx == sl.kx);
  CHECK(m.column == 2);
  CHECK(m.channel == sl.o0 + 2);
  CHECK(m.y == it.y);
  CHECK(m.x == it.x);
  CHECK(m.slot == slot);
  CHECK(m.expected == m.device + 1);
  const std::string line = Scoreboard::format(m);
  CHECK_THAT(line, Catch::Contains(fmt::format("convx image {} psum", m.image)));
  CHECK_THAT(line, Catch::Contains(fmt::format("kernel position ({},{})", sl.ky, sl.kx)));
  CHECK_THAT(line, Catch::Contains(fmt::format("of_rd slot {}", slot)));
}

TEST_CASE("scoreboard: a corrupted device psum is reported at exactly its place", "[scoreboard]") {
  Fixture f;
  const Pass& p = f.s.passes.at(30);
  const uint32_t i = 3;
  const uint64_t slot = p.of_rd_slot(i);
  const Item& it = f.s.items[p.item0 + i];
  GoldenLayerValues ev(f.layer, golden::kInt8, f.in, f.ids);
  Scoreboard sb(ev, ScoreboardOptions{10, 100});
  FunctionalDevice inner(configs::int8);
  CorruptingDevice dev(inner, slot + lat::kOfRdToPsumOut, 6, -4);
  play(f.s, dev, &sb);
  // The psum port was wrong, pmem was not: exactly one mismatch, no output mismatch.
  REQUIRE(sb.mismatches() == 1);
  const Mismatch& m = sb.kept().at(0);
  CHECK(m.kind == Mismatch::Kind::Psum);
  CHECK(m.slot == slot);
  CHECK(m.column == 6);
  CHECK(m.device == m.expected - 4);
  CHECK(m.y == it.y);
  CHECK(m.x == it.x);
  CHECK(m.image == f.ids[it.image]);
  CHECK(m.slice.red_tile == f.s.slices[p.slice].red_tile);
  // The trace windows: in the schedule as played, and in the single-image schedule of that layer.
  REQUIRE(m.schedule_window);
  CHECK(m.schedule_window->first <= p.first_l0rd + i);
  CHECK(m.schedule_window->second >= slot + 1);
  REQUIRE(m.window);
  CHECK(m.window->first < m.window->second);
  // The window holds that row's l0_rd and psum output in the single-image schedule.
  const golden::Tensor& x = f.in[it.image];
  TilerOptions o;
  o.strategy = Strategy::KernelMajor;
  const Schedule one =
      tile_layer(configs::int8, f.layer, golden::kInt8, std::span(&x, 1), std::span(&m.image, 1), 3, o);
  bool found = false;
  for (const Pass& q : one.passes) {
    if (one.slices[q.slice].red_tile != m.slice.red_tile || one.slices[q.slice].out_tile != m.slice.out_tile ||
        one.slices[q.slice].ky != m.slice.ky || one.slices[q.slice].kx != m.slice.kx)
      continue;
    for (uint32_t k = 0; k < q.count; ++k)
      if (one.items[q.item0 + k].y == m.y && one.items[q.item0 + k].x == m.x) {
        found = true;
        CHECK(m.window->first <= q.first_l0rd + k);
        CHECK(m.window->second >= q.of_rd_slot(k) + 1);
      }
  }
  CHECK(found);
}

TEST_CASE("scoreboard: a corrupted expected output is reported with its channel and position", "[scoreboard]") {
  Fixture f;
  const OutRead& rd = f.s.reads.at(40);
  GoldenLayerValues ev(f.layer, golden::kInt8, f.in, f.ids);
  Scoreboard sb(ev);
  sb.tamper_output = [&](const Mismatch& place, std::span<int64_t> e) {
    if (place.slot == rd.slot) e[1] ^= 1;
  };
  FunctionalDevice dev(configs::int8);
  play(f.s, dev, &sb);
  REQUIRE(sb.mismatches() == 1);
  const Mismatch& m = sb.kept().at(0);
  CHECK(m.kind == Mismatch::Kind::Output);
  CHECK(m.slot == rd.slot);
  CHECK(m.channel == rd.o0 + 1);
  CHECK(m.y == f.s.items[rd.item].y);
  CHECK(m.x == f.s.items[rd.item].x);
  CHECK(m.image == f.ids[f.s.items[rd.item].image]);
  CHECK(m.window);
  CHECK(m.schedule_window);
  CHECK_THAT(sb.report(), Catch::Contains(fmt::format("convx image {} output: channel {}", m.image, m.channel)));
  CHECK(sb.report().find("reproduce") == std::string::npos);
}

TEST_CASE("scoreboard: a missing psum row is a protocol mismatch", "[scoreboard]") {
  Fixture f;
  const uint64_t slot = f.s.passes.at(2).of_rd_slot(0);
  GoldenLayerValues ev(f.layer, golden::kInt8, f.in, f.ids);
  Scoreboard sb(ev);
  FunctionalDevice inner(configs::int8);
  CorruptingDevice dev(inner, slot + 1, 0, 0, /*hide=*/true);
  const PlayResult r = play(f.s, dev, &sb);
  CHECK(r.protocol_errors == 1);
  REQUIRE(sb.mismatches() == 1);
  CHECK(sb.kept()[0].kind == Mismatch::Kind::Protocol);
  CHECK_THAT(sb.kept()[0].what, Catch::Contains(fmt::format("of_rd in slot {}", slot)));
}

TEST_CASE("scoreboard: lists at most ten mismatches and counts them all", "[scoreboard]") {
  Fixture f;
  GoldenLayerValues ev(f.layer, golden::kInt8, f.in, f.ids);
  Scoreboard sb(ev, ScoreboardOptions{10, 1000});
  sb.tamper_psum = [](const Mismatch&, std::span<int64_t> e) { e[0] += 1; };
  FunctionalDevice dev(configs::int8);
  play(f.s, dev, &sb);
  CHECK(sb.mismatches() == f.s.psum_rows());
  const std::string rep = sb.report();
  size_t lines = 0;
  for (size_t p = rep.find(" psum: "); p != std::string::npos; p = rep.find(" psum: ", p + 1)) ++lines;
  CHECK(lines == 10);
  CHECK_THAT(rep, Catch::Contains(fmt::format("... and {} more", f.s.psum_rows() - 10)));
  CHECK(sb.kept().front().image == 7);
  CHECK(rep.find("reproduce") == std::string::npos);
}
