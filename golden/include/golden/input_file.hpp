// Reading the files a user names without trusting them: only regular files are read (a FIFO, a
// device or a directory is refused before anything can block), sizes are checked against limits
// before anything is allocated, and input text echoed into a one-line message is made printable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace golden {

// `s` with every byte that could break a one-line message or drive a terminal written as \xNN:
// control characters (newline, escape, ...), DEL and bytes that are not part of valid UTF-8.
// Everything else, backslashes included, is kept, so printable(printable(s)) == printable(s).
// The one place that does this: readers use it where they echo file content, and the programs'
// error printers on the whole line.
std::string printable(std::string_view s);

// A regular file open for reading. Opening never blocks (O_NONBLOCK until fstat has shown a
// regular file) and reads nothing.
class InputFile {
 public:
  // FileError "<file>: cannot open: <reason>" or "<file>: cannot read: is a FIFO, not a regular
  // file" (a directory, a character device, ...).
  explicit InputFile(const std::filesystem::path& file);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  const std::string& name() const { return name_; }
  uint64_t size() const { return size_; }  // bytes, when opened
  // Up to n bytes; fewer only at the end of the file. FileError on an I/O error.
  size_t read(void* dst, size_t n);

 private:
  std::string name_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

// The whole of a regular file of at most `max_bytes` bytes; a larger one is a FormatError
// "<file>: N bytes, more than the M bytes a <what> may have" before anything is read.
std::string read_small_file(const std::filesystem::path& file, uint64_t max_bytes, const std::string& what);

}  // namespace golden
