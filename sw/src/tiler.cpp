// Layer -> Schedule (docs/tiler.md). Three builders share one structure: walk the layer's passes in
// program order, allocate xmem words and pmem rows from FIFO rings, write each xmem word just
// before the first pass that reads it, and let the SlotPacker put every operation at its earliest
// legal slot. Ring reuse plus earliest placement is what overlaps the next chunk's activation
// writes, the next tile's weight loads and the previous chunk's read-out with the current stream.
#include <fmt/format.h>

#include <accel/tiler.hpp>
#include <accel/zero_point.hpp>
#include <algorithm>
#include <map>
#include <numeric>
#include <stdexcept>
#include <tuple>
#include <unordered_map>

#include "slot_packer.hpp"

namespace accel {

std::string_view dataflow_name(Dataflow d) { return d == Dataflow::OS ? "os" : "ws"; }

std::string_view strategy_name(Strategy s) {
  switch (s) {
    case Strategy::Linear:
      return "linear";
    case Strategy::KernelMajor:
      return "kernel-major";
    case Strategy::Im2col:
      return "im2col";
  }
  return "?";
}

uint64_t Schedule::psum_rows() const {
  uint64_t n = 0;
  for (const Pass& p : passes) n += p.count;
  return n;
}

std::string Schedule::describe(const Slice& s) const {
  if (dataflow == Dataflow::OS)
    return strategy == Strategy::Linear ? fmt::format("os in {}..{} -> out {}..{}", s.r0, s.r1 - 1, s.o0, s.o1 - 1)
                                        : fmt::format("os im2col rows {}..{} -> oc {}..{}", s.r0, s.r1 - 1, s.o0, s.o1 - 1);
  switch (strategy) {
    case Strategy::KernelMajor:
      return fmt::format("ic {}..{} kp ({},{}) -> oc {}..{}", s.r0, s.r1 - 1, s.ky, s.kx, s.o0, s.o1 - 1);
    case Strategy::Im2col:
      return fmt::format("im2col rows {}..{} -> oc {}..{}", s.r0, s.r1 - 1, s.o0, s.o1 - 1);
    case Strategy::Linear:
      return fmt::format("in {}..{} -> out {}..{}", s.r0, s.r1 - 1, s.o0, s.o1 - 1);
  }
  return {};
}

std::string Schedule::describe(const Item& it) const {
  const int img = it.image < images.size() ? images[it.image] : int(it.image);
  if (it.y < 0) return fmt::format("image {}", img);
  return fmt::format("image {} (y {}, x {})", img, it.y, it.x);
}

namespace {

using detail::PassVec;
using detail::SlotPacker;
using golden::Layer;
using golden::LayerType;
using golden::Tensor;

int ceil_div(int a, int b) { return (a + b - 1) / b; }

// What the array computes for a layer: the one dispatch on the layer type in the tiler.
enum class ArrayOp { Conv, Linear };

ArrayOp array_op(const Layer& l) {
  switch (l.type) {
    case LayerType::conv2d:
      return ArrayOp::Conv;
    case LayerType::linear:
      return ArrayOp::Linear;
    case LayerType::maxpool2d:
    case LayerType::flatten:
      throw std::invalid_argument(fmt::format("layer '{}' is a {}: only conv2d and linear run on the array", l.name,
                                              golden::layer_type_name(l.type)));
  }
  golden::throw_bad_layer_type(l);
}

// Layer geometry in one place (conv2d; linear uses C = K features, H = W = OH = OW = 1).
struct Geom {
  int C = 0, H = 1, W = 1, O = 0, K = 1, S = 1, P = 0, OH = 1, OW = 1;
  int positions() const { return OH * OW; }
};

Geom geometry(const Layer& l, const golden::Shape* in_shape) {
  Geom g;
  if (array_op(l) == ArrayOp::Linear) {
    g.C = l.in_features;
    g.O = l.out_features;
    return g;
  }
  g.C = l.in_channels;
  g.O = l.out_channels;
  g.K = l.kernel;
  g.S = l.stride;
  g.P = l.padding;
  if (in_shape) {
    g.H = in_shape->at(1);
    g.W = in_shape->at(2);
  } else if (l.in_shape.size() == 3) {
    g.H = l.in_shape[1];
    g.W = l.in_shape[2];
  } else {
    throw std::invalid_argument(fmt::format("layer '{}': conv2d input height/width unknown", l.name));
  }
  if (g.K < 1 || g.S < 1 || g.P < 0 || g.H + 2 * g.P < g.K || g.W + 2 * g.P < g.K)
    throw std::invalid_argument(fmt::format("layer '{}': kernel {} stride {} padding {} do not fit a {}x{} input",
                                            l.name, g.K, g.S, g.P, g.H, g.W));
  g.OH = (g.H + 2 * g.P - g.K) / g.S + 1;
  g.OW = (g.W + 2 * g.P - g.K) / g.S + 1;
  return g;
}

// Memory the tiler may use: xmem word 0 is the shared pad word (every lane the input zero point),
// addresses are 16 bits.
unsigned xmem_cap(const CoreConfig& c) { return std::min<unsigned>(c.xmem_depth, kAddressable) - 1; }
unsigned pmem_cap(const CoreConfig& c) { return std::min<unsigned>(c.pmem_depth, kAddressable); }

// First-in first-out allocation of xmem words / pmem rows: positions grow forever, the address is
// base + position mod capacity. Timing of reuse is the SlotPacker's business; the ring only makes
// sure no live word is handed out twice.
class Ring {
 public:
  Ring(uint32_t base, uint32_t cap, const char* what) : base_(base), cap_(cap), what_(what) {}
  uint64_t alloc(uint64_t n) {
    if (head_ + n - tail_ > cap_)
      throw std::logic_error(fmt::format("tiler: {} ring overflow ({} live + {} > {})", what_, head_ - tail_, n, cap_));
    const uint64_t p = head_;
    head_ += n;
    return p;
  }
  void release(uint64_t n) { tail_ += n; }
  uint32_t addr(uint64_t pos) const { return base_ + static_cast<uint32_t>(pos % cap_); }

 private:
  uint32_t base_, cap_;
  const char* what_;
  uint64_t head_ = 0, tail_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Chunking: contiguous ranges of flattened output positions (conv) or images (linear).
// ---------------------------------------------------------------------------------------------
struct ConvChunking {
  int chunks = 1;
  int per_chunk = 0;  // positions per chunk (the last may hold fewer)
};

// Input rows [iy0, iy1) a chunk of output positions [p0, p1) reads (kernel-major).
std::pair<int, int> input_rows(const Geom& g, int p0, int p1) {
  const int y0 = p0 / g.OW, y1 = (p1 - 1) / g.OW;
  const int iy0 = std::max(0, y0 * g.S - g.P), iy1 = std::min(g.H, y1 * g.S - g.P + g.K);
  return {iy0, std::max(iy0, iy1)};
}

ConvChunking plan_conv(const CoreConfig& cfg, const Geom& g, Strategy st, const std::string& name) {
  const int ot = ceil_div(g.O, int(cfg.cols));
  const int pmax = int(pmem_cap(cfg) / 2) / ot;
  if (pmax < 1)
    throw std::invalid_argument(
        fmt::format("layer '{}': {} output-channel tiles do not fit pmem ({} rows)", name, ot, cfg.pmem_depth));
  const int total = g.positions();
  const int xhalf = int(xmem_cap(cfg) / 2);
  for (int n = ceil_div(total, pmax); n <= total; ++n) {
    const int per = ceil_div(total, n);
    bool fits = true;
    for (int p0 = 0; p0 < total && fits; p0 += per) {
      const int p1 = std::min(total, p0 + per);
      const int words = st == Strategy::Im2col ? (p1 - p0) : [&] {
        auto [a, b] = input_rows(g, p0, p1);
        return (b - a) * g.W;
      }();
      fits = words <= xhalf;
    }
    if (fits) return {ceil_div(total, per), per};
  }
  throw std::invalid_argument(
      fmt::format("layer '{}': one output position's inputs do not fit half of xmem ({} words)", name, xhalf));
}

struct LinearChunking {
  int batch = 1;      // images per batch chunk
  int groups = 1;     // output-tile groups
  int per_group = 1;  // output tiles per group
  int kchunk = 1;     // input-feature tiles per xmem chunk
};

// Reduction terms one weight-stationary vector carries: Rows, twice that in the SIMD mode.
unsigned reduction_rows(const CoreConfig& cfg, bool simd) { return lanes(simd) * cfg.rows; }

LinearChunking plan_linear(const CoreConfig& cfg, const Geom& g, int images, bool simd) {
  const int kt = ceil_div(g.C, int(reduction_rows(cfg, simd))), ot = ceil_div(g.O, int(cfg.cols));
  const int xhalf = int(xmem_cap(cfg) / 2), phalf = int(pmem_cap(cfg) / 2);
  LinearChunking c;
  // Preferably every output tile of a batch chunk in pmem at once (activations written once), as
  // long as the chunk still streams long passes (>= 2 (Rows + Cols) vectors hide the weight loads).
  const int rc = int(cfg.rows + cfg.cols);
  int b = std::max(1, std::min({images, xhalf, phalf}));
  if (phalf / ot >= std::min(images, 2 * rc)) b = std::max(1, std::min(b, phalf / ot));
  c.per_group = std::min(ot, std::max(1, phalf / b));
  b = std::min(b, phalf / c.per_group);
  const int nb = ceil_div(std::max(images, 1), b);
  c.batch = ceil_div(std::max(images, 1), nb);  // balanced chunks
  c.groups = ceil_div(ot, c.per_group);
  c.kchunk = std::max(1, std::min(kt, xhalf / c.batch));
  return c;
}

// Output-stationary: the reduction (im2col terms or input features) in chunks of at most kc terms,
// items (output positions of one image, or images) in chunks of `tiles` array tiles of Rows items.
// A chunk's activation words (tiles x kc) fill at most half of xmem, a chunk of weight rows (kc)
// at most half of wmem; the weights stay resident when all of them (out tiles x terms) fit wmem.
struct OsChunking {
  int terms = 1, kc = 1, kchunks = 1;
  int tiles = 1;  // array tiles per item chunk
  bool resident = false;
};

unsigned wmem_cap(const CoreConfig& c) { return std::min<unsigned>(c.xmem_depth, kAddressable); }

OsChunking plan_os(const CoreConfig& cfg, const Geom& g, int terms, int items, const std::string& name) {
  OsChunking c;
  c.terms = terms;
  const int ot = ceil_div(g.O, int(cfg.cols));
  const int xhalf = int(xmem_cap(cfg) / 2), whalf = int(wmem_cap(cfg) / 2), phalf = int(pmem_cap(cfg) / 2);
  const int kmax = std::max(1, std::min(xhalf, whalf));
  c.kchunks = ceil_div(terms, kmax);
  c.kc = ceil_div(terms, c.kchunks);
  const int need = ceil_div(std::max(items, 1), int(cfg.rows));
  const int pm = phalf / (ot * int(cfg.rows));
  if (pm < 1)
    throw std::invalid_argument(fmt::format("layer '{}': {} output tiles of {} rows do not fit pmem ({} rows)", name,
                                            ot, cfg.rows, cfg.pmem_depth));
  c.tiles = std::max(1, std::min({need, xhalf / c.kc, pm}));
  c.resident = uint64_t(ot) * uint64_t(terms) <= wmem_cap(cfg);
  return c;
}

// ---------------------------------------------------------------------------------------------
// Estimates (docs/tiler.md): streaming needs, per pass, max(V, (V + Rows + Cols - 2) / 2) slots
// (a tile's buffer is free again Rows + Cols - 2 slots after its last l0_rd); data_i carries every
// xmem_wr, w_load and par_wr. The schedule takes about the larger of the two plus one fill/drain
// and the read-out of the last chunk.
// ---------------------------------------------------------------------------------------------
Estimate make_estimate(const CoreConfig& cfg, Strategy st, uint64_t passes, uint64_t vecs_per_pass, uint64_t writes,
                       uint64_t params, uint64_t tail) {
  Estimate e;
  e.strategy = st;
  e.passes = passes;
  const uint64_t rc = cfg.rows + cfg.cols;
  e.compute_slots = passes * std::max<uint64_t>(vecs_per_pass, (vecs_per_pass + rc - 2 + 1) / 2);
  e.data_slots = writes + passes * cfg.cols + params;
  e.cycles = std::max(e.compute_slots, e.data_slots) + rc + lat::kOutRdToOut + 1 + tail;
  return e;
}

// Output-stationary: an accumulation of k steps occupies k + Rows + Cols - 2 slots (the next one
// starts right after its drain); data_i carries the activation words (one per tile and term), the
// weight rows (once if resident, else once per item chunk) and the parameters.
Estimate os_estimate(const CoreConfig& cfg, const Layer& l, const Geom& g, int groups, int items) {
  const bool linear = array_op(l) == ArrayOp::Linear;
  const int terms = linear ? g.C : g.C * g.K * g.K;
  const OsChunking c = plan_os(cfg, g, terms, items, l.name);
  const uint64_t R = cfg.rows, C = cfg.cols, ot = ceil_div(g.O, int(C));
  const uint64_t tiles = ceil_div(std::max(items, 1), int(R)), chunks = ceil_div(int(tiles), c.tiles);
  Estimate e;
  e.dataflow = Dataflow::OS;
  e.strategy = linear ? Strategy::Linear : Strategy::Im2col;
  e.passes = uint64_t(groups) * tiles * ot * c.kchunks;
  e.compute_slots = uint64_t(groups) * tiles * ot * (uint64_t(terms) + c.kchunks * (R + C - 2));
  const uint64_t params = ot * C * (l.logits ? 1 : 3);
  e.data_slots = uint64_t(groups) * (tiles * terms + chunks * params) +
                 ot * terms * (c.resident ? 1 : uint64_t(groups) * chunks);
  e.cycles = std::max(e.compute_slots, e.data_slots) + R + C + lat::kDrainToOfRd + lat::kOutRdToOut + 1 +
             std::min<uint64_t>(uint64_t(c.tiles) * R, uint64_t(std::max(items, 1)));
  return e;
}

std::vector<Estimate> estimates_for(const CoreConfig& cfg, const Layer& l, const Geom& g, int images, bool simd) {
  const uint64_t R = reduction_rows(cfg, simd), C = cfg.cols;
  const uint64_t ot = ceil_div(g.O, int(C));
  const uint64_t params = ot * C * (l.logits ? 1 : 3);
  std::vector<Estimate> out;
  const uint64_t n = std::max(images, 1);
  const auto sorted = [&] {
    std::stable_sort(out.begin(), out.end(), [](const Estimate& a, const Estimate& b) {
      return std::tie(a.cycles, a.data_slots) < std::tie(b.cycles, b.data_slots);
    });
    return out;
  };
  if (array_op(l) == ArrayOp::Linear) {
    const LinearChunking c = plan_linear(cfg, g, images, simd);
    const uint64_t kt = ceil_div(g.C, int(R));
    const uint64_t chunks = ceil_div(int(n), c.batch);
    out.push_back(
        make_estimate(cfg, Strategy::Linear, chunks * kt * ot, c.batch, n * kt * c.groups, chunks * params, c.batch));
    out.push_back(os_estimate(cfg, l, g, 1, int(n)));
    return sorted();
  }
  out.push_back(os_estimate(cfg, l, g, int(n), g.positions()));
  // Kernel-major: every input position of an ic tile is written once per chunk.
  {
    const ConvChunking c = plan_conv(cfg, g, Strategy::KernelMajor, l.name);
    const uint64_t it = ceil_div(g.C, int(R));
    uint64_t words = 0;
    for (int p0 = 0; p0 < g.positions(); p0 += c.per_chunk) {
      auto [a, b] = input_rows(g, p0, std::min(g.positions(), p0 + c.per_chunk));
      words += uint64_t(b - a) * g.W;
    }
    const uint64_t kk = uint64_t(g.K) * g.K;
    out.push_back(make_estimate(cfg, Strategy::KernelMajor, n * c.chunks * it * ot * kk, c.per_chunk,
                                n * it * std::min<uint64_t>(words, uint64_t(g.positions()) * kk), n * c.chunks * params,
                                c.per_chunk));
  }
  {
    const ConvChunking c = plan_conv(cfg, g, Strategy::Im2col, l.name);
    const uint64_t rt = ceil_div(g.C * g.K * g.K, int(R));
    out.push_back(make_estimate(cfg, Strategy::Im2col, n * c.chunks * rt * ot, c.per_chunk, n * rt * g.positions(),
                                n * c.chunks * params, c.per_chunk));
  }
  return sorted();
}

// ---------------------------------------------------------------------------------------------
// Checks and data packing (no arithmetic: values are only placed into bit fields).
// ---------------------------------------------------------------------------------------------
// The activation width of the schedule's words: ActBits, or half of it in the SIMD mode.
unsigned schedule_act_bits(const CoreConfig& cfg, bool simd) { return simd ? cfg.simd_act_bits() : cfg.act_bits; }

void check_layer(const CoreConfig& cfg, const Layer& l, const golden::Precision& prec, bool simd) {
  const ArrayOp op = array_op(l);
  if (simd && !cfg.simd)
    throw std::invalid_argument(fmt::format(
        "layer '{}': core '{}' has no SIMD mode (rtl/configs.txt tags the cores that have it 'simd')", l.name,
        cfg.name));
  const unsigned a = schedule_act_bits(cfg, simd);
  if (unsigned(prec.act_bits) != a || unsigned(prec.weight_bits) != cfg.weight_bits ||
      unsigned(prec.psum_bits) != cfg.psum_bits)
    throw std::invalid_argument(fmt::format(
        "layer '{}': model precision {}/{}/{} (act/weight/psum bits) differs from core '{}'{} ({}/{}/{})", l.name,
        prec.act_bits, prec.weight_bits, prec.psum_bits, cfg.name, simd ? " in the SIMD mode" : "", a,
        cfg.weight_bits, cfg.psum_bits));
  if (cfg.cols > kMaxCols)
    throw std::invalid_argument(fmt::format("tiler: par_col addresses {} columns, Cols is {}", kMaxCols, cfg.cols));
  if (lat::l0rd_to_ofrd(cfg) > cfg.ofifo_depth - (cfg.cols - 1) || 3 > cfg.l0_depth - (cfg.rows - 1))
    throw std::invalid_argument(
        fmt::format("tiler: core '{}' FIFOs too shallow for streaming at the isa latency", cfg.name));
  const size_t want = op == ArrayOp::Linear ? size_t(l.out_features) * l.in_features
                                            : size_t(l.out_channels) * l.in_channels * l.kernel * l.kernel;
  if (l.weight.size() != want || l.bias.size() != size_t(l.outputs()) ||
      (!l.logits && (l.multiplier.size() != size_t(l.outputs()) || l.shift.size() != size_t(l.outputs()))))
    throw std::invalid_argument(fmt::format("layer '{}': weight/bias/multiplier/shift sizes do not match", l.name));
  // The zero points go into ActBits-wide fields (pad lanes, the SFP's zero point): in range, as
  // golden's loader also checks (folded_bias checks the input one and the wrap, per output).
  const int64_t amax = (int64_t{1} << a) - 1;
  if (l.output_zero_point < 0 || l.output_zero_point > amax || (l.logits && l.output_zero_point != 0))
    throw std::invalid_argument(fmt::format("layer '{}': output zero point {} outside 0..{}{}", l.name,
                                            l.output_zero_point, l.logits ? 0 : amax,
                                            l.logits ? " (logits are raw acc + bias)" : ""));
  const int64_t wmin = -(int64_t{1} << (cfg.weight_bits - 1)), wmax = (int64_t{1} << (cfg.weight_bits - 1)) - 1;
  for (size_t i = 0; i < l.weight.size(); ++i)
    if (l.weight[i] < wmin || l.weight[i] > wmax)
      throw std::invalid_argument(
          fmt::format("layer '{}': weight {} = {} outside {} signed bits", l.name, i, l.weight[i], cfg.weight_bits));
}

// Activation `a` of an input as `bits` bits; std::invalid_argument outside 0 .. 2^bits - 1.
uint64_t activation_bits(const Layer& l, unsigned bits, int64_t a) {
  if (a < 0 || a >= (int64_t{1} << bits))
    throw std::invalid_argument(
        fmt::format("layer '{}': input activation {} outside 0..{}", l.name, a, (int64_t{1} << bits) - 1));
  return static_cast<uint64_t>(a);
}

// The index of x.at(c, y, xx) in x.data ({C, H, W}, C order).
size_t chw_index(const Tensor& x, int c, int y, int xx) { return (size_t(c) * x.height() + y) * x.width() + xx; }

class Builder {
 public:
  Builder(const CoreConfig& cfg, const Layer& l, const Geom& g, std::span<const Tensor> inputs, Schedule& s)
      : cfg_(cfg),
        simd_(s.simd),
        red_rows_(reduction_rows(cfg, s.simd)),
        abits_(s.act_bits),
        l_(l),
        g_(g),
        in_(inputs),
        s_(s),
        pk_(cfg, s),
        words_(data_words(cfg)),
        xring_(1, xmem_cap(cfg), "xmem"),
        pring_(0, pmem_cap(cfg), "pmem"),
        wring_(0, wmem_cap(cfg), "wmem"),
        wtile_(size_t(red_rows_) * cfg.cols),
        word_(words_),
        bias_(folded_bias(l, int(abits_), int(cfg.psum_bits))) {}

  void linear(int images);
  void kernel_major();
  void im2col();
  void output_stationary(int images);
  void finish() { pk_.finish(); }

 private:
  // Where reduction row r goes in a word: lane r, or in the SIMD mode lane r % Rows, low half for
  // r < Rows, high half above.
  unsigned lane_bit(unsigned r) const { return (r % cfg_.rows) * cfg_.act_bits + (r / cfg_.rows) * abits_; }
  // Activation x.data[flat] (x: one of the inputs) of reduction row r into the word; checks the
  // range and notes where it went (Schedule::act_refs, once write_x has placed the word).
  void put_act(unsigned r, const Tensor& x, size_t flat) {
    const unsigned bit = lane_bit(r);
    put_bits(word_, bit, abits_, activation_bits(l_, abits_, x.data[flat]));
    pending_.push_back({0, uint16_t(bit), uint16_t(&x - in_.data()), uint32_t(flat)});
  }
  // A padded position of reduction row r: the real value 0, i.e. the input zero point (a
  // constant of the layer, so no ActRef: retile leaves it).
  void put_pad(unsigned r) {
    put_bits(word_, lane_bit(r), abits_, static_cast<uint64_t>(l_.input_zero_point));
  }
  // Row r = im2col term `term` (PyTorch order) of output position (y, xo) of image x: its input
  // activation, or the pad value where the kernel reaches into the padding.
  void put_conv_term(unsigned r, const Tensor& x, int y, int xo, int term) {
    const int ci = term / (g_.K * g_.K), ky = (term / g_.K) % g_.K, kx = term % g_.K;
    const int iy = y * g_.S - g_.P + ky, ix = xo * g_.S - g_.P + kx;
    if (iy >= 0 && iy < g_.H && ix >= 0 && ix < g_.W)
      put_act(r, x, chw_index(x, ci, iy, ix));
    else
      put_pad(r);
  }
  void clear_word() {
    std::fill(word_.begin(), word_.end(), 0u);
    pending_.clear();
  }
  // xmem[addr] = the word, with its activations' places.
  void write_x(uint32_t addr) {
    const uint64_t t = pk_.write_x(addr, word_);
    for (Schedule::ActRef ref : pending_) {
      ref.entry = s_.data_of[t];
      s_.act_refs.push_back(ref);
    }
    pending_.clear();
  }

  uint32_t slice_id(const Slice& sl) {
    const auto key = std::make_tuple(sl.red_tile, sl.out_tile, sl.ky, sl.kx);
    auto it = slice_ids_.find(key);
    if (it != slice_ids_.end()) return it->second;
    const uint32_t id = static_cast<uint32_t>(s_.slices.size());
    s_.slices.push_back(sl);
    slice_ids_.emplace(key, id);
    return id;
  }

  void run_pass(const Slice& sl, uint32_t item0, bool acc) {
    Pass p;
    p.slice = slice_id(sl);
    p.item0 = item0;
    p.count = static_cast<uint32_t>(vecs_.size());
    pk_.pass(wtile_, vecs_, acc, simd_, p);
    s_.passes.push_back(p);
  }

  // Reduction tile t (rows [r0, r1)) against output tile j.
  Slice slice(int t, int j, int r0, int r1) const {
    Slice sl;
    sl.red_tile = uint32_t(t);
    sl.out_tile = uint32_t(j);
    sl.r0 = r0;
    sl.r1 = r1;
    sl.o0 = j * int(cfg_.cols);
    sl.o1 = std::min(g_.O, sl.o0 + int(cfg_.cols));
    return sl;
  }

  // Conv: per image x and chunk of output positions [p0, p1) (as plan_conv chunks them for st),
  // adds the chunk's items from item0 on and takes pmem rows for every output tile, then calls
  // body(x, p0, p1, item0, prow), prow(j, i) being the row of output tile j and position p0 + i.
  template <class Body>
  void conv_chunks(Strategy st, Body body) {
    const int ot = ceil_div(g_.O, int(cfg_.cols));
    const ConvChunking ch = plan_conv(cfg_, g_, st, l_.name);
    const int total = g_.positions();
    for (size_t img = 0; img < in_.size(); ++img) {
      for (int p0 = 0; p0 < total; p0 += ch.per_chunk) {
        const int p1 = std::min(total, p0 + ch.per_chunk), P = p1 - p0;
        const uint32_t item0 = static_cast<uint32_t>(s_.items.size());
        for (int p = p0; p < p1; ++p) s_.items.push_back(Item{uint32_t(img), p / g_.OW, p % g_.OW});
        const uint64_t pbase = pring_.alloc(uint64_t(ot) * P);
        body(in_[img], p0, p1, item0, [&](int j, int i) { return pring_.addr(pbase + uint64_t(j) * P + i); });
        pring_.release(uint64_t(ot) * P);
      }
    }
  }

  // Parameters of output tile j, then the out_rds of its rows (row(i) for items item0 + i).
  template <class RowOf>
  void read_out_tile(int j, uint32_t item0, int n, RowOf row) {
    const int o0 = j * int(cfg_.cols), o1 = std::min(g_.O, o0 + int(cfg_.cols));
    for (int c = 0; c < o1 - o0; ++c) {
      pk_.set_param(unsigned(c), SfpParam::Bias, static_cast<uint32_t>(bias_[size_t(o0 + c)]));
      if (!l_.logits) {
        pk_.set_param(unsigned(c), SfpParam::Mult, static_cast<uint32_t>(l_.multiplier[o0 + c]));
        pk_.set_param(unsigned(c), SfpParam::Shift, static_cast<uint32_t>(l_.shift[o0 + c]));
        pk_.set_param(unsigned(c), SfpParam::Zero, static_cast<uint32_t>(l_.output_zero_point));
      }
    }
    for (int i = 0; i < n; ++i) {
      OutRead r;
      r.pmem_row = row(i);
      r.slot = pk_.read_out(r.pmem_row, l_.logits, l_.relu, simd_);
      r.item = item0 + uint32_t(i);
      r.out_tile = uint32_t(j);
      r.o0 = o0;
      r.o1 = o1;
      s_.reads.push_back(r);
    }
  }

  const CoreConfig& cfg_;
  bool simd_;          // the SIMD mode (TilerOptions::simd)
  unsigned red_rows_;  // reduction terms per weight-stationary vector
  unsigned abits_;     // activation width in the words (Schedule::act_bits)
  const Layer& l_;
  const Geom& g_;
  std::span<const Tensor> in_;
  Schedule& s_;
  SlotPacker pk_;
  unsigned words_;
  Ring xring_, pring_, wring_;
  std::vector<detail::OsStep> steps_;
  std::vector<uint32_t> os_rows_;
  std::vector<int32_t> wtile_;  // [c][r]
  std::vector<uint32_t> word_;
  std::vector<Schedule::ActRef> pending_;  // activations of word_ (entry set by write_x)
  std::vector<PassVec> vecs_;
  std::map<std::tuple<uint32_t, uint32_t, int, int>, uint32_t> slice_ids_;
  bool pad_written_ = false;
  std::vector<int32_t> bias_;  // with the input zero point folded in (zero_point.hpp)
};

// Linear: for each batch chunk, output-tile group and input-feature chunk, every (output tile,
// input tile) pass streams the chunk's images; pmem row (j, b) accumulates over input tiles.
void Builder::linear(int images) {
  const unsigned R = red_rows_, C = cfg_.cols;
  const int kt = ceil_div(g_.C, int(R)), ot = ceil_div(g_.O, int(C));
  const LinearChunking ch = plan_linear(cfg_, g_, images, simd_);
  for (int n0 = 0; n0 < images; n0 += ch.batch) {
    const int B = std::min(ch.batch, images - n0);
    const uint32_t item0 = static_cast<uint32_t>(s_.items.size());
    for (int b = 0; b < B; ++b) s_.items.push_back(Item{uint32_t(n0 + b), -1, -1});
    for (int grp = 0; grp < ch.groups; ++grp) {
      const int j0 = grp * ch.per_group, j1 = std::min(ot, j0 + ch.per_group);
      const uint64_t pbase = pring_.alloc(uint64_t(j1 - j0) * B);
      auto prow = [&](int j, int b) { return pring_.addr(pbase + uint64_t(j - j0) * B + b); };
      for (int k0 = 0; k0 < kt; k0 += ch.kchunk) {
        const int k1 = std::min(kt, k0 + ch.kchunk);
        const uint64_t xn = uint64_t(k1 - k0) * B;
        const uint64_t xbase = xring_.alloc(xn);
        std::vector<bool> written(xn, false);
        for (int j = j0; j < j1; ++j) {
          for (int t = k0; t < k1; ++t) {
            const int r0 = t * int(R);
            const Slice sl = slice(t, j, r0, std::min(g_.C, r0 + int(R)));
            for (unsigned c = 0; c < C; ++c)
              for (unsigned r = 0; r < R; ++r) {
                const int o = sl.o0 + int(c), k = sl.r0 + int(r);
                wtile_[size_t(c) * R + r] = (o < sl.o1 && k < sl.r1) ? l_.weight[size_t(o) * g_.C + k] : 0;
              }
            vecs_.clear();
            for (int b = 0; b < B; ++b) {
              const uint64_t w = uint64_t(t - k0) * B + b;
              const uint32_t xa = xring_.addr(xbase + w);
              if (!written[w]) {
                clear_word();
                const Tensor& x = in_[size_t(n0 + b)];
                for (unsigned r = 0; r < R && sl.r0 + int(r) < sl.r1; ++r) put_act(r, x, size_t(sl.r0) + r);
                write_x(xa);
                written[w] = true;
              }
              vecs_.push_back(PassVec{xa, prow(j, b)});
            }
            run_pass(sl, item0, t > 0);
            if (t == kt - 1) read_out_tile(j, item0, B, [&](int b) { return prow(j, b); });
          }
        }
        xring_.release(xn);
      }
      pring_.release(uint64_t(j1 - j0) * B);
    }
  }
}

// Kernel-major: per image and output-position chunk, per input-channel tile, the needed input
// rows live in one xmem block (word (iy - iy0) * W + ix, padding reads the pad word 0); every
// (output tile, kernel position) pass streams the chunk's positions, reading for each the input
// position it needs, so a stride costs nothing.
void Builder::kernel_major() {
  const unsigned R = red_rows_, C = cfg_.cols;
  const int it = ceil_div(g_.C, int(R)), ot = ceil_div(g_.O, int(C)), kk = g_.K * g_.K;
  conv_chunks(Strategy::KernelMajor, [&](const Tensor& x, int p0, int p1, uint32_t item0, auto prow) {
    const int P = p1 - p0;
    const auto [iy0, iy1] = input_rows(g_, p0, p1);
    const uint64_t xn = uint64_t(iy1 - iy0) * g_.W;
    for (int t = 0; t < it; ++t) {
      const uint64_t xbase = xring_.alloc(xn);
      std::vector<bool> written(xn, false);
      const int c0 = t * int(R), c1 = std::min(g_.C, c0 + int(R));
      for (int j = 0; j < ot; ++j) {
        for (int kp = 0; kp < kk; ++kp) {
          Slice sl = slice(t, j, c0, c1);
          sl.ky = kp / g_.K;
          sl.kx = kp % g_.K;
          for (unsigned c = 0; c < C; ++c)
            for (unsigned r = 0; r < R; ++r) {
              const int o = sl.o0 + int(c), ci = c0 + int(r);
              wtile_[size_t(c) * R + r] =
                  (o < sl.o1 && ci < c1) ? l_.weight[((size_t(o) * g_.C + ci) * g_.K + sl.ky) * g_.K + sl.kx] : 0;
            }
          vecs_.clear();
          for (int i = 0; i < P; ++i) {
            const int y = (p0 + i) / g_.OW, xo = (p0 + i) % g_.OW;
            const int iy = y * g_.S - g_.P + sl.ky, ix = xo * g_.S - g_.P + sl.kx;
            uint32_t xa = 0;
            if (iy < 0 || iy >= g_.H || ix < 0 || ix >= g_.W) {
              if (!pad_written_) {
                clear_word();
                for (unsigned r = 0; r < R; ++r) put_pad(r);
                write_x(0);
                pad_written_ = true;
              }
            } else {
              const uint64_t w = uint64_t(iy - iy0) * g_.W + ix;
              xa = xring_.addr(xbase + w);
              if (!written[w]) {
                clear_word();
                for (int ci = c0; ci < c1; ++ci) put_act(unsigned(ci - c0), x, chw_index(x, ci, iy, ix));
                write_x(xa);
                written[w] = true;
              }
            }
            vecs_.push_back(PassVec{xa, prow(j, i)});
          }
          run_pass(sl, item0, !(t == 0 && kp == 0));
          if (t == it - 1 && kp == kk - 1) read_out_tile(j, item0, P, [&](int i) { return prow(j, i); });
        }
      }
      xring_.release(xn);
    }
  });
}

// im2col: per image and output-position chunk, per im2col row chunk (Rows consecutive terms in
// PyTorch weight order, crossing channel boundaries), the host writes one vector per position;
// every output tile streams them.
void Builder::im2col() {
  const unsigned R = red_rows_, C = cfg_.cols;
  const int terms = g_.C * g_.K * g_.K;
  const int rt = ceil_div(terms, int(R)), ot = ceil_div(g_.O, int(C));
  conv_chunks(Strategy::Im2col, [&](const Tensor& x, int p0, int p1, uint32_t item0, auto prow) {
    const int P = p1 - p0;
    for (int t = 0; t < rt; ++t) {
      const int r0 = t * int(R), r1 = std::min(terms, r0 + int(R));
      const uint64_t xbase = xring_.alloc(uint64_t(P));
      for (int j = 0; j < ot; ++j) {
        const Slice sl = slice(t, j, r0, r1);
        for (unsigned c = 0; c < C; ++c)
          for (unsigned r = 0; r < R; ++r) {
            const int o = sl.o0 + int(c), term = r0 + int(r);
            // OIHW flattened per output channel is exactly the im2col row order.
            wtile_[size_t(c) * R + r] = (o < sl.o1 && term < r1) ? l_.weight[size_t(o) * terms + term] : 0;
          }
        vecs_.clear();
        for (int i = 0; i < P; ++i) {
          const uint32_t xa = xring_.addr(xbase + i);
          if (j == 0) {
            const int y = (p0 + i) / g_.OW, xo = (p0 + i) % g_.OW;
            clear_word();
            for (int term = r0; term < r1; ++term) put_conv_term(unsigned(term - r0), x, y, xo, term);
            write_x(xa);
          }
          vecs_.push_back(PassVec{xa, prow(j, i)});
        }
        run_pass(sl, item0, t > 0);
        if (t == rt - 1) read_out_tile(j, item0, P, [&](int i) { return prow(j, i); });
      }
      xring_.release(uint64_t(P));
    }
  });
}

// Output-stationary (docs/tiler.md "Output-stationary"): array rows are items (conv2d: output
// positions of one image; linear: images), columns output channels. Per item chunk and reduction
// chunk [k0, k1), the host writes one activation word per (array tile, term), lane r holding item
// Rows - 1 - r of the tile (the drain pops the bottom row first, so psum row i is item i); every
// output tile accumulates each array tile over the chunk's terms and drains it into pmem
// (overwriting for the first chunk, accumulating after). A partial last tile repeats its last item.
void Builder::output_stationary(int images) {
  const unsigned R = cfg_.rows, C = cfg_.cols;
  const bool linear = array_op(l_) == ArrayOp::Linear;
  const int terms = linear ? g_.C : g_.C * g_.K * g_.K;
  const int ot = ceil_div(g_.O, int(C));
  const int total = linear ? images : g_.positions();
  const OsChunking ch = plan_os(cfg_, g_, terms, total, l_.name);
  // Weight row of output tile j and term k, written once (resident) or per use.
  std::vector<uint32_t> wres;
  if (ch.resident) wres.assign(size_t(ot) * terms, kNoData);
  const auto weight_row = [&](int j, int k) -> uint32_t {
    uint32_t* cached = ch.resident ? &wres[size_t(j) * terms + k] : nullptr;
    if (cached && *cached != kNoData) return *cached;
    const uint32_t wa = ch.resident ? uint32_t(size_t(j) * terms + k) : wring_.addr(wring_.alloc(1));
    std::vector<uint32_t> w(words_, 0u);
    const int o0 = j * int(C);
    for (unsigned c = 0; c < C && o0 + int(c) < g_.O; ++c)
      put_bits(w, c * cfg_.weight_bits, cfg_.weight_bits,
               static_cast<uint64_t>(int64_t{l_.weight[size_t(o0 + int(c)) * terms + k]}));
    pk_.write_w(wa, w);
    if (cached) *cached = wa;
    return wa;
  };
  const int groups = linear ? 1 : int(in_.size());
  const int per_chunk = ch.tiles * int(R);
  for (int grp = 0; grp < groups; ++grp) {
    for (int i0 = 0; i0 < total; i0 += per_chunk) {
      const int n = std::min(total, i0 + per_chunk) - i0, T = ceil_div(n, int(R)), npad = T * int(R);
      const uint32_t item0 = static_cast<uint32_t>(s_.items.size());
      const auto item_of = [&](int i) { return i0 + std::min(i, n - 1); };  // chunk index -> item
      for (int i = 0; i < npad; ++i) {
        const int it = item_of(i);
        s_.items.push_back(linear ? Item{uint32_t(it), -1, -1} : Item{uint32_t(grp), it / g_.OW, it % g_.OW});
      }
      const uint64_t pbase = pring_.alloc(uint64_t(ot) * npad);
      const auto prow = [&](int j, int i) { return pring_.addr(pbase + uint64_t(j) * npad + i); };
      for (int kc = 0; kc < ch.kchunks; ++kc) {
        const int k0 = kc * ch.kc, k1 = std::min(terms, k0 + ch.kc), kn = k1 - k0;
        const uint64_t xbase = xring_.alloc(uint64_t(T) * kn);
        for (int j = 0; j < ot; ++j) {
          std::vector<uint32_t> wa(static_cast<size_t>(kn));
          for (int k = k0; k < k1; ++k) wa[size_t(k - k0)] = weight_row(j, k);
          for (int t = 0; t < T; ++t) {
            steps_.clear();
            for (int k = k0; k < k1; ++k) {
              const uint32_t xa = xring_.addr(xbase + uint64_t(t) * kn + (k - k0));
              if (j == 0) {
                clear_word();
                for (unsigned r = 0; r < R; ++r) {
                  const int it = item_of(t * int(R) + int(R - 1 - r));
                  if (linear) {
                    put_act(r, in_[size_t(it)], size_t(k));
                    continue;
                  }
                  put_conv_term(r, in_[size_t(grp)], it / g_.OW, it % g_.OW, k);
                }
                write_x(xa);
              }
              steps_.push_back(detail::OsStep{xa, wa[size_t(k - k0)]});
            }
            os_rows_.clear();
            for (unsigned i = 0; i < R; ++i) os_rows_.push_back(prow(j, t * int(R) + int(i)));
            Pass p;
            p.slice = slice_id(slice(kc, j, k0, k1));
            p.item0 = item0 + uint32_t(t) * R;
            p.count = R;
            pk_.os_tile(steps_, os_rows_, kc > 0, p);
            s_.passes.push_back(p);
          }
          if (!ch.resident) wring_.release(uint64_t(kn));
          if (kc == ch.kchunks - 1) read_out_tile(j, item0, n, [&](int i) { return prow(j, i); });
        }
        xring_.release(uint64_t(T) * kn);
      }
      pring_.release(uint64_t(ot) * npad);
    }
  }
}

// Every input is one image of the layer's input shape (the first one's, for conv2d).
void check_inputs(const Layer& layer, std::span<const Tensor> inputs, std::span<const int> image_ids) {
  if (inputs.empty()) throw std::invalid_argument(fmt::format("layer '{}': no input images", layer.name));
  if (!image_ids.empty() && image_ids.size() != inputs.size())
    throw std::invalid_argument(
        fmt::format("layer '{}': {} image ids for {} inputs", layer.name, image_ids.size(), inputs.size()));
  const golden::Shape& shape = inputs.front().shape;
  const bool linear = array_op(layer) == ArrayOp::Linear;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& t = inputs[i];
    const bool ok = linear ? (t.rank() == 1 && t.shape[0] == layer.in_features)
                           : (t.rank() == 3 && t.shape[0] == layer.in_channels && t.shape == shape);
    if (!ok || t.data.size() != std::accumulate(t.shape.begin(), t.shape.end(), size_t{1}, std::multiplies<>()))
      throw std::invalid_argument(
          fmt::format("layer '{}' ({}): input {} has the wrong shape", layer.name, layer.describe(), i));
  }
}

// The (dataflow, strategy) of the options, or else of the fastest estimate for one image.
Estimate mapping(const CoreConfig& cfg, const Layer& layer, const Geom& g, const TilerOptions& options) {
  const bool linear = array_op(layer) == ArrayOp::Linear;
  if (options.strategy && linear && *options.strategy != Strategy::Linear)
    throw std::invalid_argument(fmt::format("layer '{}': strategy {} for a linear layer", layer.name,
                                            strategy_name(*options.strategy)));
  if (options.strategy && !linear && *options.strategy == Strategy::Linear)
    throw std::invalid_argument(fmt::format("layer '{}': strategy linear for a conv2d layer", layer.name));
  if (options.strategy && *options.strategy == Strategy::KernelMajor && options.dataflow == Dataflow::OS)
    throw std::invalid_argument(
        fmt::format("layer '{}': strategy kernel-major is weight-stationary only (output-stationary conv2d "
                    "is im2col)",
                    layer.name));
  for (const Estimate& e : estimates_for(cfg, layer, g, 1, options.simd)) {
    if (options.dataflow && e.dataflow != *options.dataflow) continue;
    if (options.strategy && !linear && e.strategy != *options.strategy) continue;
    return e;
  }
  throw std::logic_error(fmt::format("tiler: layer '{}': no mapping for the options", layer.name));
}

// The schedule's description of the layer and the batch, and the strategy it will use.
Schedule schedule_header(const CoreConfig& cfg, const Layer& layer, const Geom& g, std::span<const int> image_ids,
                         size_t images, int layer_index, const TilerOptions& options) {
  const bool linear = array_op(layer) == ArrayOp::Linear;
  Schedule s;
  s.config = cfg;
  s.layer = &layer;
  s.layer_index = layer_index;
  s.layer_name = layer.name;
  s.out_raw = layer.logits;
  for (size_t i = 0; i < images; ++i) s.images.push_back(image_ids.empty() ? int(i) : image_ids[i]);
  s.out_shape = linear ? std::vector<int>{g.O} : std::vector<int>{g.O, g.OH, g.OW};
  s.macs = int64_t(images) * g.positions() * g.O * g.C * g.K * g.K;
  s.simd = options.simd;
  s.act_bits = schedule_act_bits(cfg, options.simd);
  s.estimates = estimates_for(cfg, layer, g, int(images), options.simd);
  const Estimate m = mapping(cfg, layer, g, options);
  s.dataflow = m.dataflow;
  s.strategy = m.strategy;
  return s;
}

// ---------------------------------------------------------------------------------------------
// Events: the one place that knows when results leave the core (the isa latencies, docs/isa.md).
// ---------------------------------------------------------------------------------------------
void emit_events(Schedule& s) {
  const uint32_t psum_lead = lat::l0rd_to_ofrd(s.config) + lat::kOfRdToPsumOut;  // from the l0_rd
  std::vector<Event> psums, outs;
  psums.reserve(s.psum_rows());
  for (uint32_t p = 0; p < s.passes.size(); ++p) {
    const Pass& ps = s.passes[p];
    for (uint32_t i = 0; i < ps.count; ++i) {
      const uint64_t slot = ps.of_rd_slot(i) + lat::kOfRdToPsumOut;
      // WS: a row answers its vector's l0_rd; OS: the accumulation's first l0_rd.
      const uint32_t lead = s.dataflow == Dataflow::OS ? uint32_t(slot - ps.first_l0rd) : psum_lead;
      psums.push_back(Event{slot, 0, p, i, lead, EventKind::Psum});
    }
  }
  outs.reserve(s.reads.size());
  for (uint32_t r = 0; r < s.reads.size(); ++r)
    outs.push_back(Event{s.reads[r].slot + lat::kOutRdToOut, 0, r, 0, lat::kOutRdToOut, EventKind::Out});
  // Both lists are in slot order (passes stream one after another, reads are sorted); on a tie
  // std::merge takes the psum row first.
  s.events.resize(psums.size() + outs.size());
  std::merge(psums.begin(), psums.end(), outs.begin(), outs.end(), s.events.begin(),
             [](const Event& a, const Event& b) { return a.slot < b.slot; });
}

// What an event computes, independent of the batch: kind, slice (or output tile), output position.
using EventKey = std::tuple<EventKind, uint32_t, uint32_t, int, int, int, int>;

struct EventKeyHash {
  size_t operator()(const EventKey& k) const {
    const auto& [kind, red, out, ky, kx, y, x] = k;
    uint64_t h = uint64_t(kind);
    for (const uint64_t v : {uint64_t(red), uint64_t(out), uint64_t(uint32_t(ky)), uint64_t(uint32_t(kx)),
                             uint64_t(uint32_t(y)), uint64_t(uint32_t(x))})
      h = (h ^ v) * 0x100000001b3ULL;  // FNV-1a over the fields
    return size_t(h ^ (h >> 29));
  }
};

EventKey event_key(const Schedule& s, const Event& e) {
  const Item& it = s.item_of(e);
  if (e.kind == EventKind::Out) return {e.kind, 0, s.reads[e.ref].out_tile, -1, -1, it.y, it.x};
  const Slice& sl = s.slices[s.passes[e.ref].slice];
  return {e.kind, sl.red_tile, sl.out_tile, sl.ky, sl.kx, it.y, it.x};
}

// Event::solo from the schedule of one image alone. Timing depends on the layer, the strategy and
// the number of images, never on activation values, so one single-image schedule serves all.
void set_solo_slots(Schedule& s, const Schedule& one) {
  std::unordered_map<EventKey, uint64_t, EventKeyHash> slot_of;
  slot_of.reserve(one.events.size());
  for (const Event& e : one.events) slot_of.emplace(event_key(one, e), e.slot);
  for (Event& e : s.events) {
    const auto it = slot_of.find(event_key(s, e));
    if (it == slot_of.end())
      throw std::logic_error(
          fmt::format("tiler: layer '{}': a row of the batch schedule is missing alone", s.layer_name));
    e.solo = it->second;
  }
}

}  // namespace

std::vector<Estimate> estimate_layer(const CoreConfig& cfg, const golden::Layer& layer, int images, bool simd) {
  return estimates_for(cfg, layer, geometry(layer, nullptr), images, simd);
}

Estimate choose_mapping(const CoreConfig& cfg, const golden::Layer& layer, const TilerOptions& options) {
  return mapping(cfg, layer, geometry(layer, nullptr), options);
}

Strategy choose_strategy(const CoreConfig& cfg, const golden::Layer& layer) {
  return choose_mapping(cfg, layer).strategy;
}

Schedule tile_layer(const CoreConfig& cfg, const golden::Layer& layer, const golden::Precision& prec,
                    std::span<const golden::Tensor> inputs, std::span<const int> image_ids, int layer_index,
                    const TilerOptions& options) {
  check_layer(cfg, layer, prec, options.simd);
  check_inputs(layer, inputs, image_ids);
  const bool linear = array_op(layer) == ArrayOp::Linear;
  const Geom g = geometry(layer, linear ? nullptr : &inputs.front().shape);
  Schedule s = schedule_header(cfg, layer, g, image_ids, inputs.size(), layer_index, options);
  s.in_shape = inputs.front().shape;

  Builder b(cfg, layer, g, inputs, s);
  if (s.dataflow == Dataflow::OS) {
    b.output_stationary(int(inputs.size()));
  } else switch (s.strategy) {
    case Strategy::Linear:
      b.linear(int(inputs.size()));
      break;
    case Strategy::KernelMajor:
      b.kernel_major();
      break;
    case Strategy::Im2col:
      b.im2col();
      break;
  }
  b.finish();
  std::stable_sort(s.reads.begin(), s.reads.end(), [](const OutRead& a, const OutRead& b) { return a.slot < b.slot; });
  emit_events(s);
  if (inputs.size() == 1) {
    for (Event& e : s.events) e.solo = e.slot;
  } else {
    TilerOptions alone = options;
    alone.dataflow = s.dataflow;
    alone.strategy = linear ? std::nullopt : std::optional<Strategy>(s.strategy);
    set_solo_slots(s, tile_layer(cfg, layer, prec, inputs.first(1), image_ids.empty() ? image_ids : image_ids.first(1),
                                 layer_index, alone));
  }
  return s;
}

void retile(Schedule& s, std::span<const golden::Tensor> inputs, std::span<const int> image_ids) {
  if (!s.layer) throw std::invalid_argument("retile: the schedule has no layer");
  const Layer& layer = *s.layer;
  check_inputs(layer, inputs, image_ids);
  if (inputs.size() != s.images.size() || inputs.front().shape != s.in_shape)
    throw std::invalid_argument(fmt::format("retile: layer '{}': {} inputs of {} for a schedule of {} of {}",
                                            layer.name, inputs.size(), golden::shape_str(inputs.front().shape),
                                            s.images.size(), golden::shape_str(s.in_shape)));
  const unsigned w = data_words(s.config);
  for (const Schedule::ActRef& r : s.act_refs) {
    const std::span<uint32_t> word(s.data.data() + size_t(r.entry) * w, w);
    put_bits(word, r.bit, s.act_bits, activation_bits(layer, s.act_bits, inputs[r.image].data[r.flat]));
  }
  for (size_t i = 0; i < inputs.size(); ++i) s.images[i] = image_ids.empty() ? int(i) : image_ids[i];
}

}  // namespace accel
