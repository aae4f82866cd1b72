// The ONNX importer (sw/onnx) on the input as a serialized ModelProto (import_bytes, what
// import_file runs on a file's bytes). Rejections are accel::onnx::ImportError of one line; a model
// that imports must be one golden::validate_model accepts (the importer validates before returning).
#include <accel/onnx_import.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const accel::onnx::ImportResult r =
        accel::onnx::import_bytes(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.onnx");
    if (r.model.layers.empty()) fuzz::finding("an imported model without layers");
  } catch (const accel::onnx::ImportError& e) {
    fuzz::check_one_line(e);
  }
  return 0;
}
