// accel::sim::CoreSim over the Verilated core models, one template for every configuration.
#include <accel/sim/core_sim.hpp>

#include <accel/sim/port_bits.hpp>
#include "vl_print_hook.h"

#include <verilated.h>
#include <verilated_fst_c.h>

#include <fmt/format.h>

#include "Vcore_ece284.h"
#include "Vcore_int4.h"
#include "Vcore_int8.h"
#include "Vcore_odd4x6.h"

namespace accel::sim {

void CoreSim::echo_messages(bool on) { detail::set_vl_echo(on); }

namespace {

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
    trace_.reset();
    model_.reset();
  }

  const CoreConfig& config() const override { return config_; }

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
    model_->eval();
    dump(cycle_ * 10 + 5);
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
    const unsigned w = config_.psum_bits;
    for (unsigned c = 0; c < config_.cols; ++c)
      dst[c] = detail::sign_extend(detail::read_port(model_->psum_o, c * w, w), w);
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

 private:
  void dump(uint64_t t) {
    if (trace_ && trace_->isOpen()) trace_->dump(t);
  }
  void close_trace() {
    if (trace_ && trace_->isOpen()) trace_->close();
  }
  void check_col(unsigned col) const {
    if (col >= config_.cols)
      throw std::out_of_range(fmt::format("column {} of a {}-column core", col, config_.cols));
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
};

}  // namespace

std::unique_ptr<CoreSim> make_core_sim(const CoreConfig& config) {
  const CoreConfig& known = config_by_name(config.name);
  if (known.rows != config.rows || known.cols != config.cols || known.act_bits != config.act_bits ||
      known.weight_bits != config.weight_bits || known.psum_bits != config.psum_bits ||
      known.xmem_depth != config.xmem_depth || known.pmem_depth != config.pmem_depth ||
      known.l0_depth != config.l0_depth || known.ofifo_depth != config.ofifo_depth)
    throw std::invalid_argument(fmt::format(
        "configuration '{}' differs from the Verilated model of that name", config.name));
  if (config.name == "int8") return std::make_unique<VerilatedCoreSim<Vcore_int8>>(known);
  if (config.name == "int4") return std::make_unique<VerilatedCoreSim<Vcore_int4>>(known);
  if (config.name == "ece284") return std::make_unique<VerilatedCoreSim<Vcore_ece284>>(known);
  if (config.name == "odd4x6") return std::make_unique<VerilatedCoreSim<Vcore_odd4x6>>(known);
  throw std::invalid_argument(fmt::format("no Verilated model for configuration '{}'", config.name));
}

std::unique_ptr<CoreSim> make_core_sim(std::string_view config_name) {
  return make_core_sim(config_by_name(config_name));
}

}  // namespace accel::sim
