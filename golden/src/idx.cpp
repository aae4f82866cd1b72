#include "golden/idx.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <memory>
#include <stdexcept>
#include <system_error>

#include "golden/error.hpp"
#include "golden/input_file.hpp"

namespace golden {

namespace {

struct GzCloser {
  void operator()(gzFile f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

uint32_t read_be32(const uint8_t* b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

// Deflate expands at most 1032:1 (zlib's documentation), so a gzip file of n bytes holds at most
// 1032 n bytes of data: a header declaring more is refused before anything is allocated.
constexpr uint64_t kMaxDeflateRatio = 1032;

// The bytes of an IDX file, raw or gzip (from the first two bytes, not the name), as a stream:
// gzip is inflated chunk by chunk as the reader asks, so the header is checked before the body is
// inflated. A gzip file may hold several members (as `cat a.gz b.gz` makes); anything else after
// the last member is an error.
class IdxStream {
 public:
  explicit IdxStream(const std::filesystem::path& file) : in_(file), name_(file.string()) {
    held_ = in_.read(inbuf_.data(), 2);
    offset_ = held_;
    at_eof_ = held_ < 2;
    gz_ = held_ == 2 && inbuf_[0] == 0x1f && inbuf_[1] == 0x8b;
    if (gz_ && inflateInit2(&zs_, 16 + MAX_WBITS) != Z_OK) throw FileError(name_, "cannot start gzip inflation");
    zs_.next_in = inbuf_.data();
    zs_.avail_in = static_cast<uInt>(held_);
  }
  ~IdxStream() {
    if (gz_) inflateEnd(&zs_);
  }
  IdxStream(const IdxStream&) = delete;
  IdxStream& operator=(const IdxStream&) = delete;

  // The most data bytes the file can hold.
  uint64_t capacity() const { return gz_ ? in_.size() * kMaxDeflateRatio : in_.size(); }
  bool gzip() const { return gz_; }
  uint64_t file_size() const { return in_.size(); }

  // Up to n data bytes; fewer only at the end of the data.
  size_t read(uint8_t* dst, size_t n) {
    if (!gz_) {
      const size_t first = std::min(n, held_);
      std::copy_n(inbuf_.data(), first, dst);
      held_ -= first;
      std::copy_n(inbuf_.data() + first, held_, inbuf_.data());
      return first + in_.read(dst + first, n - first);
    }
    size_t got = 0;
    while (got < n && !done_) got += inflate_some(dst + got, n - got);
    return got;
  }

  // Data bytes left after what was read, counted up to `limit` (then limit + 1).
  uint64_t rest(uint64_t limit) {
    std::vector<uint8_t> sink(1 << 16);
    uint64_t n = 0;
    while (n <= limit) {
      const size_t got = read(sink.data(), sink.size());
      if (got == 0) break;
      n += got;
    }
    return std::min(n, limit + 1);
  }

 private:
  size_t inflate_some(uint8_t* dst, size_t n) {
    if (zs_.avail_in == 0) refill();
    zs_.next_out = dst;
    zs_.avail_out = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
    const int rc = inflate(&zs_, Z_NO_FLUSH);
    const size_t got = static_cast<size_t>(zs_.next_out - dst);
    if (rc == Z_STREAM_END) {
      next_member();
    } else if (rc == Z_BUF_ERROR && zs_.avail_in == 0 && at_eof_) {
      throw FormatError(fmt::format("{}: corrupt or truncated gzip data: unexpected end of file", name_));
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      throw FormatError(fmt::format("{}: corrupt or truncated gzip data: {}", name_, zs_.msg ? zs_.msg : "error"));
    }
    return got;
  }
  void refill() {
    const size_t got = in_.read(inbuf_.data(), inbuf_.size());
    at_eof_ = got < inbuf_.size();
    zs_.next_in = inbuf_.data();
    zs_.avail_in = static_cast<uInt>(got);
    base_ = offset_;
    offset_ += got;
  }
  // After a member: another member, or the end of the file; other bytes are an error.
  void next_member() {
    if (zs_.avail_in == 0) refill();
    if (zs_.avail_in == 0) {
      done_ = true;
      return;
    }
    const uint64_t at = base_ + static_cast<uint64_t>(zs_.next_in - inbuf_.data());
    if (zs_.avail_in == 1 && !at_eof_) {
      // The next member's magic may straddle two buffers.
      const uint8_t first = *zs_.next_in;
      inbuf_[0] = first;
      const size_t got = in_.read(inbuf_.data() + 1, inbuf_.size() - 1);
      at_eof_ = got < inbuf_.size() - 1;
      zs_.next_in = inbuf_.data();
      zs_.avail_in = static_cast<uInt>(got + 1);
      base_ = at;
      offset_ = at + got + 1;
    }
    if (zs_.avail_in < 2 || zs_.next_in[0] != 0x1f || zs_.next_in[1] != 0x8b) {
      throw FormatError(
          fmt::format("{}: offset {}: {} bytes of trailing data after the gzip stream", name_, at, in_.size() - at));
    }
    inflateReset(&zs_);
  }

  InputFile in_;
  std::string name_;
  std::array<uint8_t, 1 << 16> inbuf_{};
  size_t held_ = 0;  // raw: bytes of inbuf_ read ahead
  bool gz_ = false, done_ = false, at_eof_ = false;
  z_stream zs_{};
  uint64_t base_ = 0, offset_ = 0;  // file offsets of inbuf_[0] and of the end of what was read
};

void write_all(const std::filesystem::path& file, const std::vector<uint8_t>& bytes) {
  const bool gz = file.extension() == ".gz";
  GzFile f(gzopen(file.string().c_str(), gz ? "wb9" : "wbT"));
  if (!f) {
    throw FileError(
        fmt::format("{}: cannot write: {}", file.string(), std::error_code(errno, std::generic_category()).message()));
  }
  if (!bytes.empty() &&
      gzwrite(f.get(), bytes.data(), static_cast<unsigned>(bytes.size())) != static_cast<int>(bytes.size())) {
    throw FileError(fmt::format("{}: write error", file.string()));
  }
  if (gzclose(f.release()) != Z_OK) throw FileError(fmt::format("{}: write error", file.string()));
}

void put_be32(std::vector<uint8_t>& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
}

}  // namespace

namespace {

// Reads the `size`-byte header (magic first); throws naming the file if it is short or the magic
// is not `magic`.
void read_header(IdxStream& s, const std::string& name, uint8_t* h, size_t size, uint32_t magic, const char* what) {
  const size_t got = s.read(h, size);
  if (got < 4) {
    throw FormatError(fmt::format("{}: truncated: {} bytes, an IDX file starts with a 4-byte magic number", name, got));
  }
  if (read_be32(h) != magic) {
    throw FormatError(fmt::format("{}: offset 0: bad magic number 0x{:08x}, expected 0x{:08x} ({})", name, read_be32(h),
                                  magic, what));
  }
  if (got < size) throw FormatError(fmt::format("{}: truncated: {} bytes, the IDX header needs {}", name, got, size));
}

// The `need`-byte body after a `header`-byte header: checked against what the file can hold before
// it is allocated, then read; short or trailing data is an error.
std::vector<uint8_t> read_body(IdxStream& s, const std::string& name, size_t header, uint64_t need,
                               const std::string& what) {
  const auto truncated = [&](uint64_t have, const std::string& has) {
    return FormatError(fmt::format("{}: truncated: header says {} ({} bytes after the {}-byte header), {} {}", name,
                                   what, need, header, has, have));
  };
  if (!s.gzip() && s.file_size() - header < need) throw truncated(s.file_size() - header, "the file has");
  if (s.gzip() && s.capacity() < need) {
    throw FormatError(fmt::format("{}: header says {} ({} bytes), more than a {}-byte gzip file can hold", name, what,
                                  need, s.file_size()));
  }
  if (!s.gzip() && s.file_size() - header > need) {
    throw FormatError(fmt::format("{}: offset {}: {} unexpected bytes after {}", name, header + need,
                                  s.file_size() - header - need, what));
  }
  std::vector<uint8_t> body(need);
  const size_t got = s.read(body.data(), body.size());
  if (got < need) throw truncated(got, "the file has");
  constexpr uint64_t kCountUpTo = uint64_t{1} << 20;
  if (const uint64_t extra = s.rest(kCountUpTo); extra > 0) {
    throw FormatError(fmt::format("{}: offset {}: {}{} unexpected bytes after {}", name, header + need,
                                  extra > kCountUpTo ? "more than " : "", std::min(extra, kCountUpTo), what));
  }
  return body;
}

}  // namespace

ImageSet read_idx_images(const std::filesystem::path& file) {
  const std::string name = file.string();
  IdxStream in(file);
  uint8_t h[16];
  read_header(in, name, h, sizeof h, kIdxImagesMagic, "IDX3 unsigned-byte images");
  const uint32_t count = read_be32(h + 4), rows = read_be32(h + 8), cols = read_be32(h + 12);
  if (rows == 0 || cols == 0 || rows > kIdxMaxSide || cols > kIdxMaxSide) {
    throw FormatError(
        fmt::format("{}: offset 8: image size {}x{} is not 1..{} x 1..{}", name, rows, cols, kIdxMaxSide, kIdxMaxSide));
  }
  const uint64_t need = uint64_t{count} * rows * cols;
  if (need > kIdxMaxBytes) {
    throw FormatError(fmt::format("{}: offset 4: {} images of {}x{} are {} bytes, more than the limit of {}", name,
                                  count, rows, cols, need, kIdxMaxBytes));
  }
  ImageSet s;
  s.path = name;
  s.count = static_cast<int>(count);
  s.rows = static_cast<int>(rows);
  s.cols = static_cast<int>(cols);
  s.pixels = read_body(in, name, sizeof h, need, fmt::format("{} images of {}x{}", count, rows, cols));
  return s;
}

LabelSet read_idx_labels(const std::filesystem::path& file) {
  const std::string name = file.string();
  IdxStream in(file);
  uint8_t h[8];
  read_header(in, name, h, sizeof h, kIdxLabelsMagic, "IDX1 unsigned-byte labels");
  const uint32_t count = read_be32(h + 4);
  if (count > kIdxMaxBytes) {
    throw FormatError(fmt::format("{}: offset 4: {} labels, more than the limit of {}", name, count, kIdxMaxBytes));
  }
  LabelSet s;
  s.path = name;
  s.labels = read_body(in, name, sizeof h, count, fmt::format("{} labels", count));
  return s;
}

void check_not_empty(const ImageSet& images) {
  if (images.count == 0) throw FormatError(fmt::format("{}: holds no images (its header says 0)", images.path));
}

void check_same_count(const ImageSet& images, const LabelSet& labels) {
  if (images.count != labels.count()) {
    throw FormatError(
        fmt::format("{}: {} labels, but {} has {} images", labels.path, labels.count(), images.path, images.count));
  }
}

void check_image_size(const ImageSet& images, int rows, int cols) {
  if (images.rows != rows || images.cols != cols) {
    throw FormatError(
        fmt::format("{}: images are {}x{}, expected {}x{}", images.path, images.rows, images.cols, rows, cols));
  }
}

void check_label_range(const LabelSet& labels, int classes) {
  for (size_t i = 0; i < labels.labels.size(); ++i) {
    if (labels.labels[i] >= classes) {
      throw FormatError(
          fmt::format("{}: label {} (item {}) is outside 0..{}", labels.path, labels.labels[i], i, classes - 1));
    }
  }
}

Dataset read_idx_dataset(const std::filesystem::path& images, const std::filesystem::path& labels) {
  Dataset d{read_idx_images(images), read_idx_labels(labels)};
  check_same_count(d.images, d.labels);
  return d;
}

void write_idx_images(const std::filesystem::path& file, const ImageSet& images) {
  if (images.count < 0 || images.rows < 0 || images.cols < 0 ||
      images.pixels.size() != size_t(images.count) * images.rows * images.cols) {
    throw std::invalid_argument(fmt::format("write_idx_images {}: {} pixels for {} images of {}x{}", file.string(),
                                            images.pixels.size(), images.count, images.rows, images.cols));
  }
  std::vector<uint8_t> out;
  put_be32(out, kIdxImagesMagic);
  put_be32(out, static_cast<uint32_t>(images.count));
  put_be32(out, static_cast<uint32_t>(images.rows));
  put_be32(out, static_cast<uint32_t>(images.cols));
  out.insert(out.end(), images.pixels.begin(), images.pixels.end());
  write_all(file, out);
}

void write_idx_labels(const std::filesystem::path& file, std::span<const uint8_t> labels) {
  std::vector<uint8_t> out;
  put_be32(out, kIdxLabelsMagic);
  put_be32(out, static_cast<uint32_t>(labels.size()));
  out.insert(out.end(), labels.begin(), labels.end());
  write_all(file, out);
}

}  // namespace golden
