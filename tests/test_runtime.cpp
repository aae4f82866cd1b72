// The runtime on its own (linked against accel_sw_core only, so none of this may call the golden
// arithmetic): playing a schedule, counters covering exactly its slots, errors naming the layer and
// the slot, host max-pool and flatten on hand-computed values.
#include <accel/functional_device.hpp>
#include <accel/random_layer.hpp>
#include <accel/runtime.hpp>
#include <accel/tiler.hpp>
#include <catch2/catch.hpp>
#include <random>

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
