// The subcommands of cosim (docs/cosim.md). Each adds itself to the command line with its own
// options and arguments, and says what runs it once parsed; main.cpp parses and dispatches.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace accel::cosim {

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;  // the exit code: 0 pass, 1 mismatch (errors are thrown)
};

Command add_mnist_command(CLI::App& app);    // cmd_mnist.cpp
Command add_layer_command(CLI::App& app);    // cmd_layer.cpp
Command add_vectors_command(CLI::App& app);  // cmd_vectors.cpp
Command add_export_command(CLI::App& app);   // cmd_export.cpp
Command add_merge_command(CLI::App& app);    // cmd_merge.cpp
Command add_network_command(CLI::App& app);  // cmd_network.cpp
Command add_report_command(CLI::App& app);   // cmd_report.cpp
Command add_compare_command(CLI::App& app);  // cmd_compare.cpp
Command add_import_command(CLI::App& app);   // cmd_import.cpp
Command add_conformance_command(CLI::App& app);  // cmd_conformance.cpp

}  // namespace accel::cosim
