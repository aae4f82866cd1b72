// The golden model against the exporter's own integer implementation: the
// committed models' expected_logits.npy must be reproduced exactly. And a
// proof that the comparison can fail and says where.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "golden/error.hpp"
#include "golden/idx.hpp"
#include "golden/model.hpp"
#include "golden/network.hpp"
#include "support/tiny_model.hpp"

namespace fs = std::filesystem;
using golden::Model;
using test_support::tiny_images;

namespace {

std::string describe(const std::vector<golden::LogitMismatch>& mm) {
  std::string s;
  for (size_t i = 0; i < mm.size() && i < 10; ++i) s += "\n  " + golden::format_mismatch(mm[i]);
  if (mm.size() > 10) s += fmt::format("\n  ... and {} more", mm.size() - 10);
  return s;
}

// Loads models/<name> and its reference images; FAILs (not skips) when absent:
// the models and data are committed with the repository.
void check_committed_model(const std::string& name) {
  const fs::path root = ACCEL_ROOT;
  const fs::path dir = root / "models" / name;
  if (!fs::exists(dir / "model.json")) {
    FAIL(
        fmt::format("{} is missing: the trained models are committed with the repository "
                    "(regenerate with make train)",
                    (dir / "model.json").string()));
  }
  Model m = golden::load_model(dir);
  REQUIRE(m.reference);
  const fs::path images = root / m.reference->images;
  if (!fs::exists(images)) {
    FAIL(fmt::format("{} (reference images of {}) is missing: regenerate with make data", images.string(), name));
  }
  golden::ImageSet set = golden::read_idx_images(images);
  INFO(m.summary());
  CHECK(m.reference->count == 20);
  CHECK(m.classes() == 10);
  auto mismatches = golden::check_reference(m, set);
  INFO(fmt::format("{} of {} logits differ from {}:{}", mismatches.size(), m.reference->count * m.classes(),
                   m.reference->logits_file, describe(mismatches)));
  CHECK(mismatches.empty());

  // The same comparison with one expected logit corrupted must report exactly it.
  m.reference->logits[7 * m.classes() + 3] += 1;
  auto corrupted = golden::check_reference(m, set);
  REQUIRE(corrupted.size() == mismatches.size() + 1);
  bool found = false;
  for (const auto& x : corrupted) found |= x.image == 7 && x.cls == 3;
  CHECK(found);
}

// tiny_model() with a reference of its two images.
Model tiny_model_with_reference() {
  Model m = test_support::tiny_model();
  golden::Reference r;
  r.count = 2;
  r.classes = 3;
  r.logits = test_support::kTinyLogits;
  m.reference = r;
  return m;
}

}  // namespace

TEST_CASE("reference: mnist_int8 reproduces the exporter's logits", "[golden][model]") {
  check_committed_model("mnist_int8");
}

TEST_CASE("reference: mnist_int4 reproduces the exporter's logits", "[golden][model]") {
  check_committed_model("mnist_int4");
}

TEST_CASE("reference: mnist_a2w2 reproduces the exporter's logits", "[golden][model]") {
  check_committed_model("mnist_a2w2");
}

TEST_CASE("reference: mnist_a2w4 reproduces the exporter's logits", "[golden][model]") {
  check_committed_model("mnist_a2w4");
}

TEST_CASE("reference: mnist_a2w8 reproduces the exporter's logits", "[golden][model]") {
  check_committed_model("mnist_a2w8");
}

TEST_CASE("reference: mnist_a4w2 reproduces the exporter's logits", "[golden][model]") {
  check_committed_model("mnist_a4w2");
}

TEST_CASE("reference: mnist_a4w8 reproduces the exporter's logits", "[golden][model]") {
  check_committed_model("mnist_a4w8");
}

TEST_CASE("reference: mnist_a8w2 reproduces the exporter's logits", "[golden][model]") {
  check_committed_model("mnist_a8w2");
}

TEST_CASE("reference: mnist_a8w4 reproduces the exporter's logits", "[golden][model]") {
  check_committed_model("mnist_a8w4");
}

TEST_CASE("reference: fashion_int8 reproduces the exporter's logits", "[golden][model]") {
  check_committed_model("fashion_int8");
}

TEST_CASE("reference: the check passes on matching logits", "[golden]") {
  Model m = tiny_model_with_reference();
  CHECK(golden::check_reference(m, tiny_images()).empty());
}

TEST_CASE("reference: a corrupted expected logit is reported at its image and class", "[golden]") {
  Model m = tiny_model_with_reference();
  m.reference->logits[1 * 3 + 2] = -174;  // image 1, class 2: the golden value is -175
  auto mm = golden::check_reference(m, tiny_images());
  REQUIRE(mm.size() == 1);
  CHECK(mm[0].image == 1);
  CHECK(mm[0].cls == 2);
  CHECK(mm[0].expected == -174);
  CHECK(mm[0].actual == -175);
  CHECK(golden::format_mismatch(mm[0]) == "image 1 class 2: expected -174, golden -175");
}

TEST_CASE("reference: too few images or the wrong size is an error", "[golden][bad_input]") {
  Model m = tiny_model_with_reference();
  golden::ImageSet one{"one.idx", 1, 4, 4, std::vector<uint8_t>(16, 0)};
  REQUIRE_THROWS_MATCHES(golden::check_reference(m, one), golden::FormatError,
                         Catch::Matchers::Message("one.idx: 1 images, the reference of model 'tiny' needs 2"));
  golden::ImageSet big{"big.idx", 2, 5, 5, std::vector<uint8_t>(50, 0)};
  REQUIRE_THROWS_MATCHES(golden::check_reference(m, big), golden::FormatError,
                         Catch::Matchers::Message("big.idx: images are 5x5, expected 4x4"));
}
