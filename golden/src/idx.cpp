#include "golden/idx.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <cerrno>
#include <memory>
#include <stdexcept>
#include <system_error>

#include "golden/error.hpp"

namespace golden {

namespace {

struct GzCloser {
  void operator()(gzFile f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

uint32_t read_be32(const std::vector<uint8_t>& b, size_t off) {
  return (uint32_t{b[off]} << 24) | (uint32_t{b[off + 1]} << 16) | (uint32_t{b[off + 2]} << 8) | uint32_t{b[off + 3]};
}

void check_magic(const std::vector<uint8_t>& b, const std::string& name, uint32_t want, const char* what) {
  if (b.size() < 4) {
    throw FormatError(
        fmt::format("{}: truncated: {} bytes, an IDX file starts with a 4-byte magic number", name, b.size()));
  }
  uint32_t magic = read_be32(b, 0);
  if (magic != want) {
    throw FormatError(
        fmt::format("{}: offset 0: bad magic number 0x{:08x}, expected 0x{:08x} ({})", name, magic, want, what));
  }
}

void check_header_size(const std::vector<uint8_t>& b, const std::string& name, size_t header) {
  if (b.size() < header) {
    throw FormatError(fmt::format("{}: truncated: {} bytes, the IDX header needs {}", name, b.size(), header));
  }
}

void check_body(const std::vector<uint8_t>& b, const std::string& name, size_t header, size_t need,
                const std::string& what) {
  size_t have = b.size() - header;
  if (have < need) {
    throw FormatError(
        fmt::format("{}: truncated: header says {} ({} bytes after the {}-byte header), "
                    "the file has {}",
                    name, what, need, header, have));
  }
  if (have > need) {
    throw FormatError(
        fmt::format("{}: offset {}: {} unexpected bytes after {}", name, header + need, have - need, what));
  }
}

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

// zlib's gzerror text is "<path>: <problem>"; keep only the problem.
std::string gz_problem(gzFile f, const std::string& name, int* err) {
  std::string msg = gzerror(f, err);
  if (msg.rfind(name + ": ", 0) == 0) msg.erase(0, name.size() + 2);
  return msg;
}

void put_be32(std::vector<uint8_t>& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
}

}  // namespace

std::vector<uint8_t> read_file_bytes(const std::filesystem::path& file) {
  const std::string name = file.string();
  errno = 0;
  GzFile f(gzopen(name.c_str(), "rb"));
  if (!f) {
    throw FileError(fmt::format("{}: cannot open: {}", name,
                                std::error_code(errno ? errno : ENOENT, std::generic_category()).message()));
  }
  if (std::filesystem::is_directory(file)) {
    throw FileError(fmt::format("{}: cannot read: is a directory", name));
  }
  gzbuffer(f.get(), 1 << 17);
  std::vector<uint8_t> out;
  std::vector<uint8_t> chunk(1 << 20);
  while (true) {
    int n = gzread(f.get(), chunk.data(), static_cast<unsigned>(chunk.size()));
    if (n < 0) {
      int err = 0;
      const std::string msg = gz_problem(f.get(), name, &err);
      throw FormatError(fmt::format("{}: corrupt or truncated gzip data: {}", name, msg));
    }
    if (n == 0) break;
    out.insert(out.end(), chunk.begin(), chunk.begin() + n);
  }
  // A gzip stream cut short ends without an error from gzread on some zlib
  // versions; gzerror still reports it.
  int err = Z_OK;
  const std::string msg = gz_problem(f.get(), name, &err);
  if (err != Z_OK && err != Z_STREAM_END) {
    throw FormatError(fmt::format("{}: corrupt or truncated gzip data: {}", name, msg));
  }
  return out;
}

ImageSet read_idx_images(const std::filesystem::path& file) {
  const std::string name = file.string();
  std::vector<uint8_t> b = read_file_bytes(file);
  check_magic(b, name, kIdxImagesMagic, "IDX3 unsigned-byte images");
  check_header_size(b, name, 16);
  ImageSet s;
  s.path = name;
  uint32_t count = read_be32(b, 4), rows = read_be32(b, 8), cols = read_be32(b, 12);
  if (count > (1u << 30)) {
    throw FormatError(fmt::format("{}: offset 4: image count {} is implausibly large", name, count));
  }
  if (rows == 0 || cols == 0 || rows > 4096 || cols > 4096) {
    throw FormatError(fmt::format("{}: offset 8: image size {}x{} is not 1..4096 x 1..4096", name, rows, cols));
  }
  s.count = static_cast<int>(count);
  s.rows = static_cast<int>(rows);
  s.cols = static_cast<int>(cols);
  size_t need = size_t{count} * rows * cols;
  check_body(b, name, 16, need, fmt::format("{} images of {}x{}", count, rows, cols));
  s.pixels.assign(b.begin() + 16, b.end());
  return s;
}

LabelSet read_idx_labels(const std::filesystem::path& file) {
  const std::string name = file.string();
  std::vector<uint8_t> b = read_file_bytes(file);
  check_magic(b, name, kIdxLabelsMagic, "IDX1 unsigned-byte labels");
  check_header_size(b, name, 8);
  uint32_t count = read_be32(b, 4);
  if (count > (1u << 30)) {
    throw FormatError(fmt::format("{}: offset 4: label count {} is implausibly large", name, count));
  }
  check_body(b, name, 8, count, fmt::format("{} labels", count));
  LabelSet s;
  s.path = name;
  s.labels.assign(b.begin() + 8, b.end());
  return s;
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
