// The vector-file reader (accel/vector_files.hpp, load_vectors: finding the files by name,
// reading and size-checking each) on a directory built from the input:
//   byte 0      the core configuration (index into accel::kConfigs)
//   byte 1      which shape options are given: bit 0 padded width, bit 1 kernel, bit 2 stride
//   bytes 2..4  their values (0..255)
//   the rest    files, each "@@ NAME\n" then its content (names of [A-Za-z0-9_.-], at most 64)
// Rejections are VectorFileError and std::invalid_argument; a set that loads must be consistent.
#include <accel/config.hpp>
#include <accel/vector_files.hpp>
#include <accel/vectors.hpp>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "fuzz_support.hpp"

namespace {

namespace fs = std::filesystem;

bool plain_name(std::string_view n) {
  if (n.empty() || n.size() > 64 || n == "." || n == "..") return false;
  for (char c : n)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) return false;
  return true;
}

// Writes the "@@ NAME\n" files of `text` into a fresh `dir`.
void write_files(const fs::path& dir, std::string_view text) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto parts = fuzz::split(text, "@@ ", 65);
  for (size_t i = 1; i < parts.size(); ++i) {
    const size_t eol = parts[i].find('\n');
    const std::string_view name = parts[i].substr(0, eol);
    if (plain_name(name)) fuzz::write_file(dir / name, eol == std::string_view::npos ? "" : parts[i].substr(eol + 1));
  }
}

void check_loaded(const accel::ConvVectors& v) {
  if (v.activation.lines() != size_t(v.positions())) fuzz::finding("activation lines differ from the positions");
  if (v.weights.size() != size_t(v.kernel_positions())) fuzz::finding("weight files differ from kernel^2");
  if (v.output.lines() != size_t(v.out_height) * size_t(v.out_width)) fuzz::finding("output lines differ");
  (void)v.weight_oihw();
  (void)accel::vector_layer(v);
  (void)accel::vector_input(v);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 5) return 0;
  const accel::CoreConfig& cfg = accel::kConfigs[data[0] % accel::kConfigs.size()];
  accel::VectorShapeOptions shape;
  if (data[1] & 1) shape.padded_width = data[2];
  if (data[1] & 2) shape.kernel = data[3];
  if (data[1] & 4) shape.stride = data[4];
  const fs::path dir = fuzz::scratch_dir("vectors") / "set";
  write_files(dir, std::string_view(reinterpret_cast<const char*>(data) + 5, size - 5));
  try {
    check_loaded(accel::load_vectors(dir, cfg, {}, shape));
  } catch (const accel::VectorFileError& e) {
    fuzz::check_one_line(e);
  } catch (const std::invalid_argument& e) {
    fuzz::check_one_line(e);
  }
  return 0;
}
