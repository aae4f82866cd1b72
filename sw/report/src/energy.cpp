// The energy estimate (energy.hpp, docs/energy.md).
#include "accel/report/energy.hpp"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace accel::report {

EnergyTable read_energy_table(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot read the energy table", path));
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(fmt::format("{}: not JSON: {}", path, e.what()));
  }
  if (!j.is_object() || j.value("format", "") != "accel-energy-table")
    throw std::runtime_error(fmt::format("{}: not an energy table (format \"accel-energy-table\")", path));
  EnergyTable t;
  t.path = path;
  t.name = j.value("name", "");
  t.source = j.value("source", "");
  const nlohmann::json pj = j.value("pj", nlohmann::json::object());
  const auto figure = [&](const char* key, double& out) {
    if (!pj.contains(key) || !pj[key].is_number())
      throw std::runtime_error(fmt::format("{}: pj.{} missing or not a number", path, key));
    out = pj[key].get<double>();
    if (!std::isfinite(out) || out < 0)
      throw std::runtime_error(fmt::format("{}: pj.{} = {} (expected a finite energy >= 0)", path, key, out));
  };
  figure("add_8", t.add_8);
  figure("add_32", t.add_32);
  figure("mul_8", t.mul_8);
  figure("mul_32", t.mul_32);
  figure("sram_64bit_8kb", t.sram_64bit_8kb);
  figure("register_bit", t.register_bit);
  return t;
}

// Linear between the table's two widths; below the smaller one, proportional to it.
double add_pj(const EnergyTable& t, unsigned bits) {
  if (bits < 8) return t.add_8 * bits / 8.0;
  return t.add_8 + (double(bits) - 8) * (t.add_32 - t.add_8) / 24.0;
}

// Linear in the product of the widths (the partial-product array), through 8x8 and 32x32.
double mul_pj(const EnergyTable& t, unsigned a_bits, unsigned b_bits) {
  const double ab = double(a_bits) * b_bits;
  if (ab < 64) return t.mul_8 * ab / 64.0;
  return t.mul_8 + (ab - 64) * (t.mul_32 - t.mul_8) / (1024.0 - 64.0);
}

// Proportional to the word width, and to the square root of the capacity (Horowitz's 8 KB, 32 KB
// and 1 MB figures: 10, 20 and 100 pJ for 64 bits; the rule gives 10, 20 and 113).
double sram_pj(const EnergyTable& t, unsigned word_bits, double bytes) {
  return t.sram_64bit_8kb * (word_bits / 64.0) * std::sqrt(bytes / 8192.0);
}

std::array<EventCost, kNumCounters> event_costs(const EnergyTable& t, const CoreConfig& c, bool simd) {
  enum Part { Mac, Xmem, Wmem, Pmem, L0, Ofifo, Weights, Sfp };
  const unsigned xw = c.rows * c.act_bits, ww = c.cols * c.weight_bits, pw = c.cols * c.psum_bits;
  const double xmem = sram_pj(t, xw, c.xmem_depth * xw / 8.0), wmem = sram_pj(t, ww, c.xmem_depth * ww / 8.0);
  const double pmem = sram_pj(t, pw, c.pmem_depth * pw / 8.0);
  const double l0 = sram_pj(t, xw, c.l0_depth * xw / 8.0), ofifo = sram_pj(t, pw, c.ofifo_depth * pw / 8.0);
  // A core with the SIMD mode shifts both weight lanes on every w_load.
  const double weight_regs = double(c.weight_column_rows()) * c.cols * c.weight_bits * t.register_bit;
  std::array<EventCost, kNumCounters> e{};
  const auto set = [&e](Counter k, double pj, Part part) { e[static_cast<unsigned>(k)] = {pj, part}; };
  // In the SIMD mode a MAC is one of a PE's two half-width products.
  set(Counter::Macs, mul_pj(t, simd ? c.simd_act_bits() : c.act_bits, c.weight_bits) + add_pj(t, c.psum_bits), Mac);
  set(Counter::XmemRead, xmem, Xmem);
  set(Counter::XmemWrite, xmem, Xmem);
  set(Counter::WmemRead, wmem, Wmem);
  set(Counter::WmemWrite, wmem, Wmem);
  set(Counter::PmemRead, pmem, Pmem);
  set(Counter::PmemWrite, pmem + c.cols * add_pj(t, c.psum_bits), Pmem);  // with the SFP's update adders
  set(Counter::L0Push, l0, L0);
  set(Counter::L0Pop, l0, L0);
  set(Counter::OfifoPop, 2 * ofifo, Ofifo);  // the row's push and its pop
  set(Counter::WeightShift, weight_regs, Weights);
  set(Counter::WeightCommit, weight_regs, Weights);
  // Per lane: the bias add, y * M and the rounding add of (y * M + R) >> S (docs/quantization.md).
  set(Counter::SfpOut, c.cols * (add_pj(t, c.psum_bits) + mul_pj(t, c.psum_bits, 32) + add_pj(t, 64)), Sfp);
  return e;
}

EnergyParts energy_of(const std::array<EventCost, kNumCounters>& costs, const Counters& counts) {
  EnergyParts p{};
  for (unsigned k = 0; k < kNumCounters; ++k)
    if (costs[k].part >= 0) p[size_t(costs[k].part)] += costs[k].pj * double(counts[k]);
  return p;
}

}  // namespace accel::report
