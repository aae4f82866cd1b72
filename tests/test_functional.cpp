// The functional device: docs/isa.md's worked example with hand-computed psums, outputs and
// counters; output-stationary tiles against sums computed from the contract, and the drain
// counter by hand; the SFP read-out rules; every legality rule raising an error that names the slot;
// pack/unpack against a bit-by-bit reference built from the field table.
#include <fmt/format.h>

#include <accel/device.hpp>
#include <accel/functional_device.hpp>
#include <accel/isa.hpp>
#include <catch2/catch.hpp>

#include "support/mixed_program.hpp"
#include <random>
#include <vector>

using namespace accel;

namespace {

// Drives a device by hand: a slot's instruction plus an optional data word.
struct Driver {
  explicit Driver(Device& d) : dev(d), word(data_words(d.config()), 0u) {}
  Device& dev;
  std::vector<uint32_t> word;
  std::vector<std::vector<int64_t>> psums, outs;
  std::vector<uint64_t> psum_slots, out_slots;  // visible after the step of this slot
  uint64_t slot = 0;

  void step(const Instr& in, bool with_data = false) {
    const StepResult r = dev.step(in, with_data ? DataSpan(word) : DataSpan{});
    const unsigned cols = dev.config().cols;
    if (r.psum) {
      psums.emplace_back(r.psum, r.psum + cols);
      psum_slots.push_back(slot);
    }
    if (r.out) {
      outs.emplace_back(r.out, r.out + cols);
      out_slots.push_back(slot);
    }
    ++slot;
  }
  void acts(const std::vector<int64_t>& a) {
    std::fill(word.begin(), word.end(), 0u);
    for (size_t r = 0; r < a.size(); ++r)
      put_bits(word, unsigned(r) * dev.config().act_bits, dev.config().act_bits, uint64_t(a[r]));
  }
  void weights(const std::vector<int64_t>& w) {
    std::fill(word.begin(), word.end(), 0u);
    for (size_t r = 0; r < w.size(); ++r)
      put_bits(word, unsigned(r) * dev.config().weight_bits, dev.config().weight_bits, uint64_t(w[r]));
  }
  void param(uint32_t v) {
    std::fill(word.begin(), word.end(), 0u);
    put_bits(word, 0, 32, v);
  }
};

Instr xmem_wr(unsigned a) {
  Instr i;
  i.xmem_wr = true;
  i.xmem_wr_addr = uint16_t(a);
  return i;
}

}  // namespace

// docs/isa.md "Worked example": identity weights w[r][c] = (r == c), a_k[r] = k + r, so psum row k
// column c = k + c; bias c, M = 2^30, S = 30 (q = y), ReLU: out row k column c = k + 2c.
TEST_CASE("functional device: the worked example of docs/isa.md", "[functional]") {
  FunctionalDevice dev(configs::int8);
  Driver d(dev);
  dev.reset();
  for (unsigned k = 0; k < 4; ++k) {  // slots 0..3
    d.acts({k, k + 1, k + 2, k + 3, k + 4, k + 5, k + 6, k + 7});
    Instr i = xmem_wr(k);
    i.ctr_clr = (k == 0);
    d.step(i, true);
  }
  for (unsigned s = 4; s < 12; ++s) {  // column 7 first
    const unsigned c = 7 - (s - 4);
    std::vector<int64_t> col(8, 0);
    col[c] = 1;
    d.weights(col);
    Instr i;
    i.w_load = true;
    d.step(i, true);
  }
  std::vector<std::pair<unsigned, uint32_t>> params;  // 24 par_wr in slots 14..37
  for (unsigned c = 0; c < 8; ++c) {
    params.push_back({c, c});
    params.push_back({c + 8, 1u << 30});
    params.push_back({c + 16, 30});
  }
  for (unsigned s = 12; s < 44; ++s) {
    Instr i;
    bool data = false;
    if (s == 12) {
      i.w_commit = true;
      i.w_buf = 0;
    }
    if (s >= 12 && s <= 15) {
      i.xmem_rd = true;
      i.xmem_rd_addr = uint16_t(s - 12);
    }
    if (s >= 14 && s <= 17) i.l0_rd = true;
    if (s >= 14 && s <= 37) {
      const auto [code, v] = params[s - 14];
      i.par_wr = true;
      i.par_col = uint8_t(code % 8);
      i.par_sel = static_cast<SfpParam>(code / 8);
      d.param(v);
      data = true;
    }
    if (s >= 30 && s <= 33) {
      i.of_rd = true;
      i.of_addr = uint16_t(s - 30);
    }
    if (s >= 38 && s <= 41) {
      i.out_rd = true;
      i.out_relu = true;
      i.out_addr = uint16_t(s - 38);
    }
    d.step(i, data);
  }
  d.step(Instr{});  // slot 44: the counters now include slot 43

  REQUIRE(d.psum_slots == std::vector<uint64_t>{31, 32, 33, 34});
  REQUIRE(d.out_slots == std::vector<uint64_t>{40, 41, 42, 43});
  for (int k = 0; k < 4; ++k)
    for (int c = 0; c < 8; ++c) {
      CHECK(d.psums[k][c] == k + c);
      CHECK(d.outs[k][c] == k + 2 * c);
    }
  // Slot 0 cleared the counters; slots 1..43 counted. host: 1..3 and 18..37 (par_wr once the
  // l0_rds are over); weight: 4..12; compute: 14..17; stall: 13 and 38..43.
  const Counters ctr = dev.counters();
  CHECK(counter(ctr, Counter::Total) == 43);
  CHECK(counter(ctr, Counter::HostTransfer) == 23);
  CHECK(counter(ctr, Counter::WeightLoad) == 9);
  CHECK(counter(ctr, Counter::Compute) == 4);
  CHECK(counter(ctr, Counter::Stall) == 7);
}

TEST_CASE("functional device: counters count the reset no-op and clear on ctr_clr", "[functional]") {
  FunctionalDevice dev(configs::odd4x6);
  dev.step(Instr{}, {});
  CHECK(counter(dev.counters(), Counter::Total) == 1);  // the no-op held during reset
  CHECK(counter(dev.counters(), Counter::Stall) == 1);
  Instr clr;
  clr.ctr_clr = true;
  dev.step(clr, {});
  CHECK(counter(dev.counters(), Counter::Total) == 2);  // sees slots up to the one before
  dev.step(Instr{}, {});
  CHECK(counter(dev.counters(), Counter::Total) == 0);  // the clear took effect
  dev.step(Instr{}, {});
  CHECK(counter(dev.counters(), Counter::Total) == 1);
}

// One psum through a 4x6 core: a = (a0, 0, 0, 0), w[0][c] = weight of column c, so acc_c = a0*w_c.
// Then read-outs with hand-computed results of docs/isa.md "The SFP read-out".
TEST_CASE("functional device: SFP read-out rounds half up, clamps and passes raw values", "[functional]") {
  FunctionalDevice dev(configs::odd4x6);
  Driver d(dev);
  dev.reset();
  const std::vector<int64_t> w = {3, -3, 5, -128, 127, 1};  // column c weight (row 0)
  d.acts({1, 0, 0, 0});
  d.step(xmem_wr(0), true);
  for (int k = 0; k < 6; ++k) {
    d.weights({w[size_t(5 - k)], 0, 0, 0});
    Instr i;
    i.w_load = true;
    d.step(i, true);
  }
  Instr c;
  c.w_commit = true;
  c.xmem_rd = true;
  d.step(c);
  d.step(Instr{});
  Instr l;
  l.l0_rd = true;
  d.step(l);  // slot 9: l0_rd; of_rd legal from 9 + 10 = 19
  while (d.slot < 19) d.step(Instr{});
  Instr o;
  o.of_rd = true;
  o.of_addr = 5;
  d.step(o);
  // Column params: bias, M, S. Column 0: y = 3 + 0, M = 1, S = 1 -> (3 + 1) >> 1 = 2 (1.5 -> 2).
  // Column 1: y = -3, M = 1, S = 1 -> (-3 + 1) >> 1 = -1 -> clamp 0. Column 2: y = 5 - 10 = -5 -> relu off, raw.
  // Column 3: y = -128 + 1000 = 872, M = 3, S = 2 -> (2616 + 2) >> 2 = 654 -> clamp 255.
  // Column 4: y = 127 - 2 = 125, M = 2^31 - 1, S = 31 -> floor(125 * (1 - 2^-31) + 0.5) = 125.
  // Column 5: y = 1, M = 5, S = 0 -> 5.
  const std::vector<std::array<uint32_t, 3>> par = {
      {0, 1, 1}, {0, 1, 1}, {uint32_t(-10), 1, 0}, {1000, 3, 2}, {uint32_t(-2), 0x7fffffffu, 31}, {0, 5, 0}};
  for (unsigned col = 0; col < 6; ++col)
    for (unsigned sel = 0; sel < 3; ++sel) {
      Instr p;
      p.par_wr = true;
      p.par_col = uint8_t(col);
      p.par_sel = static_cast<SfpParam>(sel);
      d.param(par[col][sel]);
      d.step(p, true);
    }
  Instr q;
  q.out_rd = true;
  q.out_addr = 5;
  d.step(q);  // requantized, no ReLU
  q.out_raw = true;
  d.step(q);  // raw
  q.out_relu = true;
  d.step(q);  // raw with ReLU
  // Output zero points (par_sel 3), added after the shift and before the clamp:
  // column 0: 2 + 3 = 5; 1: -1 + 3 = 2 (not clamped first); 2: -5 + 0 -> 0; 3: 654 + 1 -> 255;
  // 4: 125 + 7 = 132; 5: 5 + 250 -> 255. Raw read-outs ignore them.
  const uint32_t zero[6] = {3, 3, 0, 1, 7, 250};
  for (unsigned col = 0; col < 6; ++col) {
    Instr p;
    p.par_wr = true;
    p.par_col = uint8_t(col);
    p.par_sel = SfpParam::Zero;
    d.param(zero[col]);
    d.step(p, true);
  }
  q.out_raw = q.out_relu = false;
  d.step(q);  // requantized with zero points
  q.out_raw = true;
  d.step(q);  // raw
  d.step(Instr{});
  d.step(Instr{});
  REQUIRE(d.psums.size() == 1);
  CHECK(d.psums[0] == std::vector<int64_t>{3, -3, 5, -128, 127, 1});
  REQUIRE(d.outs.size() == 5);
  CHECK(d.outs[0] == std::vector<int64_t>{2, 0, 0, 255, 125, 5});
  CHECK(d.outs[1] == std::vector<int64_t>{3, -3, -5, 872, 125, 1});
  CHECK(d.outs[2] == std::vector<int64_t>{3, 0, 0, 872, 125, 1});
  CHECK(d.outs[3] == std::vector<int64_t>{5, 2, 0, 255, 132, 255});
  CHECK(d.outs[4] == std::vector<int64_t>{3, -3, -5, 872, 125, 1});
}

TEST_CASE("functional device: the psum wraps to PsumBits", "[functional]") {
  // ece284: P = 16. 8 rows of a = 15, w = 7: 8 * 105 = 840 (no wrap); accumulate it 40 times in
  // pmem: 33600 wraps to 33600 - 65536 = -31936.
  FunctionalDevice dev(configs::ece284);
  Driver d(dev);
  dev.reset();
  d.acts(std::vector<int64_t>(8, 15));
  d.step(xmem_wr(0), true);
  for (int k = 0; k < 8; ++k) {
    d.weights(std::vector<int64_t>(8, 7));
    Instr i;
    i.w_load = true;
    d.step(i, true);
  }
  Instr c;
  c.w_commit = true;
  d.step(c);
  const uint64_t first = d.slot + 2;
  for (int v = 0; v < 40 + 20; ++v) {
    Instr i;
    const uint64_t s = d.slot;
    if (s >= first - 2 && s < first - 2 + 40) i.xmem_rd = true;
    if (s >= first && s < first + 40) i.l0_rd = true;
    if (s >= first + 16 && s < first + 16 + 40) {
      i.of_rd = true;
      i.of_acc = s > first + 16;
    }
    d.step(i);
  }
  Instr q;
  q.out_rd = true;
  q.out_raw = true;
  d.step(q);
  d.step(Instr{});
  d.step(Instr{});
  REQUIRE(d.outs.size() == 1);
  CHECK(d.outs[0][0] == -31936);
  CHECK(d.psums.size() == 40);
  CHECK(d.psums[0][3] == 840);
}

namespace {

// Runs `slots` on a fresh int8 device and returns the error message (empty if none).
std::string error_of(const std::vector<Instr>& slots, uint64_t* slot = nullptr, const CoreConfig& cfg = configs::int8) {
  FunctionalDevice dev(cfg);
  std::vector<uint32_t> word(data_words(cfg), 0u);
  try {
    for (const Instr& i : slots) dev.step(i, data_users(i) ? DataSpan(word) : DataSpan{});
  } catch (const DeviceError& e) {
    if (slot) *slot = e.slot();
    return e.what();
  }
  return {};
}

}  // namespace

TEST_CASE("functional device: legality errors name the slot and the rule", "[functional]") {
  uint64_t slot = 0;
  Instr l0;
  l0.l0_rd = true;
  SECTION("l0_rd with L0 empty") {
    CHECK_THAT(error_of({Instr{}, Instr{}, l0}, &slot), Catch::Contains("slot 2: l0_rd with L0 empty"));
    CHECK(slot == 2);
  }
  SECTION("l0_rd one slot after the xmem_rd") {
    Instr x;
    x.xmem_rd = true;
    CHECK_THAT(error_of({x, l0}, &slot), Catch::Contains("slot 1: l0_rd with L0 empty"));
  }
  SECTION("of_rd with nothing in the OFIFO") {
    Instr o;
    o.of_rd = true;
    CHECK_THAT(error_of({o}), Catch::Contains("slot 0: of_rd with the OFIFO empty"));
  }
  SECTION("of_rd before the psum row is complete") {
    Instr x, o;
    x.xmem_rd = true;
    o.of_rd = true;
    std::vector<Instr> s = {x, Instr{}, l0};
    for (int i = 0; i < 14; ++i) s.push_back(Instr{});
    s.push_back(o);  // slot 17 < 2 + 16
    CHECK_THAT(error_of(s, &slot), Catch::Contains("of_rd while some OFIFO column is empty"));
    CHECK(slot == 17);
    s.back() = Instr{};
    s.push_back(o);  // slot 18: legal
    CHECK(error_of(s).empty());
  }
  SECTION("two users of data_i") {
    Instr i = xmem_wr(0);
    i.w_load = true;
    CHECK_THAT(error_of({i}), Catch::Contains("share data_i"));
  }
  SECTION("addresses beyond the memories") {
    CHECK_THAT(error_of({xmem_wr(4096)}), Catch::Contains("xmem_wr_addr 4096 beyond XmemDepth 4096"));
    Instr o;
    o.out_rd = true;
    o.out_addr = 5000;
    CHECK_THAT(error_of({o}), Catch::Contains("out_addr 5000 beyond PmemDepth 4096"));
    Instr p;
    p.par_wr = true;
    p.par_col = 8;
    CHECK_THAT(error_of({p}), Catch::Contains("par_wr to column 8"));
  }
  SECTION("w_commit while the buffer still computes") {
    Instr x, c;
    x.xmem_rd = true;
    c.w_commit = true;
    // l0_rd in slot 2 with buffer 0; a commit to buffer 0 is legal from slot 2 + 14 = 16.
    std::vector<Instr> s = {x, Instr{}, l0};
    for (int i = 0; i < 12; ++i) s.push_back(Instr{});
    s.push_back(c);  // slot 15
    CHECK_THAT(error_of(s, &slot), Catch::Contains("w_commit to buffer 0 while the vector of l0_rd slot 2"));
    CHECK(slot == 15);
    s.back() = Instr{};
    s.push_back(c);  // slot 16: legal
    CHECK(error_of(s).empty());
  }
  SECTION("l0_rd in the slot that commits its buffer") {
    Instr x, lc;
    x.xmem_rd = true;
    lc.l0_rd = true;
    lc.w_commit = true;
    CHECK_THAT(error_of({x, Instr{}, lc}), Catch::Contains("in the slot of w_commit to buffer 0"));
    lc.w_buf = 1;
    CHECK(error_of({x, Instr{}, lc}).empty());
  }
  SECTION("the SIMD mode's fields: only on a core with it, l0_simd only weight-stationary") {
    Instr x, s = l0, h;
    x.xmem_rd = true;
    s.l0_simd = true;
    h.out_rd = true;
    h.out_half = true;
    CHECK_THAT(error_of({x, Instr{}, s}, &slot), Catch::Contains("slot 2: l0_simd on core 'int8', built without"));
    CHECK_THAT(error_of({h}), Catch::Contains("out_half on core 'int8', built without the SIMD mode"));
    CHECK(error_of({x, Instr{}, s}, nullptr, configs::int4).empty());
    CHECK(error_of({h}, nullptr, configs::int4).empty());
    Instr alone;
    alone.l0_simd = true;
    CHECK_THAT(error_of({alone}, nullptr, configs::int4), Catch::Contains("l0_simd without a weight-stationary l0_rd"));
    s.l0_os = true;
    CHECK_THAT(error_of({x, Instr{}, s}, nullptr, configs::int4),
               Catch::Contains("l0_simd without a weight-stationary l0_rd"));
  }
  SECTION("L0 overflow") {
    Instr x;
    x.xmem_rd = true;
    // L0Depth - (Rows - 1) = 57 vectors may wait; the 58th xmem_rd overflows.
    std::vector<Instr> s(58, x);
    CHECK_THAT(error_of(s, &slot), Catch::Contains("L0 overflow"));
    CHECK(slot == 57);
  }
}

TEST_CASE("isa: pack and unpack place every field as a bit-by-bit reference does", "[functional][isa][random]") {
  const unsigned seed = 284;
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<uint32_t> any;
  for (int n = 0; n < 2000; ++n) {
    Instr i;
    for (unsigned f = 0; f < kFields.size(); ++f) set_field(i, static_cast<Field>(f), any(rng));
    InstrWord want{};  // reference: every bit of every field set on its own, from the table
    for (unsigned f = 0; f < kFields.size(); ++f) {
      const uint32_t v = get_field(i, static_cast<Field>(f));
      for (unsigned b = 0; b < kFields[f].width; ++b)
        if ((v >> b) & 1u) want[(kFields[f].lsb + b) / 32] |= 1u << ((kFields[f].lsb + b) % 32);
    }
    REQUIRE(pack(i) == want);
    REQUIRE(unpack(want) == i);
  }
}

// ------------------------------------------------------------------------------------------------
// Output-stationary mode (docs/isa.md "Output-stationary mode")
// ------------------------------------------------------------------------------------------------

TEST_CASE("functional device: output-stationary and weight-stationary tiles mixed give the contract's rows",
          "[functional][os][random]") {
  for (const CoreConfig& cfg : kConfigs) {
    for (uint32_t seed = 1; seed <= 3; ++seed) {
      const test::MixedProgram m = test::mixed_program(cfg, seed * 7919u + unsigned(&cfg - kConfigs.data()));
      INFO(cfg.name << " seed " << seed << ": " << m.what);
      FunctionalDevice dev(cfg);
      Driver d(dev);
      for (size_t t = 0; t < m.prog.size(); ++t) {
        const DataSpan data = m.prog.data_at(t);
        const StepResult r = dev.step(m.prog.instrs[t], data);
        if (r.psum) {
          d.psums.emplace_back(r.psum, r.psum + cfg.cols);
          d.psum_slots.push_back(t);
        }
      }
      REQUIRE(d.psums.size() == m.psums.size());
      size_t bad = 0;
      for (size_t i = 0; i < m.psums.size(); ++i) bad += d.psums[i] != m.psums[i].v || d.psum_slots[i] != m.psums[i].slot;
      CHECK(bad == 0);
      CHECK(m.os_tiles > 0);
      const Counters c = dev.counters();
      CHECK(c[1] + c[2] + c[3] + c[4] + c[5] == c[0]);
      CHECK(c[static_cast<unsigned>(Counter::Drain)] > 0);
    }
  }
}

// One OS step of a = (1..8), w = (1, -1, 2, -2, ...) on int8: acc[r][c] = a[r] * w[c]; drained at
// the minimum distance (14 slots); the OFIFO rows come bottom array row first.
TEST_CASE("functional device: one output-stationary step drains bottom row first, counted as drain",
          "[functional][os]") {
  FunctionalDevice dev(configs::int8);
  Driver d(dev);
  std::vector<int64_t> a(8), w(8);
  for (int k = 0; k < 8; ++k) {
    a[size_t(k)] = k + 1;
    w[size_t(k)] = (k % 2 ? -1 : 1) * (k / 2 + 1);
  }
  Instr clr;
  clr.ctr_clr = true;
  d.step(clr);  // slot 0
  d.acts(a);
  d.step(xmem_wr(0), true);  // slot 1
  Instr ww;
  ww.wmem_wr = true;
  d.weights(w);
  d.step(ww, true);  // slot 2: wmem[0] (the weight row packs like a column, Cols = Rows here)
  Instr rd;
  rd.xmem_rd = rd.wmem_rd = true;
  d.step(rd);       // slot 3
  d.step(Instr{});  // slot 4
  Instr os;
  os.l0_rd = os.l0_os = true;
  d.step(os);                                  // slot 5
  for (int k = 0; k < 13; ++k) d.step(Instr{});  // slots 6..18
  Instr dr;
  dr.os_drain = true;
  d.step(dr);  // slot 19 = 5 + 14
  d.step(Instr{});
  Instr of;
  of.of_rd = true;
  for (uint16_t j = 0; j < 8; ++j) {  // slots 21..28 = 19 + 2 + j
    of.of_addr = j;
    d.step(of);
  }
  d.step(Instr{});  // slot 29: the last row shows
  REQUIRE(d.psums.size() == 8);
  for (size_t j = 0; j < 8; ++j) {
    CHECK(d.psum_slots[j] == 22 + j);
    for (size_t c = 0; c < 8; ++c) CHECK(d.psums[j][c] == a[7 - j] * w[c]);
  }
  // Counted through slot 28: compute 1 (slot 5), weight_load 1 (wmem_wr), host 1 (xmem_wr); drain:
  // slots 6..18 pending (13), the drain (1), slots 20..27 shifting out (8): 22; the rest stall.
  const Counters c = dev.counters();
  CHECK(c[static_cast<unsigned>(Counter::Total)] == 28);
  CHECK(c[static_cast<unsigned>(Counter::Compute)] == 1);
  CHECK(c[static_cast<unsigned>(Counter::WeightLoad)] == 1);
  CHECK(c[static_cast<unsigned>(Counter::HostTransfer)] == 1);
  CHECK(c[static_cast<unsigned>(Counter::Drain)] == 22);
  CHECK(c[static_cast<unsigned>(Counter::Stall)] == 3);  // slots 3 (the reads), 4 and 28
}

TEST_CASE("functional device: output-stationary legality errors name the slot and the rule", "[functional][os]") {
  uint64_t slot = 0;
  Instr rd, os, dr, ws;
  rd.xmem_rd = rd.wmem_rd = true;
  os.l0_rd = os.l0_os = true;
  dr.os_drain = true;
  ws.l0_rd = true;
  const auto idle = [](std::vector<Instr> s, int n) {
    for (int i = 0; i < n; ++i) s.push_back(Instr{});
    return s;
  };
  SECTION("l0_os without l0_rd") {
    Instr i;
    i.l0_os = true;
    CHECK_THAT(error_of({Instr{}, i}, &slot), Catch::Contains("slot 1: l0_os without l0_rd"));
  }
  SECTION("an OS l0_rd with N0 empty") {
    Instr x;
    x.xmem_rd = true;
    CHECK_THAT(error_of({x, Instr{}, os}), Catch::Contains("slot 2: output-stationary l0_rd with N0 empty"));
    CHECK_THAT(error_of({rd, os}), Catch::Contains("l0_rd with L0 empty"));
  }
  SECTION("os_drain before the last OS step has passed the array (Rows + Cols - 2)") {
    std::vector<Instr> s = idle({rd, Instr{}, os}, 12);  // l0_rd slot 2: drain legal from 16
    s.push_back(dr);                                       // slot 15
    CHECK_THAT(error_of(s, &slot), Catch::Contains("os_drain 13 slots after the output-stationary l0_rd of slot 2 "
                                                   "(allowed from slot 16)"));
    CHECK(slot == 15);
    s.back() = Instr{};
    s.push_back(dr);
    CHECK(error_of(s).empty());
  }
  SECTION("os_drain while a WS vector's psums are in the chain (Rows + Cols - 1)") {
    Instr x;
    x.xmem_rd = true;
    std::vector<Instr> s = idle({x, Instr{}, ws}, 13);  // drain legal from 2 + 15 = 17
    s.push_back(dr);                                      // slot 16
    CHECK_THAT(error_of(s, &slot), Catch::Contains("after the weight-stationary l0_rd of slot 2"));
    CHECK(slot == 16);
    s.back() = Instr{};
    s.push_back(dr);
    CHECK(error_of(s).empty());
  }
  SECTION("os_drain before the previous drain has shifted out (Rows)") {
    std::vector<Instr> s = idle({dr}, 7);
    s.push_back(dr);  // slot 8 is legal, 7 is not
    CHECK(error_of(s).empty());
    s.pop_back();
    s.back() = dr;
    CHECK_THAT(error_of(s, &slot), Catch::Contains("os_drain 7 slots after the os_drain of slot 0"));
  }
  SECTION("os_drain in the slot of an l0_rd") {
    Instr x = rd;
    Instr both = os;
    both.os_drain = true;
    CHECK_THAT(error_of({x, Instr{}, both}), Catch::Contains("os_drain in the slot of an l0_rd"));
  }
  SECTION("wmem addresses and data_i") {
    Instr w;
    w.wmem_wr = true;
    w.xmem_wr_addr = 4096;
    CHECK_THAT(error_of({w}), Catch::Contains("wmem_wr to xmem_wr_addr 4096 beyond wmem's depth 4096"));
    Instr r;
    r.wmem_rd = true;
    r.wmem_rd_addr = 4100;
    CHECK_THAT(error_of({r}), Catch::Contains("wmem_rd_addr 4100 beyond wmem's depth 4096"));
    Instr two = xmem_wr(0);
    two.wmem_wr = true;
    CHECK_THAT(error_of({two}), Catch::Contains("share data_i"));
  }
  SECTION("N0 overflow") {
    Instr r;
    r.wmem_rd = true;
    std::vector<Instr> s(58, r);  // L0Depth - (Cols - 1) = 57 rows may wait
    CHECK_THAT(error_of(s, &slot), Catch::Contains("N0 overflow"));
    CHECK(slot == 57);
  }
}

TEST_CASE("functional device: the side-by-side player reports a wrong expected row and a diverging device",
          "[functional][os]") {
  test::MixedProgram m = test::mixed_program(configs::int8, 5);
  FunctionalDevice a(configs::int8), b(configs::int8);
  REQUIRE(test::play_side_by_side(a, b, m) == "");
  test::MixedProgram bad = m;
  bad.psums[3].v[1] += 1;
  CHECK_THAT(test::play_side_by_side(a, b, bad), Catch::Contains("psum row differs from the contract's"));
  bad = m;
  bad.psums[2].slot += 1;
  CHECK_THAT(test::play_side_by_side(a, b, bad), Catch::Contains("psum row expected after slot"));
  FunctionalDevice other(configs::int4);  // same shape, other widths: the rows differ
  CHECK_THAT(test::play_side_by_side(a, other, m), Catch::Contains("rows differ"));
}
