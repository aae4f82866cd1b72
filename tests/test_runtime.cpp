// The runtime on its own (linked against accel_sw_core only, so none of this may call the golden
// arithmetic): playing a schedule, counters covering exactly its slots, errors naming the layer and
// the slot, host max-pool and flatten on hand-computed values.
#include <fmt/format.h>

#include <accel/functional_device.hpp>
#include <accel/random_layer.hpp>
#include <accel/runtime.hpp>
#include <accel/tiler.hpp>
#include <catch2/catch.hpp>
#include <algorithm>
#include <random>
#include <string>
#include <vector>

using namespace accel;

namespace {

golden::Tensor chw(int c, int h, int w, std::vector<int64_t> v) {
  golden::Tensor t;
  t.shape = {c, h, w};
  t.data = std::move(v);
  return t;
}

}  // namespace

TEST_CASE("runtime: playing a schedule counts exactly its slots and fills every output", "[functional][runtime]") {
  std::mt19937 rng(21);
  const golden::Layer layer = random_linear({37, 19, true, false}, golden::kInt8, rng);
  const auto x = random_inputs(layer, 9, 8, rng);
  const Schedule s = tile_layer(configs::int8, layer, golden::kInt8, x);
  FunctionalDevice dev(configs::int8);
  const PlayResult r = play(s, dev);
  CHECK(r.slots == s.size());
  CHECK(counter(r.counters, Counter::Total) == s.size());
  CHECK(counter(r.counters, Counter::Compute) == s.psum_rows());
  CHECK(r.psum_rows == s.psum_rows());
  CHECK(r.out_rows == s.reads.size());
  CHECK(r.protocol_errors == 0);
  REQUIRE(r.outputs.size() == 9);
  CHECK(r.outputs[0].shape == std::vector<int>{19});
  // Playing twice on the same device gives the same outputs (reset between schedules).
  const PlayResult again = play(s, dev);
  for (size_t i = 0; i < 9; ++i) CHECK(again.outputs[i].data == r.outputs[i].data);
}

TEST_CASE("runtime: a device error names the layer and the schedule slot", "[functional][runtime]") {
  std::mt19937 rng(22);
  const golden::Layer layer = random_linear({16, 8, true, false}, golden::kInt8, rng);
  const auto x = random_inputs(layer, 4, 8, rng);
  Schedule s = tile_layer(configs::int8, layer, golden::kInt8, x);
  // Drop the first xmem_rd: its l0_rd then pops an empty L0.
  uint64_t t = 0;
  while (!s.instrs[t].xmem_rd) ++t;
  s.instrs[t].xmem_rd = false;
  FunctionalDevice dev(configs::int8);
  try {
    play(s, dev);
    FAIL("no error");
  } catch (const PlayError& e) {
    CHECK(e.slot() == t + 2);
    CHECK_THAT(e.what(), Catch::Contains("layer 'fc16to8' on the functional device, schedule slot"));
    CHECK_THAT(e.what(), Catch::Contains("l0_rd with L0 empty"));
  }
}

TEST_CASE("runtime: host max-pool and flatten", "[functional][runtime]") {
  // One channel 4x4:   1 5 2 0 / 3 4 6 1 / 0 0 7 8 / 9 2 3 1
  // k2 s2: the quadrants' maxima 5 6 / 9 8; k3 s1: the four 3x3 windows' maxima 7 8 / 9 8.
  const golden::Tensor in = chw(1, 4, 4, {1, 5, 2, 0, 3, 4, 6, 1, 0, 0, 7, 8, 9, 2, 3, 1});
  CHECK(host_maxpool(in, 2, 2).data == std::vector<int64_t>{5, 6, 9, 8});
  CHECK(host_maxpool(in, 3, 1).data == std::vector<int64_t>{7, 8, 9, 8});
  CHECK(host_maxpool(in, 3, 2).shape == std::vector<int>{1, 1, 1});  // floor((4 - 3) / 2) + 1
  const golden::Tensor two = chw(2, 1, 2, {1, 2, 3, 4});
  const golden::Tensor f = host_flatten(two);
  CHECK(f.shape == std::vector<int>{4});
  CHECK(f.data == std::vector<int64_t>{1, 2, 3, 4});
}

TEST_CASE("runtime: network input is the pixel shifted to act_bits", "[functional][runtime]") {
  std::mt19937 rng(23);
  const golden::Model m = random_mnist_model(golden::Precision{4, 4, 32}, rng);
  std::vector<uint8_t> px(784, 0);
  px[0] = 255;
  px[1] = 16;
  px[2] = 15;
  const golden::Tensor t = input_tensor(m, px);
  CHECK(t.shape == std::vector<int>{1, 28, 28});
  CHECK(t.data[0] == 15);
  CHECK(t.data[1] == 1);
  CHECK(t.data[2] == 0);
}

namespace {

// Counts what play() hands the observer.
struct Counting final : RunObserver {
  uint64_t psums = 0, outs = 0;
  std::vector<std::string> protocol;
  void on_psum(const Schedule&, const Event&, std::span<const int64_t>) override { ++psums; }
  void on_out(const Schedule&, const Event&, std::span<const int64_t>) override { ++outs; }
  void on_protocol(const Schedule&, uint64_t, const std::string& what) override { protocol.push_back(what); }
};

Schedule small_linear() {
  std::mt19937 rng(24);
  const golden::Layer layer = random_linear({16, 8, true, false}, golden::kInt8, rng);
  return tile_layer(configs::int8, layer, golden::kInt8, random_inputs(layer, 3, 8, rng));
}

}  // namespace

TEST_CASE("runtime: a row where the schedule has no event is a protocol error", "[functional][runtime]") {
  Schedule s = small_linear();
  // Forget the second psum event: the device still shows that row.
  auto it = std::find_if(s.events.begin(), s.events.end(), [](const Event& e) { return e.kind == EventKind::Psum; });
  const uint64_t slot = (++it)->slot;
  s.events.erase(it);
  FunctionalDevice dev(configs::int8);
  Counting obs;
  const PlayResult r = play(s, dev, &obs);
  CHECK(r.protocol_errors == 1);
  CHECK(r.psum_rows == s.psum_rows() - 1);
  REQUIRE(obs.protocol.size() == 1);
  CHECK(obs.protocol[0] == fmt::format("psum row after the step of slot {}, where the schedule expects none", slot));
}

TEST_CASE("runtime: an event where the device shows no row is a protocol error", "[functional][runtime]") {
  Schedule s = small_linear();
  // An out event one slot early (before the row is visible) gives two errors: no row where the
  // event is, a row where none is. The first out event follows no other out row.
  auto it = std::find_if(s.events.begin(), s.events.end(), [](const Event& e) { return e.kind == EventKind::Out; });
  REQUIRE(it != s.events.end());
  Event& e = *it;
  const uint64_t slot = --e.slot;
  REQUIRE(std::is_sorted(s.events.begin(), s.events.end(), [](auto& a, auto& b) { return a.slot < b.slot; }));
  FunctionalDevice dev(configs::int8);
  Counting obs;
  const PlayResult r = play(s, dev, &obs);
  CHECK(r.protocol_errors == 2);
  CHECK(r.out_rows == s.reads.size() - 1);
  REQUIRE(obs.protocol.size() == 2);
  CHECK(obs.protocol[0] ==
        fmt::format("no out row after the step of slot {} (out_rd in slot {})", slot, s.reads[e.ref].slot));
  CHECK(obs.protocol[1] == fmt::format("out row after the step of slot {}, where the schedule expects none", slot + 1));
}

namespace {

// The functional device with one counter attribution bug: a w_commit counts as a stall.
class CommitAsStall final : public Device {
 public:
  explicit CommitAsStall(const CoreConfig& c) : dev_(c) {}
  const CoreConfig& config() const override { return dev_.config(); }
  std::string_view name() const override { return "commit-as-stall"; }
  void reset() override {
    dev_.reset();
    commits_ = 0;
  }
  StepResult step(const Instr& in, DataSpan data) override {
    // Counted in the next step, as the device counts the previous slot; ctr_clr restarts.
    if (in.ctr_clr) commits_ = 0;
    commits_ += pending_;
    pending_ = in.w_commit && !in.l0_rd && !in.w_load;
    return dev_.step(in, data);
  }
  Counters counters() const override {
    Counters c = dev_.counters();
    c[static_cast<unsigned>(Counter::WeightLoad)] -= commits_;
    c[static_cast<unsigned>(Counter::Stall)] += commits_;
    return c;
  }

 private:
  FunctionalDevice dev_;
  uint64_t commits_ = 0;
  bool pending_ = false;
};

}  // namespace

TEST_CASE("runtime: counters that differ from the schedule's instructions are a protocol error",
          "[functional][runtime]") {
  const Schedule s = small_linear();
  uint64_t commits = 0, wload = 0;
  for (const Instr& i : s.instrs) {
    commits += i.w_commit && !i.l0_rd && !i.w_load;
    wload += !i.l0_rd && (i.w_load || i.w_commit);
  }
  REQUIRE(commits > 0);
  FunctionalDevice good(configs::int8);
  Counting ok;
  CHECK(play(s, good, &ok).protocol_errors == 0);
  CHECK(ok.protocol.empty());

  CommitAsStall bad(configs::int8);
  Counting obs;
  const PlayResult r = play(s, bad, &obs);
  CHECK(r.protocol_errors == 1);
  REQUIRE(obs.protocol.size() == 1);
  const uint64_t stall = counter(good.counters(), Counter::Stall);
  CHECK(obs.protocol[0] == fmt::format("performance counters differ from the schedule: weight_load {} (device) vs {} "
                                       "(instructions), stall {} (device) vs {} (instructions)",
                                       wload - commits, wload, stall + commits, stall));
}

TEST_CASE("runtime: events out of slot order or naming nothing are refused", "[functional][runtime][bad_input]") {
  FunctionalDevice dev(configs::int8);
  Schedule s = small_linear();
  std::swap(s.events[0], s.events[1]);
  CHECK_THROWS_WITH(play(s, dev), Catch::Contains("schedule event 1") && Catch::Contains("out of slot order"));
  s = small_linear();
  s.events.insert(s.events.begin() + 1, s.events[0]);
  CHECK_THROWS_WITH(play(s, dev), Catch::Contains("repeats a slot of its kind"));
  s = small_linear();
  s.events[0].ref = uint32_t(s.passes.size());
  CHECK_THROWS_WITH(play(s, dev), Catch::Contains("names no pass vector or read"));
  s = small_linear();
  s.events.back().slot = s.size();
  CHECK_THROWS_WITH(play(s, dev), Catch::Contains("lies past the schedule's end"));
}

TEST_CASE("runtime: a layer type outside golden::LayerType is a clear error", "[functional][runtime][bad_input]") {
  std::mt19937 rng(25);
  golden::Model m = random_mnist_model(golden::kInt8, rng);
  m.layers[1].type = static_cast<golden::LayerType>(7);
  const std::vector<uint8_t> px(784, 1);
  const std::vector<std::span<const uint8_t>> images{px};
  FunctionalDevice dev(configs::int8);
  CHECK_THROWS_WITH(
      run_model(m, images, [&](const golden::Layer&, int) -> Device& { return dev; }),
      Catch::Contains(fmt::format("layer '{}': layer type value 7 is not a known layer type", m.layers[1].name)));
}
