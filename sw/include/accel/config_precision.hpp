// Core configurations and the golden model's bit widths: the precision a configuration computes
// in, and the configuration that runs a model of a given precision.
#pragma once

#include <accel/isa.hpp>
#include <fmt/format.h>

#include <golden/precision.hpp>
#include <stdexcept>
#include <string_view>

namespace accel {

inline golden::Precision precision_of(const CoreConfig& c) {
  return golden::Precision{int(c.act_bits), int(c.weight_bits), int(c.psum_bits)};
}

inline bool computes_in(const CoreConfig& c, const golden::Precision& p) {
  return int(c.act_bits) == p.act_bits && int(c.weight_bits) == p.weight_bits && int(c.psum_bits) == p.psum_bits;
}

// `forced` (checked against the widths), or else the first configuration of kConfigs with the
// model's widths (8/8/32 -> int8, 4/4/32 -> int4, 4/4/16 -> ece284). std::invalid_argument if none.
inline const CoreConfig& config_for(const golden::Precision& p, std::string_view forced = {}) {
  if (!forced.empty()) {
    const CoreConfig& c = config_by_name(forced);
    if (!computes_in(c, p))
      throw std::invalid_argument(fmt::format("--config {} has widths {}/{}/{}, the model {}/{}/{}", c.name, c.act_bits,
                                              c.weight_bits, c.psum_bits, p.act_bits, p.weight_bits, p.psum_bits));
    return c;
  }
  for (const CoreConfig& c : kConfigs)
    if (computes_in(c, p)) return c;
  throw std::invalid_argument(fmt::format(
      "no core configuration of this build has the model's widths {}/{}/{} (act/weight/psum); the precision "
      "sweep's are built with -DACCEL_SWEEP=ON (make sweep, build-sweep/)",
      p.act_bits, p.weight_bits, p.psum_bits));
}

}  // namespace accel
