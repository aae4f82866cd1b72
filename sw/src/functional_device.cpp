// Functional model of the core (docs/isa.md). Within one slot the effects are applied in the order
// that gives the documented same-slot behaviour:
//   par_wr before out_rd       (kParWrToOutRd = 0: the read-out already uses the new parameter)
//   out_rd before of_rd        (kOfRdToOutRd = 1: a same-slot read-out sees the old pmem row)
//   w_commit before w_load     (kLoadToCommit = 1: commit copies the chain before the shift)
//   xmem_rd before xmem_wr     (kXmemWrToXmemRd = 1: a same-slot read sees the old word)
//   os_drain / l0_rd          (never in one slot: the drain rules forbid it)
//   wmem_rd before wmem_wr    (kWmemWrToWmemRd = 1, as for xmem)
// Timing enters only through "ready" slots: a vector read from xmem in slot n may be popped from L0
// from slot n + 2, its psum row popped from the OFIFO from slot n' + Rows + Cols (n' its l0_rd).
// Output-stationary (docs/isa.md "Output-stationary mode"): an OS l0_rd adds a[r] * w[c] into
// every accumulator at once; os_drain in slot d queues Rows rows, row j = accumulator row
// Rows - 1 - j, poppable from slot d + 2 + j.
#include <fmt/format.h>

#include <accel/functional_device.hpp>
#include <algorithm>
#include <utility>

namespace accel {

namespace {

// v modulo 2^bits as a two's complement number (the PsumBits accumulator wrap).
inline int64_t wrap_bits(int64_t v, unsigned bits) {
  const unsigned s = 64 - bits;
  return static_cast<int64_t>(static_cast<uint64_t>(v) << s) >> s;
}

}  // namespace

FunctionalDevice::FunctionalDevice(const CoreConfig& config)
    : cfg_(config), rows_(config.rows), cols_(config.cols), wrows_(config.weight_column_rows()) {
  if (rows_ == 0 || cols_ == 0 || cfg_.psum_bits < 2 || cfg_.psum_bits > 32 || cfg_.act_bits == 0 ||
      cfg_.act_bits > 16 || cfg_.weight_bits < 2 || cfg_.weight_bits > 16 || cfg_.l0_depth < rows_ ||
      cfg_.ofifo_depth < cols_ || cfg_.xmem_depth == 0 || cfg_.pmem_depth == 0 || cols_ > kMaxCols ||
      (cfg_.simd && cfg_.act_bits % 2 != 0))
    throw std::invalid_argument(fmt::format("functional device: illegal configuration '{}'", cfg_.name));
  xmem_.assign(size_t(cfg_.xmem_depth) * rows_, 0);
  wmem_.assign(size_t(cfg_.xmem_depth) * cols_, 0);
  n0_data_.assign(size_t(cfg_.l0_depth) * cols_, 0);
  n0_ready_.assign(cfg_.l0_depth, 0);
  acc_.assign(size_t(rows_) * cols_, 0);
  l0_data_.assign(size_t(cfg_.l0_depth) * rows_, 0);
  l0_ready_.assign(cfg_.l0_depth, 0);
  chain_.assign(size_t(wrows_) * cols_, 0);
  wbuf_[0].assign(size_t(wrows_) * cols_, 0);
  wbuf_[1].assign(size_t(wrows_) * cols_, 0);
  of_data_.assign(size_t(cfg_.ofifo_depth) * cols_, 0);
  of_ready_.assign(cfg_.ofifo_depth, 0);
  pmem_.assign(size_t(cfg_.pmem_depth) * cols_, 0);
  psum_next_.assign(cols_, 0);
  psum_vis_.assign(cols_, 0);
  out_stage_[0].assign(cols_, 0);
  out_stage_[1].assign(cols_, 0);
  out_vis_.assign(cols_, 0);
  reset();
}

void FunctionalDevice::reset() {
  slot_ = 0;
  l0_head_ = l0_count_ = 0;
  n0_head_ = n0_count_ = 0;
  of_head_ = of_count_ = 0;
  std::fill(acc_.begin(), acc_.end(), 0);
  os_used_ = ws_used_ = drain_used_ = false;
  last_os_ = last_ws_ = last_drain_ = 0;
  std::fill(chain_.begin(), chain_.end(), 0);
  std::fill(wbuf_[0].begin(), wbuf_[0].end(), 0);
  std::fill(wbuf_[1].begin(), wbuf_[1].end(), 0);
  for (int b = 0; b < 2; ++b) {
    wsel_used_[b] = false;
    last_l0rd_[b] = 0;
  }
  bias_.assign(cols_, 0);
  mult_.assign(cols_, 0);
  shift_.assign(cols_, 0);
  zero_.assign(cols_, 0);
  psum_next_valid_ = false;
  out_stage_valid_[0] = out_stage_valid_[1] = false;
  ctr_ = {};
  track_ = CounterTrack(rows_, cols_);
  prev_ = Instr{};  // the no-op the core holds in reset: counted by the first step
}

void FunctionalDevice::check_fields(const Instr& in, DataSpan data) const {
  if (data_users(in) > 1)
    throw DeviceError(slot_, "xmem_wr, wmem_wr, w_load and par_wr share data_i: at most one per slot");
  if (data_users(in) == 1 && !data.empty() && data.size() < data_words(cfg_))
    throw DeviceError(
        slot_, fmt::format("data word has {} 32-bit words, the core's data_i needs {}", data.size(), data_words(cfg_)));
  if (in.xmem_wr && in.xmem_wr_addr >= cfg_.xmem_depth)
    throw DeviceError(slot_, fmt::format("xmem_wr_addr {} beyond XmemDepth {}", in.xmem_wr_addr, cfg_.xmem_depth));
  if (in.xmem_rd && in.xmem_rd_addr >= cfg_.xmem_depth)
    throw DeviceError(slot_, fmt::format("xmem_rd_addr {} beyond XmemDepth {}", in.xmem_rd_addr, cfg_.xmem_depth));
  if (in.wmem_wr && in.xmem_wr_addr >= cfg_.xmem_depth)
    throw DeviceError(slot_,
                      fmt::format("wmem_wr to xmem_wr_addr {} beyond wmem's depth {}", in.xmem_wr_addr, cfg_.xmem_depth));
  if (in.wmem_rd && in.wmem_rd_addr >= cfg_.xmem_depth)
    throw DeviceError(slot_, fmt::format("wmem_rd_addr {} beyond wmem's depth {}", in.wmem_rd_addr, cfg_.xmem_depth));
  if (in.l0_os && !in.l0_rd) throw DeviceError(slot_, "l0_os without l0_rd");
  if ((in.l0_simd || in.out_half) && !cfg_.simd)
    throw DeviceError(slot_, fmt::format("{} on core '{}', built without the SIMD mode",
                                         in.l0_simd ? "l0_simd" : "out_half", cfg_.name));
  if (in.l0_simd && (!in.l0_rd || in.l0_os))
    throw DeviceError(slot_, "l0_simd without a weight-stationary l0_rd (the SIMD mode is weight-stationary)");
  if (in.of_rd && in.of_addr >= cfg_.pmem_depth)
    throw DeviceError(slot_, fmt::format("of_addr {} beyond PmemDepth {}", in.of_addr, cfg_.pmem_depth));
  if (in.out_rd && in.out_addr >= cfg_.pmem_depth)
    throw DeviceError(slot_, fmt::format("out_addr {} beyond PmemDepth {}", in.out_addr, cfg_.pmem_depth));
  if (in.par_wr && in.par_col >= cols_)
    throw DeviceError(slot_, fmt::format("par_wr to column {}, only {} columns", in.par_col, cols_));
  if (in.w_commit && in.w_buf > 1) throw DeviceError(slot_, fmt::format("w_buf {} is not 0 or 1", in.w_buf));
  if (in.l0_rd && !in.l0_os && in.l0_wsel > 1)
    throw DeviceError(slot_, fmt::format("l0_wsel {} is not 0 or 1", in.l0_wsel));
}

// The previous slot executes (and is counted) in this slot's clock: total plus exactly one
// category, first match wins, and its events (docs/isa.md "Performance counters"); ctr_clr zeroes
// instead.
void FunctionalDevice::count_previous() { track_.count(prev_, ctr_); }

// SFP read-out, docs/isa.md "The SFP read-out":
//   y = acc + bias (exact); y = max(y, 0) if out_relu;
//   raw: lane = y; else lane = clamp(((y*M + R) >> S) + Z, 0, 2^A - 1), R = S > 0 ? 2^(S-1) : 0,
//   Z the column's output zero point, A = ActBits (out_half: ActBits / 2),
//   with the product exact (128-bit here; |y| <= 2^32, M < 2^32) and >> an arithmetic shift (floor).
void FunctionalDevice::read_out(const Instr& in) {
  const int64_t* acc = &pmem_[size_t(in.out_addr) * cols_];
  int64_t* lane = out_stage_[0].data();
  const int64_t qmax = (int64_t{1} << (in.out_half ? cfg_.simd_act_bits() : cfg_.act_bits)) - 1;
  for (unsigned c = 0; c < cols_; ++c) {
    int64_t y = acc[c] + int64_t{bias_[c]};
    if (in.out_relu && y < 0) y = 0;
    if (in.out_raw) {
      lane[c] = y;
      continue;
    }
    const unsigned s = shift_[c];
    const __int128 prod = static_cast<__int128>(y) * static_cast<__int128>(mult_[c]);
    const __int128 rnd = s > 0 ? (static_cast<__int128>(1) << (s - 1)) : 0;
    // Arithmetic shift of a signed value: floor; the zero point after the shift, before the clamp.
    const __int128 scaled = ((prod + rnd) >> s) + zero_[c];
    lane[c] = scaled < 0 ? 0 : (scaled > qmax ? qmax : static_cast<int64_t>(scaled));
  }
  out_stage_valid_[0] = true;
}

void FunctionalDevice::update_pmem(const Instr& in) {
  if (of_count_ == 0)
    throw DeviceError(slot_,
                      "of_rd with the OFIFO empty: no psum row in flight (of_rd without an l0_rd "
                      "Rows + Cols slots before)");
  if (of_ready_[of_head_] > slot_)
    throw DeviceError(slot_, fmt::format("of_rd while some OFIFO column is empty: the oldest psum row is "
                                         "complete from slot {} (l0_rd + Rows + Cols)",
                                         of_ready_[of_head_]));
  const int64_t* row = &of_data_[size_t(of_head_) * cols_];
  int64_t* dst = &pmem_[size_t(in.of_addr) * cols_];
  for (unsigned c = 0; c < cols_; ++c) {
    dst[c] = in.of_acc ? wrap_bits(dst[c] + row[c], cfg_.psum_bits) : row[c];
    psum_next_[c] = row[c];
  }
  psum_next_valid_ = true;
  of_head_ = (of_head_ + 1) % cfg_.ofifo_depth;
  --of_count_;
}

void FunctionalDevice::pop_l0(const Instr& in) {
  if (l0_count_ == 0) throw DeviceError(slot_, "l0_rd with L0 empty");
  if (l0_ready_[l0_head_] > slot_)
    throw DeviceError(slot_, fmt::format("l0_rd with L0 empty: the oldest xmem_rd arrives in L0 for slot {} "
                                         "(xmem_rd to l0_rd needs {} slots)",
                                         l0_ready_[l0_head_], lat::kXmemRdToL0Rd));
  const int32_t* a = &l0_data_[size_t(l0_head_) * rows_];
  if (in.l0_os) {
    compute_os(a);
    l0_head_ = (l0_head_ + 1) % cfg_.l0_depth;
    --l0_count_;
    return;
  }
  const unsigned b = in.l0_wsel;
  if (in.w_commit && in.w_buf == b)
    throw DeviceError(slot_, fmt::format("l0_rd with l0_wsel {} in the slot of w_commit to buffer {} "
                                         "(mixes old and new weights)",
                                         b, b));
  if (of_count_ + 1 > cfg_.ofifo_depth - (cols_ - 1))
    throw DeviceError(slot_, fmt::format("OFIFO overflow: {} psum rows in flight, at most OfifoDepth - (Cols - 1) "
                                         "= {}",
                                         of_count_ + 1, cfg_.ofifo_depth - (cols_ - 1)));
  const int32_t* w = wbuf_[b].data();
  const unsigned tail = (of_head_ + of_count_) % cfg_.ofifo_depth;
  int64_t* out = &of_data_[size_t(tail) * cols_];
  // SIMD (docs/isa.md "SIMD mode"): lane r holds term r in its low half and term Rows + r in its
  // high half, each with its own weight of the two-lane column.
  const unsigned h = cfg_.simd_act_bits();
  const int32_t lo_mask = (int32_t{1} << h) - 1;
  for (unsigned c = 0; c < cols_; ++c) {
    const int32_t* wc = w + size_t(c) * wrows_;
    int64_t s = 0;
    if (in.l0_simd) {
      for (unsigned r = 0; r < rows_; ++r) s += int64_t{a[r] & lo_mask} * wc[r] + int64_t{a[r] >> h} * wc[rows_ + r];
    } else {
      for (unsigned r = 0; r < rows_; ++r) s += int64_t{a[r]} * wc[r];
    }
    out[c] = wrap_bits(s, cfg_.psum_bits);
  }
  of_ready_[tail] = slot_ + lat::l0rd_to_ofrd(cfg_);
  ++of_count_;
  l0_head_ = (l0_head_ + 1) % cfg_.l0_depth;
  --l0_count_;
  wsel_used_[b] = true;
  last_l0rd_[b] = slot_;
  ws_used_ = true;
  last_ws_ = slot_;
}

// One OS step: the weight row at N0's head meets vector a in every tile.
void FunctionalDevice::compute_os(const int32_t* a) {
  if (n0_count_ == 0) throw DeviceError(slot_, "output-stationary l0_rd with N0 empty (no wmem_rd before it)");
  if (n0_ready_[n0_head_] > slot_)
    throw DeviceError(slot_, fmt::format("output-stationary l0_rd with N0 empty: the oldest wmem_rd arrives in N0 "
                                         "for slot {} (wmem_rd to l0_rd needs {} slots)",
                                         n0_ready_[n0_head_], lat::kWmemRdToL0Rd));
  const int32_t* w = &n0_data_[size_t(n0_head_) * cols_];
  for (unsigned r = 0; r < rows_; ++r) {
    int64_t* acc = &acc_[size_t(r) * cols_];
    for (unsigned c = 0; c < cols_; ++c) acc[c] = wrap_bits(acc[c] + int64_t{a[r]} * w[c], cfg_.psum_bits);
  }
  n0_head_ = (n0_head_ + 1) % cfg_.l0_depth;
  --n0_count_;
  os_used_ = true;
  last_os_ = slot_;
}

// os_drain: the rules of docs/isa.md, then Rows psum rows into the OFIFO (bottom array row first).
void FunctionalDevice::drain(const Instr& in) {
  if (in.l0_rd) throw DeviceError(slot_, "os_drain in the slot of an l0_rd");
  const auto too_early = [&](bool used, uint64_t last, unsigned lat, const char* what) {
    if (used && slot_ < last + lat)
      throw DeviceError(slot_, fmt::format("os_drain {} slots after the {} of slot {} (allowed from slot {})",
                                           slot_ - last, what, last, last + lat));
  };
  too_early(os_used_, last_os_, lat::os_l0rd_to_drain(cfg_), "output-stationary l0_rd");
  too_early(ws_used_, last_ws_, lat::ws_l0rd_to_drain(cfg_), "weight-stationary l0_rd");
  too_early(drain_used_, last_drain_, lat::drain_to_drain(cfg_), "os_drain");
  if (of_count_ + rows_ > cfg_.ofifo_depth - (cols_ - 1))
    throw DeviceError(slot_, fmt::format("OFIFO overflow: os_drain adds {} rows to {} in flight, at most "
                                         "OfifoDepth - (Cols - 1) = {}",
                                         rows_, of_count_, cfg_.ofifo_depth - (cols_ - 1)));
  for (unsigned j = 0; j < rows_; ++j) {
    const unsigned tail = (of_head_ + of_count_) % cfg_.ofifo_depth;
    std::copy_n(&acc_[size_t(rows_ - 1 - j) * cols_], cols_, &of_data_[size_t(tail) * cols_]);
    of_ready_[tail] = slot_ + lat::kDrainToOfRd + j;
    ++of_count_;
  }
  std::fill(acc_.begin(), acc_.end(), 0);
  drain_used_ = true;
  last_drain_ = slot_;
}

void FunctionalDevice::commit(const Instr& in) {
  const unsigned b = in.w_buf;
  const uint64_t need = last_l0rd_[b] + lat::l0rd_to_commit(cfg_);
  if (wsel_used_[b] && slot_ < need)
    throw DeviceError(slot_, fmt::format("w_commit to buffer {} while the vector of l0_rd slot {} still computes "
                                         "with it (allowed from slot {})",
                                         b, last_l0rd_[b], need));
  wbuf_[b] = chain_;
}

// The chain shifts one tile east; the new column enters at column 0 (so the column sent first ends
// in column Cols - 1). With the SIMD mode the column has both lanes' weights, 2 x Rows.
void FunctionalDevice::load_column(DataSpan data) {
  std::move_backward(chain_.begin(), chain_.end() - wrows_, chain_.end());
  for (unsigned r = 0; r < wrows_; ++r)
    chain_[r] = data.empty() ? 0 : static_cast<int32_t>(get_bits_signed(data, r * cfg_.weight_bits, cfg_.weight_bits));
}

void FunctionalDevice::read_wmem(const Instr& in) {
  if (n0_count_ + 1 > cfg_.l0_depth - (cols_ - 1))
    throw DeviceError(slot_, fmt::format("N0 overflow: {} weight rows pushed and not popped, at most L0Depth - (Cols - "
                                         "1) = {}",
                                         n0_count_ + 1, cfg_.l0_depth - (cols_ - 1)));
  const unsigned tail = (n0_head_ + n0_count_) % cfg_.l0_depth;
  std::copy_n(&wmem_[size_t(in.wmem_rd_addr) * cols_], cols_, &n0_data_[size_t(tail) * cols_]);
  n0_ready_[tail] = slot_ + lat::kWmemRdToL0Rd;
  ++n0_count_;
}

void FunctionalDevice::read_xmem(const Instr& in) {
  if (l0_count_ + 1 > cfg_.l0_depth - (rows_ - 1))
    throw DeviceError(slot_, fmt::format("L0 overflow: {} vectors pushed and not popped, at most L0Depth - (Rows - 1) "
                                         "= {}",
                                         l0_count_ + 1, cfg_.l0_depth - (rows_ - 1)));
  const unsigned tail = (l0_head_ + l0_count_) % cfg_.l0_depth;
  std::copy_n(&xmem_[size_t(in.xmem_rd_addr) * rows_], rows_, &l0_data_[size_t(tail) * rows_]);
  l0_ready_[tail] = slot_ + lat::kXmemRdToL0Rd;
  ++l0_count_;
}

StepResult FunctionalDevice::step(const Instr& in, DataSpan data) {
  count_previous();
  check_fields(in, data);

  // Output registers move on: what the previous slots produced becomes visible now.
  StepResult res;
  if (psum_next_valid_) {
    std::swap(psum_vis_, psum_next_);
    res.psum = psum_vis_.data();
    psum_next_valid_ = false;
  }
  if (out_stage_valid_[1]) {
    std::swap(out_vis_, out_stage_[1]);
    res.out = out_vis_.data();
  }
  std::swap(out_stage_[1], out_stage_[0]);
  out_stage_valid_[1] = out_stage_valid_[0];
  out_stage_valid_[0] = false;

  if (in.par_wr) {
    const uint32_t v = data.empty() ? 0u : static_cast<uint32_t>(get_bits(data, 0, kParBits));
    switch (in.par_sel) {
      case SfpParam::Bias:
        bias_[in.par_col] = static_cast<int32_t>(v);
        break;
      case SfpParam::Mult:
        mult_[in.par_col] = v;
        break;
      case SfpParam::Shift:
        shift_[in.par_col] = v & 63u;
        break;
      case SfpParam::Zero:
        zero_[in.par_col] = v & ((1u << cfg_.act_bits) - 1);  // data bits [ActBits-1:0]
        break;
    }
  }
  if (in.out_rd) read_out(in);
  if (in.of_rd) update_pmem(in);
  if (in.os_drain) drain(in);
  if (in.l0_rd) pop_l0(in);
  if (in.w_commit) commit(in);
  if (in.w_load) load_column(data);
  if (in.xmem_rd) read_xmem(in);
  if (in.wmem_rd) read_wmem(in);
  if (in.wmem_wr) {
    int32_t* dst = &wmem_[size_t(in.xmem_wr_addr) * cols_];
    for (unsigned c = 0; c < cols_; ++c)
      dst[c] = data.empty() ? 0 : static_cast<int32_t>(get_bits_signed(data, c * cfg_.weight_bits, cfg_.weight_bits));
  }
  if (in.xmem_wr) {
    int32_t* dst = &xmem_[size_t(in.xmem_wr_addr) * rows_];
    for (unsigned r = 0; r < rows_; ++r)
      dst[r] = data.empty() ? 0 : static_cast<int32_t>(get_bits(data, r * cfg_.act_bits, cfg_.act_bits));
  }

  prev_ = in;
  ++slot_;
  return res;
}

}  // namespace accel
