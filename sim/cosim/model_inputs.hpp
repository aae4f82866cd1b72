// What cosim reads for a model run: the model directory, a device layer by name, the model's
// reference image set, one image of a set. Problems are usage errors naming what was wrong.
#pragma once

#include <golden/idx.hpp>
#include <golden/model.hpp>
#include <string>

namespace accel::cosim {

golden::Model load_model_checked(const std::string& dir);
// The index of device layer `name` (conv2d or linear) in the model.
int layer_index(const golden::Model& m, const std::string& name);
// The model's reference image set (model.json "reference"), relative to the working directory
// or the repository root.
std::string default_images(const golden::Model& m);
// Its labels (model.json "reference.labels"), found the same way.
std::string default_labels(const golden::Model& m);
// Refuses `images` (read from `path`) when their pixel statistics are far from those of the
// model's own reference set: digits given to a model of clothes. Nothing to compare (no reference
// set on this machine, fewer than 10 images, another image size): no check.
void check_data_set(const golden::Model& m, const golden::ImageSet& images, const std::string& path);
void check_images_fit(const golden::Model& m, const golden::ImageSet& images);
// `image` of the set at `path`, checked against its count.
void check_image_index(int image, const golden::ImageSet& set, const std::string& path);

}  // namespace accel::cosim
