// Fault injection (accel::sim::CoreSim::schedule_fault): one bit of a PE's psum register, of a
// PE's weight buffer, of an xmem word or of a pmem row flipped at a chosen cycle, and the
// scoreboard naming the layer, tile, column and slot where it surfaces. The expected place is
// derived here from the schedule's own metadata (passes, reads, instructions) and the array's
// timing as docs/isa.md "Timing" and the RTL state it, never from a run:
//
//  * play() resets the device (2 cycles) and steps one ctr_clr slot, so schedule slot t is
//    clocked in core cycle C(t) = base + 3 + t, base = cycle() before play().
//  * A fault "at cycle F" flips the bit after the clock edge of cycle F (accel/sim/fault.hpp):
//    the register then holds the flipped value during cycle F and the edge of F + 1 reads it.
//  * l0_rd in slot t is registered at the edge of C(t); row r's activation enters the array
//    during cycle C(t) + r (the L0 skew), moves east one PE per cycle, so PE (r, c) computes the
//    vector during cycle C(t) + r + c and latches its psum at the edge of C(t) + r + c + 1.
//    psum fault at F: it hits the vector with C(t) = F - r - c - 1, column c only.
//    weight fault at F: it hits every vector of buffer b with C(t) + r + c >= F until the next
//    w_commit of b (registered at C(k), written at the edge of C(k) + 1) replaces it.
//  * xmem_rd in slot k reads the word during cycle C(k); xmem_wr in slot j writes it at the edge
//    of C(j) + 1. out_rd in slot k reads its pmem row during cycle C(k); of_rd writes its row
//    within two cycles of C(j). Xmem and pmem faults are put a few cycles clear of these.
#include <accel/random_layer.hpp>
#include <accel/runtime.hpp>
#include <accel/scoreboard.hpp>
#include <accel/sim/rtl_device.hpp>
#include <accel/tiler.hpp>
#include <catch2/catch.hpp>

#include <golden/model.hpp>
#include <golden/tensor.hpp>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

using namespace accel;
using accel::sim::Fault;
using accel::sim::RtlDevice;

namespace {

const CoreConfig& kCfg = configs::int8;

// A linear layer with raw logits (no clamp can hide a changed sum) of 16 inputs and 12 outputs
// on batches of 6: two input-feature tiles x two output tiles, four passes of 6 vectors, every
// activation non-zero so a changed weight changes every product it enters.
struct Case {
  golden::Layer layer;
  std::vector<golden::Tensor> inputs;
  std::vector<int> ids{0, 1, 2, 3, 4, 5};
  Schedule s;
};

Case make_case() {
  std::mt19937 rng(77);
  Case c;
  c.layer = random_linear({16, 12, false, true}, golden::kInt8, rng);
  c.layer.name = "fcx";
  c.inputs = random_inputs(c.layer, 6, 8, rng);
  for (golden::Tensor& t : c.inputs)
    for (int64_t& v : t.data) v = v == 0 ? 1 : v;
  c.s = tile_layer(kCfg, c.layer, golden::kInt8, c.inputs, c.ids, 0, TilerOptions{});
  return c;
}

struct FaultRun {
  std::vector<Mismatch> psums, outputs;
  uint64_t mismatches = 0, applied = 0;
};

// Plays the case with `fault` at `cycle_of_slot` + offset on a fresh RTL device. `fault.cycle`
// is a function of base: the cycle of schedule slot 0 is base + 3.
template <class MakeFault>
FaultRun run_with_fault(const Case& c, MakeFault make_fault) {
  RtlDevice dev(kCfg);
  const uint64_t slot0 = dev.core().cycle() + 3;  // C(0)
  dev.core().schedule_fault(make_fault(slot0));
  GoldenLayerValues ev(c.layer, golden::kInt8, c.inputs, c.ids);
  Scoreboard sb(ev, ScoreboardOptions{10, 1000});
  play(c.s, dev, &sb);
  FaultRun r;
  r.mismatches = sb.mismatches();
  r.applied = dev.core().faults_applied();
  for (const Mismatch& m : sb.kept()) (m.kind == Mismatch::Kind::Psum ? r.psums : r.outputs).push_back(m);
  return r;
}

Fault pe_fault(Fault::Target t, unsigned r, unsigned c, unsigned bit, uint64_t cycle, unsigned buffer = 0) {
  Fault f;
  f.target = t;
  f.row = r;
  f.col = c;
  f.bit = bit;
  f.buffer = buffer;
  f.cycle = cycle;
  return f;
}

Fault mem_fault(Fault::Target t, unsigned address, unsigned bit, uint64_t cycle) {
  Fault f;
  f.target = t;
  f.address = address;
  f.bit = bit;
  f.cycle = cycle;
  return f;
}

}  // namespace

TEST_CASE("fault: the test layer is four passes of six vectors and passes without a fault", "[rtl][fault]") {
  const Case c = make_case();
  REQUIRE(c.s.passes.size() == 4);
  for (const Pass& p : c.s.passes) REQUIRE(p.count == 6);
  RtlDevice dev(kCfg);
  GoldenLayerValues ev(c.layer, golden::kInt8, c.inputs, c.ids);
  Scoreboard sb(ev);
  play(c.s, dev, &sb);
  CHECK(sb.mismatches() == 0);
  CHECK(dev.core().faults_applied() == 0);
}

TEST_CASE("fault: a psum bit of PE (r, c) is the psum of the vector in that PE, column c", "[rtl][fault]") {
  const Case c = make_case();
  const Pass& p = c.s.passes.at(1);
  const unsigned vec = 3, r = 5, col = 2, bit = 17;
  REQUIRE(int(col) < c.s.slices[p.slice].o1 - c.s.slices[p.slice].o0);
  const uint64_t t = p.first_l0rd + vec;
  const FaultRun run =
      run_with_fault(c, [&](uint64_t c0) { return pe_fault(Fault::Target::Psum, r, col, bit, c0 + t + r + col + 1); });
  CHECK(run.applied == 1);
  REQUIRE(run.psums.size() == 1);
  const Mismatch& m = run.psums.front();
  const Slice& sl = c.s.slices[p.slice];
  CHECK(m.layer == "fcx");
  CHECK(m.tile == c.s.describe(sl));
  CHECK(m.slice.red_tile == sl.red_tile);
  CHECK(m.slice.out_tile == sl.out_tile);
  CHECK(m.column == int(col));
  CHECK(m.channel == sl.o0 + int(col));
  CHECK(m.slot == p.of_rd_slot(vec));
  CHECK(m.image == c.ids[c.s.items[p.item0 + vec].image]);
  CHECK(m.device - m.expected == ((m.device >> bit) & 1 ? 1 : -1) * (int64_t{1} << bit));
  // The flipped partial sum is accumulated into pmem: that output, and only it, is wrong too.
  REQUIRE(run.outputs.size() == 1);
  CHECK(run.outputs.front().channel == sl.o0 + int(col));
  CHECK(run.outputs.front().image == m.image);
  CHECK(run.mismatches == 2);
}

TEST_CASE("fault: a psum bit flipped while no vector is in the PE is masked", "[rtl][fault]") {
  const Case c = make_case();
  // Before the first vector reaches PE (r, c) (C(t) + r + c + 1 for the first l0_rd): the psum
  // register is loaded every cycle and nothing valid reads the flipped value.
  const uint64_t first = c.s.passes.front().first_l0rd;
  const unsigned r = 3, col = 4;
  const FaultRun run =
      run_with_fault(c, [&](uint64_t c0) { return pe_fault(Fault::Target::Psum, r, col, 30, c0 + first + r + col); });
  CHECK(run.applied == 1);
  CHECK(run.mismatches == 0);
}

TEST_CASE("fault: a weight bit corrupts column c of every later vector of that tile", "[rtl][fault]") {
  const Case c = make_case();
  const Pass& p = c.s.passes.at(2);
  const Slice& sl = c.s.slices[p.slice];
  const unsigned v0 = 2, r = 6, col = 1, bit = 4;
  REQUIRE(int(r) < sl.r1 - sl.r0);
  REQUIRE(int(col) < sl.o1 - sl.o0);
  const FaultRun run = run_with_fault(c, [&](uint64_t c0) {
    return pe_fault(Fault::Target::Weight, r, col, bit, c0 + p.first_l0rd + v0 + r + col, p.wbuf);
  });
  CHECK(run.applied == 1);
  REQUIRE(run.psums.size() == p.count - v0);
  for (unsigned i = 0; i < run.psums.size(); ++i) {
    const Mismatch& m = run.psums[i];
    CHECK(m.layer == "fcx");
    CHECK(m.tile == c.s.describe(sl));
    CHECK(m.column == int(col));
    CHECK(m.slot == p.of_rd_slot(v0 + i));
    CHECK(m.image == c.ids[c.s.items[p.item0 + v0 + i].image]);
  }
}

TEST_CASE("fault: a weight bit flipped in a buffer about to be committed is masked", "[rtl][fault]") {
  const Case c = make_case();
  // Pass 2 commits into the buffer pass 0 used; PE (0, 0) saw pass 0's last vector long before
  // (the commit waits Rows + Cols - 2 slots), and the commit overwrites the flip at C(k) + 1.
  const Pass& p = c.s.passes.at(2);
  REQUIRE(c.s.passes.at(0).wbuf == p.wbuf);
  const FaultRun run = run_with_fault(
      c, [&](uint64_t c0) { return pe_fault(Fault::Target::Weight, 0, 0, 7, c0 + p.commit - 1, p.wbuf); });
  CHECK(run.applied == 1);
  CHECK(run.mismatches == 0);
}

TEST_CASE("fault: an xmem bit corrupts every later read of that word, in the columns its row feeds", "[rtl][fault]") {
  const Case c = make_case();
  const auto& in = c.s.instrs;
  // The last read of a word written at least three slots before it: the flip goes in between.
  uint64_t k = 0, addr = 0;
  for (uint64_t t = 0; t < in.size(); ++t) {
    if (!in[t].xmem_rd) continue;
    uint64_t j = t;
    while (j > 0 && !(in[j - 1].xmem_wr && in[j - 1].xmem_wr_addr == in[t].xmem_rd_addr)) --j;
    if (j >= 1 && t - (j - 1) >= 3) k = t, addr = in[t].xmem_rd_addr;
  }
  REQUIRE(k > 0);
  const unsigned row = 3, bit = row * kCfg.act_bits + 5;
  // Flip during cycle C(k) - 1: the reads from slot k - 1 on see it, until a write to the word.
  std::set<std::pair<uint64_t, int>> expected;  // (of_rd slot, column)
  for (uint64_t t = k - 1; t < in.size(); ++t) {
    if (in[t].xmem_rd && in[t].xmem_rd_addr == addr)
      for (const Pass& p : c.s.passes)
        if (t + 2 >= p.first_l0rd && t + 2 < p.first_l0rd + p.count) {
          const uint32_t i = uint32_t(t + 2 - p.first_l0rd);
          const Slice& sl = c.s.slices[p.slice];
          for (int col = 0; col < sl.o1 - sl.o0; ++col)
            if (c.layer.weight[size_t((sl.o0 + col) * 16 + sl.r0 + int(row))] != 0)
              expected.insert({p.of_rd_slot(i), col});
        }
    if (in[t].xmem_wr && in[t].xmem_wr_addr == addr) break;
  }
  REQUIRE(!expected.empty());
  const FaultRun run =
      run_with_fault(c, [&](uint64_t c0) { return mem_fault(Fault::Target::Xmem, unsigned(addr), bit, c0 + k - 1); });
  CHECK(run.applied == 1);
  std::set<std::pair<uint64_t, int>> got;
  for (const Mismatch& m : run.psums) {
    CHECK(m.layer == "fcx");
    got.insert({m.slot, m.column});
  }
  CHECK(got == expected);
}

TEST_CASE("fault: a pmem bit corrupts the one output accumulated in that row, in its column", "[rtl][fault]") {
  const Case c = make_case();
  const auto& in = c.s.instrs;
  const auto of_rd_before = [&](uint64_t t, uint32_t row) {  // the last of_rd into `row` before slot t
    while (t > 0 && !(in[t - 1].of_rd && in[t - 1].of_addr == row)) --t;
    return t - 1;  // -1 (wrapped) if none
  };
  // A row that input-feature tile 1 accumulates onto (of_acc) what tile 0 wrote: between the write
  // of of_rd j1 (edge C(j1) + 2, sfp.sv stage 2) and the read of of_rd j2 (cycle C(j2)) the row
  // holds a live partial sum that only pmem has. (Its out_rd follows j2 by one slot and takes the
  // forwarded sum, not pmem's, so the flip must go before j2.)
  const OutRead* rd = nullptr;
  uint64_t j1 = 0, j2 = 0;
  for (const OutRead& o : c.s.reads) {
    j2 = of_rd_before(o.slot, o.pmem_row);
    j1 = j2 < in.size() ? of_rd_before(j2, o.pmem_row) : ~uint64_t{0};
    if (j1 < in.size() && in[j2].of_acc && !in[j1].of_acc && j2 - j1 >= 4 && o.o1 - o.o0 > 1) {
      rd = &o;
      break;
    }
  }
  REQUIRE(rd);
  const unsigned col = 1, bit = col * kCfg.psum_bits + 9;
  const FaultRun run =
      run_with_fault(c, [&](uint64_t c0) { return mem_fault(Fault::Target::Pmem, rd->pmem_row, bit, c0 + j2 - 2); });
  CHECK(run.applied == 1);
  CHECK(run.psums.empty());  // psum rows are checked as they leave the OFIFO, before pmem
  REQUIRE(run.outputs.size() == 1);
  const Mismatch& m = run.outputs.front();
  CHECK(m.layer == "fcx");
  CHECK(m.slot == rd->slot);
  CHECK(m.column == int(col));
  CHECK(m.channel == rd->o0 + int(col));
  CHECK(m.slice.out_tile == rd->out_tile);
  CHECK(m.image == c.ids[c.s.items[rd->item].image]);
  CHECK(std::abs(m.device - m.expected) == int64_t{1} << 9);
  CHECK(run.mismatches == 1);
}

TEST_CASE("fault: coordinates out of range and past cycles are refused by name", "[rtl][fault][bad_input]") {
  RtlDevice dev(kCfg);
  sim::CoreSim& core = dev.core();
  const uint64_t now = core.cycle() + 10;
  using T = Fault::Target;
  const auto refused = [&](const Fault& f, const std::string& what) {
    INFO(sim::describe(f));
    CHECK_THROWS_WITH(core.schedule_fault(f), Catch::Contains(what));
    CHECK_FALSE(core.fault_pending());
  };
  refused(pe_fault(T::Psum, 8, 0, 0, now), "fault row 8 out of range 0..7");
  refused(pe_fault(T::Psum, 0, 8, 0, now), "fault column 8 out of range 0..7");
  refused(pe_fault(T::Psum, 0, 0, 32, now), "fault bit 32 out of range 0..31");
  refused(pe_fault(T::Weight, 0, 0, 8, now), "fault bit 8 out of range 0..7");
  refused(pe_fault(T::Weight, 0, 0, 0, now, 2), "fault buffer 2 out of range 0..1");
  refused(mem_fault(T::Xmem, 4096, 0, now), "fault xmem address 4096 out of range 0..4095");
  refused(mem_fault(T::Xmem, 0, 64, now), "fault bit 64 out of range 0..63");
  refused(mem_fault(T::Pmem, 0, 256, now), "fault bit 256 out of range 0..255");
  refused(pe_fault(T::Psum, 0, 0, 0, 1), "fault at cycle 1: the core has already simulated cycles");
  core.schedule_fault(mem_fault(T::Pmem, 4095, 255, now));
  CHECK(core.fault_pending());
  core.cancel_fault();
  CHECK_FALSE(core.fault_pending());
}
