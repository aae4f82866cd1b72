// cosim random-network: a model directory of one of the reference notebooks' network shapes with
// seeded random integer values (accel::random_network), for the networks that have no data set
// here (docs/networks.md). The same name, configuration and seed always write the same files.
#include <accel/config_precision.hpp>
#include <accel/random_layer.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <golden/model.hpp>
#include <memory>
#include <random>
#include <stdexcept>

#include "commands.hpp"
#include "options.hpp"

namespace accel::cosim {

namespace {

struct NetworkArgs {
  std::string network, config = "int8", out;
  uint32_t seed = 1;
};

int run_network(const NetworkArgs& a) {
  const CoreConfig& cfg = config_named(a.config);
  std::mt19937 rng(a.seed);
  golden::Model m;
  try {
    m = random_network(a.network, precision_of(cfg), rng);
  } catch (const std::invalid_argument& e) {
    throw UsageError(fmt::format("--network: {}", e.what()));
  }
  m.name = fmt::format("{}_{}", a.network, cfg.name);
  golden::save_model(m, a.out);
  fmt::print("cosim random-network: {} ({}, seed {}) -> {}\n{}\n", a.network, cfg.name, a.seed, a.out, m.summary());
  return 0;
}

}  // namespace

Command add_network_command(CLI::App& app) {
  auto a = std::make_shared<NetworkArgs>();
  CLI::App* c = app.add_subcommand("random-network", "write a reference network shape with random values as a model");
  c->add_option("--network", a->network, std::string("network: ") + kRandomNetworks)->required();
  c->add_option("--config", a->config, "core configuration whose widths the model takes (default int8)");
  c->add_option("--seed", a->seed, "random seed (default 1)");
  c->add_option("--out", a->out, "model directory to write")->required();
  return {c, [a] { return run_network(*a); }};
}

}  // namespace accel::cosim
