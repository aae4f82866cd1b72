// Typed errors thrown by the golden library's readers and loader.
//
// Every what() is one line: the file, where in it (offset, field, layer) when
// that is known, and what is wrong, e.g.
//   models/x/model.json: layer 'fc1': field 'in_features' is 1000, previous layer outputs 1152
#pragma once

#include <stdexcept>
#include <string>

namespace golden {

// Base of every error the golden library reports about its inputs.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A file could not be opened or read (missing, permissions, not a regular file, I/O error).
class FileError : public Error {
 public:
  using Error::Error;
  FileError(const std::string& file, const std::string& problem) : Error(file + ": " + problem), problem_(problem) {}
  // What is wrong, without the file name (empty if the error was built from one message).
  const std::string& problem() const { return problem_; }

 private:
  std::string problem_;
};

// A file was read but its content is malformed or violates the model format
// (bad magic, truncated, wrong dtype/shape, value out of range, ...).
class FormatError : public Error {
 public:
  using Error::Error;
};

}  // namespace golden
