// One configuration's model library: accel::sim::CoreSim over the Verilated core ACCEL_MODEL,
// with its own copy of the Verilator runtime, built by sim/CMakeLists.txt (accel_core_<name>)
// once per line of rtl/configs.txt. Everything but the entry points at the end is hidden
// (-fvisibility=hidden), so models of several configurations live in one process without sharing
// any inline Verilator state. Programs load it with make_core_sim (core_loader.cpp).
#include <accel/sim/core_sim.hpp>

#include <accel/sim/coverage.hpp>
#include <accel/sim/port_bits.hpp>
#include "vl_print_hook.h"

#include <verilated.h>
#include <verilated_fst_c.h>
#include <verilated_syms.h>

#include <fmt/format.h>

#include ACCEL_MODEL_HEADER
#include ACCEL_MODEL_ROOT_HEADER

// The model's own settle function (Verilator 5 emits it for the first eval(): every
// combinational signal computed again from the state). The harness calls it after a fault has
// written a register behind the model's back, so that what reads the register sees the flip.
#define ACCEL_CAT2(a, b) a##b
#define ACCEL_CAT(a, b) ACCEL_CAT2(a, b)
#define ACCEL_MODEL_ROOT ACCEL_CAT(ACCEL_MODEL, ___024root)
class ACCEL_MODEL_ROOT;
void ACCEL_CAT(ACCEL_MODEL_ROOT, ___eval_settle)(ACCEL_MODEL_ROOT* vlSelf);

namespace accel::sim {

template <class Model>
class VerilatedCoreSim final : public CoreSim {
 public:
  explicit VerilatedCoreSim(const CoreConfig& config)
      : config_(config), context_(std::make_unique<VerilatedContext>()) {
    // The context is set up before the model: assertions report instead of aborting, and
    // tracing may be switched on later.
    context_->fatalOnError(false);
    context_->traceEverOn(true);
    context_->commandArgs(0, static_cast<const char**>(nullptr));
    model_ = std::make_unique<Model>(context_.get(), "core");
    model_->clk_i = 0;
    model_->rst_ni = 1;
    model_->eval();
    check_errors();
  }

  ~VerilatedCoreSim() override {
    // The model's teardown talks to the thread's current context: make it ours (another
    // simulator may have been ticked or destroyed since), then destroy the model before it.
    Verilated::threadContextp(context_.get());
    close_trace();
    model_->final();
    write_coverage(*context_, "core", config_.name);  // the coverage build only
    trace_.reset();
    model_.reset();
  }

  const CoreConfig& config() const override { return config_; }

  CoreConfig model_params() const override {
    return params_from_words(std::span<const uint32_t>(model_->params_o.data(), kParamsWords), config_);
  }

  void reset(unsigned cycles) override {
    apply(Instr{}, BitVec{});
    model_->rst_ni = 0;
    Verilated::threadContextp(context_.get());
    model_->eval();
    for (unsigned i = 0; i < cycles; ++i) tick();
    model_->rst_ni = 1;
    model_->eval();
    check_errors();
  }

  void apply(const Instr& instr, const BitVec& data) override { apply_packed(pack(instr), data); }

  void apply_packed(const InstrWord& w, const BitVec& data) override {
    apply_words(w, std::span<const uint32_t>(data.words()));
  }

  void apply_words(const InstrWord& w, std::span<const uint32_t> data) override {
    for (unsigned i = 0; i < kInstrWords; ++i) model_->instr_i[i] = w[i];
    detail::write_port(model_->data_i, data);
  }

  void tick() override {
    // Verilator reports $error/$stop to the thread's context: make it ours (several simulators
    // may live in one thread).
    Verilated::threadContextp(context_.get());
    if (trace_ && !trace_->isOpen() && cycle_ >= trace_begin_ && cycle_ < trace_end_) {
      trace_->open(trace_path_.c_str());
    }
    model_->clk_i = 1;
    model_->eval();
    dump(cycle_ * 10);
    model_->clk_i = 0;
    if ((trace_ && trace_->isOpen()) || !forget_clock(model_->rootp)) {
      model_->eval();
      dump(cycle_ * 10 + 5);
    }
    if (fault_pending_ && cycle_ == fault_.cycle) [[unlikely]]
      apply_fault();
    ++cycle_;
    context_->time(cycle_ * 10);
    if (trace_ && trace_->isOpen() && cycle_ >= trace_end_) close_trace();
    check_errors();
  }

  uint64_t cycle() const override { return cycle_; }

  bool psum_valid() const override { return model_->psum_valid_o; }
  int64_t psum(unsigned col) const override {
    check_col(col);
    const unsigned w = config_.psum_bits;
    return detail::sign_extend(detail::read_port(model_->psum_o, col * w, w), w);
  }
  bool out_valid() const override { return model_->out_valid_o; }
  int64_t out(unsigned col) const override {
    check_col(col);
    return static_cast<int64_t>(detail::read_port(model_->out_o, col * kOutLaneBits, kOutLaneBits));
  }
  uint64_t counter(Counter id) const override {
    return detail::read_port(model_->ctr_o, static_cast<unsigned>(id) * 64, 64);
  }
  Status status() const override { return Status::from_bits(model_->status_o); }
  void psum_row(int64_t* dst) const override {
    detail::read_signed_lanes(model_->psum_o, config_.psum_bits, config_.cols, dst);
  }
  void out_row(int64_t* dst) const override {
    for (unsigned c = 0; c < config_.cols; ++c)
      dst[c] = static_cast<int64_t>(detail::read_port(model_->out_o, c * kOutLaneBits, kOutLaneBits));
  }

  void trace(const std::string& path, uint64_t begin, uint64_t end) override {
    close_trace();
    trace_path_ = path;
    trace_begin_ = begin;
    trace_end_ = end;
    if (!trace_) {
      trace_ = std::make_unique<VerilatedFstC>();
      model_->trace(trace_.get(), 99);
    }
  }
  bool trace_open() const override { return trace_ && trace_->isOpen(); }

  void throw_on_assert(bool on) override { throw_ = on; }
  uint64_t assertion_count() const override { return assertions_; }
  std::string take_messages() override { return messages_ + detail::take_vl_messages(); }

  void schedule_fault(const Fault& f) override {
    check_fault(config_, f);
    if (f.cycle < cycle_)
      throw FaultError(
          fmt::format("fault at cycle {}: the core has already simulated cycles 0..{}", f.cycle, cycle_ - 1));
    fault_byte_ = fault_location(f, fault_mask_);
    fault_ = f;
    fault_pending_ = true;
  }
  void cancel_fault() override { fault_pending_ = false; }
  bool fault_pending() const override { return fault_pending_; }
  uint64_t faults_applied() const override { return faults_applied_; }

 private:
  // The byte of the model's memory that holds the fault's bit, and the bit's mask in it. The
  // registers are found by name in the model's scope table: rtl/fault_access.vlt makes them
  // public_flat_rd, which adds the table entries and leaves the evaluation code as it was.
  uint8_t* fault_location(const Fault& f, uint8_t& mask) const {
    std::string scope = "u_xmem", var = "mem_q";
    unsigned bit = f.bit;
    const bool pe = f.target == Fault::Target::Psum || f.target == Fault::Target::Weight;
    if (pe) scope = fmt::format("u_corelet.u_mac_array.g_row[{}].g_col[{}].u_tile", f.row, f.col);
    if (f.target == Fault::Target::Pmem) scope = "u_pmem";
    if (f.target == Fault::Target::Psum) var = "psum_q";
    if (f.target == Fault::Target::Weight) {
      var = "buf_q";
      bit += f.buffer * config_.weight_bits;  // packed [1:0][WeightBits-1:0]: buffer b at b * WeightBits
    }
    scope = fmt::format("{}.core.{}", model_->name(), scope);  // model name, top module, instance path
    const VerilatedScope* sc = context_->scopeFind(scope.c_str());
    const VerilatedVar* v = sc ? sc->varFind(var.c_str()) : nullptr;
    if (!v) throw ModelError(fmt::format("the model has no public {}.{} (rtl/fault_access.vlt)", scope, var));
    auto* p = static_cast<uint8_t*>(v->datap());
    if (!pe) p = static_cast<uint8_t*>(v->datapAdjustIndex(p, 1, int(f.address)));
    if (!p || bit >= v->entSize() * 8)
      throw ModelError(fmt::format("{}.{} of the model does not hold {}", scope, var, describe(f)));
    mask = uint8_t(1u << (bit % 8));  // Verilator keeps every width little-endian, 32-bit words in order
    return p + bit / 8;
  }
  void apply_fault() {
    *fault_byte_ ^= fault_mask_;
    ACCEL_CAT(ACCEL_MODEL_ROOT, ___eval_settle)(model_->rootp);
    fault_pending_ = false;
    ++faults_applied_;
  }

  // The falling edge without an eval(): the core has no logic on it, so that eval only copied
  // the assertions' sampled values once more (the rising edge's eval copies them first) and found
  // no trigger, at about 5 % of the cycle's time. The rising edge is an edge to the model because
  // the clock it saw last was 0; that remembered value is set here. A Verilator that names it
  // otherwise gets the falling edge's eval() as before (false); a traced cycle always does, for
  // the waveform.
  template <class Root>
  static bool forget_clock(Root* root) {
    if constexpr (requires { root->__Vtrigrprev__TOP__clk_i = 0; }) {
      root->__Vtrigrprev__TOP__clk_i = 0;
      return true;
    } else {
      return false;
    }
  }

  void dump(uint64_t t) {
    if (trace_ && trace_->isOpen()) trace_->dump(t);
  }
  void close_trace() {
    if (trace_ && trace_->isOpen()) trace_->close();
  }
  void check_col(unsigned col) const {
    if (col >= config_.cols) throw std::out_of_range(fmt::format("column {} of a {}-column core", col, config_.cols));
  }
  void check_errors() {
    if (!context_->gotError()) return;
    context_->gotError(false);
    context_->gotFinish(false);
    ++assertions_;
    std::string m = detail::take_vl_messages();
    if (throw_) throw AssertionFailure(cycle_ == 0 ? 0 : cycle_ - 1, m);
    messages_ += m;
  }

  CoreConfig config_;
  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Model> model_;
  std::unique_ptr<VerilatedFstC> trace_;
  std::string trace_path_;
  uint64_t trace_begin_ = 0;
  uint64_t trace_end_ = 0;
  uint64_t cycle_ = 0;
  bool throw_ = true;
  uint64_t assertions_ = 0;
  std::string messages_;
  Fault fault_;
  bool fault_pending_ = false;
  uint8_t* fault_byte_ = nullptr;
  uint8_t fault_mask_ = 0;
  uint64_t faults_applied_ = 0;
};

}  // namespace accel::sim

// Entry points (make_core_sim looks them up with dlsym).
#define ACCEL_EXPORT extern "C" __attribute__((visibility("default")))

ACCEL_EXPORT int accel_model_abi() { return accel::sim::kModelAbi; }

// A simulator that claims to be `config`; the caller checks model_params() against it.
ACCEL_EXPORT accel::sim::CoreSim* accel_model_new(const accel::CoreConfig* config) {
  return new accel::sim::VerilatedCoreSim<ACCEL_MODEL>(*config);
}

ACCEL_EXPORT void accel_model_echo(bool on) { accel::sim::detail::set_vl_echo(on); }
