#include "golden/input_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "golden/error.hpp"

namespace golden {

namespace {

std::string errno_text(int e) { return std::error_code(e, std::generic_category()).message(); }

const char* kind_of(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

// Length of the valid UTF-8 sequence at s[i] (2..4), or 0.
size_t utf8_length(std::string_view s, size_t i) {
  const auto u = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = u(i);
  const size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((u(i + k) & 0xc0) != 0x80) return 0;
  if ((c == 0xe0 && u(i + 1) < 0xa0) || (c == 0xf0 && u(i + 1) < 0x90) || (c == 0xf4 && u(i + 1) > 0x8f)) return 0;
  if (c == 0xc2 && u(i + 1) < 0xa0) return 0;  // C1 control characters U+0080..U+009F
  return n;
}

}  // namespace

std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += s[i++];
    } else if (const size_t n = c >= 0x80 ? utf8_length(s, i) : 0; n > 0) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += fmt::format("\\x{:02x}", unsigned{c});
      ++i;
    }
  }
  return out;
}

InputFile::InputFile(const std::filesystem::path& file) : name_(file.string()) {
  fd_ = ::open(name_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd_ < 0) throw FileError(name_, "cannot open: " + errno_text(errno));
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    const int e = errno;
    ::close(fd_);
    throw FileError(name_, "cannot read: " + errno_text(e));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd_);
    if (S_ISDIR(st.st_mode)) throw FileError(name_, "cannot read: is a directory");
    throw FileError(name_, fmt::format("cannot read: is {}, not a regular file", kind_of(st.st_mode)));
  }
  // Reads of a regular file block only for the disk; the flag only mattered for opening.
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
  size_ = static_cast<uint64_t>(st.st_size);
}

InputFile::~InputFile() {
  if (fd_ >= 0) ::close(fd_);
}

size_t InputFile::read(void* dst, size_t n) {
  size_t got = 0;
  auto* p = static_cast<char*>(dst);
  while (got < n) {
    const ssize_t r = ::read(fd_, p + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw FileError(name_, "read error: " + errno_text(errno));
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  return got;
}

std::string read_small_file(const std::filesystem::path& file, uint64_t max_bytes, const std::string& what) {
  InputFile in(file);
  if (in.size() > max_bytes) {
    throw FormatError(fmt::format("{}: {} bytes, more than the {} bytes a {} may have", printable(in.name()), in.size(),
                                  max_bytes, what));
  }
  std::string text(static_cast<size_t>(in.size()), '\0');
  text.resize(in.read(text.data(), text.size()));
  // A file that grew while we read it: the rest is not read.
  char extra = 0;
  if (in.read(&extra, 1) != 0) throw FormatError(fmt::format("{}: the file changed while it was read", in.name()));
  return text;
}

}  // namespace golden
