// Random conv2d / linear layers and inputs for tests and the cosim program: weights over the whole
// signed range (the most negative value included), int32 biases, multipliers in [2^30, 2^31) and
// shifts chosen so the requantized outputs spread over 0 .. 2^act_bits - 1 instead of clamping.
// Only values are drawn here; no layer is computed.
#pragma once

#include <golden/model.hpp>
#include <golden/precision.hpp>
#include <golden/tensor.hpp>
#include <random>
#include <string>
#include <vector>

namespace accel {

// Zero points (docs/quantization.md): given, or -1 for one drawn from 0 .. 2^act_bits - 1 (the
// output one of a logits layer is always 0).
struct RandomConvSpec {
  int in_channels = 1, out_channels = 1, kernel = 1, stride = 1, padding = 0, height = 1, width = 1;
  bool relu = true;
  bool logits = false;
  int input_zero_point = 0, output_zero_point = 0;
};

struct RandomLinearSpec {
  int in_features = 1, out_features = 1;
  bool relu = true;
  bool logits = false;
  int input_zero_point = 0, output_zero_point = 0;
};

golden::Layer random_conv(const RandomConvSpec& spec, const golden::Precision& prec, std::mt19937& rng);
golden::Layer random_linear(const RandomLinearSpec& spec, const golden::Precision& prec, std::mt19937& rng);

// Gives every conv2d/linear layer of a model random zero points that chain (each layer's input zero
// point is the previous array layer's output one, through pooling and flatten; the first is drawn,
// the logits output stays 0) and validates the model.
void randomize_zero_points(golden::Model& m, std::mt19937& rng);

// A model with the MNIST network's shape (docs/tiler.md): conv1 1->32 k5 p2, conv2 32->32 k3 s2 p1,
// maxpool k3 s2, flatten, fc1 1152->128, fc2 128->10 logits; random values; validated.
golden::Model random_mnist_model(const golden::Precision& prec, std::mt19937& rng);

// Networks of the reference notebooks' shapes with random values (no data set: every psum and
// output is still checked), by name (kRandomNetworks); docs/networks.md lists them:
//   "vgg16-cifar": VGG16 for 32x32x3 inputs with the 8-channel squeezed block of
//                  vgg16_4bit_8x8_array_tiling (conv 256->8, 8->8, 8->512), 13 convs, 5 pools, fc 512->10;
//   "cifar10-cnn": the small CIFAR-10 CNN of cifar10_manual_quantization (conv 3->6 k5, pool,
//                  conv 6->16 k5, pool, fc 400->120->84->10);
//   "mnist":       random_mnist_model.
// std::invalid_argument naming the networks for another name.
inline constexpr const char* kRandomNetworks = "vgg16-cifar, cifar10-cnn, mnist";
golden::Model random_network(const std::string& name, const golden::Precision& prec, std::mt19937& rng);

// n inputs of the layer's input shape (layer.in_shape), activations 0 .. 2^act_bits - 1.
std::vector<golden::Tensor> random_inputs(const golden::Layer& layer, int n, int act_bits, std::mt19937& rng);

}  // namespace accel
