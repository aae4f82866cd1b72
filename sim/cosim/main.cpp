// cosim: the accelerator against the golden model (docs/cosim.md).
//
//   cosim mnist   --model DIR --images FILE --labels FILE [--limit N] [--batch B] [--device rtl|functional|systemc]
//                 [--rtl-layers conv2,fc1] [--config NAME] [--json FILE]
//   cosim layer   (--model DIR --layer NAME [--image I] [--images FILE] | --seed S [shape flags])
//                 [--device rtl|functional|systemc] [--config NAME] [--strategy auto|im2col|kernel-major]
//                 [--trace FILE [--trace-window A:B]] [--json FILE]
//   cosim vectors --dir D [--config ece284] [--device rtl|functional|systemc] [file and shape options]
//   cosim export-vectors --out D [--config ece284] (--seed S [shape flags] | --model DIR --layer NAME --image I)
//
// Every psum row and every output is checked against golden/ (accel::Scoreboard); the exit code
// is the verdict (0: no mismatch, 1: mismatches, 2: bad input or a device error). This file parses
// and dispatches; each subcommand is a cmd_*.cpp.
#include <accel/sim/core_sim.hpp>
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <golden/input_file.hpp>
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "commands.hpp"

namespace {

using namespace accel::cosim;

// One "error: ..." line on stderr.
int print_error(const std::string& m) {
  std::fflush(stdout);
  fmt::print(stderr, "error: {}\n", golden::printable(m));
  return 2;
}

int run(int argc, char** argv) {
  CLI::App app{"cosim: the accelerator core (RTL or functional) against the golden model, bit for bit."};
  app.require_subcommand(1);
  app.failure_message(CLI::FailureMessage::simple);
  const std::vector<Command> commands{add_mnist_command(app), add_layer_command(app), add_vectors_command(app),
                                      add_export_command(app), add_merge_command(app)};
  if (argc > 1 && argv[1][0] != '-' &&
      std::none_of(commands.begin(), commands.end(), [&](const Command& c) { return c.app->get_name() == argv[1]; })) {
    std::string names;
    for (size_t i = 0; i < commands.size(); ++i)
      names += (i == 0 ? "" : i + 1 == commands.size() ? " or " : ", ") + commands[i].app->get_name();
    return print_error(fmt::format("unknown subcommand '{}' (expected {})", argv[1], names));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return print_error(e.what());
  }
  // Assertion messages go into our exceptions, not onto stdout.
  accel::sim::CoreSim::echo_messages(false);
  for (const Command& c : commands)
    if (c.app->parsed()) return c.run();
  return print_error("no subcommand");
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    return print_error(e.what());
  }
}
