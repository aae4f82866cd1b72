// golden-infer: runs a quantized model with the golden integer reference on an
// IDX image set and reports accuracy, the confusion matrix and throughput.
//
//   golden-infer --model models/mnist_int8 --images data/mnist/test-images-idx3-ubyte.gz
//                --labels data/mnist/test-labels-idx1-ubyte.gz [--limit N] [--dump-logits N]
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "golden/error.hpp"
#include "golden/idx.hpp"
#include "golden/input_file.hpp"
#include "golden/model.hpp"
#include "golden/network.hpp"
#include "golden/ops.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Progress goes to stderr only for a person watching: a terminal, not CI.
bool show_progress() { return isatty(STDERR_FILENO) && std::getenv("CI") == nullptr; }

void print_confusion(const std::vector<std::vector<int>>& m) {
  const int n = static_cast<int>(m.size());
  int width = 4;
  for (const auto& row : m) {
    for (int v : row) width = std::max(width, static_cast<int>(fmt::format("{}", v).size()) + 1);
  }
  fmt::print("confusion matrix (rows: true label, columns: predicted):\n");
  fmt::print("{:>10}", "true\\pred");
  for (int c = 0; c < n; ++c) fmt::print("{:>{}}", c, width);
  fmt::print("\n");
  for (int r = 0; r < n; ++r) {
    fmt::print("{:>10}", r);
    for (int c = 0; c < n; ++c) fmt::print("{:>{}}", m[r][c], width);
    fmt::print("\n");
  }
}

int run(int argc, char** argv) {
  CLI::App app{"Run a quantized model with the golden integer reference on IDX images."};
  std::string model_dir, images_path, labels_path;
  int limit = 0;
  int dump = 0;
  app.add_option("--model", model_dir, "model directory (model.json + .npy tensors)")->required();
  app.add_option("--images", images_path, "IDX3 images file, raw or .gz")->required();
  app.add_option("--labels", labels_path, "IDX1 labels file, raw or .gz")->required();
  app.add_option("--limit", limit, "evaluate only the first N images (0: all)")->check(CLI::Range(0, 1000000000));
  app.add_option("--dump-logits", dump, "print the logits of the first N images")->check(CLI::Range(0, 1000000000));
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "error: {}\n", golden::printable(e.what()));
    return 2;
  }

  const golden::Model model = golden::load_model(model_dir);
  const golden::Dataset data = golden::read_idx_dataset(images_path, labels_path);
  golden::check_not_empty(data.images);
  if (model.input.at(0) != 1) {
    throw golden::FormatError(fmt::format("{}: model '{}' has {} input channels, IDX images have 1", images_path,
                                          model.name, model.input.at(0)));
  }
  golden::check_image_size(data.images, model.input.at(1), model.input.at(2));
  const int classes = model.classes();
  golden::check_label_range(data.labels, classes);

  const int n = limit > 0 ? std::min(limit, data.images.count) : data.images.count;
  fmt::print("{}\n", model.summary());
  fmt::print("images: {} of {} from {}\n", n, data.images.count, images_path);

  std::vector<std::vector<int>> confusion(classes, std::vector<int>(classes, 0));
  int correct = 0;
  const bool progress = show_progress();
  const auto t0 = Clock::now();
  auto last_report = t0;
  for (int i = 0; i < n; ++i) {
    const std::vector<int64_t> logits = golden::infer_logits(model, data.images.image(i));
    const int pred = golden::argmax(logits);
    const int label = data.labels.labels[i];
    confusion[label][pred] += 1;
    correct += pred == label;
    if (i < dump) {
      std::string row;
      for (int64_t v : logits) row += fmt::format(" {}", v);
      fmt::print("logits {} (label {}, predicted {}):{}\n", i, label, pred, row);
    }
    if (progress && (Clock::now() - last_report > std::chrono::milliseconds(200) || i + 1 == n)) {
      last_report = Clock::now();
      const double t = seconds_since(t0);
      const double rate = (i + 1) / std::max(t, 1e-9);
      fmt::print(stderr, "\r{}/{} images, {:.0f} images/s, ETA {:.1f} s   ", i + 1, n, rate, (n - i - 1) / rate);
      if (i + 1 == n) fmt::print(stderr, "\n");
    }
  }
  const double elapsed = seconds_since(t0);

  fmt::print("accuracy: {}/{} ({:.2f}%)\n", correct, n, n ? 100.0 * correct / n : 0.0);
  if (model.int_accuracy) {
    fmt::print("exporter's int accuracy (model.json metrics): {:.2f}%\n", 100.0 * *model.int_accuracy);
  }
  print_confusion(confusion);
  fmt::print("time: {} images in {:.3f} s, {:.0f} images/s\n", n, elapsed, n / std::max(elapsed, 1e-9));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", golden::printable(e.what()));
    return 1;
  }
}
