#include "model_inputs.hpp"

#include <fmt/format.h>

#include <filesystem>

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

std::string default_images(const golden::Model& m) {
  if (!m.reference) throw UsageError(fmt::format("model '{}' names no image set: give --images", m.name));
  const fs::path p = m.reference->images;
  if (p.is_absolute() || fs::exists(p)) return p.string();
  const fs::path root = fs::path(ACCEL_ROOT) / p;
  return fs::exists(root) ? root.string() : p.string();
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
