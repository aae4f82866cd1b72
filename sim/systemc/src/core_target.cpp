// accel::systemc::CoreTarget: the register map of docs/systemc.md over the Verilated SystemC
// model of the core. Compiled into each configuration's SystemC model library
// (sim/systemc/CMakeLists.txt: accel_core_sc_<name>, ACCEL_CONFIG and ACCEL_SC_MODEL name it) with
// its own hidden Verilator runtime; programs load it with make_core_target (sc_model.cpp).
#include <accel/systemc/core_target.hpp>

#include "vl_print_hook.h"

#include <fmt/format.h>
#include <verilated.h>

#include <cstring>

#include <verilated_fst_sc.h>

#include <accel/sim/core_sim.hpp>
#include <accel/sim/coverage.hpp>

#include ACCEL_SC_MODEL_HEADER

namespace accel::systemc {

using namespace sc_core;
using namespace tlm;

namespace {

template <class Model, unsigned DataBits, unsigned PsumRowBits, unsigned OutBits>
class VerilatedCoreTarget final : public CoreTarget {
 public:
  VerilatedCoreTarget(const sc_module_name& name, const CoreConfig& cfg)
      : CoreTarget(name, cfg),
        context_(std::make_unique<VerilatedContext>()),
        core_clk_("core_clk"),
        rst_n_("rst_n", true),
        psum_valid_("psum_valid"),
        out_valid_("out_valid"),
        instr_("instr"),
        data_("data"),
        psum_("psum"),
        out_("out"),
        ctr_("ctr"),
        status_("status") {
    // As in the plain harness: assertions report instead of aborting. The model takes the
    // thread's context when it is built.
    context_->fatalOnError(false);
    context_->commandArgs(0, static_cast<const char**>(nullptr));
    context_->traceEverOn(true);  // before the model: trace_open() may come later
    VerilatedContext* const previous = Verilated::threadContextp();
    Verilated::threadContextp(context_.get());
    model_ = std::make_unique<Model>("rtl");
    Verilated::threadContextp(previous);
    model_->clk_i(core_clk_);
    model_->rst_ni(rst_n_);
    model_->instr_i(instr_);
    model_->data_i(data_);
    model_->psum_valid_o(psum_valid_);
    model_->out_valid_o(out_valid_);
    model_->psum_o(psum_);
    model_->out_o(out_);
    model_->ctr_o(ctr_);
    model_->status_o(status_);
    model_->params_o(params_);
  }

  ~VerilatedCoreTarget() override {
    // Verilator's teardown talks to the thread's context (sim/src/core_sim.cpp): make it ours.
    Verilated::threadContextp(context_.get());
    trace_close();
    model_->final();
    accel::sim::write_coverage(*context_, "sc", config().name);  // the coverage build only
    model_.reset();
  }

 protected:
  void drive(const InstrWord& instr, const uint32_t* data, bool rst_n) override {
    sc_bv<kInstrBits> i;
    for (unsigned w = 0; w < kInstrWords; ++w) i.set_word(int(w), instr[w]);
    instr_.write(i);
    sc_bv<DataBits> d;
    for (unsigned w = 0; w < (DataBits + 31) / 32; ++w) d.set_word(int(w), data[w]);
    data_.write(d);
    rst_n_.write(rst_n);
  }
  void set_core_clock(bool level) override { core_clk_.write(level); }
  CoreConfig model_params() const override {
    const sc_bv<kParamsBits>& v = params_.read();
    uint32_t w[kParamsWords];
    for (unsigned k = 0; k < kParamsWords; ++k) w[k] = uint32_t(v.get_word(int(k)));
    return params_from_words(w, config());
  }
  uint32_t status_bits() const override {
    return (psum_valid_.read() ? kStatusPsumValid : 0u) | (out_valid_.read() ? kStatusOutValid : 0u) |
           (static_cast<uint32_t>(status_.read().get_word(0)) << kStatusCoreShift);
  }
  void psum_lanes(int64_t* dst) const override {
    const sc_bv<PsumRowBits>& v = psum_.read();
    const unsigned w = config().psum_bits;
    for (unsigned c = 0; c < config().cols; ++c) {
      const uint64_t u = v.range(int(c * w + w - 1), int(c * w)).to_uint64();
      dst[c] = sign_extend(u, w);
    }
  }
  void out_lanes(int64_t* dst) const override {
    const sc_bv<OutBits>& v = out_.read();
    for (unsigned c = 0; c < config().cols; ++c)
      dst[c] = int64_t(uint64_t(v.get_word(int(2 * c))) | uint64_t(v.get_word(int(2 * c + 1))) << 32);
  }
  uint64_t counter(unsigned id) const override {
    const sc_bv<kNumCounters* 64>& v = ctr_.read();
    return uint64_t(v.get_word(int(2 * id))) | uint64_t(v.get_word(int(2 * id + 1))) << 32;
  }
  void activate() override { Verilated::threadContextp(context_.get()); }
  void trace_open(const std::string& path) override {
    trace_close();
    Verilated::threadContextp(context_.get());
    fst_ = std::make_unique<VerilatedFstSc>();  // registers with the kernel
    model_->trace(fst_.get(), 99);
    fst_->open(path.c_str());
    if (!fst_->isOpen()) {
      trace_close();
      throw std::runtime_error(fmt::format("{}: cannot open the trace file", path));
    }
  }
  void trace_close() override {
    if (!fst_) return;
    fst_->close();
    // VerilatedFstSc derives privately from sc_trace_file; only a C-style cast may name that
    // base. Without unregistering, the kernel would keep calling a destroyed trace file.
    sc_get_curr_simcontext()->remove_trace_file((sc_core::sc_trace_file*)fst_.get());
    fst_.reset();
  }
  bool tracing() const override { return fst_ != nullptr; }
  std::string take_assertion() override {
    if (!context_->gotError()) return {};
    context_->gotError(false);
    context_->gotFinish(false);
    std::string m = sim::detail::take_vl_messages();
    const auto start = m.find("%Error");
    if (start != std::string::npos) m = m.substr(start);
    return m.substr(0, m.find('\n'));
  }

 private:
  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Model> model_;
  std::unique_ptr<VerilatedFstSc> fst_;
  sc_signal<bool> core_clk_, rst_n_, psum_valid_, out_valid_;
  sc_signal<sc_bv<kInstrBits>> instr_;
  sc_signal<sc_bv<DataBits>> data_;
  sc_signal<sc_bv<PsumRowBits>> psum_;
  sc_signal<sc_bv<OutBits>> out_;
  sc_signal<sc_bv<kNumCounters * 64>> ctr_;
  sc_signal<sc_bv<5>> status_;
  sc_signal<sc_bv<kParamsBits>> params_;
};

}  // namespace

CoreTarget::CoreTarget(const sc_module_name& name, const CoreConfig& cfg)
    : sc_module(name),
      socket("socket"),
      clk("clk"),
      cfg_(cfg),
      data_words_(data_words(cfg)),
      data_(data_words_, 0u),
      lanes_(cfg.cols, 0) {
  regs_ = {{"ID", reg::kId, 4, true, false},
           {"SHAPE", reg::kShape, 4, true, false},
           {"STATUS", reg::kStatus, 4, true, false},
           {"CONTROL", reg::kControl, 4, false, true},
           {"INSTR", reg::kInstr, 4 * kInstrWords, false, true},
           {"SLOT", reg::kSlot, 8, true, false},
           {"DATA", reg::kData, 4 * data_words_, false, true},
           {"COUNTERS", reg::kCounters, 8 * kNumCounters, true, false},
           {"PSUM", reg::kPsum, 8 * cfg.cols, true, false},
           {"OUT", reg::kOut, 8 * cfg.cols, true, false}};
  socket.register_b_transport(this, &CoreTarget::b_transport);
}

CoreTarget::~CoreTarget() = default;

const CoreTarget::Register* CoreTarget::find(uint64_t addr) const {
  for (const Register& r : regs_)
    if (addr >= r.base && addr < r.base + r.size) return &r;
  return nullptr;
}

void CoreTarget::fail(tlm_generic_payload& t, tlm_response_status s, std::string what) {
  t.set_response_status(s);
  last_error_ = fmt::format("{}: {}", name(), what);
  ++errors_;
}

void CoreTarget::b_transport(tlm_generic_payload& t, sc_time& delay) {
  const tlm_command cmd = t.get_command();
  const uint64_t addr = t.get_address();
  const unsigned len = t.get_data_length();
  const char* verb = cmd == TLM_READ_COMMAND ? "read" : "write";
  if (cmd == TLM_IGNORE_COMMAND) {
    t.set_response_status(TLM_OK_RESPONSE);
    return;
  }
  if (t.get_byte_enable_ptr() != nullptr && t.get_byte_enable_length() != 0)
    return fail(t, TLM_BYTE_ENABLE_ERROR_RESPONSE,
                fmt::format("{} at 0x{:03x}: byte enables are not supported", verb, addr));
  const Register* r = find(addr);
  if (r == nullptr)
    return fail(t, TLM_ADDRESS_ERROR_RESPONSE, fmt::format("{} at 0x{:03x}: no register there", verb, addr));
  if (addr % 4 != 0)
    return fail(t, TLM_ADDRESS_ERROR_RESPONSE,
                fmt::format("{} at 0x{:03x}: not 4-byte aligned (inside {})", verb, addr, r->name));
  if (t.get_data_ptr() == nullptr || len == 0 || len % 4 != 0 || addr + len > r->base + r->size ||
      t.get_streaming_width() < len)
    return fail(t, TLM_BURST_ERROR_RESPONSE,
                fmt::format("{} of {} bytes at 0x{:03x}: {} is {} bytes at 0x{:03x}; accesses are whole 32-bit "
                            "words inside it, no streaming",
                            verb, len, addr, r->name, r->size, r->base));
  if (cmd == TLM_READ_COMMAND && !r->readable)
    return fail(t, TLM_COMMAND_ERROR_RESPONSE, fmt::format("read at 0x{:03x}: {} is write-only", addr, r->name));
  if (cmd == TLM_WRITE_COMMAND && !r->writable)
    return fail(t, TLM_COMMAND_ERROR_RESPONSE, fmt::format("write at 0x{:03x}: {} is read-only", addr, r->name));

  uint8_t* p = t.get_data_ptr();
  if (cmd == TLM_READ_COMMAND) {
    read(*r, addr - r->base, p, len);
  } else if (r->base == reg::kData) {
    std::memcpy(reinterpret_cast<uint8_t*>(data_.data()) + (addr - r->base), p, len);
  } else {
    // INSTR and CONTROL take time: first catch up with the initiator's local time (loosely-timed
    // initiators annotate instead of waiting), then one or more clock cycles.
    if (r->base == reg::kInstr && len != 4 * kInstrWords)
      return fail(t, TLM_BURST_ERROR_RESPONSE,
                  fmt::format("write of {} bytes at 0x{:03x}: INSTR takes one {}-byte write", len, addr, 4 * kInstrWords));
    if (delay != SC_ZERO_TIME) {
      wait(delay);
      delay = SC_ZERO_TIME;
    }
    std::string assertion;
    if (r->base == reg::kInstr) {
      launch_slot(p);
      assertion = take_assertion();
      if (!assertion.empty()) {
        t.set_response_status(TLM_GENERIC_ERROR_RESPONSE);
        last_error_ = fmt::format("{}: RTL assertion in slot {}: {}", name(), slot_ - 1, assertion);
        ++errors_;
        return;
      }
    } else {
      uint32_t v;
      std::memcpy(&v, p, 4);
      if (v & reg::kControlReset) run_reset();
      assertion = take_assertion();
      if (!assertion.empty())
        return fail(t, TLM_GENERIC_ERROR_RESPONSE, fmt::format("RTL assertion during reset: {}", assertion));
    }
  }
  t.set_response_status(TLM_OK_RESPONSE);
}

// One core clock: the platform clock's rising edge is passed to the core, and the bridge returns
// at the falling edge, by which the outputs of that edge have long settled (the core evaluates in
// the delta cycle after the edge).
void CoreTarget::clock_cycle() {
  activate();
  wait(clk.posedge_event());
  set_core_clock(true);
  wait(clk.negedge_event());
  set_core_clock(false);
}

void CoreTarget::launch_slot(const uint8_t* bytes) {
  InstrWord w;
  std::memcpy(w.data(), bytes, sizeof w);
  drive(w, data_.data(), true);
  clock_cycle();
  ++slot_;
  std::fill(data_.begin(), data_.end(), 0u);  // DATA belongs to one slot
}

void CoreTarget::run_reset() {
  std::fill(data_.begin(), data_.end(), 0u);
  drive(InstrWord{}, data_.data(), false);
  for (int i = 0; i < 2; ++i) clock_cycle();  // as accel::sim::CoreSim::reset()
  drive(InstrWord{}, data_.data(), true);
  slot_ = 0;
}

void CoreTarget::read(const Register& r, uint64_t offset, uint8_t* dst, unsigned len) {
  // Every register is assembled as 32-bit words, then the requested words are copied out.
  uint32_t words[2 * 256];
  const unsigned n = r.size / 4;
  auto put64 = [&](unsigned i, uint64_t v) {
    words[2 * i] = uint32_t(v);
    words[2 * i + 1] = uint32_t(v >> 32);
  };
  switch (r.base) {
    case reg::kId:
      words[0] = reg::kIdValue;
      break;
    case reg::kShape: {
      const CoreConfig m = model_params();  // what the hardware says, not what it was told
      words[0] = m.rows | m.cols << 8 | m.act_bits << 16 | m.psum_bits << 24;
    } break;
    case reg::kStatus:
      words[0] = status_bits();
      break;
    case reg::kSlot:
      put64(0, slot_);
      break;
    case reg::kCounters:
      for (unsigned k = 0; k < kNumCounters; ++k) put64(k, counter(k));
      break;
    case reg::kPsum:
    case reg::kOut:
      if (r.base == reg::kPsum)
        psum_lanes(lanes_.data());
      else
        out_lanes(lanes_.data());
      for (unsigned c = 0; c < cfg_.cols; ++c) put64(c, uint64_t(lanes_[c]));
      break;
    default:
      std::fill(words, words + n, 0u);
  }
  std::memcpy(dst, reinterpret_cast<const uint8_t*>(words) + offset, len);
}

}  // namespace accel::systemc

// The entry point make_core_target looks up with dlsym: the target of this library's
// configuration, claiming to be `cfg` (the caller checks model_params() once elaborated).
extern "C" __attribute__((visibility("default"))) accel::systemc::CoreTarget* accel_sc_model_new(
    const char* name, const accel::CoreConfig* cfg) {
  using namespace accel;
  constexpr const CoreConfig& C = configs::ACCEL_CONFIG;
  if (!cfg->same_shape(C))
    throw std::invalid_argument(
        fmt::format("the SystemC model of '{}' cannot act as configuration '{}'", C.name, cfg->name));
  return new systemc::VerilatedCoreTarget<ACCEL_SC_MODEL, C.data_bits(), C.cols * C.psum_bits, C.cols * kOutLaneBits>(
      name, *cfg);
}

extern "C" __attribute__((visibility("default"))) int accel_model_abi() { return accel::sim::kModelAbi; }
extern "C" __attribute__((visibility("default"))) void accel_model_echo(bool on) {
  accel::sim::detail::set_vl_echo(on);
}
