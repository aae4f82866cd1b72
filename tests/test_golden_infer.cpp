// golden-infer, the command: its report on a tiny synthetic model and data
// set, and one `error:` line with a non-zero exit code on bad input.
#include <fmt/format.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "golden/idx.hpp"
#include "support/temp_dir.hpp"
#include "support/tiny_model_files.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using test_support::TempDir;

namespace {

struct Run {
  int code = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

Run run(const TempDir& tmp, const std::string& args) {
  const fs::path out = tmp.path / "stdout", err = tmp.path / "stderr";
  const std::string cmd = fmt::format("'{}' {} >'{}' 2>'{}'", GOLDEN_INFER_EXE, args, out.string(), err.string());
  const int status = std::system(cmd.c_str());
  Run r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

// tiny_model() (logits: ramp image -> [25, -175, 25], all-zero image -> [0, -250, -175];
// both predict class 0) plus its two images, labelled 0 and 2.
void write_tiny(const fs::path& dir) {
  test_support::write_model_json(dir, test_support::write_tiny_model(dir));
  golden::write_idx_images(dir / "img.gz", test_support::tiny_images());
  golden::write_idx_labels(dir / "lbl.gz", std::vector<uint8_t>{0, 2});
}

}  // namespace

TEST_CASE("golden-infer: accuracy confusion matrix and logits", "[golden][cli]") {
  TempDir tmp;
  write_tiny(tmp.path);
  const std::string d = tmp.path.string();
  Run r = run(tmp, fmt::format("--model '{0}' --images '{0}/img.gz' --labels '{0}/lbl.gz' --dump-logits 2", d));
  INFO(r.out << r.err);
  REQUIRE(r.code == 0);
  CHECK(r.err.empty());  // no progress: stderr is not a terminal
  CHECK_THAT(r.out, StartsWith("model tiny: A8/W8/P32, input 1x4x4, 4 layers (conv1 pool flatten fc), 3 classes, "
                               "312 MACs/image\n"));
  CHECK_THAT(r.out, Contains("logits 0 (label 0, predicted 0): 25 -175 25\n"));
  CHECK_THAT(r.out, Contains("logits 1 (label 2, predicted 0): 0 -250 -175\n"));
  // Image 0 (label 0) predicted 0: right; image 1 (label 2) predicted 0: wrong.
  CHECK_THAT(r.out, Contains("accuracy: 1/2 (50.00%)\n"));
  CHECK_THAT(r.out, Contains(" true\\pred   0   1   2\n"
                             "         0   1   0   0\n"
                             "         1   0   0   0\n"
                             "         2   1   0   0\n"));
  CHECK_THAT(r.out, Contains("time: 2 images in "));
}

TEST_CASE("golden-infer: limit evaluates the first N images", "[golden][cli]") {
  TempDir tmp;
  write_tiny(tmp.path);
  const std::string d = tmp.path.string();
  Run r = run(tmp, fmt::format("--model '{0}' --images '{0}/img.gz' --labels '{0}/lbl.gz' --limit 1", d));
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Contains("accuracy: 1/1 (100.00%)\n"));
}

TEST_CASE("golden-infer: bad input gives one error line and a non-zero exit", "[golden][cli][bad_input]") {
  TempDir tmp;
  write_tiny(tmp.path);
  const std::string d = tmp.path.string();
  struct Case {
    std::string args, err;
  };
  const std::vector<Case> cases = {
      {fmt::format("--model '{0}/none' --images '{0}/img.gz' --labels '{0}/lbl.gz'", d),
       fmt::format("error: {}/none: model directory not found\n", d)},
      {fmt::format("--model '{0}' --images '{0}/lbl.gz' --labels '{0}/lbl.gz'", d),
       fmt::format("error: {}/lbl.gz: offset 0: bad magic number 0x00000801, expected 0x00000803 "
                   "(IDX3 unsigned-byte images)\n",
                   d)},
      {fmt::format("--model '{0}' --images '{0}/img.gz'", d), "error: --labels is required\n"},
      {fmt::format("--model '{0}' --images '{0}/img.gz' --labels '{0}/lbl.gz' --limit -1", d),
       "error: --limit: Value -1 not in range 0 to 1000000000\n"},
  };
  for (const Case& c : cases) {
    Run r = run(tmp, c.args);
    INFO(c.args);
    CHECK(r.code != 0);
    CHECK(r.out.empty());
    CHECK(r.err == c.err);
  }
  // Labels that do not fit the model's 3 classes.
  golden::write_idx_labels(tmp.path / "bad.gz", std::vector<uint8_t>{0, 7});
  Run r = run(tmp, fmt::format("--model '{0}' --images '{0}/img.gz' --labels '{0}/bad.gz'", d));
  CHECK(r.code != 0);
  CHECK(r.err == fmt::format("error: {}/bad.gz: label 7 (item 1) is outside 0..2\n", d));
}

TEST_CASE("golden-infer: an empty image set and control characters in a path are errors on one line",
          "[golden][cli][bad_input]") {
  TempDir tmp;
  write_tiny(tmp.path);
  const std::string d = tmp.path.string();
  golden::write_idx_images(tmp.path / "none.gz", golden::ImageSet{"", 0, 4, 4, {}});
  golden::write_idx_labels(tmp.path / "none-lbl.gz", std::vector<uint8_t>{});
  Run r = run(tmp, fmt::format("--model '{0}' --images '{0}/none.gz' --labels '{0}/none-lbl.gz'", d));
  CHECK(r.code != 0);
  CHECK(r.out.empty());
  CHECK(r.err == fmt::format("error: {}/none.gz: holds no images (its header says 0)\n", d));
  // A file name with a newline and an escape: echoed as \x0a and \x1b, the message stays one line.
  r = run(tmp, fmt::format("--model '{0}' --images \"{0}/a$(printf '\\n\\033')b\" --labels '{0}/lbl.gz'", d));
  CHECK(r.code != 0);
  CHECK(r.err == fmt::format("error: {}/a\\x0a\\x1bb: cannot open: No such file or directory\n", d));
}
