// The committed int8 MNIST model and the first 20 images of its reference set (the images whose
// exporter logits are in expected_logits.npy), shared by the device tests that run real MNIST.
#pragma once

#include <catch2/catch.hpp>
#include <golden/idx.hpp>
#include <golden/model.hpp>

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace test_support {

struct MnistReference {
  golden::Model model;
  golden::ImageSet set;                          // owns the pixels
  std::vector<std::span<const uint8_t>> images;  // the first `count` images of `set`
};

// Fails the test (REQUIRE) if the model, its reference or `count` reference images are missing.
inline MnistReference load_mnist_reference(int count = 20, const char* model = "mnist_int8") {
  const std::filesystem::path root = ACCEL_ROOT;
  const std::filesystem::path dir = root / "models" / model;
  REQUIRE(std::filesystem::exists(dir / "model.json"));
  MnistReference r{golden::load_model(dir), {}, {}};
  REQUIRE(r.model.reference);
  REQUIRE(r.model.reference->count >= count);
  r.set = golden::read_idx_images(root / r.model.reference->images);
  for (int i = 0; i < count; ++i) r.images.push_back(r.set.image(i));
  return r;
}

}  // namespace test_support
