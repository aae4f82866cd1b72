// Replaying a text vector set on a device (`cosim vectors`) and writing one from a layer
// (`cosim export-vectors`). Formats and naming: docs/vector-files.md; parsing: vector_files.hpp.
//
// Replay: the files describe one conv tile (Rows input channels, already padded; Cols output
// channels; kernel K; stride S). It is tiled kernel-major (the notebook's per-kij flow) and read
// out as raw accumulators with ReLU and zero bias, played on the device, and three comparisons
// are made:
//   device psum rows and out rows against the psum and output files ("the device disagrees");
//   the psum and output files against golden/ on the parsed activations and weights ("the files
//   disagree with each other");
//   device values against golden/ (so when the files are inconsistent one still learns whether
//   the device is right).
// Every expected value comes from golden/; nothing here multiplies or accumulates.
#pragma once

#include <accel/device.hpp>
#include <accel/isa.hpp>
#include <accel/random_layer.hpp>
#include <accel/schedule.hpp>
#include <accel/vector_files.hpp>
#include <cstdint>
#include <filesystem>
#include <golden/model.hpp>
#include <golden/tensor.hpp>
#include <span>
#include <string>
#include <vector>

namespace accel {

struct ReplayOptions {
  VectorFileSet files;         // explicit files; the rest are found in the directory
  VectorShapeOptions shape;    // padded width, kernel, stride (default: from line counts)
  size_t max_mismatches = 10;  // kept (with their place) per list
};

struct VectorMismatch {
  enum class Kind { Psum, Output };
  enum class Check {
    DeviceVsFile,  // a value the device produced differs from the file
    FileVsGolden,  // a file value differs from golden on the parsed activations and weights
  };
  Kind kind = Kind::Psum;
  Check check = Check::DeviceVsFile;
  std::filesystem::path file;
  int line = 0;        // 1-based line in `file`
  int kij = -1;        // psum: kernel position (ky * K + kx); output: -1
  int nij = -1;        // psum: input position (iy * padded_width + ix); output: output position
  int y = -1, x = -1;  // psum: input position (iy, ix); output: output position
  int column = -1;     // array column = output channel of the tile
  int64_t actual = 0;  // DeviceVsFile: device value; FileVsGolden: golden value
  int64_t file_value = 0;
};

struct ReplayResult {
  std::string device;  // Device::name()
  int padded_height = 0, padded_width = 0, kernel = 0, stride = 1, out_height = 0, out_width = 0;
  bool has_psums = false;

  // Device against the files. A psum row is one (kij, nij) line; the device streams only the input
  // positions some output needs (kernel^2 * outputs rows), and only those are compared.
  uint64_t psum_lines_in_files = 0;
  uint64_t psum_rows_compared = 0, psum_rows_matched = 0;
  uint64_t output_rows_compared = 0, output_rows_matched = 0;  // one row = one output position
  uint64_t output_values_compared = 0, output_values_matched = 0;
  uint64_t protocol_errors = 0;  // rows shown where none was due, or missing

  // Files against golden: every line of the psum and output files.
  uint64_t golden_psum_lines_checked = 0, golden_psum_lines_matched = 0;
  uint64_t golden_output_lines_checked = 0, golden_output_lines_matched = 0;

  // Device against golden, in values (psum lanes and output lanes).
  uint64_t device_golden_values_checked = 0, device_golden_mismatches = 0;

  std::vector<VectorMismatch> device_mismatches;  // first ReplayOptions::max_mismatches, slot order
  std::vector<VectorMismatch> file_mismatches;    // first max_mismatches: psum files, then output
  std::vector<std::string> protocol;              // first max_mismatches protocol messages

  Counters counters{};
  uint64_t slots = 0;

  bool files_consistent() const {
    return golden_psum_lines_matched == golden_psum_lines_checked &&
           golden_output_lines_matched == golden_output_lines_checked;
  }
  bool device_agrees_with_files() const {
    return psum_rows_matched == psum_rows_compared && output_rows_matched == output_rows_compared &&
           protocol_errors == 0;
  }
  bool device_agrees_with_golden() const { return device_golden_mismatches == 0 && protocol_errors == 0; }
  bool passed() const { return files_consistent() && device_agrees_with_files() && device_agrees_with_golden(); }
  // "pass", "the device disagrees with the files", "the files disagree with each other ...".
  std::string verdict() const;
};

// Reads the vector set in `dir` for the device's configuration, replays it and compares.
// Throws VectorFileError for a malformed or missing file, PlayError if the device fails, and
// std::invalid_argument if the layer does not fit the core.
ReplayResult replay_vectors(const std::filesystem::path& dir, Device& device, const ReplayOptions& options = {});
// The same on an already loaded set (its config must equal the device's in rows, cols and widths).
ReplayResult replay_vectors(const ConvVectors& vectors, Device& device, size_t max_mismatches = 10);

// The conv layer and input a vector set describes (what replay tiles): Rows -> Cols channels,
// kernel K, stride S, padding 0, zero bias, raw output with ReLU; input {Rows, padded h, padded w}.
golden::Layer vector_layer(const ConvVectors& v);
golden::Tensor vector_input(const ConvVectors& v);

// "out.txt:12: output 8 (y 1, x 2) column 5: device 17, file 19"
// "psum.txt:70: kij 1 nij 2 (y 0, x 2) column 3: golden 5, file 4"
std::string format_mismatch(const VectorMismatch& m);
// Summary counts, the mismatches, the verdict; several lines.
std::string format_replay(const ReplayResult& r);

// ------------------------------------------------------------------------------------------------
// Export
// ------------------------------------------------------------------------------------------------
struct ExportOptions {
  int in_tile = 0;               // input channels in_tile * Rows .. + Rows (zero-padded past the layer's channels)
  int out_tile = 0;              // output channels out_tile * Cols .. + Cols (zero weights past the layer's)
  int padding = -1;              // zeros added on every side of the input; -1 = the layer's padding
  bool psums = true;             // write the expected psums
  bool combined_psum = false;    // one psum.txt (kij-major, the notebook) instead of psum_kij<N>.txt
  bool combined_weight = false;  // one weight.txt (kij-major, Cols lines per kij) instead of weight_kij<N>.txt
  std::string description;       // for the third header line (default: the layer's describe())
};

struct ExportResult {
  std::vector<std::filesystem::path> files;  // every file written
  int padded_height = 0, padded_width = 0, kernel = 0, stride = 1, out_height = 0, out_width = 0;
  int c0 = 0, c1 = 0, o0 = 0, o1 = 0;  // layer channels in the tile: [c0, c1), [o0, o1)
};

// Writes activation.txt, weight_kij<N>.txt (or weight.txt), psum_kij<N>.txt (or psum.txt) and output.txt for
// one (input-channel tile, output-channel tile) of a conv2d layer on one image `input` ({C, H, W},
// unpadded). Expected psums and outputs come from golden/ (partial accumulators of the tile slice,
// wrapped to the configuration's PsumBits; the output with ReLU, no bias). The directory is
// created; it must not already hold other vector files (they would make the set ambiguous).
// Throws std::invalid_argument for a bad layer, input or tile, VectorFileError if writing fails.
ExportResult export_vectors(const std::filesystem::path& dir, const CoreConfig& config, const golden::Layer& layer,
                            const golden::Tensor& input, const ExportOptions& options = {});

// A random layer (random_conv, seeded std::mt19937) on a random input. Defaults: Rows -> Cols
// channels, 6x6 input, kernel 3, padding 1: the notebook's 8x8 padded tile, 64 input positions.
struct RandomVectorSpec {
  RandomConvSpec conv{};  // in/out channels 0 = Rows / Cols of the configuration
  uint32_t seed = 1;
  RandomVectorSpec() {
    conv.in_channels = 0;
    conv.out_channels = 0;
    conv.kernel = 3;
    conv.padding = 1;
    conv.height = 6;
    conv.width = 6;
  }
};
ExportResult export_random_vectors(const std::filesystem::path& dir, const CoreConfig& config,
                                   const RandomVectorSpec& spec = {}, const ExportOptions& options = {});

// Layer `layer_name` (a conv2d) of a model on one image (C*H*W raw pixels): its input is golden's
// (run_network). The model's activation and weight values must fit the configuration's widths.
ExportResult export_model_vectors(const std::filesystem::path& dir, const CoreConfig& config,
                                  const golden::Model& model, const std::string& layer_name,
                                  std::span<const uint8_t> pixels, const ExportOptions& options = {});

}  // namespace accel
