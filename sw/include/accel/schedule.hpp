// A Schedule: one conv2d or linear layer on a batch of images as the core's per-slot instruction
// and data stream, plus the metadata that names every psum row and out row it produces
// (docs/tiler.md). Produced by tile_layer (tiler.hpp), played by the Runtime (runtime.hpp).
#pragma once

#include <accel/device.hpp>
#include <accel/isa.hpp>
#include <accel/slot_stream.hpp>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace golden {
struct Layer;
}

namespace accel {

// Which way the array computes (docs/isa.md): weight-stationary (weights held in the tiles,
// psums flow south out of the array every step) or output-stationary (each tile accumulates one
// output over the whole reduction in place, drained at the end of the tile).
enum class Dataflow : uint8_t { WS, OS };
std::string_view dataflow_name(Dataflow d);  // "ws", "os"

// How a layer's reduction and outputs map onto the array. Weight-stationary: all three;
// output-stationary: Linear (rows = images) and Im2col (rows = output positions, the reduction
// in im2col order, streamed whole in one accumulation per chunk).
enum class Strategy : uint8_t {
  Linear,       // rows = input features, columns = output features, vectors = images
  KernelMajor,  // one weight tile per (input-channel tile, output-channel tile, kernel position)
  Im2col,       // rows = chunks of (input channel x kernel position), host writes im2col vectors
};
std::string_view strategy_name(Strategy s);  // "linear", "kernel-major", "im2col"

// The reduction slice and output range one weight tile computes. Column c of its psum rows is
// output o0 + c; columns c >= o1 - o0 carry zero weights (edge tile) and must read 0.
struct Slice {
  uint32_t red_tile = 0;  // input-channel tile (kernel-major), im2col row chunk, input-feature tile
  uint32_t out_tile = 0;  // output-channel / output-feature tile
  int r0 = 0, r1 = 0;     // input channels (kernel-major), im2col rows (im2col, PyTorch weight order
                          // r = (c*K + ky)*K + kx), input features (linear): [r0, r1)
  int o0 = 0, o1 = 0;     // output channels / features [o0, o1)
  int ky = -1, kx = -1;   // kernel-major: the kernel position
};

// The output coordinate one streamed vector (and so one psum row / one pmem row) belongs to.
struct Item {
  uint32_t image = 0;  // index into Schedule::images
  int y = -1, x = -1;  // conv2d output position; -1 for linear
};

// One weight tile streaming `count` vectors in consecutive slots. Vector i:
//   xmem_rd in slot first_l0rd + i - 2, l0_rd in first_l0rd + i, of_rd in first_ofrd + i.
// Output-stationary: one accumulation (a tile of Rows items against one output tile over the
// slice's reduction range): its steps' l0_rds from first_l0rd on, os_drain at first_ofrd - 2,
// and `count` = Rows psum rows, row i (array row Rows - 1 - i) for items[item0 + i], of_rd in
// first_ofrd + i. When its psum row is visible is an Event of the schedule.
struct Pass {
  uint32_t slice = 0;  // index into Schedule::slices
  uint32_t item0 = 0;  // vector i computes items[item0 + i]
  uint32_t count = 0;
  uint64_t first_l0rd = 0;
  uint64_t first_ofrd = 0;  // of_rd of vector 0
  uint64_t commit = 0;      // slot of this tile's w_commit
  uint8_t wbuf = 0;         // weight buffer (w_buf = l0_wsel)
  bool first_acc = false;   // of_acc of its of_rds (false: the first contribution, overwrite)

  uint64_t of_rd_slot(uint32_t i) const { return first_ofrd + i; }
};

// One out_rd: the SFP read-out of one pmem row (visible when its Event says).
// Lane c is output o0 + c of items[item] (c < o1 - o0; the other lanes are not outputs).
struct OutRead {
  uint64_t slot = 0;
  uint32_t item = 0;
  uint32_t out_tile = 0;
  int o0 = 0, o1 = 0;
  uint32_t pmem_row = 0;
};

// One row the core shows at its output, as the tiler expects it (docs/tiler.md "Events"): the
// runtime and the scoreboard walk these and know no latency.
enum class EventKind : uint8_t {
  Psum,  // a psum row: vector `vec` of passes[ref]
  Out,   // an out row: reads[ref]
};
struct Event {
  uint64_t slot = 0;  // the row is visible at the core's output after the step of this slot
  uint64_t solo = 0;  // `slot` in the schedule of this event's image alone (tile_layer of that one
                      // image, same strategy): what `cosim layer --image I` plays
  uint32_t ref = 0;   // index into Schedule::passes (Psum) or Schedule::reads (Out)
  uint32_t vec = 0;   // Psum: the vector of the pass; Out: 0
  uint32_t lead = 0;  // slots from the instruction it answers (the vector's l0_rd, the out_rd) to `slot`
  EventKind kind = EventKind::Psum;

  uint64_t issue() const { return slot - lead; }       // that l0_rd / out_rd
  uint64_t solo_issue() const { return solo - lead; }  // the same in the single-image schedule
};

// Cost model of one strategy for the schedule's batch (docs/tiler.md "Estimates").
struct Estimate {
  Dataflow dataflow = Dataflow::WS;
  Strategy strategy = Strategy::Linear;
  uint64_t passes = 0;         // weight tiles streamed (OS: accumulations)
  uint64_t compute_slots = 0;  // slots with l0_rd plus double-buffer waits (OS: plus drains)
  uint64_t data_slots = 0;     // xmem_wr + w_load + par_wr (data_i is shared)
  uint64_t cycles = 0;         // estimated schedule length
};

// The stream (config, instrs, data_of, data: slot_stream.hpp) and what its rows are.
struct Schedule : SlotStream {
  const golden::Layer* layer = nullptr;  // the layer tiled (owned by the caller)
  int layer_index = -1;                  // in the model, -1 for a layer on its own
  std::string layer_name;
  Dataflow dataflow = Dataflow::WS;
  Strategy strategy = Strategy::Linear;
  std::vector<Estimate> estimates;  // every (dataflow, strategy) considered (the chosen one included)
  std::vector<int> images;          // global image numbers of the batch, in order
  std::vector<int> out_shape;       // per image: {O, OH, OW} (conv2d) or {O} (linear)
  bool out_raw = false;             // logits layer: out lanes are raw acc + bias
  bool simd = false;                // the SIMD mode (TilerOptions::simd): l0_simd vectors, out_half read-outs
  unsigned act_bits = 0;            // width of the activations in the words (ActBits, SIMD: half of it)
  int64_t macs = 0;                 // real multiply-accumulates (layer MACs x images)

  // Metadata: every of_rd belongs to exactly one pass, every out_rd is one OutRead.
  std::vector<Slice> slices;
  std::vector<Item> items;  // output-stationary: a partial tile is filled with copies of its last item
  std::vector<Pass> passes;    // in slot order
  std::vector<OutRead> reads;  // in slot order
  // Every row the core shows, in slot order (a psum row before an out row of the same slot).
  std::vector<Event> events;

  // Where every input activation went: bits [bit +: act_bits] of data entry `entry` (the index
  // data_of gives) hold inputs[image].data[flat]. Nothing else in a schedule depends on the
  // activation values (only on the layer, the input shape and the number of images), so retile()
  // turns the schedule of one batch into that of another batch of the same shape in place.
  struct ActRef {
    uint32_t entry;
    uint16_t bit, image;
    uint32_t flat;
  };
  std::vector<ActRef> act_refs;
  std::vector<int> in_shape;  // of every input

  uint64_t psum_rows() const;  // number of of_rd
  const Item& item_of(const Event& e) const {
    return items[e.kind == EventKind::Psum ? passes[e.ref].item0 + e.vec : reads[e.ref].item];
  }
  // "ic 8..15 kp (1,2) -> oc 0..7" / "im2col rows 16..23 -> oc 8..15" / "in 64..71 -> out 0..7";
  // output-stationary: "os im2col rows 0..71 -> oc 0..7" / "os in 0..799 -> out 0..7"
  std::string describe(const Slice& s) const;
  // "image 3 (y 4, x 7)" / "image 3"
  std::string describe(const Item& it) const;
};

}  // namespace accel
