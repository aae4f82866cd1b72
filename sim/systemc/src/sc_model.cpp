// Programs' side of the SystemC model libraries (core_target.cpp is the library side): loads the
// library of a configuration through the same loader as the plain models.
#include <accel/systemc/core_target.hpp>

#include <accel/sim/core_sim.hpp>

#include <fmt/format.h>

// libsystemc.so calls sc_main from its own main(); programs with their own main() (the tests)
// never get there, but the linker still wants the symbol. A program's own sc_main wins.
extern "C" __attribute__((weak)) int sc_main(int, char**) {
  fmt::print(stderr, "error: this program has no sc_main\n");
  return 1;
}

namespace accel::systemc {

std::unique_ptr<CoreTarget> make_core_target(const sc_core::sc_module_name& name, const CoreConfig& cfg) {
  const std::string lib = sim::ensure_model_library(cfg.name, "core_sc");
  auto* make =
      reinterpret_cast<CoreTarget* (*)(const char*, const CoreConfig*)>(sim::model_symbol(lib, "accel_sc_model_new"));
  return std::unique_ptr<CoreTarget>(make(static_cast<const char*>(name), &cfg));
}

}  // namespace accel::systemc
