// SystemcDevice: the process-wide SystemC platform (clock, one CoreTarget and one initiator per
// configuration) and the Device that steps it from ordinary C++ code.
#include <accel/systemc/systemc_device.hpp>

#include <accel/sim/core_sim.hpp>
#include <accel/systemc/core_target.hpp>

#include <fmt/format.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <sys/stat.h>

#if defined(__SANITIZE_ADDRESS__)
#include <pthread.h>
#include <sanitizer/common_interface_defs.h>
#endif

#include <cmath>
#include <cstdlib>
#include <utility>
#include <vector>

namespace accel::systemc {

using namespace sc_core;
using namespace tlm;

namespace {

// sc_start() for the sanitized build (make test SANITIZE=1, docs/sanitizers.md). Debian's
// SystemC 2.3.4 announces its coroutine switches to ASan (__sanitizer_start_switch_fiber), but
// when it switches back to the thread that called sc_start() it names an empty stack, so ASan
// forgets that stack's bounds: an exception thrown afterwards cannot unpoison the frames it
// unwinds (false stack-buffer-overflow reports) and use-after-return's fake frames go wrong.
// After each sc_start() this announces a switch from the calling thread's stack to itself, with
// its real bounds. Elsewhere it is sc_start() alone.
template <class... Args>
void run_kernel(Args&&... args) {
  sc_start(std::forward<Args>(args)...);
#if defined(__SANITIZE_ADDRESS__)
  struct Stack {
    void* bottom = nullptr;
    size_t size = 0;
  };
  // Once per thread: pthread_getattr_np reads /proc/self/maps for the main thread.
  static thread_local const Stack stack = [] {
    Stack st;
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      if (pthread_attr_getstack(&attr, &st.bottom, &st.size) != 0) st = {};
      pthread_attr_destroy(&attr);
    }
    return st;
  }();
  if (stack.size == 0) return;
  void* fake_stack = nullptr;
  __sanitizer_start_switch_fiber(&fake_stack, stack.bottom, stack.size);
  __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
#endif
}

// Issues the transactions of one job from its SC_THREAD, then pauses the simulation so that
// sc_start() returns to the host code that asked for the job.
class HostInitiator : public sc_module {
 public:
  enum class Job { Step, Reset, Counters, Raw };

  tlm_utils::simple_initiator_socket<HostInitiator> socket;
  sc_event kick;
  // The job and its operands (set by the host before kick).
  Job job = Job::Step;
  InstrWord instr{};
  DataSpan data;
  tlm_generic_payload* raw = nullptr;
  // Results.
  tlm_response_status status = TLM_OK_RESPONSE;
  bool psum_valid = false, out_valid = false;
  std::vector<int64_t> psum, out;
  Counters ctr{};

  SC_HAS_PROCESS(HostInitiator);
  HostInitiator(const sc_module_name& name, const CoreConfig& cfg)
      : sc_module(name), socket("socket"), psum(cfg.cols), out(cfg.cols), words_(data_words(cfg)), cols_(cfg.cols) {
    SC_THREAD(run);
  }

 private:
  void run() {
    for (;;) {
      wait(kick);
      status = TLM_OK_RESPONSE;
      switch (job) {
        case Job::Step:
          do_step();
          break;
        case Job::Reset: {
          uint32_t v = reg::kControlReset;
          transfer(TLM_WRITE_COMMAND, reg::kControl, &v, 4);
          break;
        }
        case Job::Counters:
          transfer(TLM_READ_COMMAND, reg::kCounters, ctr.data(), sizeof ctr);
          break;
        case Job::Raw:
          socket->b_transport(*raw, delay_);
          status = raw->get_response_status();
          break;
      }
      sc_pause();
    }
  }

  void do_step() {
    psum_valid = out_valid = false;
    if (!data.empty() && !transfer(TLM_WRITE_COMMAND, reg::kData, data.data(), 4 * words_)) return;
    if (!transfer(TLM_WRITE_COMMAND, reg::kInstr, instr.data(), sizeof instr)) return;
    uint32_t st = 0;
    if (!transfer(TLM_READ_COMMAND, reg::kStatus, &st, 4)) return;
    if (st & kStatusPsumValid) psum_valid = transfer(TLM_READ_COMMAND, reg::kPsum, psum.data(), 8 * cols_);
    if (st & kStatusOutValid) out_valid = transfer(TLM_READ_COMMAND, reg::kOut, out.data(), 8 * cols_);
  }

  bool transfer(tlm_command cmd, uint64_t addr, const void* p, unsigned len) {
    gp_.set_command(cmd);
    gp_.set_address(addr);
    // A write only reads the buffer; the generic payload has no const data pointer.
    gp_.set_data_ptr(static_cast<unsigned char*>(const_cast<void*>(p)));
    gp_.set_data_length(len);
    gp_.set_streaming_width(len);
    gp_.set_byte_enable_ptr(nullptr);
    gp_.set_byte_enable_length(0);
    gp_.set_dmi_allowed(false);
    gp_.set_response_status(TLM_INCOMPLETE_RESPONSE);
    socket->b_transport(gp_, delay_);
    status = gp_.get_response_status();
    return status == TLM_OK_RESPONSE;
  }

  tlm_generic_payload gp_;
  sc_time delay_ = SC_ZERO_TIME;  // local time offset (the bridge syncs it on INSTR/CONTROL)
  unsigned words_, cols_;
};

}  // namespace

struct SystemcDevice::Lane {
  std::unique_ptr<CoreTarget> target;
  std::unique_ptr<HostInitiator> host;
  bool in_use = false;

  void run(HostInitiator::Job job) {
    host->job = job;
    host->kick.notify(SC_ZERO_TIME);
    run_kernel();  // until the initiator's sc_pause()
  }
};

namespace {

// The process-wide platform. Never destroyed: SystemC cannot take modules out of an elaborated
// simulation, and the Verilated models must not be torn down after the kernel's statics.
class HostPlatform {
 public:
  // The first call elaborates the platform: a lane for `first` and for every other configuration
  // whose SystemC model library is built (SystemC elaborates once per process).
  static HostPlatform& get(const CoreConfig& first) {
    static HostPlatform* p = new HostPlatform(first);
    return *p;
  }
  SystemcDevice::Lane* lane(const CoreConfig& cfg) {
    for (size_t i = 0; i < names_.size(); ++i)
      if (names_[i] == cfg.name) return &lanes_[i];
    return nullptr;
  }

 private:
  explicit HostPlatform(const CoreConfig& first) {
    if (sc_get_status() != SC_ELABORATION)
      throw std::logic_error("SystemcDevice: this process already runs a SystemC simulation of its own");
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
    clk_ = std::make_unique<sc_clock>("accel_clk", sc_time(10, SC_NS));
    add_lane(first);
    for (const CoreConfig& cfg : kConfigs) {
      struct stat st {};
      const bool built = ::stat(sim::model_library(cfg.name, "core_sc").c_str(), &st) == 0;
      if (cfg.name != first.name && built) add_lane(cfg);
    }
    run_kernel(SC_ZERO_TIME);  // end of elaboration; the initiators wait for their first kick
    for (size_t i = 0; i < lanes_.size(); ++i)
      sim::check_model_params(lanes_[i].target->config(), lanes_[i].target->model_params(),
                              sim::model_library(names_[i], "core_sc"));
  }

  void add_lane(const CoreConfig& cfg) {
    SystemcDevice::Lane lane;
    lane.target = make_core_target(fmt::format("accel_{}", cfg.name).c_str(), cfg);
    lane.host = std::make_unique<HostInitiator>(fmt::format("accel_{}_host", cfg.name).c_str(), cfg);
    lane.target->clk(*clk_);
    lane.host->socket.bind(lane.target->socket);
    names_.push_back(cfg.name);
    lanes_.push_back(std::move(lane));
  }

  std::unique_ptr<sc_clock> clk_;
  std::vector<std::string_view> names_;
  std::vector<SystemcDevice::Lane> lanes_;
};

}  // namespace

SystemcDevice::SystemcDevice(const CoreConfig& config) : cfg_(config_by_name(config.name)) {
  if (!cfg_.same_shape(config))
    throw std::invalid_argument(
        fmt::format("configuration '{}' differs from the SystemC model of that name", config.name));
  lane_ = HostPlatform::get(cfg_).lane(cfg_);
  if (!lane_)
    throw sim::ModelError(
        fmt::format("no SystemC model for configuration '{}' in this process: SystemC elaborates once, when the first "
                    "SystemcDevice is made, and {} was not built then",
                    config.name, sim::model_library(config.name, "core_sc")));
  if (lane_->in_use)
    throw std::logic_error(fmt::format(
        "a SystemcDevice for '{}' already exists: one per configuration per process at a time", config.name));
  lane_->in_use = true;
  reset();
}

SystemcDevice::SystemcDevice(std::string_view config_name) : SystemcDevice(config_by_name(config_name)) {}

SystemcDevice::~SystemcDevice() {
  if (lane_->target->tracing()) lane_->target->trace_close();
  lane_->in_use = false;
}

void SystemcDevice::reset() {
  if (lane_->target->tracing()) lane_->target->trace_close();
  lane_->run(HostInitiator::Job::Reset);
  if (lane_->host->status != TLM_OK_RESPONSE) throw DeviceError(0, "during reset: " + last_error());
  slot_ = 0;
  armed_ = std::move(trace_);
  trace_.reset();
}

void SystemcDevice::trace(const std::string& path, uint64_t begin, uint64_t end) {
  if (end <= begin) throw std::invalid_argument(fmt::format("empty trace window {}:{}", begin, end));
  trace_ = TraceRequest{path, begin, end};
}

bool SystemcDevice::trace_open() const { return lane_->target->tracing(); }

void SystemcDevice::close_trace() {
  if (lane_->target->tracing()) lane_->target->trace_close();
  trace_.reset();
  armed_.reset();
}

StepResult SystemcDevice::step(const Instr& instr, DataSpan data) {
  HostInitiator& h = *lane_->host;
  if (armed_ && slot_ == armed_->begin) lane_->target->trace_open(armed_->path);
  h.instr = pack(instr);
  h.data = data;
  lane_->run(HostInitiator::Job::Step);
  if (h.status != TLM_OK_RESPONSE) throw DeviceError(slot_, last_error());
  ++slot_;
  if (armed_ && slot_ == armed_->end) {
    lane_->target->trace_close();
    armed_.reset();
  }
  StepResult r;
  if (h.psum_valid) r.psum = h.psum.data();
  if (h.out_valid) r.out = h.out.data();
  return r;
}

Counters SystemcDevice::counters() const {
  lane_->run(HostInitiator::Job::Counters);
  if (lane_->host->status != TLM_OK_RESPONSE) throw DeviceError(slot_, last_error());
  return lane_->host->ctr;
}

tlm_response_status SystemcDevice::transport(tlm_generic_payload& t) {
  lane_->host->raw = &t;
  lane_->run(HostInitiator::Job::Raw);
  lane_->host->raw = nullptr;
  return lane_->host->status;
}

const std::string& SystemcDevice::last_error() const { return lane_->target->last_error(); }

uint64_t SystemcDevice::now_ns() { return uint64_t(std::llround(sc_time_stamp() / sc_time(1, SC_NS))); }

std::unique_ptr<Device> make_systemc_device(const CoreConfig& config) {
  return std::make_unique<SystemcDevice>(config);
}

}  // namespace accel::systemc
