// The device factory: the one place that knows the device names ("rtl", "functional",
// "systemc"), makes devices by name, lists the names for help texts and error messages, and keeps
// the one SystemC device a process may hold per configuration.
#pragma once

#include <accel/device.hpp>
#include <accel/isa.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace accel::sim {

// Every device name, in the order help texts list them.
std::span<const std::string_view> device_names();
// The devices that can write an FST trace of a slot window.
std::span<const std::string_view> traced_device_names();
bool is_device_name(std::string_view name);
// The names joined for people: "rtl, functional or systemc"; with a separator, "rtl|functional|systemc".
std::string device_list(std::span<const std::string_view> names, std::string_view sep = ", ",
                        std::string_view last = " or ");
// std::invalid_argument "unknown device 'X' (expected rtl, functional or systemc)" unless a name.
void check_device_name(std::string_view name);

// The default device of cosim and of runs that name none, and the device of layers not on the RTL.
std::string_view rtl_device_name();
std::string_view functional_device_name();

// A new device of `name` for `config`: the Verilated RTL (RtlDevice), the functional model, or a
// handle on the process's one SystemC device of `config` (made on first use, kept until exit).
// std::invalid_argument for an unknown name or a configuration the device does not have.
std::unique_ptr<Device> make_device(std::string_view name, const CoreConfig& config);

// Starts an FST trace of device slots [begin, end) (counted from the next reset()) on a device
// from make_device whose name is in traced_device_names(); std::invalid_argument for others. The
// handle closes a SystemC trace when it goes (that device outlives main(), its trace must not).
class DeviceTrace {
 public:
  DeviceTrace() = default;
  explicit DeviceTrace(std::function<void()> close) : close_(std::move(close)) {}
  DeviceTrace(DeviceTrace&& o) noexcept : close_(std::exchange(o.close_, {})) {}
  DeviceTrace& operator=(DeviceTrace&&) = delete;
  ~DeviceTrace() {
    if (close_) close_();
  }

 private:
  std::function<void()> close_;
};
DeviceTrace start_trace(Device& device, const std::string& path, uint64_t begin, uint64_t end);

}  // namespace accel::sim
