// cosim's command line (sim/cosim/command_line.hpp) on an argument list: one argument per line of
// the input (a NUL also ends one, as it ends a C string), at most 64, after "cosim". It parses with
// every subcommand's real option definitions and stops before anything runs, so no model, file or
// device is touched. A usage error must be exactly one "error: ..." line (docs/cosim.md, exit 2);
// --help prints and exits 0; any other exception escaping the parse is a finding.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "command_line.hpp"
#include "fuzz_support.hpp"

namespace {

void check_usage_error(const std::string& err) {
  if (!err.starts_with("error: ") || err.find('\n') + 1 != err.size())
    fuzz::finding("a usage error that is not one \"error:\" line: " + golden::printable(err));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  for (char& c : text)
    if (c == '\0') c = '\n';
  std::vector<std::string> args{"cosim"};
  for (std::string_view a : fuzz::split(text, "\n", 64)) args.emplace_back(a);
  if (!text.empty() && text.back() == '\n') args.pop_back();  // a final newline ends the last argument
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());

  const auto cl = accel::cosim::make_command_line();
  std::ostringstream out, err;
  const auto parsed = accel::cosim::parse_command_line(*cl, int(argv.size()), argv.data(), out, err);
  if (const int* code = std::get_if<int>(&parsed)) {
    if (*code == 2)
      check_usage_error(err.str());
    else if (*code != 0)
      fuzz::finding("parse stopped with exit code " + std::to_string(*code));
  } else if (std::get<const accel::cosim::Command*>(parsed) == nullptr) {
    fuzz::finding("no command and no exit code");
  }
  return 0;
}
