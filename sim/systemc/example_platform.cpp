// docs/systemc.md's minimal platform: a clock, the int8 core as a TLM-2.0 target, and a CPU-like
// initiator that runs docs/isa.md's worked example (one tile, four vectors) through the register
// map and checks the psum and out rows. Exit code 0 = every value as computed by hand.
#include <accel/systemc/core_target.hpp>

#include <fmt/format.h>
#include <tlm_utils/simple_initiator_socket.h>

using namespace sc_core;
namespace reg = accel::systemc::reg;

struct Cpu : sc_module {
  tlm_utils::simple_initiator_socket<Cpu> socket{"socket"};
  int errors = 0;
  sc_time local = SC_ZERO_TIME;  // loosely timed: register accesses annotate, INSTR synchronises

  SC_HAS_PROCESS(Cpu);
  explicit Cpu(const sc_module_name& n) : sc_module(n) { SC_THREAD(run); }

  void access(tlm::tlm_command cmd, uint64_t addr, void* p, unsigned len) {
    tlm::tlm_generic_payload t;
    t.set_command(cmd);
    t.set_address(addr);
    t.set_data_ptr(static_cast<unsigned char*>(p));
    t.set_data_length(len);
    t.set_streaming_width(len);
    t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    local += sc_time(1, SC_NS);  // bus latency of this platform
    socket->b_transport(t, local);
    if (t.is_response_error()) SC_REPORT_ERROR("cpu", t.get_response_string().c_str());
  }
  // One slot: data word (if any), then the instruction; returns STATUS.
  uint32_t slot(const accel::Instr& in, const uint32_t* data = nullptr) {
    if (data) access(tlm::TLM_WRITE_COMMAND, reg::kData, const_cast<uint32_t*>(data), 8);
    accel::InstrWord w = accel::pack(in);
    access(tlm::TLM_WRITE_COMMAND, reg::kInstr, w.data(), sizeof w);
    uint32_t st = 0;
    access(tlm::TLM_READ_COMMAND, reg::kStatus, &st, 4);
    return st;
  }

  void run() {
    uint32_t one = reg::kControlReset;
    access(tlm::TLM_WRITE_COMMAND, reg::kControl, &one, 4);
    int psum_k = 0, out_k = 0;
    for (unsigned s = 0; s < 44; ++s) {
      accel::Instr i;
      uint32_t d[2] = {0, 0};
      bool data = false;
      if (s < 4) {  // a_k[r] = k + r
        i.xmem_wr = true;
        i.xmem_wr_addr = uint16_t(s);
        for (unsigned r = 0; r < 8; ++r) d[r / 4] |= (s + r) << (8 * (r % 4));
        data = true;
      } else if (s < 12) {  // identity weights, column 7 first
        i.w_load = true;
        const unsigned c = 7 - (s - 4);
        d[c / 4] = 1u << (8 * (c % 4));
        data = true;
      }
      if (s == 12) i.w_commit = true;
      if (s >= 12 && s <= 15) {
        i.xmem_rd = true;
        i.xmem_rd_addr = uint16_t(s - 12);
      }
      if (s >= 14 && s <= 17) i.l0_rd = true;
      if (s >= 14 && s <= 37) {  // bias c, M = 2^30, S = 30: q = acc + c
        const unsigned code = s - 14, c = code % 8, sel = code / 8;
        i.par_wr = true;
        i.par_col = uint8_t(c);
        i.par_sel = static_cast<accel::SfpParam>(sel);
        d[0] = sel == 0 ? c : sel == 1 ? 1u << 30 : 30u;
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
      const uint32_t st = slot(i, data ? d : nullptr);
      int64_t row[8];
      if (st & accel::systemc::kStatusPsumValid) {  // psum row k, column c = k + c
        access(tlm::TLM_READ_COMMAND, reg::kPsum, row, sizeof row);
        for (int c = 0; c < 8; ++c) errors += row[c] != psum_k + c;
        fmt::print("{:>6} ns  psum row {}: {}\n", sc_time_stamp().value() / 1000, psum_k++, fmt::join(row, " "));
      }
      if (st & accel::systemc::kStatusOutValid) {  // out row k, column c = k + 2c
        access(tlm::TLM_READ_COMMAND, reg::kOut, row, sizeof row);
        for (int c = 0; c < 8; ++c) errors += row[c] != out_k + 2 * c;
        fmt::print("{:>6} ns  out row  {}: {}\n", sc_time_stamp().value() / 1000, out_k++, fmt::join(row, " "));
      }
    }
    uint64_t ctr[5];
    access(tlm::TLM_READ_COMMAND, reg::kCounters, ctr, sizeof ctr);
    fmt::print("counters: total {} compute {} weight_load {} host_transfer {} stall {}\n", ctr[0], ctr[1], ctr[2],
               ctr[3], ctr[4]);
    errors += psum_k != 4 || out_k != 4;
    sc_stop();
  }
};

int sc_main(int, char*[]) {
  sc_clock clk("clk", sc_time(10, SC_NS));
  auto core = accel::systemc::make_core_target("core", accel::configs::int8);
  Cpu cpu("cpu");
  core->clk(clk);
  cpu.socket.bind(core->socket);
  sc_start();
  fmt::print("{}\n", cpu.errors == 0 ? "PASS" : fmt::format("FAIL: {} wrong values", cpu.errors));
  return cpu.errors == 0 ? 0 : 1;
}
