// The tiler: a conv2d or linear layer plus its input activations (a batch of images) -> a Schedule
// for one core configuration. Strategies, memory chunking and the slot packing are described in
// docs/tiler.md. The tiler only moves data (activations, weights, SFP parameters) into the core's
// words; it never computes a layer value.
#pragma once

#include <accel/schedule.hpp>
#include <golden/model.hpp>
#include <golden/precision.hpp>
#include <golden/tensor.hpp>
#include <optional>
#include <span>
#include <vector>

namespace accel {

struct TilerOptions {
  // Force a dataflow; default: the one of the lowest estimate for one image.
  std::optional<Dataflow> dataflow;
  // conv2d, weight-stationary only: force a strategy; default: the lower estimate for one image
  // (so a rerun of one image picks the same strategy as the batch did).
  std::optional<Strategy> strategy;
  // The SIMD mode (docs/isa.md "SIMD mode", docs/tiler.md "SIMD mode"): the model's activations are
  // ActBits / 2 bits; weight-stationary vectors carry 2 x Rows reduction terms (two per lane) and
  // every read-out requantizes to ActBits / 2 bits. Needs a core with the mode (tag simd).
  bool simd = false;
};

// Estimates of every (dataflow, strategy) that applies to `layer` (WS linear and OS linear for
// linear; WS kernel-major, WS im2col and OS im2col for conv2d) for a batch of `images`, cheapest
// first, on ties of cycles by fewer data_i slots; `simd`: the weight-stationary ones in the SIMD mode.
std::vector<Estimate> estimate_layer(const CoreConfig& cfg, const golden::Layer& layer, int images,
                                     bool simd = false);

// The (dataflow, strategy) tile_layer picks with `options` (the fastest estimate for one image
// among those the options allow). Throws std::invalid_argument for options that do not apply.
Estimate choose_mapping(const CoreConfig& cfg, const golden::Layer& layer, const TilerOptions& options = {});

// The strategy tile_layer picks without options.
Strategy choose_strategy(const CoreConfig& cfg, const golden::Layer& layer);

// Tiles `layer` for `inputs` (one tensor per image: {C, H, W} for conv2d, {K} for linear;
// activations 0 .. 2^act_bits - 1). `image_ids` names the images in reports (default 0..n-1).
// Throws std::invalid_argument when the layer, the precision or the inputs do not fit the core
// (precision differs from the configuration, shape mismatch, value out of range, a memory too
// small for even the smallest chunk).
Schedule tile_layer(const CoreConfig& cfg, const golden::Layer& layer, const golden::Precision& prec,
                    std::span<const golden::Tensor> inputs, std::span<const int> image_ids = {}, int layer_index = -1,
                    const TilerOptions& options = {});

// `s`, made by tile_layer for one batch, becomes in place the schedule tile_layer makes for
// `inputs` (same layer, options, input shape and number of images; other activations and image
// ids): only the activations are rewritten (Schedule::act_refs), which costs a small part of
// tiling. Throws like tile_layer for an activation out of range, std::invalid_argument when the
// count or shape differ from the schedule's.
void retile(Schedule& s, std::span<const golden::Tensor> inputs, std::span<const int> image_ids = {});

}  // namespace accel
