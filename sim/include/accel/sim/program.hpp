// A runner that plays a hand-built slot program on the core and records every psum row and
// read-out it emits, for tests and small tools.
#pragma once

#include <accel/isa.hpp>
#include <accel/slot_stream.hpp>
#include <accel/sim/core_sim.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace accel::sim {

// Programs are the project's one stream type (accel::SlotStream, slot_stream.hpp): fields of one
// slot are set independently, p.at(n).l0_rd = true; p.set_data(n, word); ...
using Program = SlotStream;

// A psum row (psum_o) or read-out (out_o) seen after the step of slot `slot`.
struct Row {
  std::size_t slot;
  std::vector<int64_t> v;
};

struct RunResult {
  std::vector<Row> psums;
  std::vector<Row> outs;
};

// Steps every slot of p (then `drain` no-ops), from the simulator's current state; slot numbers
// in the result count from the program's slot 0.
inline RunResult run(CoreSim& sim, const Program& p, std::size_t drain = 8) {
  RunResult r;
  const unsigned cols = sim.config().cols;
  auto observe = [&](std::size_t n) {
    if (sim.psum_valid()) {
      Row row{n, std::vector<int64_t>(cols)};
      for (unsigned c = 0; c < cols; ++c) row.v[c] = sim.psum(c);
      r.psums.push_back(std::move(row));
    }
    if (sim.out_valid()) {
      Row row{n, std::vector<int64_t>(cols)};
      for (unsigned c = 0; c < cols; ++c) row.v[c] = sim.out(c);
      r.outs.push_back(std::move(row));
    }
  };
  for (std::size_t n = 0; n < p.size() + drain; ++n) {
    sim.apply_words(pack(n < p.size() ? p.instrs[n] : Instr{}), n < p.size() ? p.data_at(n) : DataSpan{});
    sim.tick();
    observe(n);
  }
  return r;
}

}  // namespace accel::sim
