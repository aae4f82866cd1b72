// GTKWave layouts from a trace's own signal names (wave_layout.hpp).
#include "accel/sim/wave_layout.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "accel/isa.hpp"
#include "gtkwave/fstapi.h"

namespace accel::sim {
namespace {

// A name without its trailing vector range: "act_o[3][7:0]" -> "act_o[3]", "valid_q" -> "valid_q".
std::string base_name(const std::string& name) {
  const size_t open = name.rfind('[');
  if (name.empty() || name.back() != ']' || open == std::string::npos) return name;
  return name.find(':', open) == std::string::npos ? name : name.substr(0, open);
}

// GTKWave's display flags (the numbers after '@' in a save file): binary, hexadecimal, unsigned
// and signed decimal, all right-justified.
enum class Format { Binary, Hex, Decimal, Signed };

std::string_view flags(Format f) {
  switch (f) {
    case Format::Binary: return "28";
    case Format::Hex: return "22";
    case Format::Decimal: return "24";
    case Format::Signed: return "420";
  }
  return "22";
}

// The trace's signals by base name, relative to the core instance's scope.
class TraceIndex {
 public:
  TraceIndex(const std::vector<TraceSignal>& signals, const std::string& trace) : trace_(trace) {
    for (const TraceSignal& s : signals) by_base_.emplace(base_name(s.name), &s);
    const std::string anchor = "u_corelet.clk_i";
    for (const TraceSignal& s : signals)
      if (s.name.size() > anchor.size() && s.name.ends_with("." + anchor)) {
        core_ = s.name.substr(0, s.name.size() - anchor.size());
        break;
      }
    if (core_.empty()) throw std::runtime_error(fmt::format("trace {}: no core instance (no signal *.{})", trace, anchor));
  }

  const TraceSignal& need(const std::string& rel, const CoreConfig& cfg) const {
    const auto it = by_base_.find(core_ + rel);
    if (it == by_base_.end())
      throw std::runtime_error(fmt::format("trace {}: no signal {}{} (the layout for {}, {}x{}, needs it)", trace_,
                                           core_, rel, cfg.name, cfg.rows, cfg.cols));
    return *it->second;
  }

  // The fields of a traced struct, in declaration order (FST lists them last field first).
  std::vector<std::string> fields(const std::string& rel_struct, const std::vector<TraceSignal>& signals) const {
    std::vector<std::string> out;
    const std::string prefix = core_ + rel_struct + ".";
    for (const TraceSignal& s : signals) {
      const std::string b = base_name(s.name);
      if (b.starts_with(prefix) && b.find('.', prefix.size()) == std::string::npos &&
          std::find(out.begin(), out.end(), b.substr(core_.size())) == out.end())
        out.push_back(b.substr(core_.size()));
    }
    std::reverse(out.begin(), out.end());
    return out;
  }

 private:
  std::string trace_, core_;
  std::map<std::string, const TraceSignal*> by_base_;
};

// A save file being written: groups of signals, each with its display format and alias.
class Writer {
 public:
  Writer(const TraceIndex& ix, const CoreConfig& cfg) : ix_(ix), cfg_(cfg) {}

  void begin(const std::string& title) {
    title_ = title;
    out_ << "@800200\n-" << title << "\n";
    format_.clear();
  }
  void end() {
    out_ << "@1000200\n-" << title_ << "\n";
    format_.clear();
  }
  void add(const std::string& rel, Format f, const std::string& alias = "") {
    const TraceSignal& s = ix_.need(rel, cfg_);
    const std::string_view fl = s.bits == 1 ? flags(Format::Binary) : flags(f);
    if (fl != format_) out_ << "@" << fl << "\n";
    format_ = std::string(fl);
    if (!alias.empty()) out_ << "+{" << alias << "} ";
    out_ << s.name << "\n";
  }
  std::string str() const { return out_.str(); }

 private:
  const TraceIndex& ix_;
  const CoreConfig& cfg_;
  std::ostringstream out_;
  std::string title_, format_;
};

void instruction_group(Writer& w, const TraceIndex& ix, const std::vector<TraceSignal>& signals) {
  w.begin("Instruction (registered, executing)");
  w.add("clk_i", Format::Binary);
  w.add("rst_ni", Format::Binary);
  for (const std::string& f : ix.fields("instr_q", signals)) w.add(f, Format::Decimal);
  w.add("data_q", Format::Hex);
  w.end();
}

void l0_group(Writer& w, const CoreConfig& cfg) {
  w.begin("L0 rows (skewed pops into the array)");
  w.add("l0_push_q", Format::Binary);
  w.add("u_corelet.u_l0.act_valid_o", Format::Hex);
  w.add("status_o.l0_empty", Format::Binary);
  for (unsigned r = 0; r < cfg.rows; ++r)
    w.add(fmt::format("u_corelet.u_l0.act_o[{}]", r), Format::Decimal, fmt::format("l0 row {}", r));
  w.end();
}

void pe_group(Writer& w, const CoreConfig& cfg) {
  w.begin(fmt::format("PE row 0 (tiles 0..{}: valid, activation, psum, OS accumulator; tile 0 weights)", cfg.cols - 1));
  for (unsigned c = 0; c < cfg.cols; ++c) {
    const std::string tile = fmt::format("u_corelet.u_mac_array.g_row[0].g_col[{}].u_tile.", c);
    const std::string pe = fmt::format("pe[0][{}].", c);
    w.add(tile + "valid_q", Format::Binary, pe + "valid_q");
    w.add(tile + "act_q", Format::Decimal, pe + "act_q");
    w.add(tile + "psum_q", Format::Signed, pe + "psum_q");
    w.add(tile + "acc_q", Format::Signed, pe + "acc_q");
  }
  const std::string tile0 = "u_corelet.u_mac_array.g_row[0].g_col[0].u_tile.";
  w.add(tile0 + "chain_q", Format::Signed, "pe[0][0].chain_q");
  w.add(tile0 + "buf_q[0]", Format::Signed, "pe[0][0].buf_q[0]");
  w.add(tile0 + "buf_q[1]", Format::Signed, "pe[0][0].buf_q[1]");
  w.add(tile0 + "sel_q", Format::Binary, "pe[0][0].sel_q");
  w.end();
}

void ofifo_group(Writer& w, const CoreConfig& cfg) {
  w.begin("OFIFO (column heads, de-skew)");
  w.add("u_corelet.u_ofifo.push_i", Format::Hex);
  w.add("u_corelet.u_ofifo.valid_o", Format::Binary);
  w.add("u_corelet.u_ofifo.pop_i", Format::Binary);
  for (unsigned c = 0; c < cfg.cols; ++c)
    w.add(fmt::format("u_corelet.u_ofifo.g_col[{}].u_fifo.data_o", c), Format::Signed,
          fmt::format("ofifo col {} head", c));
  w.end();
}

void sfp_group(Writer& w, const CoreConfig& cfg) {
  w.begin("SFP (psum row popped, read-out)");
  w.add("u_corelet.u_sfp.upd_valid_q", Format::Binary);
  w.add("u_corelet.u_sfp.upd_acc_q", Format::Binary);
  w.add("u_corelet.u_sfp.upd_addr_q", Format::Decimal);
  for (unsigned c = 0; c < cfg.cols; ++c)
    w.add(fmt::format("u_corelet.u_sfp.psum_o[{}]", c), Format::Signed, fmt::format("sfp psum col {}", c));
  w.add("u_corelet.u_sfp.rd_valid_q", Format::Binary);
  w.add("u_corelet.u_sfp.rd_addr_q", Format::Decimal);
  w.add("u_corelet.u_sfp.out_valid_o", Format::Binary);
  for (unsigned c = 0; c < cfg.cols; ++c)
    w.add(fmt::format("u_corelet.u_sfp.out_o[{}]", c), Format::Signed, fmt::format("sfp out col {}", c));
  w.end();
}

void counter_group(Writer& w) {
  std::string names;
  for (const std::string_view n : kCounterNames) names += (names.empty() ? "" : ", ") + std::string(n);
  w.begin(fmt::format("Counters ({})", names));
  for (unsigned i = 0; i < kNumCounters; ++i)
    w.add(fmt::format("ctr_q[{}]", i), Format::Decimal, fmt::format("ctr {}", kCounterNames[i]));
  w.end();
}

}  // namespace

std::vector<TraceSignal> read_trace_signals(const std::string& fst_path) {
  std::unique_ptr<void, void (*)(void*)> ctx(fstReaderOpen(fst_path.c_str()), fstReaderClose);
  if (!ctx) throw std::runtime_error(fmt::format("trace {}: cannot be read as FST", fst_path));
  std::vector<TraceSignal> out;
  std::vector<std::string> scope;
  while (const fstHier* h = fstReaderIterateHier(ctx.get())) {
    if (h->htyp == FST_HT_SCOPE) {
      scope.emplace_back(h->u.scope.name);
    } else if (h->htyp == FST_HT_UPSCOPE) {
      if (!scope.empty()) scope.pop_back();
    } else if (h->htyp == FST_HT_VAR && h->u.var.typ != FST_VT_VCD_PARAMETER) {
      std::string name;
      for (const std::string& s : scope) name += s + ".";
      for (const char ch : std::string_view(h->u.var.name, h->u.var.name_length))
        if (ch != ' ') name += ch;  // "act_o[3] [7:0]" is act_o[3][7:0] to GTKWave
      out.push_back({name, h->u.var.length});
    }
  }
  return out;
}

std::string wave_layout(const std::vector<TraceSignal>& signals, const CoreConfig& cfg, const std::string& trace) {
  const TraceIndex ix(signals, trace);
  Writer w(ix, cfg);
  instruction_group(w, ix, signals);
  l0_group(w, cfg);
  pe_group(w, cfg);
  ofifo_group(w, cfg);
  sfp_group(w, cfg);
  counter_group(w);
  return fmt::format(
      "[*] GTKWave layout for {} (configuration {}: {}x{}, {}-bit activations, {}-bit weights, {}-bit psums),\n"
      "[*] written by cosim layer --trace from the trace's signal names. Open: gtkwave TRACE.fst THIS.gtkw\n"
      "[timestart] 0\n[size] 1600 900\n[pos] -1 -1\n[sst_width] 260\n[signals_width] 340\n[sst_expanded] 1\n"
      "[sst_vpaned_height] 250\n{}[pattern_trace] 1\n[pattern_trace] 0\n",
      trace, cfg.name, cfg.rows, cfg.cols, cfg.act_bits, cfg.weight_bits, cfg.psum_bits, w.str());
}

std::vector<std::string> layout_signals(const std::string& layout) {
  std::vector<std::string> out;
  std::istringstream in(layout);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '[' || line[0] == '@' || line[0] == '-' || line[0] == '*') continue;
    if (line[0] == '+') line = line.substr(line.find("} ") + 2);
    out.push_back(line);
  }
  return out;
}

void write_wave_layout(const std::string& fst_path, const std::string& gtkw_path, const CoreConfig& cfg) {
  const std::string text = wave_layout(read_trace_signals(fst_path), cfg, fst_path);
  std::ofstream out(gtkw_path, std::ios::binary);
  out << text;
  if (!out.flush()) throw std::runtime_error(fmt::format("{}: cannot write the wave layout", gtkw_path));
}

}  // namespace accel::sim
