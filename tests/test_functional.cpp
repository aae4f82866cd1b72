// The functional device: docs/isa.md's worked example with hand-computed psums, outputs and
// counters; the SFP read-out rules; every legality rule raising an error that names the slot;
// pack/unpack against a bit-by-bit reference built from the field table.
#include <fmt/format.h>

#include <accel/device.hpp>
#include <accel/functional_device.hpp>
#include <accel/isa.hpp>
#include <catch2/catch.hpp>
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
  d.step(Instr{});
  d.step(Instr{});
  REQUIRE(d.psums.size() == 1);
  CHECK(d.psums[0] == std::vector<int64_t>{3, -3, 5, -128, 127, 1});
  REQUIRE(d.outs.size() == 3);
  CHECK(d.outs[0] == std::vector<int64_t>{2, 0, 0, 255, 125, 5});
  CHECK(d.outs[1] == std::vector<int64_t>{3, -3, -5, 872, 125, 1});
  CHECK(d.outs[2] == std::vector<int64_t>{3, 0, 0, 872, 125, 1});
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
std::string error_of(const std::vector<Instr>& slots, uint64_t* slot = nullptr) {
  FunctionalDevice dev(configs::int8);
  std::vector<uint32_t> word(data_words(configs::int8), 0u);
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
    p.par_col = 0;
    p.par_sel = static_cast<SfpParam>(3);
    CHECK_THAT(error_of({p}), Catch::Contains("illegal par_sel 3"));
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
