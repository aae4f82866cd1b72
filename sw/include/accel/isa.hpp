// C++ mirror of rtl/accel_pkg.sv: core configurations, the instruction word, counter ids and the
// latencies the host schedules by. Specified in docs/isa.md. Header-only, no dependencies.
//
// The bit layout of Instr is checked against the SystemVerilog package by
// tests/test_isa_probe.cpp (through rtl/instr_probe.sv); change both together.
#pragma once

#include <accel/config.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace accel {

inline constexpr unsigned kOutLaneBits = 64;  // one out_o lane
inline constexpr unsigned kParBits = 32;      // SFP parameter word


// ------------------------------------------------------------------------------------------------
// Enumerations
// ------------------------------------------------------------------------------------------------
enum class SfpParam : uint8_t { Bias = 0, Mult = 1, Shift = 2 };

enum class Counter : unsigned {
  Total = 0,         // every cycle since reset or the last ctr_clr
  Compute = 1,       // an activation vector enters the array (l0_rd)
  WeightLoad = 2,    // else w_load or w_commit
  HostTransfer = 3,  // else xmem_wr or par_wr
  Stall = 4,         // else: fill, drain, read-out only, idle
};
inline constexpr unsigned kNumCounters = 5;
inline constexpr std::array<std::string_view, kNumCounters> kCounterNames{
    "total", "compute", "weight_load", "host_transfer", "stall"};

// FIFO status (core status_o, accel_pkg::status_t), bits LSB first. Shows the state left by the
// slots before the current one; for checks and debugging, the schedule comes from the latencies.
struct Status {
  bool l0_empty = false;  // L0 row 0 empty: l0_rd illegal
  bool l0_idle = false;   // every L0 row FIFO empty
  bool l0_full = false;   // some L0 row FIFO full
  bool of_valid = false;  // every OFIFO column holds a psum: of_rd legal
  bool of_full = false;   // some OFIFO column full
  static Status from_bits(uint32_t b) {
    return Status{bool(b & 1u), bool(b & 2u), bool(b & 4u), bool(b & 8u), bool(b & 16u)};
  }
};

// ------------------------------------------------------------------------------------------------
// Instruction word
// ------------------------------------------------------------------------------------------------
// One instruction per clock. Every field defaults to 0; Instr{} is a no-op.
struct Instr {
  bool xmem_wr = false;        // write data_i (activation vector) to xmem[xmem_wr_addr]
  uint16_t xmem_wr_addr = 0;   //
  bool xmem_rd = false;        // read xmem[xmem_rd_addr] and push it into L0
  uint16_t xmem_rd_addr = 0;   //
  bool w_load = false;         // shift data_i (weight column) into the load chain
  bool w_commit = false;       // copy the load chain into weight buffer w_buf
  uint8_t w_buf = 0;           // 0 or 1
  bool l0_rd = false;          // pop one vector from L0 into the array
  uint8_t l0_wsel = 0;         // weight buffer the popped vector uses (0 or 1)
  bool of_rd = false;          // pop one psum row from the OFIFO into the SFP
  bool of_acc = false;         // true: pmem[of_addr] += row; false: pmem[of_addr] = row
  uint16_t of_addr = 0;        //
  bool out_rd = false;         // SFP read-out of pmem[out_addr]
  bool out_raw = false;        // raw acc+bias (64-bit) instead of requantized
  bool out_relu = false;       // ReLU after bias
  uint16_t out_addr = 0;       //
  bool par_wr = false;         // write data_i[31:0] to parameter par_sel of column par_col
  SfpParam par_sel = SfpParam::Bias;
  uint8_t par_col = 0;         //
  bool ctr_clr = false;        // clear the performance counters

  bool operator==(const Instr&) const = default;
};

// Field ids, in bit order (LSB first), with their positions in the packed word.
enum class Field : unsigned {
  XmemWr, XmemWrAddr, XmemRd, XmemRdAddr, WLoad, WCommit, WBuf, L0Rd, L0Wsel, OfRd, OfAcc,
  OfAddr, OutRd, OutRaw, OutRelu, OutAddr, ParWr, ParSel, ParCol, CtrClr
};
struct FieldInfo {
  std::string_view name;  // as in accel_pkg::instr_t
  unsigned lsb;
  unsigned width;
};
inline constexpr std::array<FieldInfo, 20> kFields{{
    {"xmem_wr", 0, 1},   {"xmem_wr_addr", 1, 16}, {"xmem_rd", 17, 1}, {"xmem_rd_addr", 18, 16},
    {"w_load", 34, 1},   {"w_commit", 35, 1},     {"w_buf", 36, 1},   {"l0_rd", 37, 1},
    {"l0_wsel", 38, 1},  {"of_rd", 39, 1},        {"of_acc", 40, 1},  {"of_addr", 41, 16},
    {"out_rd", 57, 1},   {"out_raw", 58, 1},      {"out_relu", 59, 1}, {"out_addr", 60, 16},
    {"par_wr", 76, 1},   {"par_sel", 77, 2},      {"par_col", 79, 8}, {"ctr_clr", 87, 1},
}};
inline constexpr unsigned kInstrBits = 88;
inline constexpr unsigned kInstrWords = (kInstrBits + 31) / 32;
inline constexpr const FieldInfo& field_info(Field f) { return kFields[static_cast<unsigned>(f)]; }

// The instruction in Verilator's port representation: 32-bit words, word 0 = bits 31:0.
using InstrWord = std::array<uint32_t, kInstrWords>;

inline uint32_t get_field(const Instr& i, Field f) {
  switch (f) {
    case Field::XmemWr: return i.xmem_wr;
    case Field::XmemWrAddr: return i.xmem_wr_addr;
    case Field::XmemRd: return i.xmem_rd;
    case Field::XmemRdAddr: return i.xmem_rd_addr;
    case Field::WLoad: return i.w_load;
    case Field::WCommit: return i.w_commit;
    case Field::WBuf: return i.w_buf;
    case Field::L0Rd: return i.l0_rd;
    case Field::L0Wsel: return i.l0_wsel;
    case Field::OfRd: return i.of_rd;
    case Field::OfAcc: return i.of_acc;
    case Field::OfAddr: return i.of_addr;
    case Field::OutRd: return i.out_rd;
    case Field::OutRaw: return i.out_raw;
    case Field::OutRelu: return i.out_relu;
    case Field::OutAddr: return i.out_addr;
    case Field::ParWr: return i.par_wr;
    case Field::ParSel: return static_cast<uint32_t>(i.par_sel);
    case Field::ParCol: return i.par_col;
    case Field::CtrClr: return i.ctr_clr;
  }
  return 0;
}

// Sets field f to v, truncated to the field's width.
inline void set_field(Instr& i, Field f, uint32_t v) {
  const unsigned w = field_info(f).width;
  v &= (w >= 32) ? 0xffffffffu : ((1u << w) - 1u);
  switch (f) {
    case Field::XmemWr: i.xmem_wr = v; break;
    case Field::XmemWrAddr: i.xmem_wr_addr = static_cast<uint16_t>(v); break;
    case Field::XmemRd: i.xmem_rd = v; break;
    case Field::XmemRdAddr: i.xmem_rd_addr = static_cast<uint16_t>(v); break;
    case Field::WLoad: i.w_load = v; break;
    case Field::WCommit: i.w_commit = v; break;
    case Field::WBuf: i.w_buf = static_cast<uint8_t>(v); break;
    case Field::L0Rd: i.l0_rd = v; break;
    case Field::L0Wsel: i.l0_wsel = static_cast<uint8_t>(v); break;
    case Field::OfRd: i.of_rd = v; break;
    case Field::OfAcc: i.of_acc = v; break;
    case Field::OfAddr: i.of_addr = static_cast<uint16_t>(v); break;
    case Field::OutRd: i.out_rd = v; break;
    case Field::OutRaw: i.out_raw = v; break;
    case Field::OutRelu: i.out_relu = v; break;
    case Field::OutAddr: i.out_addr = static_cast<uint16_t>(v); break;
    case Field::ParWr: i.par_wr = v; break;
    case Field::ParSel: i.par_sel = static_cast<SfpParam>(v); break;
    case Field::ParCol: i.par_col = static_cast<uint8_t>(v); break;
    case Field::CtrClr: i.ctr_clr = v; break;
  }
}

inline InstrWord pack(const Instr& i) {
  // Fields are at most 16 bits wide: OR each into a 128-bit image, then split into words.
  uint64_t lo = 0, hi = 0;
  for (unsigned f = 0; f < kFields.size(); ++f) {
    const FieldInfo& fi = kFields[f];
    const uint64_t v = get_field(i, static_cast<Field>(f)) & ((uint64_t{1} << fi.width) - 1);
    if (fi.lsb >= 64) {
      hi |= v << (fi.lsb - 64);
    } else {
      lo |= v << fi.lsb;
      if (fi.lsb + fi.width > 64) hi |= v >> (64 - fi.lsb);
    }
  }
  InstrWord w{};
  w[0] = static_cast<uint32_t>(lo);
  w[1] = static_cast<uint32_t>(lo >> 32);
  w[2] = static_cast<uint32_t>(hi);
  static_assert(kInstrWords == 3, "pack() assumes a 65..96-bit instruction word");
  return w;
}

inline Instr unpack(const InstrWord& w) {
  Instr i;
  for (unsigned f = 0; f < kFields.size(); ++f) {
    const FieldInfo& fi = kFields[f];
    uint32_t v = 0;
    for (unsigned b = 0; b < fi.width; ++b)
      v |= ((w[(fi.lsb + b) / 32] >> ((fi.lsb + b) % 32)) & 1u) << b;
    set_field(i, static_cast<Field>(f), v);
  }
  return i;
}

// Instructions using data_i; at most one per slot (the core asserts this).
inline unsigned data_users(const Instr& i) {
  return unsigned(i.xmem_wr) + unsigned(i.w_load) + unsigned(i.par_wr);
}

// ------------------------------------------------------------------------------------------------
// Wide port values (data_i, psum_o, out_o) as 32-bit words, Verilator's layout.
// ------------------------------------------------------------------------------------------------
class BitVec {
 public:
  BitVec() = default;
  explicit BitVec(unsigned bits) : bits_(bits), words_((bits + 31) / 32, 0u) {}

  unsigned bits() const { return bits_; }
  std::vector<uint32_t>& words() { return words_; }
  const std::vector<uint32_t>& words() const { return words_; }

  // Writes the low `width` bits of v at [lsb +: width] (width <= 64).
  void set(unsigned lsb, unsigned width, uint64_t v) {
    check(lsb, width);
    for (unsigned b = 0; b < width; ++b) {
      const unsigned p = lsb + b;
      const uint32_t m = 1u << (p % 32);
      if ((v >> b) & 1u) words_[p / 32] |= m; else words_[p / 32] &= ~m;
    }
  }
  uint64_t get(unsigned lsb, unsigned width) const {
    check(lsb, width);
    uint64_t v = 0;
    for (unsigned b = 0; b < width; ++b) {
      const unsigned p = lsb + b;
      v |= uint64_t((words_[p / 32] >> (p % 32)) & 1u) << b;
    }
    return v;
  }
  // [lsb +: width] as a two's complement number.
  int64_t get_signed(unsigned lsb, unsigned width) const {
    const uint64_t v = get(lsb, width);
    if (width < 64 && ((v >> (width - 1)) & 1u)) return int64_t(v | (~uint64_t{0} << width));
    return int64_t(v);
  }
  bool operator==(const BitVec&) const = default;

 private:
  void check(unsigned lsb, unsigned width) const {
    if (width == 0 || width > 64 || lsb + width > bits_)
      throw std::out_of_range("BitVec: field out of range");
  }
  unsigned bits_ = 0;
  std::vector<uint32_t> words_;
};

// data_i for xmem_wr: a[r] (unsigned act_bits) at bits [r*act_bits +: act_bits].
inline BitVec pack_activations(const CoreConfig& c, const std::vector<uint32_t>& a) {
  if (a.size() != c.rows) throw std::invalid_argument("pack_activations: need rows values");
  BitVec d(c.data_bits());
  for (unsigned r = 0; r < c.rows; ++r) d.set(r * c.act_bits, c.act_bits, a[r]);
  return d;
}
// data_i for w_load: w[r] (signed weight_bits, two's complement) at [r*weight_bits +: weight_bits].
inline BitVec pack_weight_column(const CoreConfig& c, const std::vector<int32_t>& w) {
  if (w.size() != c.rows) throw std::invalid_argument("pack_weight_column: need rows values");
  BitVec d(c.data_bits());
  for (unsigned r = 0; r < c.rows; ++r) d.set(r * c.weight_bits, c.weight_bits, uint64_t(int64_t(w[r])));
  return d;
}
// data_i for par_wr: the 32-bit parameter at [31:0].
inline BitVec pack_param(const CoreConfig& c, uint32_t v) {
  BitVec d(c.data_bits());
  d.set(0, 32, v);
  return d;
}

// ------------------------------------------------------------------------------------------------
// Latencies in instruction slots (docs/isa.md "Timing"): an instruction B in slot n + L or later
// sees the effect of instruction A in slot n. Output latencies: visible after the tick of slot
// n + L.
// ------------------------------------------------------------------------------------------------
namespace lat {
inline constexpr unsigned kXmemWrToXmemRd = 1;
inline constexpr unsigned kXmemRdToL0Rd = 2;
inline constexpr unsigned kLoadToCommit = 1;
inline constexpr unsigned kCommitToL0Rd = 1;
inline constexpr unsigned kOfRdToPsumOut = 1;
inline constexpr unsigned kOfRdToOutRd = 1;
inline constexpr unsigned kParWrToOutRd = 0;
inline constexpr unsigned kOutRdToOut = 2;
// l0_rd -> the of_rd popping that vector's psum row.
constexpr unsigned l0rd_to_ofrd(const CoreConfig& c) { return c.rows + c.cols; }
// Last l0_rd using buffer b -> a w_commit overwriting buffer b.
constexpr unsigned l0rd_to_commit(const CoreConfig& c) { return c.rows + c.cols - 2; }
// Row r of a vector popped in slot n enters the array in cycle n + r (L0 skew); column c of its
// psum row reaches the OFIFO in cycle n + rows + c.
}  // namespace lat

}  // namespace accel
