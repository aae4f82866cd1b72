// accel-wave: runs a short tile sequence on the Verilated core with an FST trace, for GTKWave
// (scripts/wave.sh opens it with sim/waves/core.gtkw).
//
// The sequence: write N activation vectors; load tile A's weights; stream the vectors with A
// while tile B's weights load into the other buffer; stream them again with B right behind;
// write the SFP parameters; pop every psum row (A overwrites, B accumulates); read the rows out
// requantized with ReLU.
//
//   accel-wave [--config int8] [--out build/waves/core_int8.fst] [--vectors 8]
//              [--trace-begin N] [--trace-end M]
#include <accel/isa.hpp>
#include <accel/sim/core_sim.hpp>
#include <accel/sim/program.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

using accel::CoreConfig;
using accel::sim::Program;
namespace lat = accel::lat;

void load_weights(Program& p, const CoreConfig& c, std::size_t slot, std::mt19937& rng) {
  std::uniform_int_distribution<int32_t> d(-(1 << (c.weight_bits - 1)) + 1, (1 << (c.weight_bits - 1)) - 1);
  for (unsigned k = 0; k < c.cols; ++k) {  // column Cols-1 first
    std::vector<int32_t> w(c.rows);
    for (auto& x : w) x = d(rng);
    p.at(slot + k).w_load = true;
    p.data(slot + k, accel::pack_weight_column(c, w));
  }
}

// One stream of n vectors (xmem 0..n-1) starting with l0_rd at slot s, buffer buf; psum rows go
// to pmem 0..n-1 (acc: accumulate). Returns the slot of the last of_rd.
std::size_t stream(Program& p, const CoreConfig& c, std::size_t s, unsigned n, unsigned buf, bool acc) {
  for (unsigned v = 0; v < n; ++v) {
    auto& x = p.at(s + v - lat::kXmemRdToL0Rd);
    x.xmem_rd = true;
    x.xmem_rd_addr = static_cast<uint16_t>(v);
    p.at(s + v).l0_rd = true;
    p.at(s + v).l0_wsel = static_cast<uint8_t>(buf);
    auto& o = p.at(s + v + lat::l0rd_to_ofrd(c));
    o.of_rd = true;
    o.of_acc = acc;
    o.of_addr = static_cast<uint16_t>(v);
  }
  return s + n - 1 + lat::l0rd_to_ofrd(c);
}

Program tile_sequence(const CoreConfig& c, unsigned n, std::mt19937& rng) {
  Program p(c);
  std::uniform_int_distribution<uint32_t> ad(0, (1u << c.act_bits) - 1);
  for (unsigned v = 0; v < n; ++v) {
    std::vector<uint32_t> a(c.rows);
    for (auto& x : a) x = ad(rng);
    p.at(v).xmem_wr = true;
    p.at(v).xmem_wr_addr = static_cast<uint16_t>(v);
    p.data(v, accel::pack_activations(c, a));
  }
  // Tile A into buffer 0.
  const std::size_t load_a = n;
  load_weights(p, c, load_a, rng);
  const std::size_t commit_a = load_a + c.cols;
  p.at(commit_a).w_commit = true;
  p.at(commit_a).w_buf = 0;
  const std::size_t start_a = commit_a + std::max<std::size_t>(lat::kCommitToL0Rd, lat::kXmemRdToL0Rd);
  stream(p, c, start_a, n, 0, false);
  // Tile B loads during A's stream, commits into buffer 1, streams right after A.
  load_weights(p, c, start_a, rng);
  const std::size_t commit_b = start_a + c.cols;
  p.at(commit_b).w_commit = true;
  p.at(commit_b).w_buf = 1;
  const std::size_t start_b = std::max<std::size_t>(start_a + n, commit_b + lat::kCommitToL0Rd);
  const std::size_t last_of = stream(p, c, start_b, n, 1, true);
  // SFP parameters (data_i is free after B's weights): scale about 1/64, small bias.
  std::size_t slot = commit_b;
  for (unsigned col = 0; col < c.cols; ++col) {
    const std::pair<accel::SfpParam, uint32_t> ps[] = {
        {accel::SfpParam::Bias, static_cast<uint32_t>(int32_t(col) * 16 - 40)},
        {accel::SfpParam::Mult, 1u << 30},
        {accel::SfpParam::Shift, 36}};
    for (const auto& [sel, v] : ps) {
      p.at(slot).par_wr = true;
      p.at(slot).par_sel = sel;
      p.at(slot).par_col = static_cast<uint8_t>(col);
      p.data(slot, accel::pack_param(c, v));
      ++slot;
    }
  }
  // Read-out of every row once its last update and the parameters are in.
  const std::size_t out0 = std::max(last_of + lat::kOfRdToOutRd, slot + lat::kParWrToOutRd);
  for (unsigned v = 0; v < n; ++v) {
    auto& o = p.at(out0 + v);
    o.out_rd = true;
    o.out_relu = true;
    o.out_addr = static_cast<uint16_t>(v);
  }
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Short traced tile sequence on the Verilated core (FST for GTKWave)"};
  std::string config = "int8", out;
  unsigned vectors = 8;
  uint32_t seed = 1;
  uint64_t begin = 0, end = std::numeric_limits<uint64_t>::max();
  app.add_option("--config", config, fmt::format("core configuration: {}", accel::kConfigNames));
  app.add_option("--out,--trace", out, "FST file (default build/waves/core_<config>.fst)");
  app.add_option("--vectors", vectors, "activation vectors per tile")->check(CLI::Range(1, 256));
  app.add_option("--seed", seed, "random seed for weights and activations");
  app.add_option("--trace-begin", begin, "first traced cycle");
  app.add_option("--trace-end", end, "first cycle after the trace window");
  CLI11_PARSE(app, argc, argv);
  try {
    const CoreConfig& c = accel::config_by_name(config);
    if (out.empty()) out = fmt::format("build/waves/core_{}.fst", c.name);
    const auto parent = std::filesystem::path(out).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    std::mt19937 rng(seed);
    const Program p = tile_sequence(c, vectors, rng);
    auto sim = accel::sim::make_core_sim(c);
    sim->trace(out, begin, end);
    sim->reset();
    const auto r = accel::sim::run(*sim, p, 6);
    sim.reset();  // closes the trace
    fmt::print("accel-wave: {} ({}x{}), {} slots, {} psum rows, {} read-outs, trace {}\n", c.name,
               c.rows, c.cols, p.size(), r.psums.size(), r.outs.size(), out);
    if (r.psums.size() != 2 * vectors || r.outs.size() != vectors) {
      fmt::print(stderr, "error: expected {} psum rows and {} read-outs\n", 2 * vectors, vectors);
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
}
