// C++ mirror of rtl/accel_pkg.sv: the instruction word (its fields listed once, in
// isa_fields.def), counter ids and the latencies the host schedules by; configurations are in
// config.hpp. Specified in docs/isa.md. Header-only.
//
// tests/test_isa_probe.cpp checks the fields and the latencies against the SystemVerilog package
// (through rtl/tb/instr_probe.sv): change both sides together.
#pragma once

#include <accel/bits.hpp>
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
// accel_pkg::sfp_par_e: bias, multiplier M, shift S, output zero point (docs/isa.md "The SFP read-out").
enum class SfpParam : uint8_t { Bias = 0, Mult = 1, Shift = 2, Zero = 3 };

// Ids in the order they were added (rtl/accel_pkg.sv ctr_e). The first six count cycles: Total, and
// one category per cycle by the priority Compute, WeightLoad, HostTransfer, Drain, Stall (docs/isa.md
// "Performance counters"). The rest count events, for the energy estimate (docs/energy.md): each is
// counted in the cycle its instruction executes (l0_push: the cycle after, when xmem's word arrives).
enum class Counter : unsigned {
  Total = 0,         // every cycle since reset or the last ctr_clr
  Compute = 1,       // an activation vector enters the array (l0_rd)
  WeightLoad = 2,    // else w_load, w_commit or wmem_wr
  HostTransfer = 3,  // else xmem_wr or par_wr
  Stall = 4,         // else, not Drain: fill, WS drain, read-out only, idle
  Drain = 5,         // else: output-stationary results in the array (accumulating, os_drain, shifting out)
  Macs = 6,          // multiply-accumulates: Rows x Cols per l0_rd (the vector passes every PE), twice that
                     // for an l0_simd vector (two products per PE)
  XmemRead = 7,      // xmem_rd: one activation word (Rows x ActBits)
  XmemWrite = 8,     // xmem_wr
  WmemRead = 9,      // wmem_rd: one weight row (Cols x WeightBits), output-stationary
  WmemWrite = 10,    // wmem_wr
  PmemRead = 11,     // psum SRAM row reads: of_rd with of_acc (accumulate) plus out_rd (read-out)
  PmemWrite = 12,    // psum SRAM row writes: of_rd
  L0Push = 13,       // a vector into L0 (the cycle after an xmem_rd)
  L0Pop = 14,        // a vector out of L0 (l0_rd)
  OfifoPop = 15,     // a psum row out of the OFIFO (of_rd); over a schedule every pushed row is popped
  WeightShift = 16,  // w_load: the weight load chain shifts one tile east
  WeightCommit = 17, // w_commit: the chain copied into a weight buffer
  SfpOut = 18,       // out_rd: Cols lanes requantized (or raw) by the SFP
};
inline constexpr unsigned kNumCounters = 19;
inline constexpr unsigned kNumCycleCounters = 6;  // Total and the five categories
inline constexpr std::array<std::string_view, kNumCounters> kCounterNames{
    "total",      "compute",  "weight_load", "host_transfer", "stall",    "drain",     "macs",
    "xmem_read",  "xmem_write", "wmem_read", "wmem_write",    "pmem_read", "pmem_write", "l0_push",
    "l0_pop",     "ofifo_pop", "weight_shift", "weight_commit", "sfp_out"};

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
// Instruction word, generated from isa_fields.def (the one C++ list of its fields)
// ------------------------------------------------------------------------------------------------
// One instruction per clock. Every field defaults to 0; Instr{} is a no-op.
struct Instr {
#define ACCEL_INSTR_FIELD(name, type, width, doc) type name{};
#include <accel/isa_fields.def>
#undef ACCEL_INSTR_FIELD
  bool operator==(const Instr&) const = default;
};

// The counter an executing instruction adds to besides Total, first match wins (docs/isa.md
// "Performance counters"; rtl/core.sv computes the same priority in hardware). `os_busy`: the
// array holds output-stationary results (an OS l0_rd since the last os_drain, or an os_drain in
// the last Rows cycles); CounterTrack follows it. ctr_clr clears all counters instead of counting.
inline Counter counter_category(const Instr& i, bool os_busy) {
  if (i.l0_rd) return Counter::Compute;
  if (i.w_load || i.w_commit || i.wmem_wr) return Counter::WeightLoad;
  if (i.xmem_wr || i.par_wr) return Counter::HostTransfer;
  if (os_busy || i.os_drain) return Counter::Drain;
  return Counter::Stall;
}

// The counters an instruction stream implies, stepped once per executing instruction in slot
// order: count() adds what the instruction counts (ctr_clr: clears instead) and advances. The state
// is the one behind the Drain category and the one-cycle-late L0 push. The functional device, the
// runtime's counter check and the tests all count with it; rtl/core.sv counts the same in hardware.
class CounterTrack {
 public:
  CounterTrack(unsigned rows, unsigned cols) : rows_(rows), cols_(cols) {}
  Counter category(const Instr& i) const { return counter_category(i, pending_ || shifting_ > 0); }
  template <class Counts>
  void count(const Instr& i, Counts& c) {
    const auto add = [&c](Counter k, uint64_t n) { c[static_cast<unsigned>(k)] += n; };
    if (i.ctr_clr) {
      c = {};
    } else {
      add(Counter::Total, 1);
      add(category(i), 1);
      add(Counter::Macs, i.l0_rd ? uint64_t{rows_} * cols_ * lanes(i.l0_simd) : 0);
      add(Counter::XmemRead, i.xmem_rd);
      add(Counter::XmemWrite, i.xmem_wr);
      add(Counter::WmemRead, i.wmem_rd);
      add(Counter::WmemWrite, i.wmem_wr);
      add(Counter::PmemRead, uint64_t{i.of_rd && i.of_acc} + i.out_rd);
      add(Counter::PmemWrite, i.of_rd);
      add(Counter::L0Push, l0_push_);
      add(Counter::L0Pop, i.l0_rd);
      add(Counter::OfifoPop, i.of_rd);
      add(Counter::WeightShift, i.w_load);
      add(Counter::WeightCommit, i.w_commit);
      add(Counter::SfpOut, i.out_rd);
    }
    advance(i);
  }
  void advance(const Instr& i) {
    if (shifting_ > 0) --shifting_;
    if (i.l0_rd && i.l0_os) pending_ = true;
    if (i.os_drain) {
      pending_ = false;
      shifting_ = rows_;
    }
    l0_push_ = i.xmem_rd;
  }

 private:
  unsigned rows_, cols_;
  bool pending_ = false;  // an OS l0_rd executed since the last os_drain
  unsigned shifting_ = 0; // cycles left in which a drain's rows shift out
  bool l0_push_ = false;  // the last instruction read xmem: its word enters L0 now
};

// Field ids, in bit order (LSB first).
enum class Field : unsigned {
#define ACCEL_INSTR_FIELD(name, type, width, doc) name,
#include <accel/isa_fields.def>
#undef ACCEL_INSTR_FIELD
};
struct FieldInfo {
  std::string_view name;  // as in accel_pkg::instr_t
  unsigned lsb;
  unsigned width;
  std::string_view doc;
};

namespace detail {
inline constexpr std::string_view kFieldNames[] = {
#define ACCEL_INSTR_FIELD(name, type, width, doc) #name,
#include <accel/isa_fields.def>
#undef ACCEL_INSTR_FIELD
};
inline constexpr unsigned kFieldWidths[] = {
#define ACCEL_INSTR_FIELD(name, type, width, doc) width,
#include <accel/isa_fields.def>
#undef ACCEL_INSTR_FIELD
};
inline constexpr std::string_view kFieldDocs[] = {
#define ACCEL_INSTR_FIELD(name, type, width, doc) doc,
#include <accel/isa_fields.def>
#undef ACCEL_INSTR_FIELD
};
inline constexpr size_t kNumFields = std::size(kFieldWidths);
// Positions are the running sum of the widths: the packed struct's layout, LSB first.
constexpr std::array<FieldInfo, kNumFields> make_fields() {
  std::array<FieldInfo, kNumFields> f{};
  unsigned lsb = 0;
  for (size_t k = 0; k < kNumFields; ++k) {
    f[k] = FieldInfo{kFieldNames[k], lsb, kFieldWidths[k], kFieldDocs[k]};
    lsb += kFieldWidths[k];
  }
  return f;
}
}  // namespace detail

inline constexpr std::array<FieldInfo, detail::kNumFields> kFields = detail::make_fields();
inline constexpr unsigned kInstrBits = kFields.back().lsb + kFields.back().width;
inline constexpr unsigned kInstrWords = (kInstrBits + 31) / 32;
inline constexpr const FieldInfo& field_info(Field f) { return kFields[static_cast<unsigned>(f)]; }
static_assert(kInstrBits <= 128, "pack() builds the word in 128 bits");
// What the fields can address: xmem/pmem rows (16-bit addresses) and SFP columns (par_col).
inline constexpr unsigned kAddressable = 1u << field_info(Field::xmem_wr_addr).width;
inline constexpr unsigned kMaxCols = 1u << field_info(Field::par_col).width;

// The instruction in Verilator's port representation: 32-bit words, word 0 = bits 31:0.
using InstrWord = std::array<uint32_t, kInstrWords>;

inline uint32_t get_field(const Instr& i, Field f) {
  switch (f) {
#define ACCEL_INSTR_FIELD(name, type, width, doc) \
  case Field::name:                               \
    return static_cast<uint32_t>(i.name);
#include <accel/isa_fields.def>
#undef ACCEL_INSTR_FIELD
  }
  throw std::invalid_argument("get_field: field id " + std::to_string(static_cast<unsigned>(f)) + " out of range");
}

// Sets field f to v, truncated to the field's width.
inline void set_field(Instr& i, Field f, uint32_t v) {
  v &= static_cast<uint32_t>(low_mask(field_info(f).width));
  switch (f) {
#define ACCEL_INSTR_FIELD(name, type, width, doc) \
  case Field::name:                               \
    i.name = static_cast<type>(v);                \
    return;
#include <accel/isa_fields.def>
#undef ACCEL_INSTR_FIELD
  }
  throw std::invalid_argument("set_field: field id " + std::to_string(static_cast<unsigned>(f)) + " out of range");
}

// Packs every field at its constant position: straight-line shifts, cheap enough for the
// per-slot hot path of every back-end.
inline InstrWord pack(const Instr& i) {
  unsigned __int128 w = 0;
  unsigned k = 0;
#define ACCEL_INSTR_FIELD(name, type, width, doc)                                                         \
  w |= static_cast<unsigned __int128>(static_cast<uint64_t>(i.name) & low_mask(width)) << kFields[k].lsb; \
  ++k;
#include <accel/isa_fields.def>
#undef ACCEL_INSTR_FIELD
  InstrWord out{};
  for (unsigned n = 0; n < kInstrWords; ++n) out[n] = static_cast<uint32_t>(w >> (32 * n));
  return out;
}

inline Instr unpack(const InstrWord& w) {
  Instr i;
  for (unsigned f = 0; f < kFields.size(); ++f)
    set_field(i, static_cast<Field>(f), static_cast<uint32_t>(get_bits(w, kFields[f].lsb, kFields[f].width)));
  return i;
}

// "xmem_wr xmem_wr_addr=5 l0_rd": the fields that are not 0 (1-bit ones by name), or "no-op".
inline std::string to_string(const Instr& i) {
  std::string s;
  for (unsigned f = 0; f < kFields.size(); ++f) {
    const uint32_t v = get_field(i, static_cast<Field>(f));
    if (v == 0) continue;
    if (!s.empty()) s += ' ';
    s += kFields[f].name;
    if (kFields[f].width > 1) s += '=' + std::to_string(v);
  }
  return s.empty() ? "no-op" : s;
}

// Instructions using data_i; at most one per slot (the core asserts this).
inline unsigned data_users(const Instr& i) {
  return unsigned(i.xmem_wr) + unsigned(i.wmem_wr) + unsigned(i.w_load) + unsigned(i.par_wr);
}

// ------------------------------------------------------------------------------------------------
// The core's parameters on params_o (accel_pkg::params_t, rows at the LSB), as 32-bit words
// ------------------------------------------------------------------------------------------------
inline constexpr unsigned kParamsBits = 160;
inline constexpr unsigned kParamsWords = (kParamsBits + 31) / 32;
// The configuration the model was built as; the name is `named`'s (it is not on the port).
inline CoreConfig params_from_words(std::span<const uint32_t> w, const CoreConfig& named) {
  CoreConfig c = named;
  c.rows = unsigned(get_bits(w, 0, 16));
  c.cols = unsigned(get_bits(w, 16, 16));
  c.act_bits = unsigned(get_bits(w, 32, 8));
  c.weight_bits = unsigned(get_bits(w, 40, 8));
  c.psum_bits = unsigned(get_bits(w, 48, 8));
  c.xmem_depth = unsigned(get_bits(w, 56, 32));
  c.pmem_depth = unsigned(get_bits(w, 88, 32));
  c.l0_depth = unsigned(get_bits(w, 120, 16));
  c.ofifo_depth = unsigned(get_bits(w, 136, 16));
  c.simd = get_bits(w, 152, 8) != 0;
  return c;
}

// ------------------------------------------------------------------------------------------------
// Data words (BitVec: bits.hpp)
// ------------------------------------------------------------------------------------------------
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
// data_i for wmem_wr (output-stationary): w[c] (signed weight_bits) at [c*weight_bits +: weight_bits].
inline BitVec pack_weight_row(const CoreConfig& c, const std::vector<int32_t>& w) {
  if (w.size() != c.cols) throw std::invalid_argument("pack_weight_row: need cols values");
  BitVec d(c.data_bits());
  for (unsigned k = 0; k < c.cols; ++k) d.set(k * c.weight_bits, c.weight_bits, uint64_t(int64_t(w[k])));
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
inline constexpr unsigned kWmemWrToWmemRd = 1;
inline constexpr unsigned kWmemRdToL0Rd = 2;
inline constexpr unsigned kDrainToL0Rd = 1;  // os_drain -> next l0_rd (same slot illegal)
inline constexpr unsigned kDrainToOfRd = 2;  // os_drain -> of_rd of its row 0; row j from + j
// l0_rd -> the of_rd popping that vector's psum row.
constexpr unsigned l0rd_to_ofrd(const CoreConfig& c) { return c.rows + c.cols; }
// Last l0_rd using buffer b -> a w_commit overwriting buffer b.
constexpr unsigned l0rd_to_commit(const CoreConfig& c) { return c.rows + c.cols - 2; }
// Output-stationary (docs/isa.md "Output-stationary mode"): last OS l0_rd -> the os_drain that
// includes it; last WS l0_rd -> os_drain; os_drain -> os_drain.
constexpr unsigned os_l0rd_to_drain(const CoreConfig& c) { return c.rows + c.cols - 2; }
constexpr unsigned ws_l0rd_to_drain(const CoreConfig& c) { return c.rows + c.cols - 1; }
constexpr unsigned drain_to_drain(const CoreConfig& c) { return c.rows; }
// Row r of a vector popped in slot n enters the array in cycle n + r (L0 skew); column c of its
// psum row reaches the OFIFO in cycle n + rows + c.
}  // namespace lat

}  // namespace accel
