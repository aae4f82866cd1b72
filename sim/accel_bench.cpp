// accel-bench: simulated clock cycles per second of the Verilated core on a continuous stream of
// back-to-back weight tiles (double-buffered, activations reused from xmem), one thread.
//
//   accel-bench [--config int8] [--cycles 2000000] [--vectors 64] [--trace FILE ...]
#include <accel/config_text.hpp>
#include <accel/isa.hpp>
#include <accel/sim/core_sim.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdint>
#include <exception>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

using accel::BitVec;
using accel::CoreConfig;
using accel::Instr;

struct Slot {
  Instr instr;
  BitVec data;
  accel::InstrWord packed{};
};

// One tile period of `v` slots in steady state: every slot reads xmem two slots ahead, pops one
// vector into the array (buffer `buf`) and pops the psum row of the vector R+C slots back; the
// first Cols slots load the next tile's weights, which commit into the other buffer as soon as
// the previous tile's last vector has left it.
std::vector<Slot> tile_period(const CoreConfig& c, unsigned v, unsigned buf, bool first,
                              const std::vector<BitVec>& next_weights) {
  std::vector<Slot> p(v);
  const unsigned lag = accel::lat::l0rd_to_ofrd(c);
  const unsigned commit = std::max(c.cols, accel::lat::l0rd_to_commit(c) - 1);
  for (unsigned k = 0; k < v; ++k) {
    Instr& i = p[k].instr;
    i.xmem_rd = true;
    i.xmem_rd_addr = static_cast<uint16_t>((k + accel::lat::kXmemRdToL0Rd) % v);
    i.l0_rd = true;
    i.l0_wsel = static_cast<uint8_t>(buf);
    if (!first || k >= lag) {
      i.of_rd = true;
      i.of_acc = true;
      i.of_addr = static_cast<uint16_t>((k + v - lag) % v);
    }
    if (k < c.cols) {
      i.w_load = true;
      p[k].data = next_weights[k];
    }
    if (k == commit) {
      i.w_commit = true;
      i.w_buf = static_cast<uint8_t>(buf ^ 1u);
    }
  }
  for (auto& s : p) s.packed = accel::pack(s.instr);
  return p;
}

std::vector<BitVec> random_weight_tile(const CoreConfig& c, std::mt19937& rng) {
  std::uniform_int_distribution<int32_t> d(-(1 << (c.weight_bits - 1)), (1 << (c.weight_bits - 1)) - 1);
  std::vector<BitVec> cols;
  for (unsigned k = 0; k < c.cols; ++k) {
    std::vector<int32_t> w(c.rows);
    for (auto& x : w) x = d(rng);
    cols.push_back(accel::pack_weight_column(c, w));
  }
  return cols;
}

int run(const std::string& config_name, uint64_t cycles, unsigned vectors, uint32_t seed, const std::string& trace,
        uint64_t trace_begin, uint64_t trace_end) {
  const CoreConfig& c = accel::config_by_name(config_name);
  if (vectors < c.rows + c.cols || vectors > c.xmem_depth)
    throw std::invalid_argument(fmt::format("--vectors must be in {}..{}", c.rows + c.cols, c.xmem_depth));
  fmt::print("accel-bench: config {} ({}), {} vectors per tile, seed {}\n", c.name, accel::config_widths(c), vectors,
             seed);
  std::mt19937 rng(seed);
  auto sim = accel::sim::make_core_sim(c);
  if (!trace.empty()) sim->trace(trace, trace_begin, trace_end);
  sim->reset();

  // Prologue: activations into xmem, the first tile's weights into buffer 0.
  std::uniform_int_distribution<uint32_t> ad(0, (1u << c.act_bits) - 1);
  for (unsigned k = 0; k < vectors; ++k) {
    std::vector<uint32_t> a(c.rows);
    for (auto& x : a) x = ad(rng);
    Instr i;
    i.xmem_wr = true;
    i.xmem_wr_addr = static_cast<uint16_t>(k);
    sim->step(i, accel::pack_activations(c, a));
  }
  std::vector<std::vector<BitVec>> weights;
  for (int k = 0; k < 4; ++k) weights.push_back(random_weight_tile(c, rng));
  for (unsigned k = 0; k < c.cols; ++k) {
    Instr i;
    i.w_load = true;
    // The first two xmem reads run ahead of the stream (kXmemRdToL0Rd = 2).
    if (k + 2 >= c.cols) {
      i.xmem_rd = true;
      i.xmem_rd_addr = static_cast<uint16_t>(k + 2 - c.cols);
    }
    sim->step(i, weights[0][k]);
  }
  Instr commit;
  commit.w_commit = true;
  commit.ctr_clr = true;
  sim->step(commit);

  // Periods alternate buffers; the weights cycle through four tiles.
  std::vector<std::vector<Slot>> periods;
  for (unsigned t = 0; t < 8; ++t) periods.push_back(tile_period(c, vectors, t % 2, false, weights[(t + 1) % 4]));
  const std::vector<Slot> first = tile_period(c, vectors, 0, true, weights[1]);

  uint64_t psum_rows = 0;
  const auto t0 = std::chrono::steady_clock::now();
  const std::clock_t c0 = std::clock();
  uint64_t n = 0;
  for (uint64_t t = 0; n < cycles; ++t) {
    const std::vector<Slot>& per = t == 0 ? first : periods[t % periods.size()];
    for (unsigned k = 0; k < vectors && n < cycles; ++k, ++n) {
      sim->apply_packed(per[k].packed, per[k].data);
      sim->tick();
      psum_rows += sim->psum_valid();
    }
  }
  const auto t1 = std::chrono::steady_clock::now();
  const double cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;
  sim->step();
  const double secs = std::chrono::duration<double>(t1 - t0).count();
  const uint64_t total = sim->counter(accel::Counter::Total);
  const uint64_t compute = sim->counter(accel::Counter::Compute);
  fmt::print(
      "accel-bench: {} cycles in {:.3f} s = {:.2f} M cycles/s wall, {:.2f} M cycles/s per "
      "CPU second (one thread, trace {})\n",
      n, secs, double(n) / secs / 1e6, double(n) / cpu / 1e6, trace.empty() ? "off" : "on");
  fmt::print("accel-bench: RTL counters: compute {} of {} cycles ({:.2f} %), {} psum rows out\n", compute, total,
             100.0 * double(compute) / double(total), psum_rows);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Simulated cycles per second of the Verilated core on back-to-back tiles"};
  std::string config = "int8", trace;
  uint64_t cycles = 2'000'000, trace_begin = 0, trace_end = std::numeric_limits<uint64_t>::max();
  unsigned vectors = 64;
  uint32_t seed = 1;
  app.add_option("--config", config, fmt::format("core configuration: {}", accel::kConfigNames));
  app.add_option("--cycles", cycles, "clock cycles to simulate");
  app.add_option("--vectors", vectors, "activation vectors per weight tile");
  app.add_option("--seed", seed, "random seed for weights and activations");
  app.add_option("--trace", trace, "write an FST trace to FILE");
  app.add_option("--trace-begin", trace_begin, "first traced cycle");
  app.add_option("--trace-end", trace_end, "first cycle after the trace window");
  CLI11_PARSE(app, argc, argv);
  try {
    return run(config, cycles, vectors, seed, trace, trace_begin, trace_end);
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
}
