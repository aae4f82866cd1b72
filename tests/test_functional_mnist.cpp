// Whole networks through the functional device, every psum row and every layer output checked by
// the scoreboard: a random model of the MNIST network's shape (always), and 20 real held-out
// MNIST images through models/mnist_int8, bit-exact with golden and with the exporter's logits.
#include <accel/config_precision.hpp>
#include <fmt/format.h>

#include <accel/functional_device.hpp>
#include <accel/random_layer.hpp>
#include <accel/report/report_text.hpp>
#include <accel/runtime.hpp>
#include <accel/scoreboard.hpp>
#include <catch2/catch.hpp>

#include "support/mnist_reference.hpp"
#include <filesystem>
#include <golden/idx.hpp>
#include <golden/model.hpp>
#include <golden/network.hpp>
#include <random>

using namespace accel;

namespace {

struct NetResult {
  ModelRun run;
  uint64_t mismatches = 0;
  std::string report;
};

NetResult run_scored(const golden::Model& m, const CoreConfig& cfg, std::span<const std::span<const uint8_t>> images,
                     const RunOptions& options = {}) {
  FunctionalDevice dev(cfg);
  GoldenModelValues ev(m, images);
  Scoreboard sb(ev, ScoreboardOptions{10, 100});
  NetResult r;
  r.run = run_model(
      m, images, [&](const golden::Layer&, int) -> Device& { return dev; }, &sb, options);
  r.mismatches = sb.mismatches();
  r.report = sb.report() + format_report(r.run);
  for (size_t i = 0; i < images.size(); ++i) CHECK(r.run.logits[i] == ev.trace(int(i)).logits().data);
  return r;
}

// `count` random 28x28 images through `m` on `cfg`'s functional device, every value scored: none differs.
void check_random_images(const golden::Model& m, const CoreConfig& cfg, std::mt19937& rng, int count) {
  std::uniform_int_distribution<int> px(0, 255);
  std::vector<std::vector<uint8_t>> pixels(size_t(count), std::vector<uint8_t>(784));
  for (auto& im : pixels)
    for (auto& p : im) p = uint8_t(px(rng));
  std::vector<std::span<const uint8_t>> images(pixels.begin(), pixels.end());
  const NetResult r = run_scored(m, cfg, images);
  INFO(r.report);
  CHECK(r.mismatches == 0);
  CHECK(r.run.protocol_errors == 0);
}

}  // namespace

TEST_CASE("functional device: a random MNIST-shaped network is bit-exact with golden", "[functional][random]") {
  const unsigned seed = 31;
  INFO("seed " << seed);
  // The int8 model also runs on odd4x6 (same widths, 4x6 array, 1 K-word memories).
  for (const CoreConfig& cfg : kConfigs) {
    INFO("config " << cfg.name);
    const golden::Precision prec = precision_of(cfg);
    std::mt19937 rng(seed + unsigned(prec.psum_bits + prec.act_bits));
    const golden::Model m = random_mnist_model(prec, rng);
    check_random_images(m, cfg, rng, 3);
  }
}

TEST_CASE("functional device: a random MNIST-shaped network with chained zero points is bit-exact with golden",
          "[functional][random][zp]") {
  // Zero points through padding (conv1, conv2), the host's max-pool and flatten (conv2 -> fc1) and
  // into the logits layer; 32-bit psums (folded_bias refuses fc1's 1152 terms at 16 bits).
  for (const CoreConfig& cfg : kConfigs) {
    if (cfg.psum_bits != 32) continue;
    INFO("config " << cfg.name);
    const golden::Precision prec = precision_of(cfg);
    std::mt19937 rng(77 + unsigned(prec.act_bits));
    golden::Model m = random_mnist_model(prec, rng);
    randomize_zero_points(m, rng);
    INFO(fmt::format("zero points conv1 {} -> {}, conv2 -> {}, fc1 {} -> {}, fc2 {}", m.layers[0].input_zero_point,
                     m.layers[0].output_zero_point, m.layers[1].output_zero_point, m.layers[4].input_zero_point,
                     m.layers[4].output_zero_point, m.layers[5].input_zero_point));
    CHECK(m.layers[4].input_zero_point == m.layers[1].output_zero_point);  // through pool and flatten
    CHECK(m.layers[5].output_zero_point == 0);
    check_random_images(m, cfg, rng, 2);
  }
}

TEST_CASE("functional device: 20 MNIST images through models/mnist_int8 are bit-exact with golden",
          "[functional][mnist]") {
  const test_support::MnistReference ref = test_support::load_mnist_reference(20);
  const golden::Model& m = ref.model;
  const std::vector<std::span<const uint8_t>>& images = ref.images;
  const int n = int(images.size());
  const NetResult r = run_scored(m, configs::int8, images);
  INFO(r.report);
  WARN(format_report(r.run));
  CHECK(r.mismatches == 0);
  for (int i = 0; i < n; ++i)
    for (int c = 0; c < m.reference->classes; ++c) CHECK(r.run.logits[size_t(i)][size_t(c)] == m.reference->at(i, c));
}

// The SIMD mode (docs/isa.md): the 2-bit-activation model on int4, two products per PE, against
// the 4-bit model of the same network on the same core without the mode (cycles depend on the
// shapes, not on the values).
TEST_CASE("functional device: models/mnist_a2w4 in int4's SIMD mode is bit-exact and needs fewer cycles",
          "[functional][mnist][simd]") {
  const test_support::MnistReference ref = test_support::load_mnist_reference(20, "mnist_a2w4");
  const test_support::MnistReference ref4 = test_support::load_mnist_reference(20, "mnist_int4");
  RunOptions simd;
  simd.tiler.simd = true;
  const NetResult r = run_scored(ref.model, configs::int4, ref.images, simd);
  INFO(r.report);
  CHECK(r.mismatches == 0);
  CHECK(r.run.protocol_errors == 0);
  for (size_t i = 0; i < ref.images.size(); ++i)
    for (int c = 0; c < ref.model.reference->classes; ++c)
      CHECK(r.run.logits[i][size_t(c)] == ref.model.reference->at(int(i), c));
  const NetResult base = run_scored(ref4.model, configs::int4, ref4.images);
  CHECK(base.mismatches == 0);
  REQUIRE(base.run.layers.size() == r.run.layers.size());
  for (size_t l = 0; l < r.run.layers.size(); ++l) {
    const LayerReport& a = base.run.layers[l];
    const LayerReport& b = r.run.layers[l];
    if (a.device == "host") continue;
    INFO(b.name << ": " << a.total() << " cycles without the mode, " << b.total() << " with it");
    CHECK(b.lanes == 2);
    CHECK(b.macs == a.macs);
    // The counter counts every PE product, padding terms of a partial tile included.
    CHECK(counter(b.counters, Counter::Macs) >= uint64_t(b.macs));
    CHECK(counter(b.counters, Counter::Macs) == 2 * 64 * counter(b.counters, Counter::Compute));
    if (b.dataflow == Dataflow::WS && a.dataflow == Dataflow::WS) CHECK(b.total() < a.total());
    CHECK(b.estimates.front().cycles < a.estimates.front().cycles);
  }
  WARN("without the SIMD mode:\n" << format_report(base.run) << "with it:\n" << format_report(r.run));
  CHECK(r.run.total_cycles() < base.run.total_cycles());
}
