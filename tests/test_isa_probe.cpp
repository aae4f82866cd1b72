// The C++ instruction packer (sw/include/accel/isa.hpp) against the SystemVerilog package,
// and its latencies, through rtl/tb/instr_probe.sv.
#include <accel/isa.hpp>
#include <accel/sim/coverage.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "Vinstr_probe.h"

namespace {

using accel::Field;
using accel::Instr;

constexpr std::size_t kN = accel::kFields.size();

// Every field output of the probe, in accel::Field order; generated from the same table, so a
// field the package does not have (or names differently) does not compile.
std::array<uint32_t, kN> probe_fields(const Vinstr_probe& m) {
  return {
#define ACCEL_INSTR_FIELD(name, type, width, doc) uint32_t(m.name##_o),
#include <accel/isa_fields.def>
#undef ACCEL_INSTR_FIELD
  };
}

struct Probe {
  std::unique_ptr<VerilatedContext> ctx = std::make_unique<VerilatedContext>();
  std::unique_ptr<Vinstr_probe> m = std::make_unique<Vinstr_probe>(ctx.get(), "probe");
  ~Probe() {
    Verilated::threadContextp(ctx.get());  // teardown uses the thread's current context
    m->final();
    accel::sim::write_coverage(*ctx, "probe");  // the coverage build only
    m.reset();
  }
  // The probe's field outputs for the word `w`.
  std::array<uint32_t, kN> eval(const accel::InstrWord& w) {
    Verilated::threadContextp(ctx.get());
    for (unsigned k = 0; k < accel::kInstrWords; ++k) m->instr_i[k] = w[k];
    m->eval();
    return probe_fields(*m);
  }
};

// Compares a field table with the package through the probe: for each field, all ones, its lowest
// and its highest bit alone are placed by `table` (lsb, width) into an otherwise zero word; the
// probe must show exactly that value in that field and zero in every other. One line per
// disagreement, naming the field.
std::vector<std::string> compare_with_package(Probe& p, const std::array<accel::FieldInfo, kN>& table) {
  std::vector<std::string> bad;
  for (unsigned f = 0; f < kN; ++f) {
    const auto& info = table[f];
    const uint32_t all_ones = uint32_t(accel::low_mask(info.width));
    for (uint32_t v : {all_ones, 1u, 1u << (info.width - 1)}) {
      accel::InstrWord w{};
      accel::put_bits(w, info.lsb, info.width, v);
      const auto got = p.eval(w);
      for (unsigned g = 0; g < kN; ++g)
        if (got[g] != (g == f ? v : 0u))
          bad.push_back(fmt::format("field {} (lsb {}, width {}) = {:#x}: the package's {} reads {:#x}", info.name,
                                    info.lsb, info.width, v, table[g].name, got[g]));
    }
  }
  return bad;
}

}  // namespace

TEST_CASE("isa: instruction word width matches the package", "[rtl][isa]") {
  Probe p;
  p.eval(accel::InstrWord{});
  CHECK(p.m->instr_bits_o == accel::kInstrBits);
  unsigned end = 0;
  for (const auto& f : accel::kFields) end = std::max(end, f.lsb + f.width);
  CHECK(end == accel::kInstrBits);
}

TEST_CASE("isa: each field of the C++ table is the package's field of that name, position and width", "[rtl][isa]") {
  Probe p;
  for (uint32_t v : p.eval(accel::InstrWord{})) REQUIRE(v == 0);
  const auto bad = compare_with_package(p, accel::kFields);
  for (const auto& b : bad) INFO(b);
  CHECK(bad.empty());
  // And through pack(): every field set alone lands in its own field.
  for (unsigned f = 0; f < kN; ++f) {
    Instr i;
    accel::set_field(i, static_cast<Field>(f), 1u);
    const auto got = p.eval(accel::pack(i));
    for (unsigned g = 0; g < kN; ++g) CHECK(got[g] == (g == f ? 1u : 0u));
  }
}

TEST_CASE("isa: the comparison reports a drifted field by name", "[rtl][isa][bad_input]") {
  Probe p;
  auto wide = accel::kFields;  // of_addr one bit wider than the package's: its top bit is out_rd
  wide[static_cast<unsigned>(Field::of_addr)].width = 17;
  auto bad = compare_with_package(p, wide);
  REQUIRE(!bad.empty());
  CHECK(bad[0] == "field of_addr (lsb 41, width 17) = 0x1ffff: the package's of_addr reads 0xffff");
  auto shifted = accel::kFields;  // par_col one bit up: lands on par_col's bit 1 and ctr_clr
  shifted[static_cast<unsigned>(Field::par_col)].lsb += 1;
  bad = compare_with_package(p, shifted);
  REQUIRE(!bad.empty());
  CHECK(bad[0] == "field par_col (lsb 80, width 8) = 0xff: the package's par_col reads 0xfe");
}

TEST_CASE("isa: the C++ latencies are the package's", "[rtl][isa]") {
  Probe p;
  p.eval(accel::InstrWord{});
  const auto& m = *p.m;
  CHECK(m.lat_xmem_wr_to_xmem_rd_o == accel::lat::kXmemWrToXmemRd);
  CHECK(m.lat_xmem_rd_to_l0_rd_o == accel::lat::kXmemRdToL0Rd);
  CHECK(m.lat_load_to_commit_o == accel::lat::kLoadToCommit);
  CHECK(m.lat_commit_to_l0_rd_o == accel::lat::kCommitToL0Rd);
  CHECK(m.lat_of_rd_to_psum_out_o == accel::lat::kOfRdToPsumOut);
  CHECK(m.lat_of_rd_to_out_rd_o == accel::lat::kOfRdToOutRd);
  CHECK(m.lat_par_wr_to_out_rd_o == accel::lat::kParWrToOutRd);
  CHECK(m.lat_out_rd_to_out_o == accel::lat::kOutRdToOut);
  accel::CoreConfig probe_shape = accel::configs::int8;  // the probe's ProbeRows x ProbeCols
  probe_shape.rows = 3;
  probe_shape.cols = 5;
  CHECK(m.lat_l0rd_to_ofrd_o == accel::lat::l0rd_to_ofrd(probe_shape));
  CHECK(m.lat_l0rd_to_commit_o == accel::lat::l0rd_to_commit(probe_shape));
  CHECK(m.lat_wmem_wr_to_wmem_rd_o == accel::lat::kWmemWrToWmemRd);
  CHECK(m.lat_wmem_rd_to_l0_rd_o == accel::lat::kWmemRdToL0Rd);
  CHECK(m.lat_drain_to_l0_rd_o == accel::lat::kDrainToL0Rd);
  CHECK(m.lat_drain_to_of_rd_o == accel::lat::kDrainToOfRd);
  CHECK(m.lat_os_l0rd_to_drain_o == accel::lat::os_l0rd_to_drain(probe_shape));
  CHECK(m.lat_ws_l0rd_to_drain_o == accel::lat::ws_l0rd_to_drain(probe_shape));
  CHECK(m.lat_drain_to_drain_o == accel::lat::drain_to_drain(probe_shape));
  // data_i's width at 8/8 bits: 3 x 5 is wider than tall, so it is Cols * WeightBits = 40.
  CHECK(m.data_bits_o == probe_shape.data_bits());
}

TEST_CASE("isa: pack and unpack are inverse", "[rtl][isa]") {
  Instr i;
  i.xmem_wr = true;
  i.xmem_wr_addr = 0xbeef;
  i.l0_rd = true;
  i.l0_wsel = 1;
  i.of_addr = 0x1234;
  i.par_sel = accel::SfpParam::Shift;
  i.par_col = 0xa5;
  i.ctr_clr = true;
  CHECK(accel::unpack(accel::pack(i)) == i);
  CHECK(accel::pack(Instr{}) == accel::InstrWord{});
}
