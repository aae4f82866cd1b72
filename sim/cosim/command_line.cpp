#include "command_line.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <golden/input_file.hpp>
#include <ostream>
#include <string>

namespace accel::cosim {

std::unique_ptr<CommandLine> make_command_line() {
  auto cl = std::make_unique<CommandLine>();
  cl->app.require_subcommand(1);
  cl->app.failure_message(CLI::FailureMessage::simple);
  cl->commands = {add_mnist_command(cl->app), add_layer_command(cl->app), add_vectors_command(cl->app),
                  add_export_command(cl->app), add_merge_command(cl->app), add_network_command(cl->app),
                  add_report_command(cl->app), add_compare_command(cl->app), add_import_command(cl->app),
                  add_conformance_command(cl->app)};
  return cl;
}

int print_error(std::ostream& err, const std::string& message) {
  err << fmt::format("error: {}\n", golden::printable(message)) << std::flush;
  return 2;
}

std::variant<int, const Command*> parse_command_line(CommandLine& cl, int argc, const char* const* argv,
                                                     std::ostream& out, std::ostream& err) {
  const std::vector<Command>& commands = cl.commands;
  if (argc > 1 && argv[1][0] != '-' &&
      std::none_of(commands.begin(), commands.end(), [&](const Command& c) { return c.app->get_name() == argv[1]; })) {
    std::string names;
    for (size_t i = 0; i < commands.size(); ++i)
      names += (i == 0 ? "" : i + 1 == commands.size() ? " or " : ", ") + commands[i].app->get_name();
    return print_error(err, fmt::format("unknown subcommand '{}' (expected {})", argv[1], names));
  }
  try {
    cl.app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cl.app.exit(e, out, err);
  } catch (const CLI::CallForAllHelp& e) {
    return cl.app.exit(e, out, err);
  } catch (const CLI::ParseError& e) {
    return print_error(err, e.what());
  }
  for (const Command& c : commands)
    if (c.app->parsed()) return &c;
  return print_error(err, "no subcommand");
}

}  // namespace accel::cosim
