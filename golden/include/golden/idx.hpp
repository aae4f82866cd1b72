// IDX reader/writer for MNIST-style image (idx3, unsigned byte) and label
// (idx1, unsigned byte) files, raw or gzip-compressed (detected from content,
// not the name, via zlib's transparent gzread).
//
// Errors: golden::FileError for a missing/unreadable file, golden::FormatError
// (file, offset, problem) for a bad magic number, zero dimensions, a truncated
// body, trailing bytes, corrupt gzip data, or images and labels whose counts
// disagree.
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

// Whole file content; gzip data is decompressed, anything else is returned as is.
std::vector<uint8_t> read_file_bytes(const std::filesystem::path& file);

ImageSet read_idx_images(const std::filesystem::path& file);
LabelSet read_idx_labels(const std::filesystem::path& file);
// Both files, checking that they hold the same number of items.
Dataset read_idx_dataset(const std::filesystem::path& images, const std::filesystem::path& labels);
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
