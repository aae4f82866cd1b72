// A random program of weight-stationary and output-stationary tiles, back to back at the minimum
// distances of docs/isa.md (sometimes with idle gaps), and the psum rows it must show, computed
// here from the contract: WS row of vector a = sum_r a[r] * w[r][c]; an OS tile of K steps
// drains acc[r][c] = sum_k a_k[r] * w_k[c], OFIFO row j = array row Rows - 1 - j; all wrapped to
// PsumBits. For the devices' slot-by-slot agreement and the functional device's own check while
// the tiler has no output-stationary schedules to play.
#pragma once

#include <accel/device.hpp>
#include <accel/isa.hpp>
#include <accel/slot_stream.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace accel::test {

struct ExpectedRow {
  uint64_t slot = 0;  // visible after the step of this slot
  std::vector<int64_t> v;
};

struct MixedProgram {
  SlotStream prog;
  std::vector<ExpectedRow> psums;  // in order
  unsigned ws_tiles = 0, os_tiles = 0;
  std::string what;  // "ws 5, os 12, os 3, ..." for failure messages
};

inline int64_t wrap_to(int64_t x, unsigned bits) {
  const unsigned s = 64 - bits;
  return static_cast<int64_t>(static_cast<uint64_t>(x) << s) >> s;
}

inline MixedProgram mixed_program(const CoreConfig& c, uint32_t seed, unsigned tiles = 6) {
  std::mt19937 rng(seed);
  const auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const int amax = (1 << c.act_bits) - 1, wlo = -(1 << (c.weight_bits - 1)), whi = (1 << (c.weight_bits - 1)) - 1;
  const unsigned R = c.rows, C = c.cols;
  MixedProgram m{SlotStream(c), {}, 0, 0, {}};
  SlotStream& p = m.prog;

  // The tiles: mode, steps (OS) or vectors (WS), activations and weights.
  struct Tile {
    bool os;
    std::vector<std::vector<int64_t>> a;  // per step / vector: Rows activations
    std::vector<std::vector<int64_t>> w;  // OS: per step Cols weights; WS: [r][c]
    unsigned gap;                         // idle slots before the stream
  };
  std::vector<Tile> ts(tiles);
  unsigned xwords = 0, wwords = 0;
  for (unsigned t = 0; t < tiles; ++t) {
    Tile& tl = ts[t];
    // Mostly OS, a WS tile every third; the first tile OS, so every program mixes both.
    tl.os = t == 0 || (t % 3 != 1 && pick(0, 3) != 0);
    const unsigned n = tl.os ? unsigned(pick(1, int(3 * R))) : unsigned(pick(1, int(2 * (R + C))));
    tl.gap = pick(0, 3) == 0 ? unsigned(pick(1, 5)) : 0;
    tl.a.assign(n, std::vector<int64_t>(R));
    for (auto& v : tl.a)
      for (auto& x : v) x = pick(0, amax);
    tl.w.assign(tl.os ? n : R, std::vector<int64_t>(C));
    for (auto& v : tl.w)
      for (auto& x : v) x = pick(wlo, whi);
    xwords += n;
    if (tl.os) wwords += n;
    m.what += std::string(t ? ", " : "") + (tl.os ? "os " : "ws ") + std::to_string(n) +
              (tl.gap ? " (after " + std::to_string(tl.gap) + " idle)" : "");
  }
  if (xwords > c.xmem_depth || wwords > c.xmem_depth) throw std::logic_error("mixed_program: too many words");

  // Phase 1: every activation word to xmem and every weight row to wmem, one per slot.
  size_t slot = 0;
  std::vector<std::vector<unsigned>> xaddr(tiles), waddr(tiles);
  unsigned xa = 0, wa = 0;
  for (unsigned t = 0; t < tiles; ++t)
    for (size_t k = 0; k < ts[t].a.size(); ++k) {
      std::vector<uint32_t> a(ts[t].a[k].begin(), ts[t].a[k].end());
      p.at(slot).xmem_wr = true;
      p.at(slot).xmem_wr_addr = uint16_t(xa);
      p.set_data(slot++, pack_activations(c, a));
      xaddr[t].push_back(xa++);
      if (!ts[t].os) continue;
      std::vector<int32_t> w(ts[t].w[k].begin(), ts[t].w[k].end());
      p.at(slot).wmem_wr = true;
      p.at(slot).xmem_wr_addr = uint16_t(wa);
      p.set_data(slot++, pack_weight_row(c, w));
      waddr[t].push_back(wa++);
    }

  // Phase 2: the tiles in order, each operation at its earliest legal slot.
  size_t cursor = slot + 2, data_cursor = slot, of_cursor = 0, prow = 0;
  long last_ws = -1000000, last_os = -1000000, last_drain = -1000000;
  long last_ws_buf[2] = {-1000000, -1000000};
  unsigned buf = 0;
  size_t prev_commit = 0;  // the chain is free for the next tile's loads from this slot
  const auto of_rd = [&](size_t ready, const std::vector<int64_t>& v) {
    const size_t at = std::max(ready, of_cursor);
    p.at(at).of_rd = true;
    p.at(at).of_addr = uint16_t(prow++ % c.pmem_depth);
    of_cursor = at + 1;
    m.psums.push_back({at + lat::kOfRdToPsumOut, v});
  };
  for (unsigned t = 0; t < tiles; ++t) {
    const Tile& tl = ts[t];
    size_t start = std::max<size_t>(cursor + tl.gap, size_t(std::max<long>(0, last_drain + long(lat::kDrainToL0Rd))));
    if (!tl.os) {
      // Weights: Cols loads (column Cols-1 first) where data_i is free, then the commit.
      data_cursor = std::max(data_cursor, prev_commit);
      for (unsigned k = 0; k < C; ++k) {
        while (p.has_data(data_cursor)) ++data_cursor;
        std::vector<int32_t> col(R);
        for (unsigned r = 0; r < R; ++r) col[r] = int32_t(tl.w[r][C - 1 - k]);
        p.at(data_cursor).w_load = true;
        p.set_data(data_cursor++, pack_weight_column(c, col));
      }
      const size_t commit = std::max<size_t>(data_cursor - 1 + lat::kLoadToCommit,
                                             size_t(std::max<long>(0, last_ws_buf[buf] + long(lat::l0rd_to_commit(c)))));
      p.at(commit).w_commit = true;
      p.at(commit).w_buf = uint8_t(buf);
      prev_commit = commit;
      start = std::max(start, commit + lat::kCommitToL0Rd);
      for (size_t i = 0; i < tl.a.size(); ++i) {
        const size_t n = start + i;
        p.at(n - lat::kXmemRdToL0Rd).xmem_rd = true;
        p.at(n - lat::kXmemRdToL0Rd).xmem_rd_addr = uint16_t(xaddr[t][i]);
        p.at(n).l0_rd = true;
        p.at(n).l0_wsel = uint8_t(buf);
        std::vector<int64_t> row(C);
        for (unsigned col = 0; col < C; ++col) {
          int64_t s = 0;
          for (unsigned r = 0; r < R; ++r) s += tl.a[i][r] * tl.w[r][col];
          row[col] = wrap_to(s, c.psum_bits);
        }
        of_rd(n + lat::l0rd_to_ofrd(c), row);
      }
      last_ws = last_ws_buf[buf] = long(start + tl.a.size() - 1);
      buf ^= 1u;
      cursor = start + tl.a.size();
      ++m.ws_tiles;
      continue;
    }
    std::vector<std::vector<int64_t>> acc(R, std::vector<int64_t>(C, 0));
    for (size_t k = 0; k < tl.a.size(); ++k) {
      const size_t n = start + k;
      Instr& rd = p.at(n - lat::kXmemRdToL0Rd);
      rd.xmem_rd = true;
      rd.xmem_rd_addr = uint16_t(xaddr[t][k]);
      rd.wmem_rd = true;
      rd.wmem_rd_addr = uint16_t(waddr[t][k]);
      p.at(n).l0_rd = true;
      p.at(n).l0_os = true;
      for (unsigned r = 0; r < R; ++r)
        for (unsigned col = 0; col < C; ++col)
          acc[r][col] = wrap_to(acc[r][col] + tl.a[k][r] * tl.w[k][col], c.psum_bits);
    }
    last_os = long(start + tl.a.size() - 1);
    const long d = std::max({last_os + long(lat::os_l0rd_to_drain(c)), last_ws + long(lat::ws_l0rd_to_drain(c)),
                             last_drain + long(lat::drain_to_drain(c)), long(start + tl.a.size())});
    p.at(size_t(d)).os_drain = true;
    for (unsigned j = 0; j < R; ++j) of_rd(size_t(d) + lat::kDrainToOfRd + j, acc[R - 1 - j]);
    last_drain = d;
    cursor = size_t(d) + lat::kDrainToL0Rd;
    ++m.os_tiles;
  }
  p.at(of_cursor + 2);  // room for the last row to show
  return m;
}

// Steps devices a and b through the program side by side: "" if every slot shows the same rows
// and counters on both and a's psum rows are the program's expected ones, else the first
// difference with its slot.
inline std::string play_side_by_side(Device& a, Device& b, const MixedProgram& m) {
  a.reset();
  b.reset();
  const unsigned cols = a.config().cols;
  size_t next = 0;
  const auto lanes = [&](const int64_t* p) { return std::vector<int64_t>(p, p + cols); };
  for (size_t t = 0; t < m.prog.size(); ++t) {
    const DataSpan d = m.prog.data_at(t);
    const StepResult x = a.step(m.prog.instrs[t], d), y = b.step(m.prog.instrs[t], d);
    const std::string at = "slot " + std::to_string(t) + ": ";
    if ((x.psum == nullptr) != (y.psum == nullptr) || (x.out == nullptr) != (y.out == nullptr))
      return at + "a row on one device only";
    if (x.psum && lanes(x.psum) != lanes(y.psum)) return at + "psum rows differ";
    if (x.out && lanes(x.out) != lanes(y.out)) return at + "out rows differ";
    if (a.counters() != b.counters()) return at + "counters differ";
    if (!x.psum) continue;
    if (next >= m.psums.size()) return at + "a psum row more than expected";
    if (m.psums[next].slot != t) return at + "psum row expected after slot " + std::to_string(m.psums[next].slot);
    if (m.psums[next].v != lanes(x.psum)) return at + "psum row differs from the contract's";
    ++next;
  }
  if (next != m.psums.size()) return std::to_string(m.psums.size() - next) + " expected psum rows never shown";
  return "";
}

}  // namespace accel::test
