// Module tests: mac_tile, mac_array, l0, ofifo, sfp and fifo_sync, each driven alone through
// rtl/tb/unit_top.sv, in every configuration. Expected values are computed here, independently
// of the RTL (plain integer arithmetic), or written down by hand.
#include <accel/isa.hpp>
#include <accel/sim/coverage.hpp>
#include <accel/sim/port_bits.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <vector>

#include <accel/unit_models.hpp>  // Vunit_<name> of every configuration (generated)

namespace {

using accel::CoreConfig;
using accel::sim::detail::read_port;
using accel::sim::detail::sign_extend;
using accel::sim::detail::write_bits;

uint32_t test_seed() {
  const char* s = std::getenv("ACCEL_SEED");
  return s ? static_cast<uint32_t>(std::strtoul(s, nullptr, 0)) : 20240601u;
}

uint64_t mask(unsigned w) { return w >= 64 ? ~uint64_t{0} : ((uint64_t{1} << w) - 1); }

// x modulo 2^w, as a w-bit two's complement number.
int64_t wrap(int64_t x, unsigned w) {
  const uint64_t u = static_cast<uint64_t>(x) & mask(w);
  return sign_extend(u, w);
}

// One Verilated unit_top with its own context; counts assertion failures instead of aborting.
template <class M>
struct Bench {
  std::unique_ptr<VerilatedContext> ctx = std::make_unique<VerilatedContext>();
  std::unique_ptr<M> m;
  unsigned errors = 0;

  Bench() {
    ctx->fatalOnError(false);
    m = std::make_unique<M>(ctx.get(), "unit");
    m->clk_i = 0;
    m->rst_ni = 0;
    m->eval();
    tick();
    tick();
    m->rst_ni = 1;
    m->eval();
  }
  ~Bench() {
    Verilated::threadContextp(ctx.get());  // teardown uses the thread's current context
    m->final();
    accel::sim::write_coverage(*ctx, "units");  // the coverage build only
    m.reset();
  }
  M* operator->() { return m.get(); }
  // Combinational outputs for the inputs as they are now.
  void settle() {
    Verilated::threadContextp(ctx.get());
    m->eval();
  }
  void tick() {
    Verilated::threadContextp(ctx.get());
    m->clk_i = 1;
    m->eval();
    m->clk_i = 0;
    m->eval();
    if (ctx->gotError()) {
      ++errors;
      ctx->gotError(false);
      ctx->gotFinish(false);
    }
  }
};

// ------------------------------------------------------------------------------------------------
// mac_tile
// ------------------------------------------------------------------------------------------------
template <class M>
void mac_tile_test(const CoreConfig& c) {
  Bench<M> b;
  const unsigned A = c.act_bits, W = c.weight_bits, P = c.psum_bits;
  const int64_t wmin = -(int64_t{1} << (W - 1)), wmax = (int64_t{1} << (W - 1)) - 1;
  const int64_t amax = (int64_t{1} << A) - 1;

  auto load_commit = [&](int64_t w, unsigned buf) {
    b->tile_w_i = static_cast<uint8_t>(uint64_t(w) & mask(W));
    b->tile_w_load_i = 1;
    b.tick();
    b->tile_w_load_i = 0;
    CHECK(sign_extend(b->tile_w_o, W) == w);  // the chain register shows the loaded weight
    b->tile_w_commit_i = 1;
    b->tile_w_buf_i = buf;
    b.tick();
    b->tile_w_commit_i = 0;
  };
  auto mac = [&](int64_t a, unsigned sel, int64_t p) {
    b->tile_act_valid_i = 1;
    b->tile_act_sel_i = sel;
    b->tile_act_i = static_cast<uint8_t>(a);
    b->tile_psum_i = static_cast<uint32_t>(uint64_t(p) & mask(P));
    b.tick();
    b->tile_act_valid_i = 0;
    CHECK(b->tile_act_valid_o == 1);
    CHECK(b->tile_act_sel_o == sel);
    CHECK(b->tile_act_o == a);
    return sign_extend(b->tile_psum_o, P);
  };

  load_commit(wmin, 0);
  load_commit(wmax, 1);
  // Extremes: largest activation times the most negative and most positive weights.
  CHECK(mac(amax, 0, 0) == amax * wmin);
  CHECK(mac(amax, 1, 0) == amax * wmax);
  CHECK(mac(0, 0, 5) == 5);
  if (c.name == "int8") {
    CHECK(mac(255, 0, 0) == -32640);   // 255 * -128
    CHECK(mac(255, 1, 100) == 32485);  // 100 + 255 * 127
  }
  if (c.name == "ece284") {
    CHECK(mac(15, 0, -32700) == 32716);  // -32700 - 120 = -32820, wraps to +32716
    CHECK(mac(15, 1, 32700) == -32731);  // 32700 + 105 = 32805, wraps to -32731
  }
  // Wrap at PsumBits.
  const int64_t pmax = (int64_t{1} << (P - 1)) - 1;
  CHECK(mac(amax, 1, pmax) == wrap(pmax + amax * wmax, P));
  CHECK(mac(amax, 0, -pmax - 1) == wrap(-pmax - 1 + amax * wmin, P));

  // No valid activation: the valid drops (the data outputs are then meaningless).
  CHECK(mac(3, 1, 7) == 7 + 3 * wmax);
  b.tick();
  CHECK(b->tile_act_valid_o == 0);

  // A commit in the same cycle as a compute on that buffer: the compute still uses the old weight.
  b->tile_w_i = 1;
  b->tile_w_load_i = 1;
  b.tick();
  b->tile_w_load_i = 0;
  b->tile_w_commit_i = 1;
  b->tile_w_buf_i = 0;
  CHECK(mac(2, 0, 0) == 2 * wmin);
  b->tile_w_commit_i = 0;
  CHECK(mac(2, 0, 0) == 2);         // now buffer 0 holds 1
  CHECK(mac(2, 1, 0) == 2 * wmax);  // buffer 1 untouched
  CHECK(b.errors == 0);
}

// Output-stationary: with wv_i the psum wires carry a weight (its low WeightBits bits, signed, as
// mac_array's north edge zero-extends it), the tile adds act * weight into its accumulator and
// passes the weight south unchanged; os_drain puts the accumulator (this cycle's product included)
// on psum_o and clears it. Idle cycles pass the psum through; WS computes leave the accumulator alone.
template <class M>
void mac_tile_os_test(const CoreConfig& c) {
  const uint32_t seed = test_seed() + 6;
  INFO("seed " << seed << " (set ACCEL_SEED to reproduce)");
  std::mt19937 rng(seed);
  Bench<M> b;
  const unsigned A = c.act_bits, W = c.weight_bits, P = c.psum_bits;
  const int64_t wmin = -(int64_t{1} << (W - 1)), wmax = (int64_t{1} << (W - 1)) - 1;
  const int64_t amax = (int64_t{1} << A) - 1;
  std::uniform_int_distribution<int64_t> wdist(wmin, wmax), adist(0, amax);

  auto drive = [&](bool valid, bool wv, bool drain, int64_t a, uint64_t psum_in) {
    b->tile_act_valid_i = valid;
    b->tile_act_sel_i = 0;
    b->tile_act_i = static_cast<uint8_t>(a);
    b->tile_wv_i = wv;
    b->tile_os_drain_i = drain;
    b->tile_psum_i = static_cast<uint32_t>(psum_in & mask(P));
    b.tick();
    b->tile_act_valid_i = 0;
    b->tile_wv_i = 0;
    b->tile_os_drain_i = 0;
    return sign_extend(b->tile_psum_o, P);
  };
  // One OS step: the weight zero-extended onto the psum wires, as the north edge sends it.
  auto os_step = [&](int64_t a, int64_t w, bool drain = false) {
    const uint64_t wire = uint64_t(w) & mask(W);
    const int64_t out = drive(true, true, drain, a, wire);
    CHECK(b->tile_act_valid_o == 1);
    CHECK(b->tile_act_o == a);
    CHECK(b->tile_wv_o == (drain ? 0 : 1));
    return out;
  };
  auto drain = [&] {
    const int64_t out = drive(false, false, true, 0, 0x5a5a);
    CHECK(b->tile_wv_o == 0);
    return out;
  };

  // A weight in buffer 0 for the WS computes in between.
  b->tile_w_i = static_cast<uint8_t>(uint64_t(wmax) & mask(W));
  b->tile_w_load_i = 1;
  b.tick();
  b->tile_w_load_i = 0;
  b->tile_w_commit_i = 1;
  b->tile_w_buf_i = 0;
  b.tick();
  b->tile_w_commit_i = 0;

  // Accumulates: each weight goes south unchanged (a zero-extended WeightBits value).
  int64_t acc = 0;
  const std::vector<std::pair<int64_t, int64_t>> fixed = {{amax, wmin}, {amax, wmax}, {1, -1}, {amax, wmin}};
  for (const auto& [a, w] : fixed) {
    CHECK(os_step(a, w) == sign_extend(uint64_t(w) & mask(W), P));
    acc += a * w;
  }
  CHECK(drain() == wrap(acc, P));
  CHECK(drain() == 0);  // cleared
  acc = 0;
  for (unsigned k = 0; k < 40; ++k) {
    const int64_t a = adist(rng), w = wdist(rng);
    os_step(a, w);
    acc += a * w;
    if (k % 7 == 3) {
      // Idle cycles pass the psum through untouched; a WS compute uses its buffer and adds to
      // psum_i; neither touches the accumulator.
      CHECK(drive(false, false, false, 0, 0x1234) == 0x1234);
      CHECK(b->tile_wv_o == 0);
      CHECK(drive(true, false, false, 3, 100) == 100 + 3 * wmax);
      CHECK(b->tile_wv_o == 0);
    }
  }
  CHECK(drain() == wrap(acc, P));
  // The drain includes the product of its own cycle and overrides the weight going south.
  acc = 0;
  os_step(amax, wmin);
  acc += amax * wmin;
  const int64_t a5 = std::min<int64_t>(5, amax), w2 = std::max<int64_t>(-2, wmin);  // in range at 2 bits too
  CHECK(os_step(a5, w2, true) == wrap(acc + a5 * w2, P));
  CHECK(drain() == 0);
  // A drain of an untouched accumulator is 0 whatever arrives from the north.
  CHECK(drive(true, false, true, std::min<int64_t>(9, amax), 777) == 0);
  // The accumulator wraps at PsumBits (enough steps for 16 bits; 32 bits wrap in the array tests).
  if (P <= 16) {
    acc = 0;
    for (unsigned k = 0; k < 400; ++k) {
      os_step(amax, wmin);
      acc += amax * wmin;
    }
    CHECK(acc < -(int64_t{1} << (P - 1)));
    CHECK(drain() == wrap(acc, P));
  }
  CHECK(b.errors == 0);
  // An OS weight without its activation fires the tile's assertion.
  drive(false, true, false, 0, 1);
  CHECK(b.errors == 1);
}

// ------------------------------------------------------------------------------------------------
// mac_array
// ------------------------------------------------------------------------------------------------
template <class M>
void mac_array_test(const CoreConfig& c) {
  const uint32_t seed = test_seed();
  fmt::print("mac_array ({}): seed {}\n", c.name, seed);
  INFO("seed " << seed << " (set ACCEL_SEED to reproduce)");
  std::mt19937 rng(seed);
  const unsigned R = c.rows, C = c.cols, A = c.act_bits, W = c.weight_bits, P = c.psum_bits;
  std::uniform_int_distribution<int64_t> wdist(-(int64_t{1} << (W - 1)), (int64_t{1} << (W - 1)) - 1);
  std::uniform_int_distribution<int64_t> adist(0, (int64_t{1} << A) - 1);

  Bench<M> b;
  using WMat = std::vector<std::vector<int64_t>>;  // [r][c]
  auto rand_w = [&] {
    WMat w(R, std::vector<int64_t>(C));
    for (auto& row : w)
      for (auto& x : row) x = wdist(rng);
    return w;
  };
  const WMat w0 = rand_w(), w1 = rand_w();

  // Loads column C-1 first; drives the array's west weight inputs for one cycle.
  auto drive_load = [&](const WMat& w, unsigned k) {
    const unsigned col = C - 1 - k;
    b->arr_w_load_i = 1;
    for (unsigned r = 0; r < R; ++r) write_bits(b->arr_w_i, r * W, W, uint64_t(w[r][col]));
  };

  // Buffer 0 = w0 before streaming.
  for (unsigned k = 0; k < C; ++k) {
    drive_load(w0, k);
    b.tick();
  }
  b->arr_w_load_i = 0;
  b->arr_w_commit_i = 1;
  b->arr_w_buf_i = 0;
  b.tick();
  b->arr_w_commit_i = 0;

  // Stream N vectors, skewed by hand: vector v enters row r in cycle v + r. The first half uses
  // buffer 0; w1 loads through the chain and commits into buffer 1 while they stream.
  const unsigned N = 48, half = N / 2;
  std::vector<std::vector<int64_t>> a(N, std::vector<int64_t>(R));
  for (auto& v : a)
    for (auto& x : v) x = adist(rng);
  auto sel_of = [&](unsigned v) { return v < half ? 0u : 1u; };

  std::vector<std::vector<int64_t>> got(C);  // column c's psums in arrival order
  std::vector<std::vector<unsigned>> got_cycle(C);
  for (unsigned t = 0; t < N + R + C + 4; ++t) {
    b->arr_act_valid_i = 0;
    b->arr_act_sel_i = 0;
    for (unsigned r = 0; r < R; ++r) {
      if (t >= r && t - r < N) {
        const unsigned v = t - r;
        write_bits(b->arr_act_valid_i, r, 1, 1);
        write_bits(b->arr_act_sel_i, r, 1, sel_of(v));
        write_bits(b->arr_act_i, r * A, A, uint64_t(a[v][r]));
      }
    }
    b->arr_w_load_i = 0;
    b->arr_w_commit_i = 0;
    if (t >= 1 && t < 1 + C) drive_load(w1, t - 1);
    if (t == 1 + C) {
      REQUIRE(1 + C < half);  // the commit lands before the first buffer-1 vector enters
      b->arr_w_commit_i = 1;
      b->arr_w_buf_i = 1;
    }
    b.tick();
    for (unsigned col = 0; col < C; ++col) {
      if (read_port(b->arr_psum_valid_o, col, 1)) {
        got[col].push_back(sign_extend(read_port(b->arr_psum_o, col * P, P), P));
        got_cycle[col].push_back(t);
      }
    }
  }

  for (unsigned col = 0; col < C; ++col) {
    REQUIRE(got[col].size() == N);
    for (unsigned v = 0; v < N; ++v) {
      const WMat& w = sel_of(v) ? w1 : w0;
      int64_t sum = 0;  // the plain matrix product, then the PsumBits wrap
      for (unsigned r = 0; r < R; ++r) sum += a[v][r] * w[r][col];
      INFO("vector " << v << " column " << col);
      CHECK(got[col][v] == wrap(sum, P));
      // Tile (R-1, col) computes vector v in cycle v + R-1 + col.
      CHECK(got_cycle[col][v] == v + R - 1 + col);
    }
  }
  CHECK(b.errors == 0);
}

// Output-stationary and weight-stationary vectors mixed at random, with drains, skewed by hand:
// vector v enters row r in cycle s_v + r; an OS vector's weight row enters column c (north edge) in
// cycle s_v + c. Each os_drain comes at the earliest legal cycle (docs/isa.md: Rows + Cols - 2 after
// the last OS vector, Rows + Cols - 1 after the last WS one, Rows after the previous drain); the
// next round starts right after it. Expected: a WS vector's column c leaves the south edge after
// the tick of cycle s_v + Rows - 1 + c; a drain in cycle d gives, after the ticks of d .. d+Rows-1,
// every column at once, acc[Rows-1-j][c] at d + j; nothing else is ever valid (weights leaving
// the bottom row are not psums).
template <class M>
void mac_array_os_test(const CoreConfig& c) {
  const uint32_t seed = test_seed() + 7;
  fmt::print("mac_array OS ({}): seed {}\n", c.name, seed);
  INFO("seed " << seed << " (set ACCEL_SEED to reproduce)");
  std::mt19937 rng(seed);
  const unsigned R = c.rows, C = c.cols, A = c.act_bits, W = c.weight_bits, P = c.psum_bits;
  std::uniform_int_distribution<int64_t> wdist(-(int64_t{1} << (W - 1)), (int64_t{1} << (W - 1)) - 1);
  std::uniform_int_distribution<int64_t> adist(0, (int64_t{1} << A) - 1);
  Bench<M> b;

  // Buffer 0 = wb for the WS vectors (column C-1 loads first).
  std::vector<std::vector<int64_t>> wb(R, std::vector<int64_t>(C));
  for (auto& row : wb)
    for (auto& x : row) x = wdist(rng);
  for (unsigned k = 0; k < C; ++k) {
    b->arr_w_load_i = 1;
    for (unsigned r = 0; r < R; ++r) write_bits(b->arr_w_i, r * W, W, uint64_t(wb[r][C - 1 - k]));
    b.tick();
  }
  b->arr_w_load_i = 0;
  b->arr_w_commit_i = 1;
  b->arr_w_buf_i = 0;
  b.tick();
  b->arr_w_commit_i = 0;

  struct Vector {
    unsigned start;
    bool os;
    std::vector<int64_t> a, w;  // a[r]; OS: w[c]
  };
  std::vector<Vector> vecs;
  std::vector<unsigned> drains;
  std::map<unsigned, std::vector<int64_t>> want;  // after the tick of cycle t: column values
  std::vector<std::vector<int64_t>> acc(R, std::vector<int64_t>(C, 0));
  unsigned t = 0, last_drain = 0, rounds = 6;
  bool drained = false;
  for (unsigned round = 0; round < rounds; ++round) {
    const unsigned k = std::uniform_int_distribution<unsigned>(1, 3 * R)(rng);
    long last_os = -1000, last_ws = -1000;
    for (unsigned i = 0; i < k; ++i, ++t) {
      Vector v{t, round == 0 || std::bernoulli_distribution(0.75)(rng), std::vector<int64_t>(R), {}};
      for (auto& x : v.a) x = adist(rng);
      if (v.os) {
        v.w.resize(C);
        for (auto& x : v.w) x = wdist(rng);
        for (unsigned r = 0; r < R; ++r)
          for (unsigned col = 0; col < C; ++col) acc[r][col] += v.a[r] * v.w[col];
        last_os = t;
      } else {
        for (unsigned col = 0; col < C; ++col) {
          int64_t sum = 0;
          for (unsigned r = 0; r < R; ++r) sum += v.a[r] * wb[r][col];
          want[t + R - 1 + col].resize(C, INT64_MIN);
          want[t + R - 1 + col][col] = wrap(sum, P);
        }
        last_ws = t;
      }
      vecs.push_back(std::move(v));
    }
    long d = std::max({last_os + long(R + C - 2), last_ws + long(R + C - 1), long(t)});
    if (drained) d = std::max(d, long(last_drain + R));
    drains.push_back(unsigned(d));
    for (unsigned j = 0; j < R; ++j) {
      auto& row = want[d + j];
      row.resize(C, INT64_MIN);
      for (unsigned col = 0; col < C; ++col) {
        REQUIRE(row[col] == INT64_MIN);  // the schedule never overlaps a WS psum and a drain
        row[col] = wrap(acc[R - 1 - j][col], P);
      }
    }
    for (auto& r : acc) std::fill(r.begin(), r.end(), 0);
    last_drain = unsigned(d);
    drained = true;
    t = unsigned(d) + 1;  // the next vector right after the drain
  }

  unsigned pushes = 0, drain_rows = 0;
  const unsigned end = t + R + C + 4;
  for (unsigned cyc = 0; cyc < end; ++cyc) {
    b->arr_act_valid_i = 0;
    b->arr_os_w_valid_i = 0;
    b->arr_act_sel_i = 0;
    for (const auto& v : vecs) {
      for (unsigned r = 0; r < R; ++r)
        if (v.start + r == cyc) {
          write_bits(b->arr_act_valid_i, r, 1, 1);
          write_bits(b->arr_act_i, r * A, A, uint64_t(v.a[r]));
        }
      if (v.os)
        for (unsigned col = 0; col < C; ++col)
          if (v.start + col == cyc) {
            write_bits(b->arr_os_w_valid_i, col, 1, 1);
            write_bits(b->arr_os_w_i, col * W, W, uint64_t(v.w[col]));
          }
    }
    b->arr_os_drain_i = std::find(drains.begin(), drains.end(), cyc) != drains.end();
    b.tick();
    const auto it = want.find(cyc);
    for (unsigned col = 0; col < C; ++col) {
      const bool expect = it != want.end() && it->second[col] != INT64_MIN;
      INFO("cycle " << cyc << " column " << col);
      REQUIRE(bool(read_port(b->arr_psum_valid_o, col, 1)) == expect);
      if (!expect) continue;
      CHECK(sign_extend(read_port(b->arr_psum_o, col * P, P), P) == it->second[col]);
      ++pushes;
    }
    bool drain_cycle = false;
    for (unsigned d : drains) drain_cycle |= cyc >= d && cyc < d + R;
    CHECK(bool(b->arr_draining_o) == drain_cycle);
    drain_rows += drain_cycle;
  }
  b->arr_os_drain_i = 0;
  CHECK(drain_rows == rounds * R);
  CHECK(pushes >= rounds * R * C);
  CHECK(b.errors == 0);
}

// ------------------------------------------------------------------------------------------------
// SIMD mode (docs/isa.md "SIMD mode"): the expectation, written from the spec alone. A SIMD
// activation word holds lo in bits [H-1:0] and hi in [2H-1:H] (H = ActBits / 2, both unsigned);
// the tile adds lo * (lane-0 weight) + hi * (lane-1 weight), exactly, then wraps to PsumBits.
// A non-SIMD word is one ActBits activation times the lane-0 weight. Without Simd (the tag) the
// units ignore the SIMD inputs: every word is non-SIMD and the SIMD outputs stay 0.
// ------------------------------------------------------------------------------------------------
struct SimdAct {
  bool simd;
  int64_t lo, hi;  // simd: the two halves; else lo is the whole activation
  uint64_t word(unsigned half_bits) const {
    return simd ? uint64_t(lo) | (uint64_t(hi) << half_bits) : uint64_t(lo);
  }
};

template <class M>
void mac_tile_simd_test(const CoreConfig& c) {
  const uint32_t seed = test_seed() + 8;
  INFO("seed " << seed << " (set ACCEL_SEED to reproduce)");
  std::mt19937 rng(seed);
  Bench<M> b;
  const unsigned A = c.act_bits, W = c.weight_bits, P = c.psum_bits, H = A / 2;
  const int64_t wmin = -(int64_t{1} << (W - 1)), wmax = (int64_t{1} << (W - 1)) - 1;
  const int64_t amax = (int64_t{1} << A) - 1, hmax = (int64_t{1} << H) - 1;
  const int64_t pmax = (int64_t{1} << (P - 1)) - 1;
  std::uniform_int_distribution<int64_t> wdist(wmin, wmax), adist(0, amax), hdist(0, hmax);
  std::uniform_int_distribution<uint64_t> pdist(0, mask(P));
  int64_t w0[2] = {0, 0}, w1[2] = {0, 0};  // what each buffer should hold, lane 0 and lane 1

  // One w_load of both lanes, then a commit: both chains show their weight, both lanes commit.
  auto load_commit = [&](int64_t l0, int64_t l1, unsigned buf) {
    b->tile_w_i = static_cast<uint8_t>(uint64_t(l0) & mask(W));
    b->tile_w1_i = static_cast<uint8_t>(uint64_t(l1) & mask(W));
    b->tile_w_load_i = 1;
    b.tick();
    b->tile_w_load_i = 0;
    CHECK(sign_extend(b->tile_w_o, W) == l0);
    CHECK(sign_extend(b->tile_w1_o, W) == (c.simd ? l1 : 0));  // no lane-1 chain without Simd
    b->tile_w_commit_i = 1;
    b->tile_w_buf_i = buf;
    b.tick();
    b->tile_w_commit_i = 0;
    w0[buf] = l0;
    w1[buf] = c.simd ? l1 : 0;
  };
  unsigned checked = 0;
  auto mac = [&](const SimdAct& a, unsigned sel, int64_t p) {
    b->tile_act_valid_i = 1;
    b->tile_act_sel_i = sel;
    b->tile_act_simd_i = a.simd;
    b->tile_act_i = static_cast<uint8_t>(a.word(H));
    b->tile_psum_i = static_cast<uint32_t>(uint64_t(p) & mask(P));
    b.tick();
    b->tile_act_valid_i = 0;
    b->tile_act_simd_i = 0;
    CHECK(b->tile_act_valid_o == 1);
    CHECK(b->tile_act_sel_o == sel);
    CHECK(b->tile_act_simd_o == (c.simd && a.simd));  // the flag goes east with the activation
    CHECK(b->tile_act_o == a.word(H));                // the whole word goes east
    ++checked;
    return sign_extend(b->tile_psum_o, P);
  };
  auto want = [&](const SimdAct& a, unsigned sel, int64_t p) {
    const bool simd_math = c.simd && a.simd;
    const int64_t term = simd_math ? a.lo * w0[sel] + a.hi * w1[sel] : int64_t(a.word(H)) * w0[sel];
    return wrap(p + term, P);
  };

  // Edges: the largest halves times the most negative weights in both lanes (buffer 0), and
  // most negative against most positive (buffer 1).
  load_commit(wmin, wmin, 0);
  load_commit(wmax, wmin, 1);
  const SimdAct top{true, hmax, hmax};
  CHECK(mac(top, 0, 0) == want(top, 0, 0));
  CHECK(mac(top, 1, 0) == want(top, 1, 0));
  if (c.simd) {
    // Written out: hmax * wmin + hmax * wmin, and hmax * (wmax + wmin) = -hmax.
    CHECK(mac(top, 0, 0) == wrap(2 * hmax * wmin, P));
    CHECK(mac(top, 1, 7) == wrap(7 - hmax, P));
    if (c.name == "int4") {  // H = 2: 3 * -8 + 3 * -8
      CHECK(mac(top, 0, 0) == -48);
      CHECK(mac(SimdAct{true, 3, 0}, 1, 0) == 21);   // lo only: 3 * 7
      CHECK(mac(SimdAct{true, 0, 3}, 1, 0) == -24);  // hi only: 3 * -8 (lane 1)
    }
    if (c.name == "odd4x6") {  // H = 4: 15 * -128 + 15 * -128
      CHECK(mac(top, 0, 0) == -3840);
      CHECK(mac(SimdAct{true, 15, 1}, 1, 0) == 15 * 127 - 128);
    }
  }
  // The whole-width word of a non-SIMD vector uses lane 0 only: amax * wmin, lane 1 ignored.
  CHECK(mac(SimdAct{false, amax, 0}, 0, 0) == amax * wmin);
  CHECK(mac(SimdAct{false, amax, 0}, 1, 0) == amax * wmax);
  // Wrap at PsumBits, both directions.
  CHECK(mac(top, 0, -pmax - 1) == want(top, 0, -pmax - 1));
  load_commit(wmax, wmax, 0);
  CHECK(mac(top, 0, pmax) == want(top, 0, pmax));
  CHECK(mac(top, 0, pmax) == wrap(pmax + 2 * hmax * (c.simd ? wmax : 0) +
                                      (c.simd ? 0 : int64_t(top.word(H)) * wmax), P));

  // Random: weights reloaded now and then (either buffer), SIMD and plain words mixed, edges
  // drawn often.
  for (unsigned k = 0; k < 400; ++k) {
    if (k % 23 == 0) {
      const auto pick = [&] { return std::bernoulli_distribution(0.2)(rng) ? wmin : wdist(rng); };
      load_commit(pick(), pick(), unsigned(rng() & 1));
    }
    const bool simd = std::bernoulli_distribution(0.7)(rng);
    const auto half = [&] { return std::bernoulli_distribution(0.2)(rng) ? hmax : hdist(rng); };
    const SimdAct a = simd ? SimdAct{true, half(), half()} : SimdAct{false, adist(rng), 0};
    const unsigned sel = unsigned(rng() & 1);
    const int64_t p = sign_extend(pdist(rng), P);
    INFO("step " << k << (simd ? " SIMD" : " plain") << " lo " << a.lo << " hi " << a.hi << " sel " << sel);
    CHECK(mac(a, sel, p) == want(a, sel, p));
  }
  CHECK(checked > 400);
  CHECK(b.errors == 0);
}

// Mismatches of a SIMD array run against an expectation: (vector, column, RTL, expected).
struct ArrayMismatch {
  unsigned vector, column;
  int64_t got, want;
};

// The SIMD mac_array run: lane-0 and lane-1 weights of buffer 0 loaded together (column C-1
// first, one w_load carrying both lanes), then N vectors skewed by hand (vector v enters row r in
// cycle v + r with its SIMD flag and buffer select), SIMD and plain mixed at random; buffer 1
// loads and commits behind them (its lane 0 all most-negative, its lane 1 most-negative in even
// rows) for the second half. `expect(v, col)` gives the psum expected of vector v in column col;
// the run returns every mismatch (value or arrival cycle, a wrong cycle as got = want + 1 << 40).
struct SimdArrayRun {
  unsigned R, C, N;
  std::vector<std::vector<int64_t>> w0[2], w1[2];  // [buf][r][c], per lane
  std::vector<SimdAct> a;                           // a[v * R + r]
  std::vector<unsigned> sel;                        // sel[v]
  std::vector<bool> simd;                           // simd[v]
};

template <class M>
std::vector<ArrayMismatch> mac_array_simd_run(const CoreConfig& c, const SimdArrayRun& run,
                                              const std::function<int64_t(unsigned, unsigned)>& expect) {
  Bench<M> b;
  const unsigned R = run.R, C = run.C, N = run.N, A = c.act_bits, W = c.weight_bits, P = c.psum_bits;
  const unsigned H = A / 2;
  auto drive_load = [&](unsigned buf, unsigned k) {
    const unsigned col = C - 1 - k;
    b->arr_w_load_i = 1;
    for (unsigned r = 0; r < R; ++r) {
      write_bits(b->arr_w_i, r * W, W, uint64_t(run.w0[buf][r][col]));
      write_bits(b->arr_w1_i, r * W, W, uint64_t(run.w1[buf][r][col]));
    }
  };
  for (unsigned k = 0; k < C; ++k) {
    drive_load(0, k);
    b.tick();
  }
  b->arr_w_load_i = 0;
  b->arr_w_commit_i = 1;
  b->arr_w_buf_i = 0;
  b.tick();
  b->arr_w_commit_i = 0;

  std::vector<std::vector<int64_t>> got(C);
  std::vector<std::vector<unsigned>> got_cycle(C);
  for (unsigned t = 0; t < N + R + C + 4; ++t) {
    b->arr_act_valid_i = 0;
    b->arr_act_sel_i = 0;
    b->arr_act_simd_i = 0;
    for (unsigned r = 0; r < R; ++r) {
      if (t >= r && t - r < N) {
        const unsigned v = t - r;
        write_bits(b->arr_act_valid_i, r, 1, 1);
        write_bits(b->arr_act_sel_i, r, 1, run.sel[v]);
        write_bits(b->arr_act_simd_i, r, 1, run.simd[v]);
        write_bits(b->arr_act_i, r * A, A, run.a[v * R + r].word(H));
      }
    }
    b->arr_w_load_i = 0;
    b->arr_w_commit_i = 0;
    if (t >= 1 && t < 1 + C) drive_load(1, t - 1);
    if (t == 1 + C) {
      b->arr_w_commit_i = 1;
      b->arr_w_buf_i = 1;
    }
    b.tick();
    for (unsigned col = 0; col < C; ++col) {
      if (read_port(b->arr_psum_valid_o, col, 1)) {
        got[col].push_back(sign_extend(read_port(b->arr_psum_o, col * P, P), P));
        got_cycle[col].push_back(t);
      }
    }
  }
  std::vector<ArrayMismatch> bad;
  for (unsigned col = 0; col < C; ++col) {
    REQUIRE(got[col].size() == N);
    for (unsigned v = 0; v < N; ++v) {
      const int64_t want = expect(v, col);
      if (got[col][v] != want) bad.push_back({v, col, got[col][v], want});
      // Tile (R-1, col) computes vector v in cycle v + R-1 + col, SIMD or not.
      if (got_cycle[col][v] != v + R - 1 + col) bad.push_back({v, col, want + (int64_t{1} << 40), want});
    }
  }
  CHECK(b.errors == 0);
  return bad;
}

SimdArrayRun make_simd_array_run(const CoreConfig& c, std::mt19937& rng) {
  const unsigned R = c.rows, C = c.cols, W = c.weight_bits, H = c.act_bits / 2;
  const int64_t wmin = -(int64_t{1} << (W - 1)), wmax = (int64_t{1} << (W - 1)) - 1;
  const int64_t amax = (int64_t{1} << c.act_bits) - 1, hmax = (int64_t{1} << H) - 1;
  std::uniform_int_distribution<int64_t> wdist(wmin, wmax), adist(0, amax), hdist(0, hmax);
  SimdArrayRun run{R, C, 48, {}, {}, {}, {}, {}};
  for (unsigned buf = 0; buf < 2; ++buf) {
    run.w0[buf].assign(R, std::vector<int64_t>(C));
    run.w1[buf].assign(R, std::vector<int64_t>(C));
    for (unsigned r = 0; r < R; ++r)
      for (unsigned col = 0; col < C; ++col) {
        run.w0[buf][r][col] = buf ? wmin : wdist(rng);
        run.w1[buf][r][col] = (buf && r % 2 == 0) ? wmin : wdist(rng);
      }
  }
  const unsigned half = run.N / 2;
  REQUIRE(2 + C < half);  // buffer 1 commits before the first vector using it enters
  for (unsigned v = 0; v < run.N; ++v) {
    run.sel.push_back(v < half ? 0 : 1);
    // Vectors 0, 1, half, half+1: every half at its maximum (SIMD, then plain at amax); the rest
    // random, SIMD or plain.
    const unsigned k = v % half;
    const bool edge = k < 2;
    const bool simd = edge ? k == 0 : std::bernoulli_distribution(0.6)(rng);
    run.simd.push_back(simd);
    for (unsigned r = 0; r < R; ++r) {
      if (simd) run.a.push_back({true, edge ? hmax : hdist(rng), edge ? hmax : hdist(rng)});
      else run.a.push_back({false, edge ? amax : adist(rng), 0});
    }
  }
  return run;
}

// The spec's psum of vector v in column col: a plain sum over the rows, then the PsumBits wrap.
int64_t simd_array_expect(const CoreConfig& c, const SimdArrayRun& run, unsigned v, unsigned col) {
  const unsigned buf = run.sel[v];
  int64_t sum = 0;
  for (unsigned r = 0; r < run.R; ++r) {
    const SimdAct& a = run.a[v * run.R + r];
    if (c.simd && a.simd) sum += a.lo * run.w0[buf][r][col] + a.hi * run.w1[buf][r][col];
    else sum += int64_t(a.word(c.act_bits / 2)) * run.w0[buf][r][col];
  }
  return wrap(sum, c.psum_bits);
}

template <class M>
void mac_array_simd_test(const CoreConfig& c) {
  const uint32_t seed = test_seed() + 9;
  fmt::print("mac_array SIMD ({}): seed {}\n", c.name, seed);
  INFO("seed " << seed << " (set ACCEL_SEED to reproduce)");
  std::mt19937 rng(seed);
  const SimdArrayRun run = make_simd_array_run(c, rng);
  const auto bad = mac_array_simd_run<M>(c, run, [&](unsigned v, unsigned col) {
    return simd_array_expect(c, run, v, col);
  });
  for (std::size_t i = 0; i < bad.size() && i < 10; ++i)
    FAIL_CHECK("vector " << bad[i].vector << (run.simd[bad[i].vector] ? " (SIMD)" : " (plain)") << " column "
                         << bad[i].column << ": RTL " << bad[i].got << ", expected " << bad[i].want);
  CHECK(bad.empty());
}

// The SIMD array check can fail, and names the place: a corrupted expectation (one psum off by
// one) is reported at exactly that vector and column; an expectation that ignores lane 1 (every
// word as one plain activation, the bug of a core without the mode) is reported at the SIMD
// vectors, and only there.
template <class M>
void mac_array_simd_check_fails_test(const CoreConfig& c) {
  std::mt19937 rng(test_seed() + 10);
  const SimdArrayRun run = make_simd_array_run(c, rng);
  const unsigned v_bad = 5, col_bad = c.cols - 1;
  const auto bad = mac_array_simd_run<M>(c, run, [&](unsigned v, unsigned col) {
    const int64_t x = simd_array_expect(c, run, v, col);
    return (v == v_bad && col == col_bad) ? x + 1 : x;
  });
  REQUIRE(bad.size() == 1);
  CHECK(bad[0].vector == v_bad);
  CHECK(bad[0].column == col_bad);
  CHECK(bad[0].want == bad[0].got + 1);

  if (!c.simd) return;  // without the mode the plain expectation is the right one
  CoreConfig plain = c;
  plain.simd = false;
  const auto lane0_only = mac_array_simd_run<M>(c, run, [&](unsigned v, unsigned col) {
    return simd_array_expect(plain, run, v, col);
  });
  unsigned simd_vectors = 0;
  for (bool s : run.simd) simd_vectors += s;
  REQUIRE(simd_vectors > 0);
  CHECK(lane0_only.size() >= simd_vectors);  // every SIMD vector is wrong in some column
  for (const auto& m : lane0_only) CHECK(run.simd[m.vector]);
}

// ------------------------------------------------------------------------------------------------
// l0
// ------------------------------------------------------------------------------------------------
template <class M>
void l0_test(const CoreConfig& c) {
  const uint32_t seed = test_seed() + 1;
  fmt::print("l0 ({}): seed {}\n", c.name, seed);
  INFO("seed " << seed << " (set ACCEL_SEED to reproduce)");
  std::mt19937 rng(seed);
  const unsigned R = c.rows, A = c.act_bits;
  std::uniform_int_distribution<uint64_t> adist(0, mask(A));
  std::bernoulli_distribution coin(0.5);

  Bench<M> b;
  std::deque<std::vector<uint64_t>> queue;  // what L0 holds (row 0's view)
  struct Pop {
    unsigned cycle;
    std::vector<uint64_t> v;
    unsigned sel;
    bool simd;
  };
  std::vector<Pop> pops;
  unsigned checked = 0;
  const unsigned cycles = 600;
  for (unsigned t = 0; t < cycles; ++t) {
    const bool may_push = queue.size() + 1 + R < c.l0_depth && t < cycles - R - 2;
    const bool push = may_push && coin(rng);
    const bool rd = !queue.empty() && coin(rng) && t < cycles - R - 2;
    const unsigned sel = coin(rng);
    const bool simd = coin(rng);
    std::vector<uint64_t> v(R);
    for (auto& x : v) x = adist(rng);
    b->l0_push_i = push;
    b->l0_rd_i = rd;
    b->l0_rd_sel_i = sel;
    b->l0_rd_simd_i = simd;
    for (unsigned r = 0; r < R; ++r) write_bits(b->l0_data_i, r * A, A, v[r]);
    if (rd) {
      pops.push_back({t, queue.front(), sel, simd});
      queue.pop_front();
    }
    b.settle();
    CHECK(bool(b->l0_empty_o) == (queue.empty() && !rd));
    // Row r shows the vector popped r cycles ago, with its buffer select, and nothing else.
    for (unsigned r = 0; r < R; ++r) {
      const Pop* p = nullptr;
      for (const auto& q : pops)
        if (q.cycle + r == t) p = &q;
      INFO("cycle " << t << " row " << r);
      REQUIRE(read_port(b->l0_act_valid_o, r, 1) == (p != nullptr));
      if (p) {
        CHECK(read_port(b->l0_act_o, r * A, A) == p->v[r]);
        CHECK(read_port(b->l0_act_sel_o, r, 1) == p->sel);
        // The SIMD flag takes the same skew (a build without the mode shows 0).
        CHECK(read_port(b->l0_act_simd_o, r, 1) == (c.simd && p->simd));
        ++checked;
      }
    }
    b.tick();
    if (push) queue.push_back(v);
  }
  b->l0_push_i = 0;
  b->l0_rd_i = 0;
  b.settle();
  CHECK(checked == pops.size() * R);
  CHECK(pops.size() > 100);
  CHECK(bool(b->l0_idle_o) == queue.empty());
  CHECK(b.errors == 0);
}

// L0 filled to its depth (the random test stays below it), then drained back to back. The flags
// against a count per row FIFO: a push fills every row, row r pops r cycles after the l0_rd; full
// means some row is full (row 0 drains first), empty that row 0 is, idle that every row is. Every
// vector comes back in order through the skew with its select.
template <class M>
void l0_flags_test(const CoreConfig& c) {
  const unsigned R = c.rows, D = c.l0_depth;
  Bench<M> b;
  std::vector<unsigned> count(R, 0);
  std::deque<bool> rd_history(R, false);  // rd_history[r]: l0_rd r cycles ago
  unsigned full_seen = 0, partly_full_seen = 0;
  auto check = [&](unsigned t) {
    b.settle();
    const bool any_full = std::any_of(count.begin(), count.end(), [&](unsigned n) { return n == D; });
    const bool idle = std::all_of(count.begin(), count.end(), [](unsigned n) { return n == 0; });
    INFO("cycle " << t << ": row 0 holds " << count[0] << ", row " << R - 1 << " holds " << count[R - 1]);
    REQUIRE(bool(b->l0_full_o) == any_full);
    REQUIRE(bool(b->l0_empty_o) == (count[0] == 0));
    REQUIRE(bool(b->l0_idle_o) == idle);
    full_seen += any_full;
    partly_full_seen += any_full && count[0] < D;
  };
  auto value = [&](unsigned k, unsigned r) { return (uint64_t(k) * 7 + r) & mask(c.act_bits); };
  unsigned checked = 0;
  for (unsigned t = 0; t < 2 * D + 2 * R + 4; ++t) {
    const bool push = t < D;                      // fill to Depth
    const bool rd = t >= D + 1 && t < 2 * D + 1;  // then pop every vector, one per cycle
    b->l0_push_i = push;
    for (unsigned r = 0; r < R; ++r) write_bits(b->l0_data_i, r * c.act_bits, c.act_bits, value(t, r));
    b->l0_rd_i = rd;
    b->l0_rd_sel_i = t % 2;
    check(t);
    // Vector k pops from row r in cycle D + 1 + k + r, with the select of its l0_rd.
    for (unsigned r = 0; r < R; ++r) {
      const bool pops = t >= D + 1 + r && t - (D + 1 + r) < D;
      INFO("cycle " << t << " row " << r);
      REQUIRE(read_port(b->l0_act_valid_o, r, 1) == pops);
      if (!pops) continue;
      CHECK(read_port(b->l0_act_o, r * c.act_bits, c.act_bits) == value(t - (D + 1 + r), r));
      CHECK(read_port(b->l0_act_sel_o, r, 1) == (t - r) % 2);
      ++checked;
    }
    b.tick();
    rd_history.push_front(rd);
    rd_history.pop_back();
    for (unsigned r = 0; r < R; ++r) count[r] += push ? 1 : 0;
    for (unsigned r = 0; r < R; ++r) count[r] -= rd_history[r] ? 1 : 0;
  }
  b->l0_push_i = 0;
  b->l0_rd_i = 0;
  check(0);
  CHECK(checked == D * R);
  CHECK(full_seen > 0);
  if (R > 1) CHECK(partly_full_seen > 0);  // row 0 drained, a later row still full
  CHECK(b.errors == 0);
}

// fifo_sync alone (unit_top's u_fifo, 5 entries of 16 bits) against a std::deque: random legal
// pushes and pops, kept near full so that a push together with a pop into a full FIFO happens
// often; the head, empty and full are checked every cycle.
template <class M>
void fifo_sync_test(const CoreConfig& c) {
  constexpr unsigned kDepth = 5, kWidth = 16;
  const uint32_t seed = test_seed() + 5;
  INFO("seed " << seed << " (set ACCEL_SEED to reproduce)");
  std::mt19937 rng(seed);
  std::bernoulli_distribution push_coin(0.7), pop_coin(0.5);
  std::uniform_int_distribution<uint32_t> data(0, (1u << kWidth) - 1);
  Bench<M> b;
  std::deque<uint32_t> model;
  unsigned push_pop_full = 0, full_cycles = 0;
  for (unsigned t = 0; t < 2000; ++t) {
    const bool pop = !model.empty() && pop_coin(rng);
    const bool push = (model.size() < kDepth || pop) && push_coin(rng);
    const uint32_t v = data(rng);
    b->fifo_push_i = push;
    b->fifo_pop_i = pop;
    b->fifo_data_i = v;
    b.settle();
    INFO("cycle " << t << ", " << model.size() << " entries");
    REQUIRE(bool(b->fifo_empty_o) == model.empty());
    REQUIRE(bool(b->fifo_full_o) == (model.size() == kDepth));
    if (!model.empty()) REQUIRE(b->fifo_data_o == model.front());
    full_cycles += model.size() == kDepth;
    push_pop_full += push && pop && model.size() == kDepth;
    b.tick();
    if (pop) model.pop_front();
    if (push) model.push_back(v);
  }
  fmt::print("fifo_sync ({}): {} cycles full, {} with a push and a pop while full\n", c.name, full_cycles,
             push_pop_full);
  CHECK(push_pop_full > 50);
  CHECK(b.errors == 0);
}

// ------------------------------------------------------------------------------------------------
// ofifo
// ------------------------------------------------------------------------------------------------
// full_o is "some column is full": column 0 filled alone to Depth raises it while no row is
// complete (valid_o low); the other columns then catch up, every row pops in order, and full_o
// falls with the first pop.
template <class M>
void ofifo_full_test(const CoreConfig& c) {
  const unsigned C = c.cols, P = c.psum_bits, D = c.ofifo_depth;
  Bench<M> b;
  for (unsigned k = 0; k < D; ++k) {
    b->of_push_i = 1;  // column 0 only
    write_bits(b->of_data_i, 0, P, k);
    b->of_pop_i = 0;
    b.settle();
    REQUIRE(!b->of_full_o);
    b.tick();
  }
  b->of_push_i = 0;
  b.settle();
  CHECK(bool(b->of_full_o));
  CHECK(bool(b->of_valid_o) == (C == 1));
  // The other columns catch up; then every row pops, in order, and full_o falls with the first.
  for (unsigned k = 0; k < D && C > 1; ++k) {
    b->of_push_i = 0;
    for (unsigned col = 1; col < C; ++col) {
      write_bits(b->of_push_i, col, 1, 1);
      write_bits(b->of_data_i, col * P, P, 1000 + k);
    }
    b.tick();
  }
  b->of_push_i = 0;
  for (unsigned k = 0; k < D; ++k) {
    b.settle();
    REQUIRE(bool(b->of_valid_o));
    CHECK(bool(b->of_full_o) == (k == 0));
    CHECK(read_port(b->of_data_o, 0, P) == k);
    for (unsigned col = 1; col < C; ++col) CHECK(read_port(b->of_data_o, col * P, P) == 1000 + k);
    b->of_pop_i = 1;
    b.tick();
    b->of_pop_i = 0;
  }
  b.settle();
  CHECK(!b->of_valid_o);
  CHECK(b.errors == 0);
}

template <class M>
void ofifo_test(const CoreConfig& c) {
  const uint32_t seed = test_seed() + 2;
  fmt::print("ofifo ({}): seed {}\n", c.name, seed);
  INFO("seed " << seed << " (set ACCEL_SEED to reproduce)");
  std::mt19937 rng(seed);
  const unsigned C = c.cols, P = c.psum_bits;
  std::uniform_int_distribution<uint64_t> pdist(0, mask(P));
  std::bernoulli_distribution coin(0.5), start(0.6);

  Bench<M> b;
  // Row k enters skewed like the array's output: column col in cycle s_k + col.
  std::vector<std::vector<uint64_t>> rows;
  std::vector<unsigned> row_start;
  std::size_t popped = 0;
  const unsigned cycles = 500;
  for (unsigned t = 0; t < cycles; ++t) {
    const std::size_t in_flight = rows.size() - popped;
    if (t + C + 2 < cycles && in_flight + 1 + C < c.ofifo_depth && start(rng)) {
      std::vector<uint64_t> row(C);
      for (auto& x : row) x = pdist(rng);
      rows.push_back(row);
      row_start.push_back(t);
    }
    b->of_push_i = 0;
    for (std::size_t k = 0; k < rows.size(); ++k) {
      if (row_start[k] <= t && t - row_start[k] < C) {
        const unsigned col = t - row_start[k];
        write_bits(b->of_push_i, col, 1, 1);
        write_bits(b->of_data_i, col * P, P, rows[k][col]);
      }
    }
    // A row is complete once its last column was pushed in an earlier cycle.
    const bool complete = popped < rows.size() && row_start[popped] + C - 1 < t;
    b->of_pop_i = 0;
    b.settle();
    INFO("cycle " << t);
    REQUIRE(bool(b->of_valid_o) == complete);
    if (complete && coin(rng)) {
      for (unsigned col = 0; col < C; ++col) CHECK(read_port(b->of_data_o, col * P, P) == rows[popped][col]);
      b->of_pop_i = 1;
      ++popped;
    }
    b.tick();
  }
  CHECK(popped > 50);
  CHECK(b.errors == 0);
}

// ------------------------------------------------------------------------------------------------
// sfp
// ------------------------------------------------------------------------------------------------
template <class M>
struct SfpDriver {
  Bench<M>& b;
  const CoreConfig& c;

  void idle() {
    b->sfp_upd_valid_i = 0;
    b->sfp_rd_valid_i = 0;
    b->sfp_par_wr_i = 0;
  }
  // Presents a psum row for one cycle (all columns: row[col]).
  void upd(unsigned addr, bool acc, const std::vector<int64_t>& row) {
    idle();
    b->sfp_upd_valid_i = 1;
    b->sfp_upd_acc_i = acc;
    b->sfp_upd_addr_i = addr;
    for (unsigned col = 0; col < c.cols; ++col)
      write_bits(b->sfp_upd_psum_i, col * c.psum_bits, c.psum_bits, uint64_t(row[col]));
    b.tick();
    idle();
    // The popped row is echoed on psum_o the cycle after.
    CHECK(b->sfp_psum_valid_o == 1);
    for (unsigned col = 0; col < c.cols; ++col)
      CHECK(sign_extend(read_port(b->sfp_psum_o, col * c.psum_bits, c.psum_bits), c.psum_bits) ==
            wrap(row[col], c.psum_bits));
  }
  void upd_all(unsigned addr, bool acc, int64_t v) { upd(addr, acc, std::vector<int64_t>(c.cols, v)); }
  void par(accel::SfpParam sel, unsigned col, uint32_t v) {
    idle();
    b->sfp_par_wr_i = 1;
    b->sfp_par_sel_i = static_cast<uint8_t>(sel);
    b->sfp_par_col_i = col;
    b->sfp_par_data_i = v;
    b.tick();
    idle();
  }
  void par_all(int32_t bias, uint32_t mult, uint32_t shift, uint32_t zero = 0) {
    for (unsigned col = 0; col < c.cols; ++col) {
      par(accel::SfpParam::Bias, col, static_cast<uint32_t>(bias));
      par(accel::SfpParam::Mult, col, mult);
      par(accel::SfpParam::Shift, col, shift);
      par(accel::SfpParam::Zero, col, zero);
    }
  }
  // Reads out a row; the result appears two cycles after the request.
  std::vector<int64_t> read(unsigned addr, bool raw, bool relu) {
    idle();
    b->sfp_rd_valid_i = 1;
    b->sfp_rd_addr_i = addr;
    b->sfp_rd_raw_i = raw;
    b->sfp_rd_relu_i = relu;
    b.tick();
    idle();
    CHECK(b->sfp_out_valid_o == 0);
    b.tick();
    REQUIRE(b->sfp_out_valid_o == 1);
    std::vector<int64_t> out(c.cols);
    for (unsigned col = 0; col < c.cols; ++col) out[col] = static_cast<int64_t>(read_port(b->sfp_out_o, col * 64, 64));
    return out;
  }
  // Read-out of a row holding acc in every column, with the same parameters in every column.
  int64_t requant(int64_t acc, int32_t bias, uint32_t mult, uint32_t shift, bool relu, uint32_t zero = 0) {
    upd_all(7, false, acc);
    par_all(bias, mult, shift, zero);
    const auto out = read(7, false, relu);
    for (unsigned col = 1; col < c.cols; ++col) CHECK(out[col] == out[0]);
    return out[0];
  }
};

template <class M>
void sfp_accumulate_test(const CoreConfig& c) {
  Bench<M> b;
  SfpDriver<M> d{b, c};
  // Back-to-back updates of one address (forwarded), one two cycles later (from pmem), another
  // address in between, and a read-out right after the last update (forwarded too).
  std::vector<int64_t> r0(c.cols), r3(c.cols);
  for (unsigned col = 0; col < c.cols; ++col) {
    r0[col] = 20000 + col;
    r3[col] = -1000 - col;
  }
  d.upd(3, false, r0);
  d.upd_all(3, true, 20000);
  d.upd_all(3, true, -5);
  d.upd(4, false, r3);
  d.upd_all(3, true, 3);
  const auto acc3 = d.read(3, true, false);
  const auto acc4 = d.read(4, true, false);
  for (unsigned col = 0; col < c.cols; ++col) {
    INFO("column " << col);
    // 20000 + col + 20000 - 5 + 3 = 39998 + col; with 16-bit psums that wraps to -25538 + col.
    CHECK(acc3[col] == (c.psum_bits == 16 ? -25538 : 39998) + int64_t(col));
    CHECK(acc4[col] == -1000 - int64_t(col));
  }
  // Overwrite replaces the accumulated value.
  d.upd_all(3, false, 11);
  CHECK(d.read(3, true, false)[0] == 11);
  CHECK(b.errors == 0);
}

template <class M>
void sfp_bias_relu_test(const CoreConfig& c) {
  Bench<M> b;
  SfpDriver<M> d{b, c};
  using accel::SfpParam;
  d.upd_all(1, false, -50);
  d.par_all(20, 1, 0);
  CHECK(d.read(1, true, false)[0] == -30);  // -50 + 20
  CHECK(d.read(1, true, true)[0] == 0);     // ReLU
  d.par_all(80, 1, 0);
  CHECK(d.read(1, true, true)[0] == 30);  // -50 + 80
  // Per-column bias: column col gets bias 10 * col.
  for (unsigned col = 0; col < c.cols; ++col) d.par(SfpParam::Bias, col, 10 * col);
  const auto out = d.read(1, true, false);
  for (unsigned col = 0; col < c.cols; ++col) CHECK(out[col] == -50 + 10 * int64_t(col));
  // Extremes: bias is int32, the sum is exact in 64 bits (never wrapped back to PsumBits).
  if (c.psum_bits == 32) {
    d.upd_all(2, false, 2147483647);
    d.par_all(2147483647, 1, 0);
    CHECK(d.read(2, true, false)[0] == 4294967294);
    d.upd_all(2, false, -2147483648LL);
    d.par_all(INT32_MIN, 1, 0);
    CHECK(d.read(2, true, false)[0] == -4294967296LL);
  } else {
    d.upd_all(2, false, 32767);
    d.par_all(2147483647, 1, 0);
    CHECK(d.read(2, true, false)[0] == 2147516414);
    d.upd_all(2, false, -32768);
    d.par_all(INT32_MIN, 1, 0);
    CHECK(d.read(2, true, false)[0] == -2147516416LL);
  }
  CHECK(b.errors == 0);
}

template <class M>
void sfp_requant_test(const CoreConfig& c) {
  Bench<M> b;
  SfpDriver<M> d{b, c};
  const int64_t qmax = (int64_t{1} << c.act_bits) - 1;
  const auto q = [qmax](int64_t v) { return std::min(v, qmax); };  // the clamp, for 2-bit outputs
  // Rounding: (y*M + 2^(S-1)) >> S, halves up.
  CHECK(d.requant(3, 0, 1, 1, false) == 2);   // 1.5 -> 2
  CHECK(d.requant(5, 0, 1, 1, false) == 3);   // 2.5 -> 3
  CHECK(d.requant(5, 0, 1, 2, false) == 1);   // 1.25 -> 1
  CHECK(d.requant(6, 0, 1, 2, false) == 2);   // 1.5 -> 2
  CHECK(d.requant(7, 0, 1, 2, false) == 2);   // 1.75 -> 2
  CHECK(d.requant(10, 1, 3, 3, false) == q(4));  // (11*3 + 4) >> 3 = 37 >> 3 = 4 (4.125)
  // Shift 0: no rounding constant.
  CHECK(d.requant(7, 0, 2, 0, false) == q(14));
  // Clamp at both ends.
  CHECK(d.requant(-3, 0, 1, 1, false) == 0);  // (-3 + 1) >> 1 = -1 -> 0
  CHECK(d.requant(-1000, 0, 1, 0, true) == 0);
  CHECK(d.requant(-1000, 0, 1, 0, false) == 0);
  CHECK(d.requant(1000, 0, 1, 0, false) == qmax);
  CHECK(d.requant(16, 0, 1, 0, false) == q(16));
  CHECK(d.requant(255, 0, 1, 0, false) == qmax);
  CHECK(d.requant(256, 0, 1, 0, false) == qmax);
  // ReLU before scaling.
  CHECK(d.requant(-8, 10, 1, 1, true) == 1);  // max(2, 0) = 2, (2 + 1) >> 1 = 1
  // The product and the rounding constant exceed 64 bits: y*M + 2^61 with S = 62.
  if (c.psum_bits == 32) {
    // y = 2^32 - 2; y*M = 9223372028264841218; + 2^61 = 11529215037478535170 (> 2^63); >> 62 = 2
    CHECK(d.requant(2147483647, 2147483647, 2147483647u, 62, false) == 2);
  } else {
    // y = 32767 + 2^31 - 1 = 2147516414; y*M + 2^61 = 6917599389942775810; >> 62 = 1
    CHECK(d.requant(32767, 2147483647, 2147483647u, 62, false) == 1);
  }
  // Per-column parameters: column col multiplies by col + 1.
  d.upd_all(9, false, 3);
  for (unsigned col = 0; col < c.cols; ++col) {
    d.par(accel::SfpParam::Bias, col, 0);
    d.par(accel::SfpParam::Mult, col, col + 1);
    d.par(accel::SfpParam::Shift, col, 0);
  }
  const auto out = d.read(9, false, false);
  for (unsigned col = 0; col < c.cols; ++col) CHECK(out[col] == std::min<int64_t>(3 * (col + 1), qmax));
  CHECK(b.errors == 0);
}

// The output zero point z (par_sel 3) is added after the shift and before the clamp:
// q = clamp(floor((y*M + R) / 2^S) + z, 0, 2^A - 1); a raw read-out ignores it.
template <class M>
void sfp_zero_point_test(const CoreConfig& c) {
  Bench<M> b;
  SfpDriver<M> d{b, c};
  const int64_t qmax = (int64_t{1} << c.act_bits) - 1;
  const auto q = [qmax](int64_t v) { return std::clamp<int64_t>(v, 0, qmax); };
  CHECK(d.requant(10, 0, 1, 1, false, 3) == q(8));  // (10 + 1) >> 1 = 5, + 3
  CHECK(d.requant(5, 0, 1, 1, false, 2) == q(5));   // 2.5 rounds up to 3 first, + 2
  CHECK(d.requant(-2, 0, 1, 0, false, 3) == q(1));  // -2 + 3: the clamp comes after the zero point
  CHECK(d.requant(-10, 0, 1, 0, false, 3) == 0);    // -10 + 3 = -7 clamps to 0
  CHECK(d.requant(-10, 0, 1, 0, true, 3) == q(3));  // ReLU: the real zero maps to z
  CHECK(d.requant(4 * qmax, 0, 1, 0, false, 1) == qmax);
  CHECK(d.read(7, true, false)[0] == 4 * qmax);  // raw: acc + bias only
  // Per column: column col gets zero point col % 2 on y = 0.
  d.upd_all(9, false, 0);
  d.par_all(0, 1, 0);
  for (unsigned col = 0; col < c.cols; ++col) d.par(accel::SfpParam::Zero, col, col % 2);
  const auto out = d.read(9, false, false);
  for (unsigned col = 0; col < c.cols; ++col) CHECK(out[col] == int64_t(col % 2));
  CHECK(b.errors == 0);
}

}  // namespace

// A write the contract forbids: a column beyond the last fires its assertion and changes nothing;
// and shifts of 16..31 (the random tests draw up to 40, the worked values stay small), so every
// bit of the shift register is used.
template <class M>
void sfp_param_edges_test(const CoreConfig& c) {
  Bench<M> b;
  SfpDriver<M> d{b, c};
  using accel::SfpParam;
  d.upd_all(5, false, 100);
  d.par_all(7, 1, 0);
  CHECK(d.read(5, true, false)[0] == 107);
  d.par(SfpParam::Bias, accel::kMaxCols - 1, 1000);  // every column bit set
  CHECK(b.errors == 1);
  const auto out = d.read(5, true, false);
  for (unsigned col = 0; col < c.cols; ++col) CHECK(out[col] == 107);
  // (3 * 2^20 + 2^19) >> 20 = 3 and (5 * 2^27 + 2^26) >> 27 = 5: large shifts round like small ones.
  CHECK(d.requant(3, 0, 1u << 20, 20, false) == 3);
  CHECK(d.requant(5, 0, 1u << 27, 27, false) == 5);
  CHECK(d.requant(1, 0, 1u << 30, 31, false) == 1);  // 0.5 rounds up
  CHECK(b.errors == 1);
}

#define ACCEL_UNIT_TESTS(CFG, KCFG, MODEL)                                                                            \
  TEST_CASE("mac_tile: multiplies, accumulates, wraps and double-buffers (" CFG ")", "[rtl][unit][" CFG "]") {        \
    mac_tile_test<MODEL>(KCFG);                                                                                       \
  }                                                                                                                   \
  TEST_CASE("mac_array: random tiles match a matrix product (" CFG ")", "[rtl][unit][random][" CFG "]") {             \
    mac_array_test<MODEL>(KCFG);                                                                                      \
  }                                                                                                                   \
  TEST_CASE("mac_tile: output-stationary accumulate, weight pass-through, drain and clear (" CFG ")",               \
            "[rtl][unit][os][" CFG "]") {                                                                             \
    mac_tile_os_test<MODEL>(KCFG);                                                                                    \
  }                                                                                                                   \
  TEST_CASE("mac_array: OS and WS vectors mixed, drains row Rows-1 first in all columns (" CFG ")",                   \
            "[rtl][unit][os][random][" CFG "]") {                                                                     \
    mac_array_os_test<MODEL>(KCFG);                                                                                   \
  }                                                                                                                   \
  TEST_CASE("mac_tile: SIMD words add lo * lane 0 + hi * lane 1; plain words ignore lane 1 (" CFG ")",              \
            "[rtl][unit][simd][random][" CFG "]") {                                                                   \
    mac_tile_simd_test<MODEL>(KCFG);                                                                                  \
  }                                                                                                                   \
  TEST_CASE("mac_array: SIMD and plain vectors mixed, two-lane weight columns, both buffers (" CFG ")",               \
            "[rtl][unit][simd][random][" CFG "]") {                                                                   \
    mac_array_simd_test<MODEL>(KCFG);                                                                                 \
  }                                                                                                                   \
  TEST_CASE("mac_array: the SIMD check reports a corrupted or lane-0-only expectation where it is wrong (" CFG ")",   \
            "[rtl][unit][simd][" CFG "]") {                                                                           \
    mac_array_simd_check_fails_test<MODEL>(KCFG);                                                                     \
  }                                                                                                                   \
  TEST_CASE("l0: keeps order and skews row r by r cycles (" CFG ")", "[rtl][unit][random][" CFG "]") {                \
    l0_test<MODEL>(KCFG);                                                                                             \
  }                                                                                                                   \
  TEST_CASE("ofifo: de-skews columns and pops whole rows in order (" CFG ")", "[rtl][unit][random][" CFG "]") {       \
    ofifo_test<MODEL>(KCFG);                                                                                          \
  }                                                                                                                   \
  TEST_CASE("ofifo: full as soon as one column is full (" CFG ")", "[rtl][unit][" CFG "]") {                          \
    ofifo_full_test<MODEL>(KCFG);                                                                                     \
  }                                                                                                                   \
  TEST_CASE("l0: full, empty and idle follow the row FIFOs through fill and drain (" CFG ")", "[rtl][unit][" CFG "]") { \
    l0_flags_test<MODEL>(KCFG);                                                                                       \
  }                                                                                                                   \
  TEST_CASE("fifo_sync: random pushes and pops near full match a queue (" CFG ")", "[rtl][unit][random][" CFG "]") {  \
    fifo_sync_test<MODEL>(KCFG);                                                                                      \
  }                                                                                                                   \
  TEST_CASE("sfp: accumulates with forwarding and wraps (" CFG ")", "[rtl][unit][" CFG "]") {                         \
    sfp_accumulate_test<MODEL>(KCFG);                                                                                 \
  }                                                                                                                   \
  TEST_CASE("sfp: adds bias and applies ReLU (" CFG ")", "[rtl][unit][" CFG "]") { sfp_bias_relu_test<MODEL>(KCFG); } \
  TEST_CASE("sfp: requantizes with half-up rounding and clamps (" CFG ")", "[rtl][unit][" CFG "]") {                  \
    sfp_requant_test<MODEL>(KCFG);                                                                                    \
  }                                                                                                                   \
  TEST_CASE("sfp: illegal parameter writes change nothing; large shifts round (" CFG ")", "[rtl][unit][" CFG "]") {    \
    sfp_param_edges_test<MODEL>(KCFG);                                                                                \
  }                                                                                                                   \
  TEST_CASE("sfp: adds the output zero point after the shift, before the clamp (" CFG ")", "[rtl][unit][zp][" CFG "]") { \
    sfp_zero_point_test<MODEL>(KCFG);                                                                                 \
  }

// One set per configuration of rtl/configs.txt.
#define ACCEL_UNIT_TESTS_OF(NAME) ACCEL_UNIT_TESTS(#NAME, accel::configs::NAME, Vunit_##NAME)
ACCEL_FOR_EACH_CONFIG(ACCEL_UNIT_TESTS_OF)
