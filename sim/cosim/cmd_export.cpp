// cosim export-vectors: one conv tile as a text vector set with golden's expected psums and
// outputs (docs/cosim.md "cosim export-vectors").
#include <accel/config_text.hpp>
#include <accel/vectors.hpp>
#include <fmt/format.h>

#include <golden/idx.hpp>
#include <golden/model.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "model_inputs.hpp"
#include "options.hpp"
#include "repro.hpp"

namespace accel::cosim {

namespace {

struct ExportArgs {
  std::string out, config, model, layer, images;
  std::optional<uint32_t> seed;
  std::optional<int> image;
  int in_ch = 0, out_ch = 0, size = 6, kernel = 3, stride = 1, padding = 1, in_tile = 0, out_tile = 0;
  bool combined = false, combined_weight = false;
  std::vector<std::string> given;
};

// An export and the configuration it was written for.
struct Exported {
  ExportResult result;
  const CoreConfig* cfg = nullptr;
};

// The model's configuration as `cosim layer` takes it: from its bit widths, --config overrides.
Exported export_model_layer(const ExportArgs& a, const ExportOptions& eo) {
  if (a.seed) throw UsageError("--seed and --model exclude each other");
  if (!a.given.empty()) throw UsageError(fmt::format("{} applies to random layers (without --model)", a.given.front()));
  if (a.layer.empty()) throw UsageError("--model needs --layer NAME");
  const golden::Model model = load_model_checked(a.model);
  const CoreConfig& cfg = config_for_model(model.precision, a.config);
  const int idx = layer_index(model, a.layer);
  if (model.layers[size_t(idx)].type != golden::LayerType::conv2d)
    throw UsageError(fmt::format("layer '{}' is not a conv2d (vector files describe conv tiles)", a.layer));
  const std::string images_path = a.images.empty() ? default_images(model) : a.images;
  const golden::ImageSet set = golden::read_idx_images(images_path);
  check_images_fit(model, set);
  const int image = a.image.value_or(0);
  check_image_index(image, set, images_path);
  fmt::print("cosim export-vectors: model {} layer {} image {}, config {} ({})\n", model.name, a.layer, image, cfg.name,
             config_widths(cfg));
  return {export_model_vectors(a.out, cfg, model, a.layer, set.image(image), eo), &cfg};
}

Exported export_random_layer(const ExportArgs& a, const ExportOptions& eo) {
  const CoreConfig& cfg = config_named(a.config.empty() ? "ece284" : a.config);
  if (!a.layer.empty() || a.image) throw UsageError("--layer and --image need --model DIR");
  if (!a.images.empty()) throw UsageError("--images needs --model DIR");
  check_option("--in-ch", a.in_ch, 0, kMaxChannels);    // 0: Rows
  check_option("--out-ch", a.out_ch, 0, kMaxChannels);  // 0: Cols
  RandomVectorSpec spec;
  spec.seed = a.seed.value_or(1);
  spec.conv.in_channels = a.in_ch > 0 ? a.in_ch : int(cfg.rows);
  spec.conv.out_channels = a.out_ch > 0 ? a.out_ch : int(cfg.cols);
  spec.conv.height = spec.conv.width = a.size;
  spec.conv.kernel = a.kernel;
  spec.conv.stride = a.stride;
  spec.conv.padding = a.padding;
  check_random_conv(spec.conv, 1);
  fmt::print("cosim export-vectors: random conv, seed {}, config {} ({})\n", spec.seed, cfg.name, config_widths(cfg));
  return {export_random_vectors(a.out, cfg, spec, eo), &cfg};
}

int run_export(const ExportArgs& a) {
  ExportOptions eo;
  eo.in_tile = a.in_tile;
  eo.out_tile = a.out_tile;
  eo.combined_psum = a.combined;
  eo.combined_weight = a.combined_weight;
  check_option("--in-tile", a.in_tile, 0, kMaxChannels);
  check_option("--out-tile", a.out_tile, 0, kMaxChannels);
  const Exported e = a.model.empty() ? export_random_layer(a, eo) : export_model_layer(a, eo);
  const ExportResult& r = e.result;
  fmt::print(
      "tile: input channels {}..{}, output channels {}..{}; padded input {}x{}, kernel {}, stride {}, "
      "output {}x{}\n",
      r.c0, r.c1 - 1, r.o0, r.o1 - 1, r.padded_height, r.padded_width, r.kernel, r.stride, r.out_height, r.out_width);
  fmt::print("wrote {} files to {}\n", r.files.size(), a.out);
  fmt::print("replay: {}\n", replay_vectors_command(a.out, *e.cfg, r.stride));
  return 0;
}

}  // namespace

Command add_export_command(CLI::App& app) {
  auto a = std::make_shared<ExportArgs>();
  CLI::App* c = app.add_subcommand("export-vectors", "write a text vector set of one conv tile");
  c->add_option("--out", a->out, "directory to write")->required();
  c->add_option("--config", a->config, "core configuration (default: the model's, ece284 for random layers)");
  c->add_option("--seed", a->seed, "random conv layer");
  c->add_option("--model", a->model, "model directory");
  c->add_option("--layer", a->layer, "conv2d layer of the model");
  c->add_option("--image", a->image, "image number (default 0)");
  c->add_option("--images", a->images, "IDX3 images (default: the model's reference set)");
  const FlagOptions shape{
      {"--in-ch", c->add_option("--in-ch", a->in_ch, "input channels (0: Rows)")},
      {"--out-ch", c->add_option("--out-ch", a->out_ch, "output channels (0: Cols)")},
      {"--size", c->add_option("--size", a->size, "input height = width, unpadded (6)")},
      {"--kernel", c->add_option("--kernel", a->kernel, "kernel (3)")},
      {"--stride", c->add_option("--stride", a->stride, "stride (1)")},
      {"--padding", c->add_option("--padding", a->padding, "padding (1)")},
  };
  c->add_option("--in-tile", a->in_tile, "input-channel tile (0)");
  c->add_option("--out-tile", a->out_tile, "output-channel tile (0)");
  c->add_flag("--combined-psum", a->combined, "one psum.txt instead of psum_kij<N>.txt");
  c->add_flag("--combined-weight", a->combined_weight, "one weight.txt instead of weight_kij<N>.txt");
  return {c, [a, shape] {
            a->given = given_flags(shape);
            return run_export(*a);
          }};
}

}  // namespace accel::cosim
