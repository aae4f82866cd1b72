// What the harnesses share: a scratch directory of the process's own for the file-based readers,
// splitting one input into parts, and the contract every expected rejection must keep (a one-line
// message). A broken contract aborts, so libFuzzer keeps the input as a finding.
#pragma once

#include <fmt/format.h>
#include <unistd.h>

#include <golden/input_file.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace fuzz {

namespace fs = std::filesystem;

// <tmp>/accel_fuzz_<name>_<pid>, created on first use and removed at exit.
inline const fs::path& scratch_dir(const char* name) {
  static const fs::path dir = [name] {
    fs::path d = fs::temp_directory_path() / fmt::format("accel_fuzz_{}_{}", name, getpid());
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
  }();
  static const bool cleanup = [] {
    return std::atexit([] {
             std::error_code ec;
             fs::remove_all(dir, ec);
           }) == 0;
  }();
  (void)cleanup;
  return dir;
}

inline void write_file(const fs::path& file, std::string_view bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    fmt::print(stderr, "fuzz: cannot write {}\n", file.string());
    std::abort();
  }
}

// `data` cut at every `sep` (sep itself dropped); at most `max_parts`, the last keeps the rest.
inline std::vector<std::string_view> split(std::string_view data, std::string_view sep, size_t max_parts) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    const size_t at = data.find(sep);
    if (at == std::string_view::npos) break;
    parts.push_back(data.substr(0, at));
    data.remove_prefix(at + sep.size());
  }
  parts.push_back(data);
  return parts;
}

// A finding that is no crash: print it and abort, so libFuzzer saves the input.
[[noreturn]] inline void finding(const std::string& what) {
  fmt::print(stderr, "fuzz finding: {}\n", what);
  std::abort();
}

// The readers promise one line naming the file and the problem (golden/error.hpp,
// accel/vector_files.hpp): an empty message or one with a line break is a finding.
inline void check_one_line(const std::exception& e) {
  const std::string_view m = e.what();
  if (m.empty()) finding("an expected rejection with an empty message");
  if (m.find('\n') != std::string_view::npos || m.find('\r') != std::string_view::npos)
    finding("a message of more than one line: " + golden::printable(m));
}

}  // namespace fuzz
