// The runtime: plays a Schedule on a Device slot by slot, hands every psum row and out row with its
// metadata to an observer (the scoreboard), collects the layer outputs and the counters; and runs
// a whole model: conv2d/linear layers on devices (chosen per layer), max-pool and flatten on the
// host (plain data movement and max, docs/quantization.md "Max-pool and flatten").
#pragma once

#include <accel/device.hpp>
#include <accel/schedule.hpp>
#include <accel/tiler.hpp>
#include <cstdint>
#include <functional>
#include <golden/model.hpp>
#include <golden/tensor.hpp>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace accel {

// Receives what leaves the array, in slot order, each row with the schedule's event it answers.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  // Psum row of vector e.vec of s.passes[e.ref] (config.cols lanes).
  virtual void on_psum(const Schedule& s, const Event& e, std::span<const int64_t> row) = 0;
  // Out row of s.reads[e.ref] (config.cols lanes; lanes o1 - o0 .. are not outputs).
  virtual void on_out(const Schedule& s, const Event& e, std::span<const int64_t> row) = 0;
  // The device showed a row in a slot where the schedule has none, or none where it has one.
  virtual void on_protocol(const Schedule& s, uint64_t slot, const std::string& what) = 0;
};

// A device (or the runtime) failed while playing a schedule; names the layer and the slot.
class PlayError : public std::runtime_error {
 public:
  PlayError(const std::string& what, uint64_t slot) : std::runtime_error(what), slot_(slot) {}
  uint64_t slot() const { return slot_; }  // schedule slot

 private:
  uint64_t slot_;
};

struct PlayResult {
  Counters counters{};  // exactly the schedule's slots (total == slots)
  uint64_t slots = 0;
  double seconds = 0;
  uint64_t psum_rows = 0, out_rows = 0, protocol_errors = 0;
  std::vector<golden::Tensor> outputs;  // per image of the schedule, Schedule::out_shape
};

// reset(); one ctr_clr slot; the schedule; one no-op so the counters include its last slot.
// Walks s.events: a row the device shows where no event is due, or none where one is, goes to
// observer->on_protocol. Throws std::invalid_argument for events out of slot order or naming no
// pass/read, PlayError if the device throws.
PlayResult play(const Schedule& s, Device& dev, RunObserver* observer = nullptr);

// Per layer of a model run (conv2d/linear on a device; max-pool/flatten on the host).
struct LayerReport {
  int index = 0;
  std::string name;
  std::string describe;  // golden::Layer::describe()
  std::string device;    // device name, or "host"
  Dataflow dataflow = Dataflow::WS;
  Strategy strategy = Strategy::Linear;
  std::vector<Estimate> estimates;  // for the whole batch, every strategy considered
  int images = 0;
  int schedules = 0;
  int64_t macs = 0;
  Counters counters{};  // summed over the layer's schedules
  uint64_t psum_rows = 0, out_rows = 0;
  double seconds = 0;
  unsigned rows = 0, cols = 0;
  unsigned lanes = 1;  // products per PE and cycle at the peak: 2 in the SIMD mode

  uint64_t total() const { return counters[0]; }
  uint64_t peak_macs() const { return uint64_t{rows} * cols * lanes; }  // per cycle
  // MACs / (peak MACs per cycle * total cycles): against the mode's own peak
  double utilization() const { return total() ? double(macs) / (double(peak_macs()) * total()) : 0.0; }
  double slots_per_second() const { return seconds > 0 ? double(total()) / seconds : 0.0; }
};

struct ModelRun {
  std::vector<std::vector<int64_t>> logits;  // per image
  std::vector<int> predicted;                // argmax, lowest index on ties
  std::vector<LayerReport> layers;           // every model layer, in order
  uint64_t protocol_errors = 0;

  // MACs / (peak MACs per cycle * cycles) over the device layers.
  double utilization() const;
  uint64_t total_cycles() const;
};

// Which device runs layer `index`. It must outlive the call.
using DeviceFor = std::function<Device&(const golden::Layer& layer, int index)>;

struct RunOptions {
  TilerOptions tiler;
  // Images per schedule: conv layers are tiled image after image (their cost does not depend on
  // the batch), linear layers want the batch as large as possible.
  int conv_images_per_schedule = 10;
  int linear_images_per_schedule = 0;  // 0 = the whole batch
  // Isolated mode (root cause: a layer's own mismatches, docs/cosim.md): when set, every device
  // layer runs on what this returns for (layer index, image id), golden's input of that layer,
  // instead of the previous layer's outputs on the devices.
  std::function<golden::Tensor(int layer, int image)> layer_input;
};

// Network input of one image: a = p >> (8 - act_bits), shape model.input (docs/quantization.md).
golden::Tensor input_tensor(const golden::Model& model, std::span<const uint8_t> pixels);

// Host layers, plain data movement: max over windows (no padding, floor mode) and PyTorch-order
// flatten.
golden::Tensor host_maxpool(const golden::Tensor& in, int kernel, int stride);
golden::Tensor host_flatten(const golden::Tensor& in);

// Runs `model` on the images (raw pixels, C*H*W each). image_ids name them (default 0..n-1).
ModelRun run_model(const golden::Model& model, std::span<const std::span<const uint8_t>> images,
                   const DeviceFor& device_for, RunObserver* observer = nullptr, const RunOptions& options = {},
                   std::span<const int> image_ids = {});

}  // namespace accel
