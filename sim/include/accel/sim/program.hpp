// A slot-indexed instruction program for the core, and a runner that records every psum row
// and read-out the core emits. Tests and small tools build schedules with it: fields of one
// slot are set independently (p.at(n).l0_rd = true; p.at(n).of_rd = true; ...).
#pragma once

#include <accel/isa.hpp>
#include <accel/sim/core_sim.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace accel::sim {

struct Slot {
  Instr instr;
  BitVec data;  // empty: zeros
};

class Program {
 public:
  explicit Program(const CoreConfig& config) : config_(config) {}

  // The instruction of slot n (the program grows with no-ops as needed).
  Instr& at(std::size_t n) {
    grow(n);
    return slots_[n].instr;
  }
  // data_i of slot n. Throws if the slot already carries data (data_i is one word per slot).
  void data(std::size_t n, BitVec d) {
    grow(n);
    if (!slots_[n].data.words().empty())
      throw std::logic_error("Program: slot " + std::to_string(n) + " already uses data_i");
    slots_[n].data = std::move(d);
  }
  bool has_data(std::size_t n) const { return n < slots_.size() && !slots_[n].data.words().empty(); }

  std::size_t size() const { return slots_.size(); }
  const Slot& operator[](std::size_t n) const { return slots_.at(n); }
  const CoreConfig& config() const { return config_; }

 private:
  void grow(std::size_t n) {
    if (n >= slots_.size()) slots_.resize(n + 1);
  }
  CoreConfig config_;
  std::vector<Slot> slots_;
};

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
    if (n < p.size()) sim.step(p[n].instr, p[n].data);
    else sim.step(Instr{});
    observe(n);
  }
  return r;
}

}  // namespace accel::sim
