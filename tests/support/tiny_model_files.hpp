// tiny_model() (tiny_model.hpp) as a model directory (docs/model-format.md), for the loader and
// golden-infer tests. Needs golden_io and nlohmann_json.
#pragma once

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

#include "golden/npy.hpp"
#include "tiny_model.hpp"

namespace test_support {

// Writes the tensors of tiny_model() to `dir` (conv1.{weight,bias,multiplier,shift}.npy,
// fc.{weight,bias}.npy) and returns the model.json content with only the required fields;
// write_model_json saves it.
inline nlohmann::json write_tiny_model(const std::filesystem::path& dir) {
  using golden::DType;
  const golden::Model m = tiny_model();
  const golden::Layer& conv = m.layers[0];
  const golden::Layer& fc = m.layers[3];
  auto npy = [&](const char* name, DType t, std::vector<int64_t> shape, const std::vector<int32_t>& v) {
    golden::write_npy(dir / name, t, shape, std::vector<int64_t>(v.begin(), v.end()));
  };
  npy("conv1.weight.npy", DType::int8, {2, 1, 3, 3}, conv.weight);
  npy("conv1.bias.npy", DType::int32, {2}, conv.bias);
  npy("conv1.multiplier.npy", DType::int32, {2}, conv.multiplier);
  npy("conv1.shift.npy", DType::int32, {2}, conv.shift);
  npy("fc.weight.npy", DType::int8, {3, 8}, fc.weight);
  npy("fc.bias.npy", DType::int32, {3}, fc.bias);
  return {{"format", "accel-cosim-model"},
          {"version", 1},
          {"name", "tiny"},
          {"act_bits", 8},
          {"weight_bits", 8},
          {"psum_bits", 32},
          {"input", {{"channels", 1}, {"height", 4}, {"width", 4}}},
          {"layers",
           {{{"name", "conv1"},
             {"type", "conv2d"},
             {"in_channels", 1},
             {"out_channels", 2},
             {"kernel", 3},
             {"stride", 1},
             {"padding", 1},
             {"relu", true},
             {"output", "requant"},
             {"weight", "conv1.weight.npy"},
             {"bias", "conv1.bias.npy"},
             {"multiplier", "conv1.multiplier.npy"},
             {"shift", "conv1.shift.npy"}},
            {{"name", "pool"}, {"type", "maxpool2d"}, {"kernel", 2}, {"stride", 2}},
            {{"name", "flatten"}, {"type", "flatten"}},
            {{"name", "fc"},
             {"type", "linear"},
             {"in_features", 8},
             {"out_features", 3},
             {"relu", false},
             {"output", "logits"},
             {"weight", "fc.weight.npy"},
             {"bias", "fc.bias.npy"}}}}};
}

inline void write_model_json(const std::filesystem::path& dir, const nlohmann::json& j) {
  std::ofstream(dir / "model.json") << j.dump(2);
}

}  // namespace test_support
