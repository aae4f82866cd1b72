#include "fault_option.hpp"

#include <accel/sim/rtl_device.hpp>
#include <fmt/format.h>

#include <charconv>
#include <vector>

#include "options.hpp"

namespace accel::cosim {

namespace {

using Target = sim::Fault::Target;

struct TargetSyntax {
  const char* name;
  Target target;
  size_t fields;
  const char* form;
};
constexpr TargetSyntax kTargets[] = {
    {"psum", Target::Psum, 3, "psum:ROW,COL,BIT@CYCLE"},
    {"weight", Target::Weight, 4, "weight:ROW,COL,BUF,BIT@CYCLE"},
    {"xmem", Target::Xmem, 2, "xmem:ADDR,BIT@CYCLE"},
    {"pmem", Target::Pmem, 2, "pmem:ADDR,BIT@CYCLE"},
};

// A decimal number, all of `s`; nullopt otherwise (sign, spaces, overflow).
std::optional<uint64_t> number(const std::string& s) {
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// Comma-separated fields, empty ones kept (so "1,,2" is three fields, one not a number).
std::vector<std::string> split_fields(const std::string& s) {
  std::vector<std::string> out(1);
  for (const char ch : s) {
    if (ch == ',')
      out.emplace_back();
    else
      out.back().push_back(ch);
  }
  return out;
}

}  // namespace

sim::Fault parse_fault(const std::string& spec) {
  const auto bad = [&](const std::string& why) { return UsageError(fmt::format("--fault '{}': {}", spec, why)); };
  const size_t colon = spec.find(':'), at = spec.rfind('@');
  const TargetSyntax* ts = nullptr;
  for (const TargetSyntax& t : kTargets)
    if (spec.substr(0, colon) == t.name) ts = &t;
  if (colon == std::string::npos || !ts) throw bad("expected psum:, weight:, xmem: or pmem: first");
  if (at == std::string::npos || at < colon) throw bad(fmt::format("expected {}", ts->form));
  const std::optional<uint64_t> cycle = number(spec.substr(at + 1));
  if (!cycle) throw bad(fmt::format("'{}' is not a cycle number (expected {})", spec.substr(at + 1), ts->form));
  std::vector<unsigned> v;
  for (const std::string& f : split_fields(spec.substr(colon + 1, at - colon - 1))) {
    const std::optional<uint64_t> n = number(f);
    if (!n || *n > 0xffffffffu) throw bad(fmt::format("'{}' is not a number (expected {})", f, ts->form));
    v.push_back(unsigned(*n));
  }
  if (v.size() != ts->fields) throw bad(fmt::format("{} numbers before '@', expected {}", v.size(), ts->form));
  sim::Fault f;
  f.target = ts->target;
  f.cycle = *cycle;
  if (ts->fields >= 3) f.row = v[0], f.col = v[1];
  if (ts->fields == 4) f.buffer = v[2];
  if (ts->fields == 2) f.address = v[0];
  f.bit = v.back();
  return f;
}

FaultOption::FaultOption(const std::string& spec) : spec_(spec) {
  if (!spec.empty()) fault_ = parse_fault(spec);
}

void FaultOption::check(const CoreConfig& cfg) const {
  if (!fault_) return;
  try {
    sim::check_fault(cfg, *fault_);
  } catch (const sim::FaultError& e) {
    throw UsageError(fmt::format("--fault '{}': {} (configuration {})", spec_, e.what(), cfg.name));
  }
}

void FaultOption::arm(Device& dev) {
  if (!fault_) return;
  auto* rtl = dynamic_cast<sim::RtlDevice*>(&dev);
  if (!rtl) throw UsageError(fmt::format("--fault needs the rtl device, not {}", dev.name()));
  try {
    rtl->core().schedule_fault(*fault_);
  } catch (const sim::FaultError& e) {
    throw UsageError(fmt::format("--fault '{}': {}", spec_, e.what()));
  }
  dev_ = rtl;
}

void FaultOption::entering(const std::string& what) {
  if (!dev_) return;
  auto& core = static_cast<sim::RtlDevice*>(dev_)->core();
  if (!core.fault_pending()) return;
  during_ = what;
  entered_at_ = core.cycle();
}

std::string FaultOption::result(const std::string& extra) const {
  if (!dev_) return {};
  const auto& core = static_cast<sim::RtlDevice*>(dev_)->core();
  if (core.faults_applied() == 0)
    throw UsageError(fmt::format("--fault '{}': never applied: the RTL device ran cycles 0..{} only", spec_,
                                 core.cycle() == 0 ? 0 : core.cycle() - 1));
  return fmt::format("fault: {}: applied during {}{}\n", sim::describe(*fault_), during_, extra);
}

}  // namespace accel::cosim
