// Verilator line and toggle coverage of one VerilatedContext (make coverage, docs/coverage.md).
// Only the coverage build (-DACCEL_COVERAGE=ON) defines ACCEL_COVERAGE and verilates with
// --coverage-line --coverage-toggle; everywhere else write_coverage() is an empty inline function.
// Each harness calls it once, after final() and before destroying its model (the counters live in
// the model), so each context leaves one file: $ACCEL_COVERAGE_DIR/<kind>-<config>-<pid>-<n>.dat, n
// counting the process's contexts of that kind. No file without ACCEL_COVERAGE_DIR.
#pragma once

#include <verilated.h>

#include <string_view>

#ifdef ACCEL_COVERAGE
#include <verilated_cov.h>

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>
#endif

namespace accel::sim {

// kind: the harness ("core", "sc", "units"); config: the configuration's name (may be empty).
inline void write_coverage([[maybe_unused]] VerilatedContext& context, [[maybe_unused]] std::string_view kind,
                           [[maybe_unused]] std::string_view config = {}) {
#ifdef ACCEL_COVERAGE
  const char* dir = std::getenv("ACCEL_COVERAGE_DIR");
  if (dir == nullptr || *dir == '\0') return;
  // Per library: every model library has its own copy (hidden symbols), hence the tag. A file left
  // by an earlier process of the same pid is skipped, not overwritten.
  static std::atomic<unsigned> count{0};
  std::error_code ec;  // no exception: harnesses call this from their destructors
  std::filesystem::create_directories(dir, ec);
  std::string tag(kind);
  if (!config.empty()) tag += "-" + std::string(config);
  std::string path;
  do {
    path = std::string(dir) + "/" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(count++) + ".dat";
  } while (std::filesystem::exists(path, ec));
  context.coveragep()->write(path.c_str());
#endif
}

}  // namespace accel::sim
