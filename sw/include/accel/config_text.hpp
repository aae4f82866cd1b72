// How a core configuration is named in text: "8x8, 8/8/32" (rows x cols, act/weight/psum bits).
#pragma once

#include <accel/isa.hpp>
#include <fmt/format.h>

#include <string>

namespace accel {

inline std::string config_widths(const CoreConfig& c) {
  return fmt::format("{}x{}, {}/{}/{}", c.rows, c.cols, c.act_bits, c.weight_bits, c.psum_bits);
}

}  // namespace accel
