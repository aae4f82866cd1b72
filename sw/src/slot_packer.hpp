// SlotPacker: places the operations of a schedule into instruction slots, in program order, each
// at the earliest slot the latencies of docs/isa.md and the shared resources allow.
//
// Resources per slot: data_i (xmem_wr / w_load / par_wr, one of them), the out_rd port, the
// w_commit field; the streaming fields (xmem_rd, l0_rd, of_rd) are owned by passes, which occupy
// consecutive l0_rd slots, so their xmem_rd (2 before) and of_rd (Rows + Cols after) never
// collide. Timing rules enforced here (slot numbers of this schedule):
//   xmem_wr a at w, then xmem_rd a at >= w + 1; xmem_wr a at >= the last xmem_rd of a's old word
//   w_load of tile k at >= w_commit of tile k-1 (same slot: commit copies before the shift)
//   w_commit of tile k at > its last w_load, and at >= last l0_rd on that buffer + Rows + Cols - 2
//   first l0_rd of tile k at >= its w_commit + 1; xmem_rd 2 slots before each l0_rd
//   of_rd exactly Rows + Cols after its l0_rd; an overwriting of_rd to pmem row p at >= the out_rd
//   of p's previous content; out_rd p at >= the last of_rd to p + 1
//   par_wr at > every out_rd placed so far (they used the old value), out_rd at >= its par_wr
// Output-stationary accumulations (os_tile): wmem_wr / wmem_rd like xmem_wr / xmem_rd (data_i is
// shared), steps' l0_rds consecutive from >= the previous drain + 1, os_drain at >= the last step +
// Rows + Cols - 2 (and >= the previous drain + Rows), of_rd of row j exactly drain + 2 + j.
// Internal to the tiler.
#pragma once

#include <accel/schedule.hpp>
#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

namespace accel::detail {

// One vector of a pass: where its activations are and which pmem row its psum row updates.
struct PassVec {
  uint32_t xaddr = 0;
  uint32_t prow = 0;
};

// One step of an output-stationary accumulation: the xmem word (one activation per row) and the
// wmem word (one weight per column) that meet in the array.
struct OsStep {
  uint32_t xaddr = 0;
  uint32_t waddr = 0;
};

class SlotPacker {
 public:
  SlotPacker(const CoreConfig& cfg, Schedule& s)
      : cfg_(cfg),
        s_(s),
        words_(data_words(cfg)),
        xlast_read_(cfg.xmem_depth, 0),
        xwritten_(cfg.xmem_depth, kNever),
        wlast_read_(cfg.xmem_depth, 0),
        wwritten_(cfg.xmem_depth, kNever),
        pfree_(cfg.pmem_depth, 0),
        plast_of_(cfg.pmem_depth, kNever) {
    // The zero point is known: reset clears every SFP parameter and every schedule is played after
    // a reset (runtime play()), so a layer without an output zero point writes none. The others are
    // always written (a bias, M or S of 0 is rare and the written value documents the layer).
    par_.assign(cfg.cols, {kUnknown, kUnknown, kUnknown, 0});
  }

  // xmem[addr] = words, in the earliest free data_i slot after the last read of addr's old word.
  uint64_t write_x(uint32_t addr, std::span<const uint32_t> words) {
    uint64_t t = xlast_read_[addr];
    if (xwritten_[addr] != kNever) t = std::max(t, xwritten_[addr] + 1);
    t = take_data(t, words);
    Instr& in = at(t);
    in.xmem_wr = true;
    in.xmem_wr_addr = static_cast<uint16_t>(addr);
    xwritten_[addr] = t;
    return t;
  }

  // wmem[addr] = words (a weight row), like write_x.
  uint64_t write_w(uint32_t addr, std::span<const uint32_t> words) {
    uint64_t t = wlast_read_[addr];
    if (wwritten_[addr] != kNever) t = std::max(t, wwritten_[addr] + 1);
    t = take_data(t, words);
    Instr& in = at(t);
    in.wmem_wr = true;
    in.xmem_wr_addr = static_cast<uint16_t>(addr);
    wwritten_[addr] = t;
    return t;
  }

  // One output-stationary accumulation: `steps` l0_rds, the drain, of_rd of row j to prows[j]
  // (Rows of them). Fills the pass's first_l0rd, first_ofrd (drain + 2) and first_acc.
  void os_tile(std::span<const OsStep> steps, std::span<const uint32_t> prows, bool acc, Pass& meta) {
    const uint64_t k = steps.size();
    int64_t s = static_cast<int64_t>(std::max<uint64_t>(next_l0rd_, lat::kXmemRdToL0Rd));
    for (uint64_t i = 0; i < k; ++i) {
      const OsStep& st = steps[i];
      if (xwritten_[st.xaddr] != kNever)
        s = std::max(s, int64_t(xwritten_[st.xaddr] + lat::kXmemWrToXmemRd + lat::kXmemRdToL0Rd) - int64_t(i));
      if (wwritten_[st.waddr] != kNever)
        s = std::max(s, int64_t(wwritten_[st.waddr] + lat::kWmemWrToWmemRd + lat::kWmemRdToL0Rd) - int64_t(i));
    }
    const uint64_t s0 = static_cast<uint64_t>(s), last = s0 + k - 1;
    uint64_t d = std::max<uint64_t>(last + lat::os_l0rd_to_drain(cfg_), s0 + k);
    if (drained_) d = std::max<uint64_t>(d, last_drain_ + lat::drain_to_drain(cfg_));
    for (int b = 0; b < 2; ++b)
      if (used_[b]) d = std::max<uint64_t>(d, last_l0rd_[b] + lat::ws_l0rd_to_drain(cfg_));
    for (uint64_t j = 0; j < prows.size() && !acc; ++j)
      d = std::max<uint64_t>(d, pfree_[prows[j]] > lat::kDrainToOfRd + j ? pfree_[prows[j]] - lat::kDrainToOfRd - j : 0);
    for (uint64_t i = 0; i < k; ++i) {
      Instr& rd = at(s0 + i - lat::kXmemRdToL0Rd);
      rd.xmem_rd = rd.wmem_rd = true;
      rd.xmem_rd_addr = static_cast<uint16_t>(steps[i].xaddr);
      rd.wmem_rd_addr = static_cast<uint16_t>(steps[i].waddr);
      xlast_read_[steps[i].xaddr] = std::max(xlast_read_[steps[i].xaddr], s0 + i - lat::kXmemRdToL0Rd);
      wlast_read_[steps[i].waddr] = std::max(wlast_read_[steps[i].waddr], s0 + i - lat::kXmemRdToL0Rd);
      Instr& lr = at(s0 + i);
      lr.l0_rd = lr.l0_os = true;
    }
    at(d).os_drain = true;
    for (uint64_t j = 0; j < prows.size(); ++j) {
      Instr& orr = at(d + lat::kDrainToOfRd + j);
      orr.of_rd = true;
      orr.of_acc = acc;
      orr.of_addr = static_cast<uint16_t>(prows[j]);
      plast_of_[prows[j]] = d + lat::kDrainToOfRd + j;
    }
    last_slot_ = std::max(last_slot_, d + lat::kDrainToOfRd + prows.size() - 1 + lat::kOfRdToPsumOut);
    drained_ = true;
    last_drain_ = d;
    next_l0rd_ = d + lat::kDrainToL0Rd;
    meta.first_l0rd = s0;
    meta.first_ofrd = d + lat::kDrainToOfRd;
    meta.first_acc = acc;
  }

  // One weight tile (w[c * rows + r], rows = w.size() / Cols: Rows, or 2 x Rows for SIMD vectors,
  // `simd`) streaming `vecs`: loads, commit, stream, of_rds.
  // Fills the pass's first_l0rd, first_ofrd, commit and wbuf.
  void pass(std::span<const int32_t> w, std::span<const PassVec> vecs, bool acc, bool simd, Pass& meta) {
    const unsigned cols = cfg_.cols, rows = static_cast<unsigned>(w.size() / cols);
    const uint64_t rc = lat::l0rd_to_ofrd(cfg_);
    const unsigned b = static_cast<unsigned>(npasses_ % 2);
    // Loads: column Cols-1 first, column 0 last, each in a free data_i slot after the last commit.
    uint64_t t = last_commit_;
    std::vector<uint32_t> word(words_);
    for (unsigned k = 0; k < cols; ++k) {
      const unsigned c = cols - 1 - k;
      std::fill(word.begin(), word.end(), 0u);
      for (unsigned r = 0; r < rows; ++r)
        put_bits(word, r * cfg_.weight_bits, cfg_.weight_bits, static_cast<uint64_t>(int64_t{w[size_t(c) * rows + r]}));
      t = take_data(t, word);
      at(t).w_load = true;
      ++t;
    }
    uint64_t commit = t;  // > last load
    if (npasses_ > 0) commit = std::max(commit, last_commit_ + 1);
    if (used_[b]) commit = std::max(commit, last_l0rd_[b] + lat::l0rd_to_commit(cfg_));
    Instr& ci = at(commit);
    ci.w_commit = true;
    ci.w_buf = static_cast<uint8_t>(b);
    last_commit_ = commit;

    // Stream start: after the commit, after the previous stream, after every write it reads,
    // and late enough that overwriting of_rds follow the read-out of the rows' old contents.
    int64_t s = static_cast<int64_t>(std::max<uint64_t>({next_l0rd_, commit + lat::kCommitToL0Rd, lat::kXmemRdToL0Rd}));
    const int64_t n = static_cast<int64_t>(vecs.size());
    for (int64_t i = 0; i < n; ++i) {
      const PassVec& v = vecs[size_t(i)];
      if (xwritten_[v.xaddr] != kNever)
        s = std::max(s, int64_t(xwritten_[v.xaddr] + lat::kXmemWrToXmemRd + lat::kXmemRdToL0Rd) - i);
      if (!acc) s = std::max(s, int64_t(pfree_[v.prow]) - int64_t(rc) - i);
    }
    const uint64_t s0 = static_cast<uint64_t>(s);
    for (uint64_t i = 0; i < vecs.size(); ++i) {
      const PassVec& v = vecs[i];
      Instr& xr = at(s0 + i - lat::kXmemRdToL0Rd);
      xr.xmem_rd = true;
      xr.xmem_rd_addr = static_cast<uint16_t>(v.xaddr);
      xlast_read_[v.xaddr] = std::max(xlast_read_[v.xaddr], s0 + i - lat::kXmemRdToL0Rd);
      Instr& lr = at(s0 + i);
      lr.l0_rd = true;
      lr.l0_wsel = static_cast<uint8_t>(b);
      lr.l0_simd = simd;
      Instr& orr = at(s0 + i + rc);
      orr.of_rd = true;
      orr.of_acc = acc;
      orr.of_addr = static_cast<uint16_t>(v.prow);
      plast_of_[v.prow] = s0 + i + rc;
      last_slot_ = std::max(last_slot_, s0 + i + rc + lat::kOfRdToPsumOut);
    }
    if (!vecs.empty()) {
      used_[b] = true;
      last_l0rd_[b] = s0 + vecs.size() - 1;
      next_l0rd_ = s0 + vecs.size();
    }
    meta.first_l0rd = s0;
    meta.first_ofrd = s0 + rc;
    meta.commit = commit;
    meta.wbuf = static_cast<uint8_t>(b);
    meta.first_acc = acc;
    ++npasses_;
  }

  // SFP parameter `sel` of column `col` = v, unless it already holds v.
  void set_param(unsigned col, SfpParam sel, uint32_t v) {
    uint64_t& cur = par_[col][static_cast<unsigned>(sel)];
    if (cur == v) return;
    std::vector<uint32_t> word(words_, 0u);
    put_bits(word, 0, kParBits, v);
    const uint64_t t = take_data(out_after_, word);
    Instr& in = at(t);
    in.par_wr = true;
    in.par_sel = sel;
    in.par_col = static_cast<uint8_t>(col);
    cur = v;
    par_after_ = std::max(par_after_, t);
  }

  // out_rd of pmem row `prow` (`half`: requantized to ActBits / 2 bits, the SIMD mode); returns its slot.
  uint64_t read_out(uint32_t prow, bool raw, bool relu, bool half) {
    uint64_t t = par_after_;
    if (plast_of_[prow] != kNever) t = std::max(t, plast_of_[prow] + lat::kOfRdToOutRd);
    t = take_out(t);
    Instr& in = at(t);
    in.out_rd = true;
    in.out_raw = raw;
    in.out_relu = relu;
    in.out_half = half && !raw;
    in.out_addr = static_cast<uint16_t>(prow);
    pfree_[prow] = t;
    out_after_ = std::max(out_after_, t + 1);
    last_slot_ = std::max(last_slot_, t + lat::kOutRdToOut);
    return t;
  }

  // Sizes the stream so every result is visible by its last slot.
  void finish() {
    const uint64_t len = std::max<uint64_t>(last_slot_ + 1, s_.instrs.size());
    at(len - 1);
  }

 private:
  static constexpr uint64_t kNever = ~uint64_t{0};
  static constexpr uint64_t kUnknown = ~uint64_t{0};

  Instr& at(uint64_t t) {
    if (t >= s_.instrs.size()) {  // resize grows the capacity geometrically
      s_.instrs.resize(t + 1);
      s_.data_of.resize(t + 1, kNoData);
    }
    return s_.instrs[t];
  }

  // Union-find over slots: find(t) = the first slot >= t whose resource is free.
  static uint64_t find(std::vector<uint32_t>& next, uint64_t t) {
    if (t >= next.size()) grow(next, t + 1);
    uint64_t r = t;
    while (next[r] != r) {
      if (next[r] >= next.size()) grow(next, next[r] + 1);
      r = next[r];
    }
    while (next[t] != r) {  // path compression
      const uint64_t n = next[t];
      next[t] = static_cast<uint32_t>(r);
      t = n;
    }
    return r;
  }
  static void grow(std::vector<uint32_t>& next, uint64_t n) {
    const size_t old = next.size();
    if (n <= old) return;
    const size_t sz = std::max<size_t>(n, old * 2 + 64);
    if (sz >= 0xffffffffull) throw std::length_error("schedule longer than 2^32 slots");
    next.resize(sz);
    for (size_t i = old; i < sz; ++i) next[i] = static_cast<uint32_t>(i);
  }
  static uint64_t occupy(std::vector<uint32_t>& next, uint64_t t) {
    const uint64_t f = find(next, t);
    if (f + 1 >= next.size()) grow(next, f + 2);
    next[f] = static_cast<uint32_t>(f + 1);
    return f;
  }

  uint64_t take_data(uint64_t t, std::span<const uint32_t> words) {
    const uint64_t f = occupy(data_free_, t);
    at(f);
    s_.data_of[f] = static_cast<uint32_t>(s_.data.size() / words_);
    s_.data.insert(s_.data.end(), words.begin(), words.end());
    last_slot_ = std::max(last_slot_, f);
    return f;
  }
  uint64_t take_out(uint64_t t) { return occupy(out_free_, t); }

  const CoreConfig& cfg_;
  Schedule& s_;
  unsigned words_;
  std::vector<uint32_t> data_free_, out_free_;
  std::vector<uint64_t> xlast_read_, xwritten_;
  std::vector<uint64_t> wlast_read_, wwritten_;
  bool drained_ = false;
  uint64_t last_drain_ = 0;
  std::vector<uint64_t> pfree_, plast_of_;
  std::vector<std::array<uint64_t, 4>> par_;  // by SfpParam
  uint64_t npasses_ = 0;
  uint64_t last_commit_ = 0;
  bool used_[2] = {false, false};
  uint64_t last_l0rd_[2] = {0, 0};
  uint64_t next_l0rd_ = 0;
  uint64_t out_after_ = 0;  // par_wr must come after every out_rd so far
  uint64_t par_after_ = 0;  // out_rd must come at or after every par_wr so far
  uint64_t last_slot_ = 0;
};

}  // namespace accel::detail
