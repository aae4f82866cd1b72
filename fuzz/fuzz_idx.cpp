// The IDX readers (golden/idx.hpp) on one file: the input, raw or gzip, read as an image file and
// as a label file. Rejections are golden::Error (FileError, FormatError); a set that loads must
// hold exactly what its header declares.
#include <golden/error.hpp>
#include <golden/idx.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.hpp"

namespace {

void read_images(const std::filesystem::path& file) {
  try {
    const golden::ImageSet s = golden::read_idx_images(file);
    if (s.pixels.size() != size_t(s.count) * size_t(s.rows) * size_t(s.cols))
      fuzz::finding("an image set whose pixels disagree with count x rows x cols");
    if (s.count > 0) {
      const auto last = s.image(s.count - 1);
      if (last.size() != size_t(s.rows) * size_t(s.cols)) fuzz::finding("an image of the wrong size");
      volatile uint8_t touch = last.back();  // ASan: the last image lies inside the buffer
      (void)touch;
    }
    golden::check_not_empty(s);
    golden::check_image_size(s, 28, 28);
  } catch (const golden::Error& e) {
    fuzz::check_one_line(e);
  }
}

void read_labels(const std::filesystem::path& file) {
  try {
    const golden::LabelSet l = golden::read_idx_labels(file);
    golden::check_label_range(l, 10);
  } catch (const golden::Error& e) {
    fuzz::check_one_line(e);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::filesystem::path file = fuzz::scratch_dir("idx") / "input-idx-ubyte";
  fuzz::write_file(file, std::string_view(reinterpret_cast<const char*>(data), size));
  read_images(file);
  read_labels(file);
  return 0;
}
