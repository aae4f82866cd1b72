// A fresh directory under the system temp directory for one test, removed with its contents when
// the test ends. The process id and a counter keep the directories of parallel tests apart.
#pragma once

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

namespace test_support {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    static int n = 0;
    path = std::filesystem::temp_directory_path() / fmt::format("accel_test_{}_{}", getpid(), n++);
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

}  // namespace test_support
