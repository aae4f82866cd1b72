#include <accel/functional_device.hpp>
#include <accel/sim/device_factory.hpp>
#include <accel/sim/rtl_device.hpp>
#include <accel/systemc/systemc_device.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <stdexcept>

namespace accel::sim {

namespace {

constexpr std::string_view kRtl = "rtl", kFunctional = "functional", kSystemc = "systemc";
constexpr std::array<std::string_view, 3> kNames{kRtl, kFunctional, kSystemc};
constexpr std::array<std::string_view, 2> kTraced{kRtl, kSystemc};

// A SystemC device lives for the rest of the process (one per configuration per process, and the
// simulation cannot drop it): make_device hands out borrowers of the cached one.
class BorrowedDevice final : public Device {
 public:
  explicit BorrowedDevice(systemc::SystemcDevice& d) : d_(d) {}
  const CoreConfig& config() const override { return d_.config(); }
  std::string_view name() const override { return d_.name(); }
  void reset() override { d_.reset(); }
  StepResult step(const Instr& instr, DataSpan data) override { return d_.step(instr, data); }
  Counters counters() const override { return d_.counters(); }
  systemc::SystemcDevice& target() { return d_; }

 private:
  systemc::SystemcDevice& d_;
};

systemc::SystemcDevice& systemc_device(const CoreConfig& cfg) {
  // Never destroyed: the SystemC kernel cannot be torn down and built again.
  static auto* cache = new std::map<std::string, std::unique_ptr<systemc::SystemcDevice>>();
  auto& d = (*cache)[std::string(cfg.name)];
  if (!d) {
    try {
      d = std::make_unique<systemc::SystemcDevice>(cfg);
    } catch (const std::invalid_argument& e) {
      cache->erase(std::string(cfg.name));
      throw std::invalid_argument(fmt::format("--device {}: {}", kSystemc, e.what()));
    }
  }
  return *d;
}

}  // namespace

std::span<const std::string_view> device_names() { return kNames; }
std::span<const std::string_view> traced_device_names() { return kTraced; }
std::string_view rtl_device_name() { return kRtl; }
std::string_view functional_device_name() { return kFunctional; }

bool is_device_name(std::string_view name) { return std::find(kNames.begin(), kNames.end(), name) != kNames.end(); }

std::string device_list(std::span<const std::string_view> names, std::string_view sep, std::string_view last) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) s += i + 1 == names.size() ? last : sep;
    s += names[i];
  }
  return s;
}

void check_device_name(std::string_view name) {
  if (!is_device_name(name))
    throw std::invalid_argument(fmt::format("unknown device '{}' (expected {})", name, device_list(kNames)));
}

std::unique_ptr<Device> make_device(std::string_view name, const CoreConfig& config) {
  check_device_name(name);
  if (name == kRtl) return std::make_unique<RtlDevice>(config);
  if (name == kFunctional) return std::make_unique<FunctionalDevice>(config);
  return std::make_unique<BorrowedDevice>(systemc_device(config));
}

DeviceTrace start_trace(Device& device, const std::string& path, uint64_t begin, uint64_t end) {
  if (auto* rtl = dynamic_cast<RtlDevice*>(&device)) {
    rtl->trace(path, begin, end);
    return {};
  }
  if (auto* sc = dynamic_cast<BorrowedDevice*>(&device)) {
    systemc::SystemcDevice& target = sc->target();
    target.trace(path, begin, end);
    return DeviceTrace([&target] { target.close_trace(); });
  }
  throw std::invalid_argument(
      fmt::format("device {} cannot trace (expected {})", device.name(), device_list(kTraced, ", ", " or ")));
}

}  // namespace accel::sim
