// The model directory loader (golden/model.hpp, load_model) on a small directory: model.json is
// the input up to the first line "#npy", the rest (if any) is extra.npy; the tensors of the tiny
// test model (tests/support/tiny_model_files.hpp: conv1.*.npy, fc.*.npy) are always there, so a
// mutated model.json can reach every layer check and a mutated extra.npy the tensor checks.
// Rejections are golden::Error (FileError, FormatError); a model that loads must describe itself.
#include <golden/error.hpp>
#include <golden/model.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.hpp"
#include "support/tiny_model_files.hpp"

namespace {

const std::filesystem::path& model_dir() {
  static const std::filesystem::path dir = [] {
    std::filesystem::path d = fuzz::scratch_dir("model") / "model";
    std::filesystem::create_directories(d);
    test_support::write_tiny_model(d);
    return d;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::filesystem::path& dir = model_dir();
  const auto parts = fuzz::split(std::string_view(reinterpret_cast<const char*>(data), size), "\n#npy\n", 2);
  fuzz::write_file(dir / "model.json", parts[0]);
  if (parts.size() > 1) {
    fuzz::write_file(dir / "extra.npy", parts[1]);
  } else {
    std::filesystem::remove(dir / "extra.npy");
  }
  try {
    const golden::Model m = golden::load_model(dir);
    if (m.layers.empty()) fuzz::finding("a model without layers loaded");
    (void)m.summary();
    (void)m.macs();
    (void)m.classes();
  } catch (const golden::Error& e) {
    fuzz::check_one_line(e);
  }
  return 0;
}
