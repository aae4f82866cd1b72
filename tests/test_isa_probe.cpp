// The C++ instruction packer (sw/include/accel/isa.hpp) against the SystemVerilog package,
// through rtl/tb/instr_probe.sv, and the C++ configurations against rtl/configs.txt.
#include <accel/isa.hpp>
#include <accel/sim/port_bits.hpp>

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

// Every field output of the probe, in accel::Field order.
std::array<uint32_t, 20> probe_fields(const Vinstr_probe& m) {
  return {m.xmem_wr_o, m.xmem_wr_addr_o, m.xmem_rd_o,  m.xmem_rd_addr_o, m.w_load_o,
          m.w_commit_o, m.w_buf_o,      m.l0_rd_o,    m.l0_wsel_o,      m.of_rd_o,
          m.of_acc_o,  m.of_addr_o,     m.out_rd_o,   m.out_raw_o,      m.out_relu_o,
          m.out_addr_o, m.par_wr_o,     m.par_sel_o,  m.par_col_o,      m.ctr_clr_o};
}

struct Probe {
  std::unique_ptr<VerilatedContext> ctx = std::make_unique<VerilatedContext>();
  std::unique_ptr<Vinstr_probe> m = std::make_unique<Vinstr_probe>(ctx.get(), "probe");
  ~Probe() {
    Verilated::threadContextp(ctx.get());  // teardown uses the thread's current context
    m->final();
    m.reset();
  }
  std::array<uint32_t, 20> eval(const Instr& i) {
    Verilated::threadContextp(ctx.get());
    const accel::InstrWord w = accel::pack(i);
    for (unsigned k = 0; k < accel::kInstrWords; ++k) m->instr_i[k] = w[k];
    m->eval();
    return probe_fields(*m);
  }
};

}  // namespace

TEST_CASE("isa: instruction word width matches the package", "[rtl][isa]") {
  Probe p;
  p.eval(Instr{});
  CHECK(p.m->instr_bits_o == accel::kInstrBits);
  unsigned end = 0;
  for (const auto& f : accel::kFields) end = std::max(end, f.lsb + f.width);
  CHECK(end == accel::kInstrBits);
}

TEST_CASE("isa: each field lands in its own SystemVerilog field with its width", "[rtl][isa]") {
  Probe p;
  const auto zero = p.eval(Instr{});
  for (uint32_t v : zero) REQUIRE(v == 0);
  for (unsigned f = 0; f < accel::kFields.size(); ++f) {
    const auto& info = accel::kFields[f];
    INFO("field " << info.name);
    const uint32_t all_ones = (info.width >= 32) ? 0xffffffffu : ((1u << info.width) - 1u);
    // All ones (checks the width: a narrower SV field would truncate, a wider one would show
    // a neighbour's bit), the lowest bit and the highest bit alone.
    for (uint32_t v : {all_ones, 1u, 1u << (info.width - 1)}) {
      Instr i;
      accel::set_field(i, static_cast<Field>(f), v);
      const auto got = p.eval(i);
      for (unsigned g = 0; g < got.size(); ++g) {
        INFO("value " << v << ", probe output of field " << accel::kFields[g].name);
        CHECK(got[g] == (g == f ? v : 0u));
      }
    }
  }
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
