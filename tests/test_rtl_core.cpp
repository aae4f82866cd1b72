// The whole core through its instruction port (accel::sim::CoreSim): the worked example of
// docs/isa.md, random multi-tile schedules in every configuration, back-to-back double-buffered
// tiles and their compute fraction, the counters, assertions and tracing. Expected values are
// computed here from the integer contract (docs/quantization.md), independently of the RTL.
#include <accel/isa.hpp>
#include <accel/sim/core_sim.hpp>
#include <accel/sim/program.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

using accel::BitVec;
using accel::CoreConfig;
using accel::Counter;
using accel::Instr;
using accel::sim::Program;
using accel::sim::Row;
namespace lat = accel::lat;

uint32_t test_seed() {
  const char* s = std::getenv("ACCEL_SEED");
  return s ? static_cast<uint32_t>(std::strtoul(s, nullptr, 0)) : 20240601u;
}

int64_t wrap(int64_t x, unsigned w) {
  const uint64_t m = (uint64_t{1} << w) - 1;
  uint64_t u = static_cast<uint64_t>(x) & m;
  if ((u >> (w - 1)) & 1u) u |= ~m;
  return static_cast<int64_t>(u);
}

using Mat = std::vector<std::vector<int64_t>>;  // weights [r][c]
using Vec = std::vector<int64_t>;

// Column c of the psum row: sum_r a[r] * w[r][c], wrapped to PsumBits (contract step 1).
Vec matvec(const CoreConfig& c, const Vec& a, const Mat& w) {
  Vec out(c.cols);
  for (unsigned col = 0; col < c.cols; ++col) {
    int64_t s = 0;
    for (unsigned r = 0; r < c.rows; ++r) s += a[r] * w[r][col];
    out[col] = wrap(s, c.psum_bits);
  }
  return out;
}

struct SfpParams {
  Vec bias, mult, shift;  // per column
};

// Contract steps 2 and 3 (or the raw logit), written out with 128-bit intermediates.
int64_t readout(const CoreConfig& c, int64_t acc, int64_t bias, int64_t m, int64_t s, bool raw, bool relu) {
  int64_t y = acc + bias;
  if (relu && y < 0) y = 0;
  if (raw) return y;
  __int128 t = static_cast<__int128>(y) * m;
  if (s > 0) t += static_cast<__int128>(1) << (s - 1);
  t >>= s;  // arithmetic: floor
  const __int128 qmax = (__int128{1} << c.act_bits) - 1;
  if (t < 0) t = 0;
  if (t > qmax) t = qmax;
  return static_cast<int64_t>(t);
}

// Differences between expected and observed rows, as readable lines (at most `limit`).
std::vector<std::string> compare_rows(const std::string& what, const std::vector<Row>& want,
                                      const std::vector<Row>& got, std::size_t limit = 10) {
  std::vector<std::string> diffs;
  if (want.size() != got.size())
    diffs.push_back(fmt::format("{}: {} rows expected, {} seen", what, want.size(), got.size()));
  for (std::size_t i = 0; i < std::min(want.size(), got.size()) && diffs.size() < limit; ++i) {
    if (want[i].slot != got[i].slot)
      diffs.push_back(
          fmt::format("{} row {}: expected after slot {}, seen after slot {}", what, i, want[i].slot, got[i].slot));
    for (std::size_t col = 0; col < want[i].v.size() && diffs.size() < limit; ++col)
      if (want[i].v[col] != got[i].v[col])
        diffs.push_back(fmt::format("{} row {} (slot {}) column {}: expected {}, RTL {}", what, i, want[i].slot, col,
                                    want[i].v[col], got[i].v[col]));
  }
  return diffs;
}

// ------------------------------------------------------------------------------------------------
// A tile scheduler following docs/isa.md's latencies: weights of tile t load (through data_i)
// while tile t-1 streams, commit into the buffer tile t-2 used once its last vector has passed,
// and tile t streams right behind tile t-1.
// ------------------------------------------------------------------------------------------------
struct TileJob {
  Mat w;
  std::vector<unsigned> xaddr;  // xmem word of each vector
  std::vector<unsigned> paddr;  // pmem row each psum row updates
  std::vector<bool> acc;        // of_acc of each
  unsigned extra_delay = 0;     // idle slots before the stream (varies the timing)
};

struct Schedule {
  std::size_t first_load = 0;
  std::size_t last_of_rd = 0;
  std::vector<Row> psums;  // expected psum_o rows with their slots
};

// Appends the tiles to p; data_i is free from slot `data_from`; xmem word k is written in slot
// xmem_written[k]. Fills expected psum rows and the pmem model (address -> row).
Schedule schedule_tiles(Program& p, const std::vector<TileJob>& tiles, std::size_t data_from,
                        const std::vector<Vec>& xmem, const std::vector<std::size_t>& xmem_written,
                        std::map<unsigned, Vec>& pmem) {
  const CoreConfig& c = p.config;
  Schedule s;
  std::size_t data_cursor = data_from, prev_commit = 0, next_start = 0;
  std::vector<long> last_rd = {-1000000, -1000000};
  std::vector<std::pair<std::size_t, Row>> psums;
  for (std::size_t t = 0; t < tiles.size(); ++t) {
    const TileJob& job = tiles[t];
    const unsigned buf = t % 2;
    std::size_t slot = std::max(data_cursor, prev_commit);
    if (t == 0) s.first_load = slot;
    for (unsigned k = 0; k < c.cols; ++k) {
      while (p.has_data(slot)) ++slot;
      const unsigned col = c.cols - 1 - k;  // column Cols-1 first
      std::vector<int32_t> wc(c.rows);
      for (unsigned r = 0; r < c.rows; ++r) wc[r] = static_cast<int32_t>(job.w[r][col]);
      p.at(slot).w_load = true;
      p.set_data(slot, accel::pack_weight_column(c, wc));
      ++slot;
    }
    data_cursor = slot;
    const std::size_t commit =
        std::max<long>(long(slot - 1 + lat::kLoadToCommit), last_rd[buf] + long(lat::l0rd_to_commit(c)));
    p.at(commit).w_commit = true;
    p.at(commit).w_buf = buf;
    std::size_t start = std::max(commit + lat::kCommitToL0Rd, next_start) + job.extra_delay;
    for (std::size_t v = 0; v < job.xaddr.size(); ++v) {
      // Vector v's xmem_rd (slot start + v - 2) must follow its xmem_wr.
      const std::size_t ready = xmem_written[job.xaddr[v]] + lat::kXmemWrToXmemRd + lat::kXmemRdToL0Rd;
      if (ready > v) start = std::max(start, ready - v);
    }
    start = std::max<std::size_t>(start, lat::kXmemRdToL0Rd);
    for (std::size_t v = 0; v < job.xaddr.size(); ++v) {
      const std::size_t rd = start + v;
      Instr& xr = p.at(rd - lat::kXmemRdToL0Rd);
      xr.xmem_rd = true;
      xr.xmem_rd_addr = static_cast<uint16_t>(job.xaddr[v]);
      p.at(rd).l0_rd = true;
      p.at(rd).l0_wsel = buf;
      const std::size_t of = rd + lat::l0rd_to_ofrd(c);
      Instr& o = p.at(of);
      o.of_rd = true;
      o.of_acc = job.acc[v];
      o.of_addr = static_cast<uint16_t>(job.paddr[v]);
      const Vec row = matvec(c, xmem[job.xaddr[v]], job.w);
      s.psums.push_back(Row{of + lat::kOfRdToPsumOut, row});
      Vec& m = pmem[job.paddr[v]];
      if (!job.acc[v]) m.assign(c.cols, 0);
      for (unsigned col = 0; col < c.cols; ++col) m[col] = wrap(m[col] + row[col], c.psum_bits);
      s.last_of_rd = std::max(s.last_of_rd, of);
    }
    next_start = start + job.xaddr.size();
    last_rd[buf] = long(next_start) - 1;
    prev_commit = commit;
  }
  std::sort(s.psums.begin(), s.psums.end(), [](const Row& a, const Row& b) { return a.slot < b.slot; });
  return s;
}

Mat random_weights(const CoreConfig& c, std::mt19937& rng) {
  std::uniform_int_distribution<int64_t> d(-(int64_t{1} << (c.weight_bits - 1)),
                                           (int64_t{1} << (c.weight_bits - 1)) - 1);
  Mat w(c.rows, Vec(c.cols));
  for (auto& r : w)
    for (auto& x : r) x = d(rng);
  return w;
}

Vec random_vector(const CoreConfig& c, std::mt19937& rng) {
  std::uniform_int_distribution<int64_t> d(0, (int64_t{1} << c.act_bits) - 1);
  Vec a(c.rows);
  for (auto& x : a) x = d(rng);
  return a;
}

BitVec act_word(const CoreConfig& c, const Vec& a) {
  std::vector<uint32_t> v(a.begin(), a.end());
  return accel::pack_activations(c, v);
}

// Writes xmem words in consecutive data slots starting at `slot`; returns the next free slot.
std::size_t write_xmem(Program& p, std::size_t slot, const std::vector<Vec>& xmem, std::vector<std::size_t>& written) {
  written.assign(xmem.size(), 0);
  for (std::size_t k = 0; k < xmem.size(); ++k) {
    while (p.has_data(slot)) ++slot;
    p.at(slot).xmem_wr = true;
    p.at(slot).xmem_wr_addr = static_cast<uint16_t>(k);
    p.set_data(slot, act_word(p.config, xmem[k]));
    written[k] = slot++;
  }
  return slot;
}

void write_params(Program& p, std::size_t& slot, const SfpParams& prm) {
  const CoreConfig& c = p.config;
  for (unsigned col = 0; col < c.cols; ++col) {
    const std::pair<accel::SfpParam, int64_t> ps[] = {{accel::SfpParam::Bias, prm.bias[col]},
                                                      {accel::SfpParam::Mult, prm.mult[col]},
                                                      {accel::SfpParam::Shift, prm.shift[col]}};
    for (const auto& [sel, v] : ps) {
      while (p.has_data(slot)) ++slot;
      p.at(slot).par_wr = true;
      p.at(slot).par_sel = sel;
      p.at(slot).par_col = static_cast<uint8_t>(col);
      p.set_data(slot, accel::pack_param(c, static_cast<uint32_t>(v)));
      ++slot;
    }
  }
}

// ------------------------------------------------------------------------------------------------
// Random multi-tile run in one configuration.
// ------------------------------------------------------------------------------------------------
void random_tiles_test(const CoreConfig& c, unsigned rounds) {
  const uint32_t seed = test_seed();
  fmt::print("core random tiles ({}): seed {}\n", c.name, seed);
  INFO("seed " << seed << " (set ACCEL_SEED to reproduce)");
  std::mt19937 rng(seed);
  auto sim = accel::sim::make_core_sim(c);
  sim->reset();
  for (unsigned round = 0; round < rounds; ++round) {
    INFO("round " << round);
    Program p(c);
    // Activations and SFP parameters.
    std::vector<Vec> xmem(std::uniform_int_distribution<unsigned>(4, 40)(rng));
    for (auto& a : xmem) a = random_vector(c, rng);
    SfpParams prm{Vec(c.cols), Vec(c.cols), Vec(c.cols)};
    for (unsigned col = 0; col < c.cols; ++col) {
      prm.bias[col] = std::uniform_int_distribution<int64_t>(-(1 << 20), 1 << 20)(rng);
      prm.shift[col] = std::uniform_int_distribution<int64_t>(0, 40)(rng);
      prm.mult[col] = std::uniform_int_distribution<int64_t>(1, INT32_MAX)(rng);
    }
    std::size_t slot = 0;
    write_params(p, slot, prm);
    std::vector<std::size_t> written;
    slot = write_xmem(p, slot, xmem, written);
    // Tiles: random vectors into a small pmem window, so tiles accumulate onto each other.
    const unsigned ntiles = std::uniform_int_distribution<unsigned>(1, 6)(rng);
    const unsigned window = 24;
    std::map<unsigned, bool> touched;
    std::vector<TileJob> tiles(ntiles);
    for (auto& job : tiles) {
      job.w = random_weights(c, rng);
      const unsigned nv = std::uniform_int_distribution<unsigned>(1, window)(rng);
      std::vector<unsigned> addrs(window);
      for (unsigned k = 0; k < window; ++k) addrs[k] = k;
      std::shuffle(addrs.begin(), addrs.end(), rng);
      for (unsigned v = 0; v < nv; ++v) {
        job.xaddr.push_back(std::uniform_int_distribution<unsigned>(0, xmem.size() - 1)(rng));
        job.paddr.push_back(addrs[v]);
        job.acc.push_back(touched[addrs[v]] && std::bernoulli_distribution(0.7)(rng));
        touched[addrs[v]] = true;
      }
      job.extra_delay = std::uniform_int_distribution<unsigned>(0, 3)(rng);
    }
    std::map<unsigned, Vec> pmem;
    const Schedule s = schedule_tiles(p, tiles, slot, xmem, written, pmem);
    // Read out every touched row, mixed modes, from the slot after the last update.
    std::vector<Row> outs;
    std::size_t rs = s.last_of_rd + lat::kOfRdToOutRd;
    for (const auto& [addr, acc] : pmem) {
      const bool raw = std::bernoulli_distribution(0.3)(rng);
      const bool relu = std::bernoulli_distribution(0.5)(rng);
      Instr& i = p.at(rs);
      i.out_rd = true;
      i.out_addr = static_cast<uint16_t>(addr);
      i.out_raw = raw;
      i.out_relu = relu;
      Vec want(c.cols);
      for (unsigned col = 0; col < c.cols; ++col)
        want[col] = readout(c, acc[col], prm.bias[col], prm.mult[col], prm.shift[col], raw, relu);
      outs.push_back(Row{rs + lat::kOutRdToOut, want});
      ++rs;
    }
    const auto got = accel::sim::run(*sim, p);
    const auto d1 = compare_rows("psum", s.psums, got.psums);
    const auto d2 = compare_rows("out", outs, got.outs);
    for (const auto& d : d1) UNSCOPED_INFO(d);
    for (const auto& d : d2) UNSCOPED_INFO(d);
    CHECK(d1.empty());
    CHECK(d2.empty());
    if (!d1.empty() || !d2.empty()) break;
  }
}

// ------------------------------------------------------------------------------------------------
// Back-to-back tiles: the compute fraction from the RTL counters.
// ------------------------------------------------------------------------------------------------
struct StreamFigures {
  uint64_t total, compute, weight, host, stall;
  double fraction() const { return double(compute) / double(total); }
};

// `tiles` weight tiles of `vectors` vectors each. reuse: every tile streams the same activations
// (already in xmem, as a convolution's kernel positions or a linear layer's output tiles do);
// otherwise each tile's activations go through data_i while the previous tile streams.
StreamFigures back_to_back(const CoreConfig& c, unsigned tiles, unsigned vectors, bool reuse, uint32_t seed) {
  std::mt19937 rng(seed);
  auto sim = accel::sim::make_core_sim(c);
  sim->reset();
  Program p(c);
  const unsigned nx = reuse ? vectors : vectors * tiles;
  std::vector<Vec> xmem(nx);
  for (auto& a : xmem) a = random_vector(c, rng);
  std::vector<std::size_t> written;
  std::size_t slot = 0;
  if (reuse) {
    slot = write_xmem(p, 0, xmem, written);
  } else {
    // The first tile's activations up front; later tiles' share data_i with the weight loads
    // (weights first: they are needed sooner).
    written.assign(nx, 0);
    for (unsigned k = 0; k < vectors; ++k, ++slot) {
      p.at(slot).xmem_wr = true;
      p.at(slot).xmem_wr_addr = static_cast<uint16_t>(k);
      p.set_data(slot, act_word(c, xmem[k]));
      written[k] = slot;
    }
  }
  const std::size_t clear = slot;  // counters measure the tile phase from here
  p.at(clear).ctr_clr = true;
  std::vector<TileJob> jobs(tiles);
  for (unsigned t = 0; t < tiles; ++t) {
    jobs[t].w = random_weights(c, rng);
    for (unsigned v = 0; v < vectors; ++v) {
      jobs[t].xaddr.push_back(reuse ? v : t * vectors + v);
      jobs[t].paddr.push_back(v);
      jobs[t].acc.push_back(t > 0);
    }
  }
  if (!reuse) {
    // Interleave: tile t's weights go right after tile t-1's; tile t+1's activations fill the
    // remaining data slots. A first pass places the weights to know the slots.
    std::size_t cur = clear + 1;
    for (unsigned t = 1; t < tiles; ++t) {
      cur += c.cols;  // room for tile t's weight loads
      for (unsigned v = 0; v < vectors; ++v) {
        const unsigned k = t * vectors + v;
        p.at(cur).xmem_wr = true;
        p.at(cur).xmem_wr_addr = static_cast<uint16_t>(k);
        p.set_data(cur, act_word(c, xmem[k]));
        written[k] = cur++;
      }
    }
  }
  std::map<unsigned, Vec> pmem;
  const Schedule s = schedule_tiles(p, jobs, clear + 1, xmem, written, pmem);
  // One drain step shows the last psum row; the counters then cover slots clear+1 .. size-1.
  const auto got = accel::sim::run(*sim, p, 1);
  const auto diffs = compare_rows("psum", s.psums, got.psums);
  for (const auto& d : diffs) UNSCOPED_INFO(d);
  CHECK(diffs.empty());
  StreamFigures f{sim->counter(Counter::Total), sim->counter(Counter::Compute), sim->counter(Counter::WeightLoad),
                  sim->counter(Counter::HostTransfer), sim->counter(Counter::Stall)};
  CHECK(f.total == p.size() - 1 - clear);
  CHECK(f.compute + f.weight + f.host + f.stall == f.total);
  CHECK(f.compute == uint64_t(tiles) * vectors);
  return f;
}

// The top words of xmem and rows of pmem, used like any other (the random tests stay within the
// first 40 words and 24 rows): every legal address bit of every memory port is driven.
void top_rows_test(const CoreConfig& c) {
  std::mt19937 rng(test_seed() + 3);
  auto sim = accel::sim::make_core_sim(c);
  sim->reset();
  Program p(c);
  const unsigned X = c.xmem_depth, P = c.pmem_depth;
  std::vector<Vec> xmem(X, Vec(c.rows, 0));
  std::vector<std::size_t> written(X, 0);
  std::size_t slot = 0;
  TileJob job{random_weights(c, rng), {X - 1, X / 2, X - 2, 0}, {P - 1, P / 2, P - 2, P - 1}, {false, false, false, true}};
  for (unsigned a : job.xaddr) {
    xmem[a] = random_vector(c, rng);
    p.at(slot).xmem_wr = true;
    p.at(slot).xmem_wr_addr = static_cast<uint16_t>(a);
    p.set_data(slot, act_word(c, xmem[a]));
    written[a] = slot++;
  }
  std::map<unsigned, Vec> pmem;
  const Schedule s = schedule_tiles(p, {job}, slot, xmem, written, pmem);
  // Raw read-outs with the reset parameters (bias 0): each row's accumulator itself.
  std::vector<Row> outs;
  std::size_t rs = s.last_of_rd + lat::kOfRdToOutRd;
  for (const auto& [addr, acc] : pmem) {
    p.at(rs).out_rd = true;
    p.at(rs).out_addr = static_cast<uint16_t>(addr);
    p.at(rs).out_raw = true;
    outs.push_back(Row{rs + lat::kOutRdToOut, acc});
    ++rs;
  }
  const auto got = accel::sim::run(*sim, p);
  const auto d1 = compare_rows("psum", s.psums, got.psums);
  const auto d2 = compare_rows("out", outs, got.outs);
  for (const auto& d : d1) UNSCOPED_INFO(d);
  for (const auto& d : d2) UNSCOPED_INFO(d);
  CHECK(d1.empty());
  CHECK(d2.empty());
  CHECK(outs.size() == 3);
  CHECK(sim->assertion_count() == 0);
}

// ------------------------------------------------------------------------------------------------
// Output-stationary tiles (docs/isa.md "Output-stationary mode"), mixed with WS tiles in one
// program, each at the earliest slot the latencies allow.
// ------------------------------------------------------------------------------------------------
BitVec weight_row_word(const CoreConfig& c, const Vec& w) {
  std::vector<int32_t> v(w.begin(), w.end());
  return accel::pack_weight_row(c, v);
}

Vec random_weight_row(const CoreConfig& c, std::mt19937& rng) {
  std::uniform_int_distribution<int64_t> d(-(int64_t{1} << (c.weight_bits - 1)),
                                           (int64_t{1} << (c.weight_bits - 1)) - 1);
  Vec w(c.cols);
  for (auto& x : w) x = d(rng);
  return w;
}

// A tile of either mode. OS: step k pops xmem[xaddr[k]] and wmem[waddr[k]]; the drain's OFIFO row j
// (array row Rows-1-j) goes to pmem[paddr[j]]. WS: weights w, vector v = xmem[xaddr[v]] to
// pmem[paddr[v]]. Every psum row overwrites its pmem row (of_acc = 0).
struct MixedTile {
  bool os = true;
  Mat w;
  std::vector<unsigned> xaddr, waddr, paddr;
};

struct MixedSchedule {
  std::vector<Row> psums;  // expected psum_o rows with their slots
  std::size_t last_of_rd = 0;
  std::size_t data_end = 0;  // first slot after the last data_i use
};

// Tiles run one after the other: each starts at the earliest slot the rules allow after the one
// before (an OS tile's first l0_rd right after the previous drain); a WS tile's weights load
// through data_i from `data_from` on, while the tile before computes.
class MixedScheduler {
 public:
  MixedScheduler(Program& p, std::size_t data_from, const std::vector<Vec>& xmem,
                 const std::vector<std::size_t>& xmem_written, const std::vector<Vec>& wmem,
                 const std::vector<std::size_t>& wmem_written, std::map<unsigned, Vec>& pmem)
      : p_(p), c_(p.config), xmem_(xmem), xw_(xmem_written), wmem_(wmem), ww_(wmem_written), pmem_(pmem),
        data_cursor_(data_from) {}

  void add(const MixedTile& t) {
    if (t.os)
      os_tile(t);
    else
      ws_tile(t);
  }
  MixedSchedule finish() {
    std::sort(s_.psums.begin(), s_.psums.end(), [](const Row& a, const Row& b) { return a.slot < b.slot; });
    s_.data_end = data_cursor_;
    return s_;
  }

 private:
  static constexpr long kNever = -1000000;

  void of_rd(std::size_t slot, unsigned addr, const Vec& row) {
    Instr& o = p_.at(slot);
    REQUIRE(!o.of_rd);
    o.of_rd = true;
    o.of_addr = static_cast<uint16_t>(addr);
    s_.psums.push_back(Row{slot + lat::kOfRdToPsumOut, row});
    pmem_[addr] = row;
    s_.last_of_rd = std::max(s_.last_of_rd, slot);
  }
  // The first l0_rd slot: after the tiles before, the last drain, and the memory words' writes.
  long first_rd(const MixedTile& t) const {
    long start = std::max(next_rd_, last_drain_ + long(lat::kDrainToL0Rd));
    for (std::size_t k = 0; k < t.xaddr.size(); ++k) {
      start = std::max(start, long(xw_[t.xaddr[k]] + lat::kXmemWrToXmemRd + lat::kXmemRdToL0Rd) - long(k));
      if (t.os) start = std::max(start, long(ww_[t.waddr[k]] + lat::kWmemWrToWmemRd + lat::kWmemRdToL0Rd) - long(k));
    }
    return start;
  }
  void ws_tile(const MixedTile& t) {
    const unsigned buf = ws_count_++ % 2;
    // The chain is free from the previous commit on (a load in the commit's slot shifts after it).
    std::size_t slot = std::max(data_cursor_, last_commit_);
    for (unsigned k = 0; k < c_.cols; ++k) {  // column Cols-1 first
      while (p_.has_data(slot)) ++slot;
      std::vector<int32_t> wc(c_.rows);
      for (unsigned r = 0; r < c_.rows; ++r) wc[r] = static_cast<int32_t>(t.w[r][c_.cols - 1 - k]);
      p_.at(slot).w_load = true;
      p_.set_data(slot, accel::pack_weight_column(c_, wc));
      ++slot;
    }
    data_cursor_ = slot;
    const long commit = std::max(long(slot - 1 + lat::kLoadToCommit), last_rd_buf_[buf] + long(lat::l0rd_to_commit(c_)));
    p_.at(commit).w_commit = true;
    p_.at(commit).w_buf = buf;
    last_commit_ = std::size_t(commit);
    const long start = std::max(first_rd(t), commit + long(lat::kCommitToL0Rd));
    for (std::size_t v = 0; v < t.xaddr.size(); ++v) {
      const long rd = start + long(v);
      Instr& xr = p_.at(rd - lat::kXmemRdToL0Rd);
      xr.xmem_rd = true;
      xr.xmem_rd_addr = static_cast<uint16_t>(t.xaddr[v]);
      p_.at(rd).l0_rd = true;
      p_.at(rd).l0_wsel = buf;
      of_rd(rd + lat::l0rd_to_ofrd(c_), t.paddr[v], matvec(c_, xmem_[t.xaddr[v]], t.w));
    }
    last_ws_ = start + long(t.xaddr.size()) - 1;
    last_rd_buf_[buf] = last_ws_;
    next_rd_ = last_ws_ + 1;
  }
  void os_tile(const MixedTile& t) {
    const long start = first_rd(t);
    // acc[r][col] = sum_k a_k[r] * w_k[col], wrapped (the contract of docs/isa.md).
    Mat acc(c_.rows, Vec(c_.cols, 0));
    for (std::size_t k = 0; k < t.xaddr.size(); ++k) {
      const long rd = start + long(k);
      Instr& xr = p_.at(rd - lat::kXmemRdToL0Rd);
      xr.xmem_rd = true;
      xr.xmem_rd_addr = static_cast<uint16_t>(t.xaddr[k]);
      Instr& wr = p_.at(rd - lat::kWmemRdToL0Rd);
      wr.wmem_rd = true;
      wr.wmem_rd_addr = static_cast<uint16_t>(t.waddr[k]);
      p_.at(rd).l0_rd = true;
      p_.at(rd).l0_os = true;
      const Vec& a = xmem_[t.xaddr[k]];
      const Vec& w = wmem_[t.waddr[k]];
      for (unsigned r = 0; r < c_.rows; ++r)
        for (unsigned col = 0; col < c_.cols; ++col) acc[r][col] = wrap(acc[r][col] + a[r] * w[col], c_.psum_bits);
    }
    const long last_os = start + long(t.xaddr.size()) - 1;
    const long drain = std::max({last_os + long(lat::os_l0rd_to_drain(c_)), last_ws_ + long(lat::ws_l0rd_to_drain(c_)),
                                 last_drain_ + long(lat::drain_to_drain(c_))});
    p_.at(drain).os_drain = true;
    // OFIFO row j holds array row Rows-1-j.
    for (unsigned j = 0; j < c_.rows; ++j) of_rd(drain + lat::kDrainToOfRd + j, t.paddr[j], acc[c_.rows - 1 - j]);
    last_drain_ = drain;
    next_rd_ = last_os + 1;
  }

  Program& p_;
  const CoreConfig& c_;
  const std::vector<Vec>& xmem_;
  const std::vector<std::size_t>& xw_;
  const std::vector<Vec>& wmem_;
  const std::vector<std::size_t>& ww_;
  std::map<unsigned, Vec>& pmem_;
  MixedSchedule s_;
  std::size_t data_cursor_, last_commit_ = 0;
  long next_rd_ = long(lat::kXmemRdToL0Rd), last_ws_ = kNever, last_drain_ = kNever;
  long last_rd_buf_[2] = {kNever, kNever};
  unsigned ws_count_ = 0;
};

std::size_t write_wmem(Program& p, std::size_t slot, const std::vector<Vec>& wmem, std::vector<std::size_t>& written) {
  written.assign(wmem.size(), 0);
  for (std::size_t k = 0; k < wmem.size(); ++k) {
    while (p.has_data(slot)) ++slot;
    p.at(slot).wmem_wr = true;
    p.at(slot).xmem_wr_addr = static_cast<uint16_t>(k);
    p.set_data(slot, weight_row_word(p.config, wmem[k]));
    written[k] = slot++;
  }
  return slot;
}

// The counters the program must leave, from accel::CounterTrack (isa.hpp), for slots 1 .. last
// (slot 0 clears them).
std::array<uint64_t, accel::kNumCounters> expected_counters(const Program& p, std::size_t last) {
  std::array<uint64_t, accel::kNumCounters> n{};
  accel::CounterTrack track(p.config.rows, p.config.cols);
  for (std::size_t slot = 0; slot <= last; ++slot) {
    const Instr i = slot < p.size() ? p.instrs[slot] : Instr{};
    if (slot > 0)
      track.count(i, n);
    else
      track.advance(i);
  }
  return n;
}

// One program: xmem and wmem written through data_i, then OS and WS tiles in random order (an OS
// tile of K random steps, K in 1..3*Rows), every psum row checked with its slot, every touched
// pmem row read out raw, the counters against CounterTrack.
void random_os_tiles_test(const CoreConfig& c, unsigned rounds) {
  const uint32_t seed = test_seed() + 11;
  fmt::print("core random OS tiles ({}): seed {}\n", c.name, seed);
  INFO("seed " << seed << " (set ACCEL_SEED to reproduce)");
  std::mt19937 rng(seed);
  auto sim = accel::sim::make_core_sim(c);
  sim->reset();
  uint64_t drain_cycles = 0;
  for (unsigned round = 0; round < rounds; ++round) {
    INFO("round " << round);
    Program p(c);
    p.at(0).ctr_clr = true;
    const unsigned nx = std::uniform_int_distribution<unsigned>(4, 3 * c.rows + 4)(rng);
    std::vector<Vec> xmem(nx), wmem(nx);
    for (auto& a : xmem) a = random_vector(c, rng);
    for (auto& w : wmem) w = random_weight_row(c, rng);
    std::vector<std::size_t> xw, ww;
    std::size_t slot = write_xmem(p, 0, xmem, xw);
    slot = write_wmem(p, slot, wmem, ww);
    const unsigned ntiles = std::uniform_int_distribution<unsigned>(2, 6)(rng);
    std::vector<MixedTile> tiles(ntiles);
    const unsigned window = std::max(24u, c.rows);
    for (unsigned k = 0; k < ntiles; ++k) {
      MixedTile& t = tiles[k];
      t.os = k == 0 || std::bernoulli_distribution(0.7)(rng);
      std::vector<unsigned> addrs(window);
      for (unsigned a = 0; a < window; ++a) addrs[a] = a;
      std::shuffle(addrs.begin(), addrs.end(), rng);
      const unsigned n = t.os ? std::uniform_int_distribution<unsigned>(1, 3 * c.rows)(rng)
                              : std::uniform_int_distribution<unsigned>(1, 12)(rng);
      for (unsigned v = 0; v < n; ++v) {
        t.xaddr.push_back(std::uniform_int_distribution<unsigned>(0, nx - 1)(rng));
        if (t.os) t.waddr.push_back(std::uniform_int_distribution<unsigned>(0, nx - 1)(rng));
      }
      t.paddr.assign(addrs.begin(), addrs.begin() + (t.os ? c.rows : n));
      if (!t.os) t.w = random_weights(c, rng);
    }
    std::map<unsigned, Vec> pmem;
    MixedScheduler sched(p, slot, xmem, xw, wmem, ww, pmem);
    for (const MixedTile& t : tiles) sched.add(t);
    const MixedSchedule s = sched.finish();
    std::vector<Row> outs;
    std::size_t rs = s.last_of_rd + lat::kOfRdToOutRd;
    for (const auto& [addr, acc] : pmem) {
      p.at(rs).out_rd = true;
      p.at(rs).out_addr = static_cast<uint16_t>(addr);
      p.at(rs).out_raw = true;  // bias 0 after reset: the accumulator itself
      outs.push_back(Row{rs + lat::kOutRdToOut, acc});
      ++rs;
    }
    const std::size_t extra = 4;
    const auto got = accel::sim::run(*sim, p, extra);
    const auto d1 = compare_rows("psum", s.psums, got.psums);
    const auto d2 = compare_rows("out", outs, got.outs);
    for (const auto& d : d1) UNSCOPED_INFO(d);
    for (const auto& d : d2) UNSCOPED_INFO(d);
    CHECK(d1.empty());
    CHECK(d2.empty());
    // After the step of slot n the counters hold slots 1 .. n-1.
    const auto want = expected_counters(p, p.size() + extra - 2);
    uint64_t sum = 0;
    for (unsigned k = 1; k < accel::kNumCycleCounters; ++k) sum += sim->counter(Counter(k));
    CHECK(sum == sim->counter(Counter::Total));
    for (unsigned k = 0; k < accel::kNumCounters; ++k) {
      INFO("counter " << accel::kCounterNames[k]);
      CHECK(sim->counter(Counter(k)) == want[k]);
    }
    drain_cycles += sim->counter(Counter::Drain);
    CHECK(sim->assertion_count() == 0);
    if (!d1.empty() || !d2.empty()) break;
  }
  CHECK(drain_cycles > 0);
}

}  // namespace

// ------------------------------------------------------------------------------------------------
// Test cases
// ------------------------------------------------------------------------------------------------
TEST_CASE("core: the worked example of docs/isa.md runs slot by slot", "[rtl][core][int8]") {
  const CoreConfig& c = accel::configs::int8;
  auto sim = accel::sim::make_core_sim(c);
  sim->reset();
  Mat w(8, Vec(8));
  for (unsigned r = 0; r < 8; ++r)
    for (unsigned col = 0; col < 8; ++col) w[r][col] = int64_t(r) - int64_t(col);
  std::vector<Vec> a(4, Vec(8));
  for (unsigned k = 0; k < 4; ++k)
    for (unsigned r = 0; r < 8; ++r) a[k][r] = k + r;
  SfpParams prm{Vec(8), Vec(8), Vec(8)};
  for (unsigned col = 0; col < 8; ++col) {
    prm.bias[col] = 3 * int64_t(col) - 10;
    prm.mult[col] = 1 << 30;
    prm.shift[col] = 31;  // scale 1/2
  }

  Program p(c);
  for (unsigned k = 0; k < 4; ++k) {  // slots 0..3: xmem_wr
    p.at(k).xmem_wr = true;
    p.at(k).xmem_wr_addr = k;
    p.set_data(k, act_word(c, a[k]));
  }
  for (unsigned k = 0; k < 8; ++k) {  // slots 4..11: w_load, column 7 first
    std::vector<int32_t> wc(8);
    for (unsigned r = 0; r < 8; ++r) wc[r] = static_cast<int32_t>(w[r][7 - k]);
    p.at(4 + k).w_load = true;
    p.set_data(4 + k, accel::pack_weight_column(c, wc));
  }
  p.at(12).w_commit = true;  // buffer 0
  for (unsigned k = 0; k < 4; ++k) {
    p.at(12 + k).xmem_rd = true;  // slots 12..15
    p.at(12 + k).xmem_rd_addr = k;
    p.at(14 + k).l0_rd = true;  // slots 14..17
    p.at(30 + k).of_rd = true;  // slots 30..33, overwrite row k
    p.at(30 + k).of_addr = k;
    p.at(38 + k).out_rd = true;  // slots 38..41
    p.at(38 + k).out_addr = k;
    p.at(38 + k).out_relu = true;
  }
  std::size_t slot = 14;
  write_params(p, slot, prm);
  CHECK(slot == 38);  // 24 parameter words in slots 14..37
  const auto got = accel::sim::run(*sim, p, 4);

  std::vector<Row> want_psum, want_out;
  for (unsigned k = 0; k < 4; ++k) {
    const Vec row = matvec(c, a[k], w);
    want_psum.push_back(Row{31 + k, row});
    Vec q(8);
    for (unsigned col = 0; col < 8; ++col)
      q[col] = readout(c, row[col], prm.bias[col], prm.mult[col], prm.shift[col], false, true);
    want_out.push_back(Row{40 + k, q});
  }
  // Vector 0, column 0: sum_r r * r = 140. Column 7: sum_r r * (r - 7) = 140 - 7 * 28 = -56.
  CHECK(want_psum[0].v[0] == 140);
  CHECK(want_psum[0].v[7] == -56);
  // Column 0 read-out: (140 - 10) / 2 = 65; column 7: max(-56 + 11, 0) = 0.
  CHECK(want_out[0].v[0] == 65);
  CHECK(want_out[0].v[7] == 0);
  const auto d1 = compare_rows("psum", want_psum, got.psums);
  const auto d2 = compare_rows("out", want_out, got.outs);
  for (const auto& d : d1) UNSCOPED_INFO(d);
  for (const auto& d : d2) UNSCOPED_INFO(d);
  CHECK(d1.empty());
  CHECK(d2.empty());
}

TEST_CASE("core: a corrupted expectation is reported with its place", "[rtl][core]") {
  std::vector<Row> want{Row{5, {1, 2, 3}}, Row{6, {4, 5, 6}}};
  std::vector<Row> got = want;
  got[1].v[2] = 7;
  const auto d = compare_rows("psum", want, got);
  REQUIRE(d.size() == 1);
  CHECK(d[0] == "psum row 1 (slot 6) column 2: expected 6, RTL 7");
  got[0].slot = 4;
  CHECK(compare_rows("psum", want, got).size() == 2);
}

#define ACCEL_CORE_RANDOM(CFG, KCFG)                                                                          \
  TEST_CASE("core: random tiles accumulate and read out exactly (" CFG ")", "[rtl][core][random][" CFG "]") { \
    random_tiles_test(KCFG, 12);                                                                              \
  }
#define ACCEL_CORE_RANDOM_OF(NAME) ACCEL_CORE_RANDOM(#NAME, accel::configs::NAME)
ACCEL_FOR_EACH_CONFIG(ACCEL_CORE_RANDOM_OF)

TEST_CASE("core: back-to-back double-buffered tiles keep the array computing", "[rtl][core][perf]") {
  for (const CoreConfig* c : {&accel::configs::int8, &accel::configs::odd4x6}) {
    const StreamFigures f = back_to_back(*c, 16, 64, true, test_seed());
    fmt::print(
        "back-to-back ({}), 16 tiles x 64 vectors, activations reused: compute {}/{} = "
        "{:.1f} % (weight {}, host {}, stall {})\n",
        c->name, f.compute, f.total, 100.0 * f.fraction(), f.weight, f.host, f.stall);
    CHECK(f.fraction() >= 0.90);
    const StreamFigures g = back_to_back(*c, 16, 64, false, test_seed());
    fmt::print(
        "back-to-back ({}), 16 tiles x 64 vectors, fresh activations via data_i: compute "
        "{}/{} = {:.1f} % (weight {}, host {}, stall {})\n",
        c->name, g.compute, g.total, 100.0 * g.fraction(), g.weight, g.host, g.stall);
    // data_i carries 64 vectors + Cols weight columns per 64 compute slots: at most 64/(64+Cols).
    CHECK(g.fraction() >= 0.8);
    CHECK(g.fraction() <= 64.0 / (64.0 + c->cols));
  }
}

TEST_CASE("core: counters split every cycle into one category by priority", "[rtl][core][counters]") {
  const CoreConfig& c = accel::configs::odd4x6;
  auto sim = accel::sim::make_core_sim(c);
  sim->reset();
  Program p(c);
  std::vector<Vec> xmem(3, Vec(c.rows, 1));
  std::vector<std::size_t> written;
  p.at(0).ctr_clr = true;
  write_xmem(p, 1, xmem, written);         // slots 1..3: host transfer
  for (unsigned k = 0; k < c.cols; ++k) {  // slots 4..9: weight load
    p.at(4 + k).w_load = true;
    p.set_data(4 + k, accel::pack_weight_column(c, std::vector<int32_t>(c.rows, 1)));
  }
  p.at(10).w_commit = true;  // weight load (commit)
  p.at(10).xmem_rd = true;
  p.at(11).xmem_rd = true;
  p.at(11).xmem_rd_addr = 1;
  p.at(12).l0_rd = true;  // compute wins over the host transfer in the same slot
  p.at(12).par_wr = true;
  p.set_data(12, accel::pack_param(c, 5));
  p.at(13).l0_rd = true;  // compute wins over a weight load
  p.at(13).w_load = true;
  p.set_data(13, accel::pack_weight_column(c, std::vector<int32_t>(c.rows, 1)));
  p.at(23).of_rd = true;  // stall (drain / SFP only)
  p.at(24).of_rd = true;
  accel::sim::run(*sim, p, 0);                // slots 0..24 stepped
  sim->step();                                // counters now include slot 24
  CHECK(sim->counter(Counter::Total) == 24);  // slots 1..24
  CHECK(sim->counter(Counter::Compute) == 2);
  CHECK(sim->counter(Counter::WeightLoad) == 7);
  CHECK(sim->counter(Counter::HostTransfer) == 3);
  CHECK(sim->counter(Counter::Stall) == 12);  // slots 11 and 14..24
}

TEST_CASE("core: pushing into a full L0 fires an assertion", "[rtl][core][assert]") {
  const CoreConfig& c = accel::configs::odd4x6;
  auto sim = accel::sim::make_core_sim(c);
  sim->reset();
  Instr rd;
  rd.xmem_rd = true;
  // L0Depth pushes fit; the next one overflows (pushed the cycle after its xmem_rd).
  for (unsigned k = 0; k < c.l0_depth; ++k) sim->step(rd);
  sim->step();
  sim->step();  // the last push lands at the end of the cycle after its xmem_rd
  CHECK(sim->status().l0_full);
  CHECK(sim->assertion_count() == 0);
  sim->step(rd);
  try {
    // The push happens in the next cycle; the assertion samples it at that cycle's end.
    sim->step();
    sim->step();
    FAIL("no assertion fired");
  } catch (const accel::sim::AssertionFailure& e) {
    INFO(e.messages());
    CHECK(std::string(e.what()).find("full") != std::string::npos);
    CHECK(e.messages().find("l0") != std::string::npos);
  }
  CHECK(sim->assertion_count() == 1);
}

TEST_CASE("core: the top words of xmem and rows of pmem work like any other", "[rtl][core]") {
  for (const CoreConfig& c : accel::kConfigs) {
    INFO("configuration " << c.name);
    top_rows_test(c);
  }
}

TEST_CASE("core: addresses beyond the memories and illegal SFP writes fire assertions", "[rtl][core][assert]") {
  // Every bit of every address field and of par_col set: the bits no legal instruction of a
  // configuration with smaller memories (or fewer columns) can set.
  for (const CoreConfig& c : accel::kConfigs) {
    INFO("configuration " << c.name);
    auto sim = accel::sim::make_core_sim(c);
    sim->reset();
    sim->throw_on_assert(false);
    auto fires = [&](const Instr& i, const std::string& message) {
      sim->step(i);
      sim->step();
      CHECK(sim->take_messages().find(message) != std::string::npos);
    };
    Instr i;
    i.xmem_wr = true;
    i.xmem_wr_addr = 0xffff;
    fires(i, fmt::format("xmem_wr_addr 65535 beyond XmemDepth {}", c.xmem_depth));
    i = Instr{};
    i.xmem_rd = true;
    i.xmem_rd_addr = 0xffff;
    fires(i, fmt::format("xmem_rd_addr 65535 beyond XmemDepth {}", c.xmem_depth));
    i = Instr{};
    i.out_rd = true;
    i.out_addr = 0xffff;
    fires(i, fmt::format("out_addr 65535 beyond PmemDepth {}", c.pmem_depth));
    i = Instr{};
    i.of_rd = true;
    i.of_addr = 0xffff;
    fires(i, fmt::format("of_addr 65535 beyond PmemDepth {}", c.pmem_depth));
    i = Instr{};
    i.par_wr = true;
    i.par_col = 0xff;
    fires(i, fmt::format("par_wr to column 255, only {} columns", c.cols));
    CHECK(sim->assertion_count() >= 5);
  }
}

TEST_CASE("core: two users of data_i in one slot fire an assertion", "[rtl][core][assert]") {
  auto sim = accel::sim::make_core_sim("int8");
  sim->reset();
  sim->throw_on_assert(false);
  Instr i;
  i.xmem_wr = true;
  i.w_load = true;
  sim->step(i);
  sim->step();
  CHECK(sim->assertion_count() == 1);
  CHECK(sim->take_messages().find("share data_i") != std::string::npos);
  // An of_rd with nothing in the OFIFO fires too.
  Instr o;
  o.of_rd = true;
  sim->step(o);
  sim->step();
  CHECK(sim->assertion_count() == 2);
  CHECK(sim->take_messages().find("of_rd while some column is empty") != std::string::npos);
}

TEST_CASE("harness: traces only the requested cycle window to an FST file", "[rtl][harness]") {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "accel_trace_test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "window.fst").string();
  std::filesystem::remove(path);
  auto sim = accel::sim::make_core_sim("odd4x6");
  sim->reset();
  const uint64_t begin = sim->cycle() + 5, end = begin + 10;
  sim->trace(path, begin, end);
  while (sim->cycle() < begin) {
    CHECK_FALSE(sim->trace_open());
    sim->step();
  }
  sim->step();
  CHECK(sim->trace_open());
  while (sim->cycle() < end) sim->step();
  CHECK_FALSE(sim->trace_open());
  CHECK(std::filesystem::exists(path));
  CHECK(std::filesystem::file_size(path) > 100);
}

TEST_CASE("core: a weight commit under in-flight vectors fires an assertion", "[rtl][core][assert]") {
  const CoreConfig& c = accel::configs::int8;
  auto sim = accel::sim::make_core_sim(c);
  sim->reset();
  sim->throw_on_assert(false);
  Program p(c);
  p.at(0).w_commit = true;  // buffer 0 (zeros)
  p.at(0).xmem_rd = true;
  p.at(1).xmem_rd = true;
  p.at(2).l0_rd = true;  // vector in flight with buffer 0 until slot 2 + Rows + Cols - 2
  p.at(3).l0_rd = true;
  p.at(3).l0_wsel = 1;
  p.at(4).w_commit = true;  // buffer 1 while a buffer-1 vector is in flight: illegal
  p.at(4).w_buf = 1;
  const std::size_t legal = 2 + lat::l0rd_to_commit(c);
  p.at(legal).w_commit = true;  // buffer 0, exactly as early as allowed: legal
  accel::sim::run(*sim, p, 2 * (c.rows + c.cols));
  CHECK(sim->assertion_count() == 1);
  CHECK(sim->take_messages().find("w_commit to buffer 1 while vectors using it") != std::string::npos);
}

// The hazard window is exact: a commit one slot before lat::l0rd_to_commit after the last l0_rd
// of its buffer fires the assertion, a commit on time does not (in a square and a non-square array).
TEST_CASE("core: the weight-commit hazard window is exact to the slot", "[rtl][core][assert]") {
  for (const CoreConfig* c : {&accel::configs::int8, &accel::configs::odd4x6}) {
    for (const unsigned early : {1u, 0u}) {
      auto sim = accel::sim::make_core_sim(*c);
      sim->reset();
      sim->throw_on_assert(false);
      Program p(*c);
      p.at(0).xmem_rd = true;
      p.at(2).l0_rd = true;  // buffer 0
      p.at(2 + lat::l0rd_to_commit(*c) - early).w_commit = true;
      accel::sim::run(*sim, p, 2 * (c->rows + c->cols));
      INFO(c->name << ": commit " << early << " slot(s) early");
      CHECK(sim->assertion_count() == early);
    }
  }
}

TEST_CASE("harness: packed-word and row paths agree with the Instr path", "[rtl][harness]") {
  const CoreConfig& c = accel::configs::odd4x6;
  std::mt19937 rng(test_seed());
  Program p(c);
  std::vector<Vec> xmem(6);
  for (auto& a : xmem) a = random_vector(c, rng);
  std::vector<std::size_t> written;
  const std::size_t from = write_xmem(p, 0, xmem, written);
  TileJob job;
  job.w = random_weights(c, rng);
  for (unsigned v = 0; v < 6; ++v) {
    job.xaddr.push_back(v);
    job.paddr.push_back(v);
    job.acc.push_back(false);
  }
  std::map<unsigned, Vec> pmem;
  schedule_tiles(p, {job}, from, xmem, written, pmem);
  auto a = accel::sim::make_core_sim(c), b = accel::sim::make_core_sim(c);
  a->reset();
  b->reset();
  std::vector<int64_t> ra(c.cols), rb(c.cols);
  unsigned rows = 0;
  for (std::size_t n = 0; n < p.size() + 4; ++n) {
    const Instr in = n < p.size() ? p.instrs[n] : Instr{};
    const accel::DataSpan w = n < p.size() ? p.data_at(n) : accel::DataSpan{};
    BitVec d;  // the same word through the BitVec interface
    if (!w.empty()) {
      d = BitVec(c.data_bits());
      std::copy(w.begin(), w.end(), d.words().begin());
    }
    a->step(in, d);
    b->apply_words(accel::pack(in), w);
    b->tick();
    REQUIRE(a->psum_valid() == b->psum_valid());
    if (a->psum_valid()) {
      b->psum_row(rb.data());
      for (unsigned col = 0; col < c.cols; ++col) CHECK(rb[col] == a->psum(col));
      ++rows;
    }
  }
  CHECK(rows == 6);
  for (unsigned k = 0; k < accel::kNumCounters; ++k) CHECK(a->counter(Counter(k)) == b->counter(Counter(k)));
}

// ------------------------------------------------------------------------------------------------
// The model libraries: each configuration's model is what the configuration says.
// ------------------------------------------------------------------------------------------------
TEST_CASE("core: every configuration's model reports the parameters its configuration claims", "[rtl][core]") {
  for (const CoreConfig& c : accel::kConfigs) {
    INFO("configuration " << c.name);
    auto sim = accel::sim::make_core_sim(c);  // itself checks; the comparison here is the test's own
    const CoreConfig m = sim->model_params();
    CHECK(m.rows == c.rows);
    CHECK(m.cols == c.cols);
    CHECK(m.act_bits == c.act_bits);
    CHECK(m.weight_bits == c.weight_bits);
    CHECK(m.psum_bits == c.psum_bits);
    CHECK(m.xmem_depth == c.xmem_depth);
    CHECK(m.pmem_depth == c.pmem_depth);
    CHECK(m.l0_depth == c.l0_depth);
    CHECK(m.ofifo_depth == c.ofifo_depth);
  }
}

TEST_CASE("core: a model built with other parameters than its configuration is refused", "[rtl][core][bad_input]") {
  // The odd4x6 model (4x6, 1 K-word memories, the SIMD mode) handed over as if it were int8 (8x8,
  // 4 K words, no SIMD mode).
  const std::string lib = accel::sim::model_library("odd4x6");
  CHECK_THROWS_WITH(accel::sim::make_core_sim(accel::configs::int8, lib),
                    "the model in " + lib +
                        " is not configuration 'int8': Rows 4 (model) vs 8 (configuration), Cols 6 (model) vs 8 "
                        "(configuration), XmemDepth 1024 (model) vs 4096 (configuration), PmemDepth 1024 (model) vs "
                        "4096 (configuration), L0Depth 16 (model) vs 64 (configuration), OfifoDepth 16 (model) vs 64 "
                        "(configuration), Simd 1 (model) vs 0 (configuration)");
  // Widths only: int4 and int8 have the same shape and memories.
  CHECK_THROWS_WITH(accel::sim::make_core_sim(accel::configs::int8, accel::sim::model_library("int4")),
                    Catch::Contains("ActBits 4 (model) vs 8 (configuration), WeightBits 4 (model) vs 8"));
  CHECK_NOTHROW(accel::sim::make_core_sim(accel::configs::int8, accel::sim::model_library("int8")));
}

TEST_CASE("core: a missing or foreign model library is a clear error", "[rtl][core][bad_input]") {
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("accel_models_{}", ::getpid());
  std::filesystem::create_directories(dir);
  ::setenv("ACCEL_MODEL_DIR", dir.c_str(), 1);
  const std::string lib = (dir / "libaccel_core_int8.so").string();
  CHECK_THROWS_WITH(accel::sim::make_core_sim(accel::configs::int8),
                    "no verilated model for configuration 'int8': " + lib + " does not exist");
  {
    std::FILE* f = std::fopen(lib.c_str(), "w");
    REQUIRE(f);
    std::fputs("not a shared object\n", f);
    std::fclose(f);
  }
  CHECK_THROWS_WITH(accel::sim::make_core_sim(accel::configs::int8),
                    Catch::StartsWith("cannot load model library " + lib + ": "));
  ::unsetenv("ACCEL_MODEL_DIR");
  std::filesystem::remove_all(dir);
}

// ------------------------------------------------------------------------------------------------
// Output-stationary mode
// ------------------------------------------------------------------------------------------------
#define ACCEL_CORE_RANDOM_OS(CFG, KCFG)                                                                        \
  TEST_CASE("core: random OS tiles, mixed with WS tiles, drain and read out exactly (" CFG ")",              \
            "[rtl][core][os][random][" CFG "]") {                                                              \
    random_os_tiles_test(KCFG, 6);                                                                             \
  }
#define ACCEL_CORE_RANDOM_OS_OF(NAME) ACCEL_CORE_RANDOM_OS(#NAME, accel::configs::NAME)
ACCEL_FOR_EACH_CONFIG(ACCEL_CORE_RANDOM_OS_OF)

// A hand-sized OS tile on odd4x6 (4 x 6): two steps, a[k][r] = k + r + 1, w[k][col] = col - 2k, so
// acc[r][col] = (r + 1) * col + (r + 2) * (col - 2); OFIFO row j holds array row 3 - j, from slot
// drain + 2 + j; the counters slot by slot.
TEST_CASE("core: an OS tile by hand: drain order, slots and counters", "[rtl][core][os][counters]") {
  const CoreConfig& c = accel::configs::odd4x6;
  auto sim = accel::sim::make_core_sim(c);
  sim->reset();
  Program p(c);
  p.at(0).ctr_clr = true;
  for (unsigned k = 0; k < 2; ++k) {
    Vec a(4), w(6);
    for (unsigned r = 0; r < 4; ++r) a[r] = k + r + 1;
    for (unsigned col = 0; col < 6; ++col) w[col] = int64_t(col) - 2 * int64_t(k);
    p.at(1 + k).xmem_wr = true;  // slots 1, 2: host transfer
    p.at(1 + k).xmem_wr_addr = k;
    p.set_data(1 + k, act_word(c, a));
    p.at(3 + k).wmem_wr = true;  // slots 3, 4: weight load
    p.at(3 + k).xmem_wr_addr = k;
    p.set_data(3 + k, weight_row_word(c, w));
    p.at(5 + k).xmem_rd = true;  // slots 5, 6
    p.at(5 + k).xmem_rd_addr = k;
    p.at(5 + k).wmem_rd = true;
    p.at(5 + k).wmem_rd_addr = k;
    p.at(7 + k).l0_rd = true;  // slots 7, 8: compute
    p.at(7 + k).l0_os = true;
  }
  const std::size_t drain = 8 + lat::os_l0rd_to_drain(c);  // 16
  CHECK(drain == 16);
  p.at(drain).os_drain = true;
  std::vector<Row> want;
  for (unsigned j = 0; j < 4; ++j) {
    p.at(drain + 2 + j).of_rd = true;  // slots 18..21
    p.at(drain + 2 + j).of_addr = j;
    const int64_t r = 3 - j;
    Vec row(6);
    for (unsigned col = 0; col < 6; ++col) row[col] = (r + 1) * col + (r + 2) * (int64_t(col) - 2);
    want.push_back(Row{drain + 3 + j, row});
  }
  CHECK(want[0].v[5] == 4 * 5 + 5 * 3);  // acc[3][5] = 35
  CHECK(want[3].v[0] == -4);             // acc[0][0] = 1 * 0 + 2 * -2
  p.at(24);                              // slots up to 24
  const auto got = accel::sim::run(*sim, p, 0);
  sim->step();  // counters now include slot 24
  const auto d = compare_rows("psum", want, got.psums);
  for (const auto& x : d) UNSCOPED_INFO(x);
  CHECK(d.empty());
  CHECK(sim->counter(Counter::Total) == 24);  // slots 1..24
  CHECK(sim->counter(Counter::Compute) == 2);
  CHECK(sim->counter(Counter::WeightLoad) == 2);
  CHECK(sim->counter(Counter::HostTransfer) == 2);
  // Drain: slots 9..16 (OS results accumulating, then the os_drain) and 17..20 (its 4 rows
  // shifting out). Stall: slots 5, 6 (fill) and 21..24.
  CHECK(sim->counter(Counter::Drain) == 12);
  CHECK(sim->counter(Counter::Stall) == 6);
  const auto track = expected_counters(p, 24);
  for (unsigned k = 0; k < accel::kNumCounters; ++k) CHECK(sim->counter(Counter(k)) == track[k]);
}

// Each os_drain distance rule is exact to the slot: one slot early fires its assertion, on time
// does not (in a square and a non-square array).
TEST_CASE("core: the os_drain distance rules are exact to the slot", "[rtl][core][os][assert]") {
  for (const CoreConfig* c : {&accel::configs::int8, &accel::configs::odd4x6}) {
    for (const unsigned early : {1u, 0u}) {
      INFO(c->name << ": " << early << " slot(s) early");
      auto make = [&] {
        auto sim = accel::sim::make_core_sim(*c);
        sim->reset();
        sim->throw_on_assert(false);
        return sim;
      };
      {  // after an OS l0_rd
        auto sim = make();
        Program p(*c);
        p.at(0).xmem_rd = true;
        p.at(0).wmem_rd = true;
        p.at(2).l0_rd = true;
        p.at(2).l0_os = true;
        p.at(2 + lat::os_l0rd_to_drain(*c) - early).os_drain = true;
        accel::sim::run(*sim, p, 2 * (c->rows + c->cols));
        CHECK(sim->assertion_count() == early);
        if (early)
          CHECK(sim->take_messages().find(fmt::format("os_drain 1 slot(s) too early after an OS l0_rd "
                                                      "(lat_os_l0rd_to_drain = {})",
                                                      lat::os_l0rd_to_drain(*c))) != std::string::npos);
      }
      {  // after a WS l0_rd
        auto sim = make();
        Program p(*c);
        p.at(0).xmem_rd = true;
        p.at(2).l0_rd = true;
        p.at(2 + lat::ws_l0rd_to_drain(*c) - early).os_drain = true;
        accel::sim::run(*sim, p, 2 * (c->rows + c->cols));
        CHECK(sim->assertion_count() == early);
        if (early)
          CHECK(sim->take_messages().find("os_drain 1 slot(s) too early after a WS l0_rd") != std::string::npos);
      }
      {  // after the previous os_drain
        auto sim = make();
        Program p(*c);
        p.at(0).os_drain = true;
        p.at(lat::drain_to_drain(*c) - early).os_drain = true;
        accel::sim::run(*sim, p, 2 * (c->rows + c->cols));
        CHECK(sim->assertion_count() == early);
        if (early)
          CHECK(sim->take_messages().find("os_drain 1 slot(s) too early after the previous os_drain") !=
                std::string::npos);
      }
      {  // the next l0_rd: the slot after the drain is legal, the drain's own slot is not
        auto sim = make();
        Program p(*c);
        p.at(0).xmem_rd = true;
        p.at(2).os_drain = true;
        p.at(2 + lat::kDrainToL0Rd - early).l0_rd = true;
        accel::sim::run(*sim, p, 2 * (c->rows + c->cols));
        CHECK(sim->assertion_count() == early);
        if (early) CHECK(sim->take_messages().find("os_drain in the same slot as an l0_rd") != std::string::npos);
      }
    }
  }
}

TEST_CASE("core: the other output-stationary rules fire assertions", "[rtl][core][os][assert]") {
  for (const CoreConfig& c : accel::kConfigs) {
    INFO("configuration " << c.name);
    auto sim = accel::sim::make_core_sim(c);
    sim->reset();
    sim->throw_on_assert(false);
    auto fires = [&](const Instr& i, const std::string& message) {
      const uint64_t before = sim->assertion_count();
      sim->step(i);
      sim->step();
      const std::string m = sim->take_messages();
      INFO(m);
      CHECK(sim->assertion_count() > before);
      CHECK(m.find(message) != std::string::npos);
    };
    Instr i;
    i.l0_os = true;
    fires(i, "l0_os without l0_rd");
    i = Instr{};
    i.wmem_wr = true;
    i.xmem_wr = true;
    fires(i, "xmem_wr, wmem_wr, w_load and par_wr share data_i");
    i.xmem_wr = false;
    i.par_wr = true;
    fires(i, "share data_i");
    i = Instr{};
    i.wmem_wr = true;
    i.xmem_wr_addr = 0xffff;
    fires(i, fmt::format("wmem_wr address (xmem_wr_addr) 65535 beyond XmemDepth {}", c.xmem_depth));
    i = Instr{};
    i.wmem_rd = true;
    i.wmem_rd_addr = 0xffff;
    fires(i, fmt::format("wmem_rd_addr 65535 beyond XmemDepth {}", c.xmem_depth));
    // The top wmem word is legal.
    i.wmem_rd_addr = static_cast<uint16_t>(c.xmem_depth - 1);
    const uint64_t n = sim->assertion_count();
    sim->step(i);
    sim->step();
    sim->step();
    CHECK(sim->assertion_count() == n);
  }
}

// An OS l0_rd needs a weight row in N0 (L0 holds a vector): N0 empty fires the N0 assertion.
TEST_CASE("core: an OS l0_rd with N0 empty fires an assertion", "[rtl][core][os][assert]") {
  const CoreConfig& c = accel::configs::odd4x6;
  for (const bool with_weight : {false, true}) {
    auto sim = accel::sim::make_core_sim(c);
    sim->reset();
    sim->throw_on_assert(false);
    Program p(c);
    p.at(0).xmem_rd = true;
    p.at(0).wmem_rd = with_weight;
    p.at(2).l0_rd = true;
    p.at(2).l0_os = true;
    accel::sim::run(*sim, p, 2 * (c.rows + c.cols));
    INFO("weight row pushed: " << with_weight);
    CHECK((sim->assertion_count() > 0) == !with_weight);
    if (!with_weight) CHECK(sim->take_messages().find("n0: l0_rd with N0 empty") != std::string::npos);
  }
}

TEST_CASE("core: pushing into a full N0 fires an assertion", "[rtl][core][os][assert]") {
  const CoreConfig& c = accel::configs::odd4x6;
  auto sim = accel::sim::make_core_sim(c);
  sim->reset();
  sim->throw_on_assert(false);
  Instr rd;
  rd.wmem_rd = true;
  for (unsigned k = 0; k < c.l0_depth; ++k) sim->step(rd);  // L0Depth pushes fit
  sim->step();
  sim->step();
  CHECK(sim->assertion_count() == 0);
  CHECK_FALSE(sim->status().l0_full);  // N0 is not L0
  sim->step(rd);
  sim->step();
  sim->step();
  CHECK(sim->assertion_count() == 1);
  CHECK(sim->take_messages().find("n0: push into a full N0 FIFO") != std::string::npos);
}

// An OS vector computes with the weight row from N0, not with a buffer: a w_commit to the buffer
// its l0_wsel names is legal right after it (a WS vector would hold that buffer for
// lat::l0rd_to_commit slots).
TEST_CASE("core: an OS vector holds no weight buffer", "[rtl][core][os][assert]") {
  const CoreConfig& c = accel::configs::int8;
  for (const bool os : {true, false}) {
    auto sim = accel::sim::make_core_sim(c);
    sim->reset();
    sim->throw_on_assert(false);
    Program p(c);
    p.at(0).xmem_rd = true;
    p.at(0).wmem_rd = true;
    p.at(2).l0_rd = true;
    p.at(2).l0_os = os;
    p.at(3).w_commit = true;  // buffer 0, l0_wsel's
    accel::sim::run(*sim, p, 2 * (c.rows + c.cols));
    INFO("OS vector: " << os);
    CHECK(sim->assertion_count() == (os ? 0 : 1));
  }
}

// SIMD mode (docs/isa.md "SIMD mode") by hand on every configuration built with it: one w_load per
// column carries both lanes (lane 1 above lane 0 in data_i), one SIMD vector (every low half at
// its maximum, the high halves random, against lane-0 weights at their most negative in row 0)
// and one plain vector on the same tile; each psum row against sums written here, macs counting
// 2 * Rows * Cols for the SIMD l0_rd.
TEST_CASE("core: a SIMD tile by hand: two-lane weight columns, SIMD and plain vectors, macs", "[rtl][core][simd]") {
  for (const CoreConfig& c : accel::kConfigs) {
    if (!c.simd) continue;
    INFO("configuration " << c.name);
    std::mt19937 rng(test_seed() + 11);
    const unsigned R = c.rows, C = c.cols, W = c.weight_bits, H = c.act_bits / 2;
    const int64_t wmin = -(int64_t{1} << (W - 1)), wmax = (int64_t{1} << (W - 1)) - 1;
    const int64_t hmax = (int64_t{1} << H) - 1;
    std::uniform_int_distribution<int64_t> wdist(wmin, wmax), hdist(0, hmax), adist(0, (int64_t{1} << c.act_bits) - 1);
    Mat w0(R, Vec(C)), w1(R, Vec(C));
    for (unsigned r = 0; r < R; ++r)
      for (unsigned col = 0; col < C; ++col) {
        w0[r][col] = r == 0 ? wmin : wdist(rng);
        w1[r][col] = (r + col) % 3 == 0 ? wmin : wdist(rng);
      }
    Vec lo(R, hmax), hi(R), plain(R);
    for (unsigned r = 0; r < R; ++r) {
      hi[r] = hdist(rng);
      plain[r] = adist(rng);
    }

    auto sim = accel::sim::make_core_sim(c);
    sim->reset();
    Program p(c);
    p.at(0).ctr_clr = true;
    for (unsigned k = 0; k < C; ++k) {  // slots 1..C: column C-1 first
      const unsigned col = C - 1 - k;
      BitVec d(c.data_bits());
      for (unsigned r = 0; r < R; ++r) {
        d.set(r * W, W, uint64_t(w0[r][col]));
        d.set((R + r) * W, W, uint64_t(w1[r][col]));
      }
      p.at(1 + k).w_load = true;
      p.set_data(1 + k, d);
    }
    const std::size_t s = C + 1;
    p.at(s).w_commit = true;
    BitVec simd_word(c.data_bits());
    for (unsigned r = 0; r < R; ++r) simd_word.set(r * c.act_bits, c.act_bits, uint64_t(lo[r] | (hi[r] << H)));
    p.at(s + 1).xmem_wr = true;
    p.set_data(s + 1, simd_word);
    p.at(s + 2).xmem_wr = true;
    p.at(s + 2).xmem_wr_addr = 1;
    p.set_data(s + 2, act_word(c, plain));
    p.at(s + 3).xmem_rd = true;
    p.at(s + 4).xmem_rd = true;
    p.at(s + 4).xmem_rd_addr = 1;
    p.at(s + 5).l0_rd = true;
    p.at(s + 5).l0_simd = true;
    p.at(s + 6).l0_rd = true;
    std::vector<Row> want;
    for (unsigned v = 0; v < 2; ++v) {
      const std::size_t of = s + 5 + v + lat::l0rd_to_ofrd(c);
      p.at(of).of_rd = true;
      p.at(of).of_addr = v;
      Vec row(C);
      for (unsigned col = 0; col < C; ++col) {
        int64_t sum = 0;
        for (unsigned r = 0; r < R; ++r)
          sum += v == 0 ? lo[r] * w0[r][col] + hi[r] * w1[r][col] : plain[r] * w0[r][col];
        row[col] = wrap(sum, c.psum_bits);
      }
      want.push_back(Row{of + 1, row});
    }
    const std::size_t last = s + 6 + lat::l0rd_to_ofrd(c) + 1;
    p.at(last);
    const auto got = accel::sim::run(*sim, p, 0);
    sim->step();
    const auto d = compare_rows("psum", want, got.psums);
    for (const auto& x : d) UNSCOPED_INFO(x);
    CHECK(d.empty());
    CHECK(sim->counter(Counter::Macs) == 3 * uint64_t(R) * C);  // 2 * R * C + R * C
    CHECK(sim->counter(Counter::Compute) == 2);
  }
}

TEST_CASE("core: l0_simd without the mode or with l0_os fires an assertion", "[rtl][core][simd][assert]") {
  for (const CoreConfig& c : accel::kConfigs) {
    INFO("configuration " << c.name);
    auto sim = accel::sim::make_core_sim(c);
    sim->reset();
    sim->throw_on_assert(false);
    Program p(c);
    p.at(0).xmem_rd = true;
    p.at(2).l0_rd = true;
    p.at(2).l0_simd = true;
    p.at(4).xmem_rd = true;
    p.at(6).wmem_rd = true;
    p.at(8).l0_rd = true;
    p.at(8).l0_os = true;
    p.at(8).l0_simd = true;
    accel::sim::run(*sim, p, 2 * (c.rows + c.cols));
    const std::string m = sim->take_messages();
    INFO(m);
    CHECK((m.find("core: l0_simd on a core built without the SIMD mode") != std::string::npos) == !c.simd);
    CHECK(m.find("core: l0_simd with l0_os") != std::string::npos);
  }
}
