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
// is the verdict (0: no mismatch, 1: mismatches, 2: bad input or a device error). This file runs what
// command_line.cpp parsed; each subcommand is a cmd_*.cpp.
#include <accel/sim/core_sim.hpp>

#include <cstdio>
#include <exception>
#include <iostream>
#include <memory>
#include <string>
#include <variant>

#include "command_line.hpp"

namespace {

using namespace accel::cosim;

// One "error: ..." line on stderr, after what is already on stdout.
int fail(const std::string& m) {
  std::fflush(stdout);
  return print_error(std::cerr, m);
}

int run(int argc, char** argv) {
  const std::unique_ptr<CommandLine> cl = make_command_line();
  std::fflush(stdout);
  const auto parsed = parse_command_line(*cl, argc, argv, std::cout, std::cerr);
  if (const int* code = std::get_if<int>(&parsed)) return *code;
  // Assertion messages go into our exceptions, not onto stdout.
  accel::sim::CoreSim::echo_messages(false);
  return std::get<const Command*>(parsed)->run();
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}
