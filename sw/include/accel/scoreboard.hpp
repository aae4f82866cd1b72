// The scoreboard: checks every psum row that leaves the array against the golden partial sum of
// exactly that tile slice (golden/partial.hpp, once per slice and image), and every layer output
// (requantized activations or logits) against golden's layer output. Every expected value comes
// from golden/; nothing here multiplies or accumulates.
//
// On a mismatch it keeps the place (layer, image, tile, kernel position, column, output
// coordinate, slot, trace windows) and both values, and lists at most ten. The windows come from
// the schedule's events; the command line that reruns a place is the command-line layer's
// (sim/cosim/repro.cpp). The verdict is the number of mismatching values (0 = pass).
#pragma once

#include <accel/runtime.hpp>
#include <accel/schedule.hpp>
#include <cstdint>
#include <functional>
#include <golden/model.hpp>
#include <golden/network.hpp>
#include <golden/partial.hpp>
#include <golden/precision.hpp>
#include <golden/tensor.hpp>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace accel {

// Where expected values come from: the golden model's view of one layer for one image.
class ExpectedValues {
 public:
  virtual ~ExpectedValues() = default;
  virtual const golden::Precision& precision() const = 0;
  // The layer's input (what golden feeds it) and output (requantized or logits), for the image
  // with global number `image`.
  virtual const golden::Tensor& input(int layer_index, const golden::Layer& layer, int image) = 0;
  virtual const golden::Tensor& output(int layer_index, const golden::Layer& layer, int image) = 0;
};

// golden::run_network traces of a model for a set of images.
class GoldenModelValues final : public ExpectedValues {
 public:
  GoldenModelValues(const golden::Model& model, std::span<const std::span<const uint8_t>> images,
                    std::span<const int> image_ids = {});
  const golden::Precision& precision() const override { return model_.precision; }
  const golden::Tensor& input(int layer_index, const golden::Layer& layer, int image) override;
  const golden::Tensor& output(int layer_index, const golden::Layer& layer, int image) override;
  const golden::NetworkTrace& trace(int image) const;

 private:
  const golden::Model& model_;
  std::map<int, golden::NetworkTrace> traces_;
};

// One layer on given inputs (global image i = inputs[i] unless ids are given); the output is
// golden::apply_layer's.
class GoldenLayerValues final : public ExpectedValues {
 public:
  GoldenLayerValues(const golden::Layer& layer, const golden::Precision& prec, std::span<const golden::Tensor> inputs,
                    std::span<const int> image_ids = {});
  const golden::Precision& precision() const override { return prec_; }
  const golden::Tensor& input(int layer_index, const golden::Layer& layer, int image) override;
  const golden::Tensor& output(int layer_index, const golden::Layer& layer, int image) override;

 private:
  const golden::Layer& layer_;
  golden::Precision prec_;
  std::map<int, std::pair<golden::Tensor, golden::Tensor>> io_;  // image -> (input, output)
};

// The place of one mismatching value, and both values.
struct Mismatch {
  enum class Kind { Psum, Output, Protocol };
  Kind kind = Kind::Psum;
  int layer_index = -1;
  std::string layer;
  int image = 0;  // global image number
  Strategy strategy = Strategy::Linear;
  Slice slice;         // psum: the tile; output: only out_tile, o0, o1
  std::string tile;    // Schedule::describe(slice)
  int column = -1;     // array column
  int channel = -1;    // output channel / feature (o0 + column)
  int y = -1, x = -1;  // output position (conv2d)
  uint64_t slot = 0;   // of_rd / out_rd slot in the played schedule (protocol: the step)
  int64_t device = 0, expected = 0;
  std::string what;  // protocol: the runtime's message
  // Slots [first, last) to trace around the row: from before the l0_rd / out_rd it answers to
  // after it is visible (protocol: around the step).
  // window: in the schedule of that image alone (Event::solo), which `cosim layer --image` plays;
  // absent for a protocol error in a schedule of several images.
  std::optional<std::pair<uint64_t, uint64_t>> window;
  // schedule_window: in the schedule as played.
  std::optional<std::pair<uint64_t, uint64_t>> schedule_window;
};

struct ScoreboardOptions {
  size_t max_print = 10;   // mismatches listed by report()
  size_t max_keep = 1000;  // mismatches kept with their place
};

class Scoreboard final : public RunObserver {
 public:
  explicit Scoreboard(ExpectedValues& expected, ScoreboardOptions options = {});

  void on_psum(const Schedule& s, const Event& e, std::span<const int64_t> row) override;
  void on_out(const Schedule& s, const Event& e, std::span<const int64_t> row) override;
  void on_protocol(const Schedule& s, uint64_t slot, const std::string& what) override;

  // The verdict: mismatching values (psum lanes, output lanes, protocol errors). 0 = pass.
  uint64_t mismatches() const { return mismatches_; }
  uint64_t psum_values_checked() const { return psum_checked_; }
  uint64_t output_values_checked() const { return out_checked_; }
  const std::vector<Mismatch>& kept() const { return kept_; }

  // One line per mismatch.
  static std::string format(const Mismatch& m);
  // Summary and the first max_print mismatches.
  std::string report() const;

  // Test hooks: change the expected row (lanes 0..cols-1) before it is compared, to show that a
  // wrong expectation is caught at the right place. `place` has everything but the values.
  std::function<void(const Mismatch&place, std::span<int64_t> expected)> tamper_psum, tamper_output;

 private:
  const golden::Tensor& expected_slice(const Schedule& s, const Slice& sl, int image);
  void record(Mismatch m, const Schedule& s);

  ExpectedValues& expected_;
  ScoreboardOptions opt_;
  uint64_t mismatches_ = 0, psum_checked_ = 0, out_checked_ = 0;
  std::vector<Mismatch> kept_;
  std::vector<int64_t> row_;  // expected lanes of the current row

  // Golden partial sums, one per (reduction slice, image) over all output channels: golden's
  // partial functions validate the whole layer on every call, so one call serves every output
  // tile (docs/tiler.md "Scoreboard"). Cleared when the layer changes or it grows past a bound.
  struct SliceKey {
    Strategy strategy;
    uint32_t red;
    int ky, kx, image;
    bool operator<(const SliceKey& o) const {
      return std::tie(strategy, red, ky, kx, image) < std::tie(o.strategy, o.red, o.ky, o.kx, o.image);
    }
    bool operator==(const SliceKey&) const = default;
  };
  const golden::Layer* cache_layer_ = nullptr;
  std::map<SliceKey, golden::Tensor> cache_;
  std::map<int, golden::LayerPartials> inputs_;  // image -> its input to cache_layer_
  size_t cache_values_ = 0;
  SliceKey last_key_{};
  const golden::Tensor* last_ = nullptr;  // the entry of last_key_
};

}  // namespace accel
