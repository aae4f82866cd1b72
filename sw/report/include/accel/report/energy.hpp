#pragma once
// The energy estimate (docs/energy.md): the core's event counters (accel::Counter ids from Macs on)
// priced with a per-event energy table a user can replace (energy/horowitz_45nm.json by default).
// An estimate: what no counter counts (clock tree, leakage, wires between PEs, DRAM, the host) is
// not charged.
#include <accel/config.hpp>
#include <accel/device.hpp>
#include <array>
#include <string>
#include <string_view>

namespace accel::report {

// The table's figures, in pJ.
struct EnergyTable {
  std::string path, name, source;
  double add_8 = 0, add_32 = 0, mul_8 = 0, mul_32 = 0, sram_64bit_8kb = 0, register_bit = 0;
};

// Reads and checks a table (every figure present, finite and >= 0). Throws std::runtime_error with
// one line naming the file and the problem.
EnergyTable read_energy_table(const std::string& path);

// The default table, relative to the repository root.
inline constexpr std::string_view kDefaultEnergyTable = "energy/horowitz_45nm.json";

// Where the energy goes, the parts of a layer's estimate.
inline constexpr std::array<std::string_view, 8> kEnergyParts{"mac",  "xmem",  "wmem",    "pmem",
                                                               "l0",   "ofifo", "weights", "sfp"};
using EnergyParts = std::array<double, kEnergyParts.size()>;  // pJ

// The rules of docs/energy.md for other widths and sizes.
double add_pj(const EnergyTable& t, unsigned bits);                // an adder of `bits`
double mul_pj(const EnergyTable& t, unsigned a_bits, unsigned b_bits);  // a multiplier
double sram_pj(const EnergyTable& t, unsigned word_bits, double bytes);  // one access of a word

// Energy of one event of each counter id (0 for the cycle counters), and the part it goes to.
struct EventCost {
  double pj = 0;
  int part = -1;  // index into kEnergyParts, -1: not charged (cycle counters)
};
// `simd`: the run is in the SIMD mode (its MACs multiply ActBits / 2-bit activations).
std::array<EventCost, kNumCounters> event_costs(const EnergyTable& t, const CoreConfig& cfg, bool simd = false);

// The estimate of counts (a layer's counters summed over its schedules), by part.
EnergyParts energy_of(const std::array<EventCost, kNumCounters>& costs, const Counters& counts);

}  // namespace accel::report
