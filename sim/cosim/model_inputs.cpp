#include "model_inputs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <golden/idx.hpp>

#include "options.hpp"

namespace accel::cosim {

namespace fs = std::filesystem;

golden::Model load_model_checked(const std::string& dir) {
  if (!fs::exists(fs::path(dir) / "model.json"))
    throw UsageError(fmt::format("{}: no model.json (not a model directory)", dir));
  return golden::load_model(dir);
}

int layer_index(const golden::Model& m, const std::string& name) {
  std::string names;
  for (size_t i = 0; i < m.layers.size(); ++i) {
    if (m.layers[i].name == name) {
      if (!m.layers[i].has_weights())
        throw UsageError(fmt::format("layer '{}' of model '{}' is a {} (runs on the host, not the core)", name, m.name,
                                     golden::layer_type_name(m.layers[i].type)));
      return int(i);
    }
    if (m.layers[i].has_weights()) names += (names.empty() ? "" : ", ") + m.layers[i].name;
  }
  throw UsageError(fmt::format("model '{}' has no layer '{}' (device layers: {})", m.name, name, names));
}

namespace {

// A path of model.json's reference section: as written when it exists from the working directory
// (or is absolute), else from the repository root.
std::string reference_path(const std::string& written) {
  const fs::path p = written;
  if (p.is_absolute() || fs::exists(p)) return p.string();
  const fs::path root = fs::path(ACCEL_ROOT) / p;
  return fs::exists(root) ? root.string() : p.string();
}

// Pixel statistics of the first images of a set (at most kStatImages): what tells one data set
// from another. MNIST's digits: mean pixel 35, 80 % zero pixels; Fashion-MNIST's clothes: 74 and
// 50 %. Over 10 images or more the sets of one data set stay within a few points of each other.
struct PixelStats {
  double mean = 0, zeros = 0;  // mean pixel value, fraction of zero pixels
};
constexpr int kStatImages = 1000, kMinStatImages = 10;
constexpr double kMaxMeanGap = 20, kMaxZerosGap = 0.15;

PixelStats pixel_stats(const golden::ImageSet& s) {
  const size_t n = size_t(std::min(s.count, kStatImages)) * s.rows * s.cols;
  PixelStats st;
  for (size_t i = 0; i < n; ++i) {
    st.mean += s.pixels[i];
    st.zeros += s.pixels[i] == 0;
  }
  if (n) {
    st.mean /= double(n);
    st.zeros /= double(n);
  }
  return st;
}

}  // namespace

std::string default_images(const golden::Model& m) {
  if (!m.reference) throw UsageError(fmt::format("model '{}' names no image set: give --images", m.name));
  return reference_path(m.reference->images);
}

std::string default_labels(const golden::Model& m) {
  if (!m.reference || m.reference->labels.empty())
    throw UsageError(fmt::format("model '{}' names no label set: give --images and --labels", m.name));
  return reference_path(m.reference->labels);
}

void check_data_set(const golden::Model& m, const golden::ImageSet& images, const std::string& path) {
  if (!m.reference || images.count < kMinStatImages) return;
  const std::string ref = default_images(m);
  std::error_code ec;
  if (!fs::exists(ref) || fs::equivalent(ref, path, ec)) return;
  const golden::ImageSet own = golden::read_idx_images(ref);
  if (own.rows != images.rows || own.cols != images.cols || own.count < kMinStatImages) return;
  const PixelStats a = pixel_stats(images), b = pixel_stats(own);
  if (std::abs(a.mean - b.mean) <= kMaxMeanGap && std::abs(a.zeros - b.zeros) <= kMaxZerosGap) return;
  throw UsageError(fmt::format(
      "--images {}: not the model's data set '{}' (mean pixel {:.1f}, {:.0f} % zero pixels; its own set {}: {:.1f}, "
      "{:.0f} %); leave out --images for the model's own, or give --other-data-set",
      path, m.dataset.empty() ? m.name : m.dataset, a.mean, 100 * a.zeros, m.reference->images, b.mean,
      100 * b.zeros));
}

void check_images_fit(const golden::Model& m, const golden::ImageSet& images) {
  if (m.input.size() != 3 || m.input[0] != 1)
    throw UsageError(fmt::format("model '{}' does not take single-channel images", m.name));
  golden::check_image_size(images, m.input[1], m.input[2]);
}

void check_image_index(int image, const golden::ImageSet& set, const std::string& path) {
  golden::check_not_empty(set);
  if (image < 0 || image >= set.count)
    throw UsageError(fmt::format("--image {}: {} has images 0..{}", image, path, set.count - 1));
}

}  // namespace accel::cosim
