// IDX reader: raw and gzip files, round trip, real MNIST / Fashion-MNIST files,
// and every malformed-file message.
#include <fmt/format.h>
#include <sys/stat.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "golden/error.hpp"
#include "golden/idx.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using Catch::Matchers::Message;
using Catch::Matchers::StartsWith;
using test_support::TempDir;

namespace {

void put32(std::vector<uint8_t>& b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
}

// An IDX3 images file built by hand (big-endian header), independent of the writer.
std::vector<uint8_t> images_bytes(uint32_t count, uint32_t rows, uint32_t cols, const std::vector<uint8_t>& pixels) {
  std::vector<uint8_t> b;
  put32(b, 0x00000803);
  put32(b, count);
  put32(b, rows);
  put32(b, cols);
  b.insert(b.end(), pixels.begin(), pixels.end());
  return b;
}

std::vector<uint8_t> labels_bytes(uint32_t count, const std::vector<uint8_t>& labels) {
  std::vector<uint8_t> b;
  put32(b, 0x00000801);
  put32(b, count);
  b.insert(b.end(), labels.begin(), labels.end());
  return b;
}

void write_raw(const fs::path& p, const std::vector<uint8_t>& b) {
  std::ofstream f(p, std::ios::binary);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

void write_gz(const fs::path& p, const std::vector<uint8_t>& b) {
  gzFile f = gzopen(p.string().c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, b.data(), static_cast<unsigned>(b.size())) == static_cast<int>(b.size()));
  REQUIRE(gzclose(f) == Z_OK);
}

std::vector<uint8_t> file_bytes(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// Two 2x3 images: 0..5 and 250..255.
const std::vector<uint8_t> kPixels = {0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255};

}  // namespace

TEST_CASE("idx: raw images and labels written by hand load", "[golden][io]") {
  TempDir tmp;
  write_raw(tmp.path / "img", images_bytes(2, 2, 3, kPixels));
  write_raw(tmp.path / "lbl", labels_bytes(2, {7, 3}));
  golden::Dataset d = golden::read_idx_dataset(tmp.path / "img", tmp.path / "lbl");
  CHECK(d.images.count == 2);
  CHECK(d.images.rows == 2);
  CHECK(d.images.cols == 3);
  CHECK(d.images.pixels == kPixels);
  auto second = d.images.image(1);
  CHECK(std::vector<uint8_t>(second.begin(), second.end()) == std::vector<uint8_t>{250, 251, 252, 253, 254, 255});
  CHECK(d.labels.labels == std::vector<uint8_t>{7, 3});
}

TEST_CASE("idx: gzip files are decompressed", "[golden][io]") {
  TempDir tmp;
  write_gz(tmp.path / "img.gz", images_bytes(2, 2, 3, kPixels));
  write_gz(tmp.path / "lbl.gz", labels_bytes(2, {7, 3}));
  golden::Dataset d = golden::read_idx_dataset(tmp.path / "img.gz", tmp.path / "lbl.gz");
  CHECK(d.images.pixels == kPixels);
  CHECK(d.labels.labels == std::vector<uint8_t>{7, 3});
}

TEST_CASE("idx: writer round trip raw and gzip", "[golden][io]") {
  TempDir tmp;
  golden::ImageSet s{"", 2, 2, 3, kPixels};
  for (const char* name : {"rt.idx", "rt.idx.gz"}) {
    const fs::path ip = tmp.path / fmt::format("img-{}", name), lp = tmp.path / fmt::format("lbl-{}", name);
    golden::write_idx_images(ip, s);
    golden::write_idx_labels(lp, std::vector<uint8_t>{9, 0});
    auto bytes = file_bytes(ip);
    REQUIRE(bytes.size() >= 2);
    if (fs::path(name).extension() == ".gz") {
      CHECK((bytes[0] == 0x1f && bytes[1] == 0x8b));  // gzip magic
    } else {
      CHECK(bytes == images_bytes(2, 2, 3, kPixels));  // byte-exact IDX
    }
    golden::Dataset d = golden::read_idx_dataset(ip, lp);
    CHECK(d.images.count == 2);
    CHECK(d.images.rows == 2);
    CHECK(d.images.cols == 3);
    CHECK(d.images.pixels == kPixels);
    CHECK(d.labels.labels == std::vector<uint8_t>{9, 0});
  }
}

TEST_CASE("idx: missing file names the file", "[golden][io][bad_input]") {
  REQUIRE_THROWS_MATCHES(golden::read_idx_images("no/such/images.gz"), golden::FileError,
                         Message("no/such/images.gz: cannot open: No such file or directory"));
}

TEST_CASE("idx: bad magic number", "[golden][io][bad_input]") {
  TempDir tmp;
  const fs::path p = tmp.path / "lbl";
  write_raw(p, labels_bytes(2, {1, 2}));
  // A labels file (0x801) where images (0x803) are expected, and the reverse.
  REQUIRE_THROWS_MATCHES(golden::read_idx_images(p), golden::FormatError,
                         Message(p.string() + ": offset 0: bad magic number 0x00000801, expected 0x00000803 "
                                              "(IDX3 unsigned-byte images)"));
  const fs::path q = tmp.path / "img";
  write_raw(q, images_bytes(2, 2, 3, kPixels));
  REQUIRE_THROWS_MATCHES(golden::read_idx_labels(q), golden::FormatError,
                         Message(q.string() + ": offset 0: bad magic number 0x00000803, expected 0x00000801 "
                                              "(IDX1 unsigned-byte labels)"));
}

TEST_CASE("idx: truncated body and header", "[golden][io][bad_input]") {
  TempDir tmp;
  const fs::path p = tmp.path / "img";
  // Header says 2 images of 2x3 = 12 pixel bytes; only 11 follow.
  write_raw(p, images_bytes(2, 2, 3, std::vector<uint8_t>(kPixels.begin(), kPixels.end() - 1)));
  REQUIRE_THROWS_MATCHES(golden::read_idx_images(p), golden::FormatError,
                         Message(p.string() + ": truncated: header says 2 images of 2x3 (12 bytes after the "
                                              "16-byte header), the file has 11"));
  const fs::path h = tmp.path / "hdr";
  auto bytes = images_bytes(2, 2, 3, {});
  bytes.resize(10);
  write_raw(h, bytes);
  REQUIRE_THROWS_MATCHES(golden::read_idx_images(h), golden::FormatError,
                         Message(h.string() + ": truncated: 10 bytes, the IDX header needs 16"));
  const fs::path l = tmp.path / "lbl";
  write_raw(l, labels_bytes(5, {1, 2, 3}));
  REQUIRE_THROWS_MATCHES(golden::read_idx_labels(l), golden::FormatError,
                         Message(l.string() + ": truncated: header says 5 labels (5 bytes after the 8-byte "
                                              "header), the file has 3"));
}

TEST_CASE("idx: truncated gzip stream", "[golden][io][bad_input]") {
  TempDir tmp;
  const fs::path full = tmp.path / "full.gz", cut = tmp.path / "cut.gz";
  std::vector<uint8_t> pixels(28 * 28 * 20);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 7919 % 251);
  write_gz(full, images_bytes(20, 28, 28, pixels));
  auto gz = file_bytes(full);
  gz.resize(gz.size() / 2);
  write_raw(cut, gz);
  REQUIRE_THROWS_MATCHES(golden::read_idx_images(cut), golden::FormatError,
                         Message(cut.string() + ": corrupt or truncated gzip data: unexpected end of file"));
}

TEST_CASE("idx: trailing bytes after the data", "[golden][io][bad_input]") {
  TempDir tmp;
  const fs::path p = tmp.path / "img";
  auto px = kPixels;
  px.push_back(42);
  px.push_back(43);
  write_raw(p, images_bytes(2, 2, 3, px));
  // 16 + 12 = 28: the first stray byte.
  REQUIRE_THROWS_MATCHES(golden::read_idx_images(p), golden::FormatError,
                         Message(p.string() + ": offset 28: 2 unexpected bytes after 2 images of 2x3"));
}

TEST_CASE("idx: image and label counts must agree", "[golden][io][bad_input]") {
  TempDir tmp;
  write_raw(tmp.path / "img", images_bytes(2, 2, 3, kPixels));
  write_raw(tmp.path / "lbl", labels_bytes(3, {1, 2, 3}));
  REQUIRE_THROWS_MATCHES(
      golden::read_idx_dataset(tmp.path / "img", tmp.path / "lbl"), golden::FormatError,
      Message((tmp.path / "lbl").string() + ": 3 labels, but " + (tmp.path / "img").string() + " has 2 images"));
}

TEST_CASE("idx: wrong dimensions", "[golden][io][bad_input]") {
  TempDir tmp;
  const fs::path p = tmp.path / "img";
  write_raw(p, images_bytes(2, 0, 3, {}));
  REQUIRE_THROWS_MATCHES(golden::read_idx_images(p), golden::FormatError,
                         Message(p.string() + ": offset 8: image size 0x3 is not 1..4096 x 1..4096"));
  // A valid file whose images do not fit what the model expects.
  write_raw(p, images_bytes(2, 2, 3, kPixels));
  golden::ImageSet s = golden::read_idx_images(p);
  REQUIRE_THROWS_MATCHES(golden::check_image_size(s, 28, 28), golden::FormatError,
                         Message(p.string() + ": images are 2x3, expected 28x28"));
  CHECK_NOTHROW(golden::check_image_size(s, 2, 3));
}

TEST_CASE("idx: labels beyond the class count", "[golden][io][bad_input]") {
  golden::LabelSet l{"l.idx", {0, 9, 10, 3}};
  REQUIRE_THROWS_MATCHES(golden::check_label_range(l, 10), golden::FormatError,
                         Message("l.idx: label 10 (item 2) is outside 0..9"));
  CHECK_NOTHROW(golden::check_label_range(l, 11));
}

TEST_CASE("idx: the held-out MNIST files load", "[golden][io][data]") {
  const fs::path dir = fs::path(ACCEL_ROOT) / "data/mnist";
  const fs::path img = dir / "test-images-idx3-ubyte.gz", lbl = dir / "test-labels-idx1-ubyte.gz";
  if (!fs::exists(img) || !fs::exists(lbl)) {
    FAIL(fmt::format("{} or {} is missing: they are committed with the repository (regenerate with make data)",
                     img.string(), lbl.string()));
  }
  golden::Dataset d = golden::read_idx_dataset(img, lbl);
  // ARCHITECTURE.md: 20 % of the first 10,000 training images, per digit: 2,004.
  CHECK(d.images.count == 2004);
  CHECK(d.images.rows == 28);
  CHECK(d.images.cols == 28);
  CHECK_NOTHROW(golden::check_label_range(d.labels, 10));
}

TEST_CASE("idx: Fashion-MNIST test files from Debian load", "[golden][io][data]") {
  const fs::path dir = "/usr/share/datasets/fashion-mnist";
  const fs::path img = dir / "t10k-images-idx3-ubyte.gz", lbl = dir / "t10k-labels-idx1-ubyte.gz";
  if (!fs::exists(img)) FAIL(fmt::format("{} is missing: install dataset-fashion-mnist (make deps)", img.string()));
  golden::Dataset d = golden::read_idx_dataset(img, lbl);
  CHECK(d.images.count == 10000);  // the official Fashion-MNIST test split
  CHECK(d.images.rows == 28);
  CHECK(d.images.cols == 28);
  CHECK_NOTHROW(golden::check_label_range(d.labels, 10));
}

// ---------------------------------------------------------------------------------------------
// Hostile input: what is not a regular file, sizes beyond what the file can hold or the limits,
// data after the last gzip member, empty sets.

TEST_CASE("idx: a FIFO, a device or a directory is refused without blocking", "[golden][io][bad_input]") {
  TempDir tmp;
  const fs::path fifo = tmp.path / "images.fifo";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  REQUIRE_THROWS_MATCHES(golden::read_idx_images(fifo), golden::FileError,
                         Message(fifo.string() + ": cannot read: is a FIFO, not a regular file"));
  REQUIRE_THROWS_MATCHES(golden::read_idx_labels(fifo), golden::FileError,
                         Message(fifo.string() + ": cannot read: is a FIFO, not a regular file"));
  REQUIRE_THROWS_MATCHES(golden::read_idx_images("/dev/zero"), golden::FileError,
                         Message("/dev/zero: cannot read: is a character device, not a regular file"));
  REQUIRE_THROWS_MATCHES(golden::read_idx_images(tmp.path), golden::FileError,
                         Message(tmp.path.string() + ": cannot read: is a directory"));
}

TEST_CASE("idx: the header is checked before a gzip body is inflated", "[golden][io][bad_input]") {
  TempDir tmp;
  // 16 MiB of zeros compress to about 16 KiB: the magic (0) is refused after 16 inflated bytes,
  // before the rest is inflated or allocated.
  const fs::path zeros = tmp.path / "zeros.gz";
  write_gz(zeros, std::vector<uint8_t>(16 << 20, 0));
  REQUIRE_THROWS_MATCHES(golden::read_idx_images(zeros), golden::FormatError,
                         Message(zeros.string() + ": offset 0: bad magic number 0x00000000, expected 0x00000803 "
                                                  "(IDX3 unsigned-byte images)"));
  // A bad header in front of corrupt gzip data: the header is what is reported.
  const fs::path corrupt = tmp.path / "corrupt.gz";
  std::vector<uint8_t> body = labels_bytes(3, {1, 2, 3});
  for (int i = 0; i < 100000; ++i) body.push_back(static_cast<uint8_t>(i * 7919 % 251));
  write_gz(corrupt, body);
  auto gz = file_bytes(corrupt);
  for (size_t i = gz.size() / 2; i < gz.size() - 8; ++i) gz[i] ^= 0x5a;
  write_raw(corrupt, gz);
  REQUIRE_THROWS_MATCHES(golden::read_idx_images(corrupt), golden::FormatError,
                         Message(corrupt.string() + ": offset 0: bad magic number 0x00000801, expected 0x00000803 "
                                                    "(IDX3 unsigned-byte images)"));
}

TEST_CASE("idx: declared sizes beyond the limit or the file are refused before allocating", "[golden][io][bad_input]") {
  TempDir tmp;
  const fs::path p = tmp.path / "img";
  // 2^30 images of 28x28: far beyond the 2^28-byte limit.
  write_raw(p, images_bytes(1u << 30, 28, 28, {}));
  REQUIRE_THROWS_MATCHES(golden::read_idx_images(p), golden::FormatError,
                         Message(p.string() + ": offset 4: 1073741824 images of 28x28 are 841813590016 bytes, more "
                                              "than the limit of 268435456"));
  write_raw(p, images_bytes(2, 5000, 3, {}));
  REQUIRE_THROWS_MATCHES(golden::read_idx_images(p), golden::FormatError,
                         Message(p.string() + ": offset 8: image size 5000x3 is not 1..4096 x 1..4096"));
  write_raw(p, labels_bytes(0xffffffffu, {}));
  REQUIRE_THROWS_MATCHES(golden::read_idx_labels(p), golden::FormatError,
                         Message(p.string() + ": offset 4: 4294967295 labels, more than the limit of 268435456"));
  // 100000 images of 28x28 (78 MB, within the limit) declared in a gzip file of a few dozen bytes.
  const fs::path gz = tmp.path / "img.gz";
  write_gz(gz, images_bytes(100000, 28, 28, {1, 2, 3}));
  const auto gz_size = fs::file_size(gz);
  REQUIRE_THROWS_MATCHES(golden::read_idx_images(gz), golden::FormatError,
                         Message(fmt::format("{}: header says 100000 images of 28x28 (78400000 bytes), more than a "
                                             "{}-byte gzip file can hold",
                                             gz.string(), gz_size)));
}

TEST_CASE("idx: data after the last gzip member is an error, a second member is data", "[golden][io][bad_input]") {
  TempDir tmp;
  const fs::path one = tmp.path / "one.gz", two = tmp.path / "two.gz";
  const std::vector<uint8_t> all = images_bytes(2, 2, 3, kPixels);
  write_gz(one, std::vector<uint8_t>(all.begin(), all.begin() + 20));
  write_gz(two, std::vector<uint8_t>(all.begin() + 20, all.end()));
  // Two members, as `cat one.gz two.gz` makes: one IDX stream.
  auto cat = file_bytes(one);
  const auto second = file_bytes(two);
  cat.insert(cat.end(), second.begin(), second.end());
  const fs::path joined = tmp.path / "joined.gz";
  write_raw(joined, cat);
  CHECK(golden::read_idx_images(joined).pixels == kPixels);
  // The whole set in one member, then bytes that are not a gzip member.
  write_gz(one, all);
  auto tail = file_bytes(one);
  const size_t member = tail.size();
  tail.insert(tail.end(), {'j', 'u', 'n', 'k'});
  write_raw(joined, tail);
  REQUIRE_THROWS_MATCHES(
      golden::read_idx_images(joined), golden::FormatError,
      Message(fmt::format("{}: offset {}: 4 bytes of trailing data after the gzip stream", joined.string(), member)));
  // Extra bytes inside the gzip data: counted after the body.
  auto extra = all;
  extra.insert(extra.end(), 3, 9);
  write_gz(one, extra);
  REQUIRE_THROWS_MATCHES(golden::read_idx_images(one), golden::FormatError,
                         Message(one.string() + ": offset 28: 3 unexpected bytes after 2 images of 2x3"));
}

TEST_CASE("idx: a set with no images is valid but refused where images are needed", "[golden][io][bad_input]") {
  TempDir tmp;
  const fs::path p = tmp.path / "empty";
  write_raw(p, images_bytes(0, 28, 28, {}));
  const golden::ImageSet s = golden::read_idx_images(p);
  CHECK(s.count == 0);
  REQUIRE_THROWS_MATCHES(golden::check_not_empty(s), golden::FormatError,
                         Message(p.string() + ": holds no images (its header says 0)"));
}
