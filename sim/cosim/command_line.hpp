// The cosim command line: every subcommand's options on one CLI::App, and the parse step on its
// own, so main.cpp and the fuzz harness (fuzz/fuzz_cosim_args.cpp) parse exactly the same way and
// the harness can stop before anything runs.
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <memory>
#include <variant>
#include <vector>

#include "commands.hpp"

namespace accel::cosim {

struct CommandLine {
  CLI::App app{"cosim: the accelerator core (RTL or functional) against the golden model, bit for bit."};
  std::vector<Command> commands;
};

// The app with every subcommand added (cmd_*.cpp).
std::unique_ptr<CommandLine> make_command_line();

// Parses argv. Returns the subcommand to run, or the exit code when the program stops here: 0
// after --help (printed on `out`), 2 after a usage error (one "error: ..." line on `err`).
std::variant<int, const Command*> parse_command_line(CommandLine& cl, int argc, const char* const* argv,
                                                     std::ostream& out, std::ostream& err);

// One "error: ..." line (printable) on `err`; returns 2, the exit code of bad input.
int print_error(std::ostream& err, const std::string& message);

}  // namespace accel::cosim
