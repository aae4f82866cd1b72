// IDX reader/writer for MNIST-style image (idx3, unsigned byte) and label
// (idx1, unsigned byte) files, raw or gzip-compressed (detected from content,
// not the name). gzip is inflated as a stream: the header is read and checked
// (magic, sizes, limits, what the file can hold) before the body is allocated.
//
// Errors: golden::FileError for a missing/unreadable file or one that is not a
// regular file (a FIFO, a device, a directory), golden::FormatError (file,
// offset, problem) for a bad magic number, zero or oversized dimensions, a body
// beyond the limits below or beyond what the file can hold, a truncated body,
// trailing bytes (also after the last gzip member), corrupt gzip data, or images
// and labels whose counts disagree. docs/data.md lists the limits.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace golden {

inline constexpr uint32_t kIdxImagesMagic = 0x00000803;  // ubyte, 3 dimensions
inline constexpr uint32_t kIdxLabelsMagic = 0x00000801;  // ubyte, 1 dimension

struct ImageSet {
  std::string path;  // for messages
  int count = 0;
  int rows = 0;
  int cols = 0;
  std::vector<uint8_t> pixels;  // count * rows * cols, image-major, row-major

  std::span<const uint8_t> image(int i) const {
    const size_t n = static_cast<size_t>(rows) * cols;
    return {pixels.data() + static_cast<size_t>(i) * n, n};
  }
};

struct LabelSet {
  std::string path;
  std::vector<uint8_t> labels;
  int count() const { return static_cast<int>(labels.size()); }
};

struct Dataset {
  ImageSet images;
  LabelSet labels;
};

// Limits of what the readers accept: image side 1..kIdxMaxSide; at most kIdxMaxBytes pixel bytes
// (count x rows x cols) in an image file and kIdxMaxBytes labels in a label file.
inline constexpr uint32_t kIdxMaxSide = 4096;
inline constexpr uint64_t kIdxMaxBytes = uint64_t{1} << 28;

ImageSet read_idx_images(const std::filesystem::path& file);
LabelSet read_idx_labels(const std::filesystem::path& file);
// Both files, checking that they hold the same number of items.
Dataset read_idx_dataset(const std::filesystem::path& images, const std::filesystem::path& labels);
// Throws FormatError "<file>: holds no images" for an empty set (a valid file, but nothing to run).
void check_not_empty(const ImageSet& images);
// Throws FormatError unless images.count == labels.count().
void check_same_count(const ImageSet& images, const LabelSet& labels);
// Throws FormatError unless every image is rows x cols.
void check_image_size(const ImageSet& images, int rows, int cols);
// Throws FormatError naming the first label >= classes.
void check_label_range(const LabelSet& labels, int classes);

// Writers (gzip-compressed when the name ends in ".gz"). Throw FileError on
// I/O failure, std::invalid_argument if pixels.size() != count*rows*cols.
void write_idx_images(const std::filesystem::path& file, const ImageSet& images);
void write_idx_labels(const std::filesystem::path& file, std::span<const uint8_t> labels);

}  // namespace golden
