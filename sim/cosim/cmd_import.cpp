// cosim import: a quantized ONNX model into a model directory (docs/onnx.md).
#include <accel/onnx_import.hpp>
#include <fmt/format.h>

#include <memory>
#include <string>

#include "commands.hpp"

namespace accel::cosim {

namespace {

struct ImportArgs {
  std::string input, out;
  onnx::ImportOptions options;
};

int run_import(const ImportArgs& a) {
  const onnx::ImportResult r = onnx::import_file(a.input, a.options);
  golden::save_model(r.model, a.out);
  fmt::print("import: {} -> {}\n", a.input, a.out);
  fmt::print("model: {}\n", r.model.summary());
  for (const std::string& note : r.notes) fmt::print("note: {}\n", note);
  return 0;
}

}  // namespace

Command add_import_command(CLI::App& app) {
  auto a = std::make_shared<ImportArgs>();
  CLI::App* c = app.add_subcommand("import", "a quantized ONNX model (QDQ, QCDQ, QLinear ops) into a model directory");
  c->add_option("model", a->input, "MODEL.onnx")->required();
  c->add_option("--out", a->out, "the model directory to write (created)")->required();
  c->add_option("--name", a->options.name, "model name (default: the file's stem)");
  c->add_option("--dataset", a->options.dataset, "the data set it classifies (default mnist)");
  c->add_option("--psum-bits", a->options.psum_bits, "accumulator width P (default 32)")->check(CLI::Range(2, 32));
  return {c, [a] { return run_import(*a); }};
}

}  // namespace accel::cosim
