// Core configurations and the golden model's bit widths: the precision a configuration computes
// in, and the configuration that runs a model of a given precision.
#pragma once

#include <accel/isa.hpp>
#include <fmt/format.h>

#include <golden/precision.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace accel {

// The widths a configuration computes in; in the SIMD mode (`simd`, docs/isa.md "SIMD mode") its
// activations are half as wide.
inline golden::Precision precision_of(const CoreConfig& c, bool simd = false) {
  return golden::Precision{int(simd ? c.simd_act_bits() : c.act_bits), int(c.weight_bits), int(c.psum_bits)};
}

inline bool computes_in(const CoreConfig& c, const golden::Precision& p, bool simd = false) {
  return (!simd || c.simd) && precision_of(c, simd) == p;
}

// `forced` (checked against the widths), or else the first configuration of kConfigs with the
// model's widths (8/8/32 -> int8, 4/4/32 -> int4, 4/4/16 -> ece284; with `simd`, a core with the
// SIMD mode whose half-width activations are the model's: 2/4/32 -> int4). std::invalid_argument
// if none.
inline const CoreConfig& config_for(const golden::Precision& p, std::string_view forced = {}, bool simd = false) {
  const std::string_view mode = simd ? " in the SIMD mode" : "";
  if (!forced.empty()) {
    const CoreConfig& c = config_by_name(forced);
    if (simd && !c.simd)
      throw std::invalid_argument(fmt::format("--config {} has no SIMD mode (rtl/configs.txt tags the cores that "
                                              "have it 'simd')",
                                              c.name));
    const golden::Precision cp = precision_of(c, simd);
    if (!computes_in(c, p, simd))
      throw std::invalid_argument(fmt::format("--config {} has widths {}/{}/{}{}, the model {}/{}/{}", c.name,
                                              cp.act_bits, cp.weight_bits, cp.psum_bits, mode, p.act_bits,
                                              p.weight_bits, p.psum_bits));
    return c;
  }
  for (const CoreConfig& c : kConfigs)
    if (computes_in(c, p, simd)) return c;
  std::string hint = "the precision sweep's are built with -DACCEL_SWEEP=ON (make sweep, build-sweep/)";
  for (const CoreConfig& c : kConfigs)
    if (!simd && computes_in(c, p, true)) {
      hint = fmt::format("core '{}' runs it in the SIMD mode (--simd); {}", c.name, hint);
      break;
    }
  throw std::invalid_argument(
      fmt::format("no core configuration of this build has the model's widths {}/{}/{} (act/weight/psum){}; {}",
                  p.act_bits, p.weight_bits, p.psum_bits, mode, hint));
}

}  // namespace accel
