// Model loader: a valid synthetic model directory loads; each malformed
// directory is rejected with a one-line message naming file, place and problem.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "golden/error.hpp"
#include "golden/model.hpp"
#include "golden/npy.hpp"
#include "golden/ops.hpp"
#include "golden/partial.hpp"
#include "support/temp_dir.hpp"
#include "support/tiny_model_files.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using Catch::Matchers::Message;
using Catch::Matchers::StartsWith;
using json = nlohmann::json;
using test_support::TempDir;
using test_support::write_model_json;

namespace {

void npy(const fs::path& p, golden::DType t, std::vector<int64_t> shape, std::vector<int64_t> values) {
  golden::write_npy(p, t, shape, values);
}

// test_support::write_tiny_model plus every optional field (dataset, scales, reference and
// its expected_logits.npy, metrics), so that loading reads those too.
json write_tiny_model(const fs::path& dir) {
  json j = test_support::write_tiny_model(dir);
  npy(dir / "expected_logits.npy", golden::DType::int64, {2, 3}, test_support::kTinyLogits);
  j["dataset"] = "synthetic";
  j["layers"][0]["scales"] = {{"input", 1.0}, {"weight", {0.01, 0.02}}, {"output", 0.05}};
  j["reference"] = {{"images", "data/none.gz"}, {"count", 2}, {"logits", "expected_logits.npy"}};
  j["metrics"] = {{"float_accuracy", 0.5}, {"int_accuracy", 0.25}, {"test_images", 2}};
  return j;
}

// Writes the tiny model, lets `edit` break it, and returns the loader's message.
struct BadModel {
  TempDir tmp;
  json j;
  BadModel() : j(write_tiny_model(tmp.path)) {}
  std::string file(const char* name) const { return (tmp.path / name).string(); }
  std::string json_file() const { return file("model.json"); }
  void save() const { write_model_json(tmp.path, j); }
};

}  // namespace

TEST_CASE("load_model: weights are range-checked once, at load; changed weights are checked again", "[golden][io]") {
  TempDir tmp;
  write_model_json(tmp.path, write_tiny_model(tmp.path));
  golden::Model m = golden::load_model(tmp.path);
  golden::Layer& fc = m.layers[3];
  CHECK(fc.weights_checked(m.precision));
  const golden::Tensor in = golden::Tensor::vec(8);
  const golden::LinearSlice all{0, 8, 0, 3};
  CHECK_NOTHROW(golden::partial_acc(fc, m.precision, in, all));
  // A weight outside 8 bits written in place: validate_model finds it, and a layer not marked
  // checked has its weights checked by every op.
  fc.weight[2] = 300;
  CHECK_THROWS_WITH(golden::validate_model(m, "edited"), Catch::Contains("weight"));
  CHECK_FALSE(fc.weights_checked(m.precision));
  CHECK_THROWS_WITH(golden::partial_acc(fc, m.precision, in, all), Catch::Contains("weight 300 at flat index 2"));
  CHECK_THROWS_WITH(golden::linear_acc(in, fc.weight, 3, m.precision), Catch::Contains("weight 300"));
  // The mark is per width: a precision of other weight bits checks again.
  fc.weight[2] = 1;
  golden::validate_model(m, "fixed");
  CHECK(fc.weights_checked(m.precision));
  golden::Precision narrow = m.precision;
  narrow.weight_bits = 2;
  CHECK_FALSE(fc.weights_checked(narrow));
}

TEST_CASE("load_model: a valid synthetic model loads", "[golden][io]") {
  TempDir tmp;
  write_model_json(tmp.path, write_tiny_model(tmp.path));
  golden::Model m = golden::load_model(tmp.path);
  CHECK(m.name == "tiny");
  CHECK(m.dataset == "synthetic");
  CHECK(m.precision.act_bits == 8);
  CHECK(m.precision.weight_bits == 8);
  CHECK(m.precision.psum_bits == 32);
  CHECK(m.input == golden::Shape{1, 4, 4});
  REQUIRE(m.layers.size() == 4);
  const golden::Layer& c = m.layers[0];
  CHECK(c.type == golden::LayerType::conv2d);
  CHECK(c.relu);
  CHECK_FALSE(c.logits);
  CHECK(c.weight[4] == 1);
  CHECK(c.weight[13] == -1);
  CHECK(c.bias == std::vector<int32_t>{0, 100});
  CHECK(c.multiplier == std::vector<int32_t>{1, 3});
  CHECK(c.shift == std::vector<int32_t>{1, 0});
  // Shapes chain: 1x4x4 -conv k3 p1-> 2x4x4 -pool k2 s2-> 2x2x2 -flatten-> 8 -fc-> 3.
  CHECK(c.out_shape == golden::Shape{2, 4, 4});
  CHECK(m.layers[1].out_shape == golden::Shape{2, 2, 2});
  CHECK(m.layers[2].out_shape == golden::Shape{8});
  CHECK(m.layers[3].out_shape == golden::Shape{3});
  CHECK(m.layers[3].logits);
  CHECK(m.layers[3].multiplier.empty());
  CHECK(m.classes() == 3);
  // MACs: conv 2*4*4 outputs * 1*3*3 = 288; fc 8*3 = 24.
  CHECK(m.macs() == 312);
  REQUIRE(m.reference);
  CHECK(m.reference->images == "data/none.gz");
  CHECK(m.reference->count == 2);
  CHECK(m.reference->at(1, 1) == -250);
  CHECK(m.int_accuracy == Approx(0.25));
  CHECK(m.summary() ==
        "model tiny (synthetic): A8/W8/P32, input 1x4x4, 4 layers (conv1 pool flatten fc), 3 classes, 312 MACs/image");
}

TEST_CASE("load_model: missing directory and model.json", "[golden][io][bad_input]") {
  REQUIRE_THROWS_MATCHES(golden::load_model("no/such/model"), golden::FileError,
                         Message("no/such/model: model directory not found"));
  TempDir tmp;
  REQUIRE_THROWS_MATCHES(golden::load_model(tmp.path), golden::FileError,
                         Message((tmp.path / "model.json").string() + ": cannot open: No such file or directory"));
}

TEST_CASE("load_model: missing tensor file", "[golden][io][bad_input]") {
  BadModel b;
  b.save();
  fs::remove(b.tmp.path / "conv1.bias.npy");
  REQUIRE_THROWS_MATCHES(
      golden::load_model(b.tmp.path), golden::FileError,
      Message(b.file("conv1.bias.npy") + ": cannot open: No such file or directory (layer 'conv1': field 'bias')"));
}

TEST_CASE("load_model: tensor with the wrong shape", "[golden][io][bad_input]") {
  BadModel b;
  b.save();
  npy(b.tmp.path / "conv1.weight.npy", golden::DType::int8, {2, 1, 3, 2}, std::vector<int64_t>(12, 0));
  REQUIRE_THROWS_MATCHES(
      golden::load_model(b.tmp.path), golden::FormatError,
      Message(b.file("conv1.weight.npy") + ": shape (2, 1, 3, 2), expected (2, 1, 3, 3) for layer 'conv1' weight "
                                           "(out_channels, in_channels, kernel, kernel)"));
}

TEST_CASE("load_model: tensor with the wrong dtype", "[golden][io][bad_input]") {
  BadModel b;
  b.save();
  npy(b.tmp.path / "fc.bias.npy", golden::DType::int64, {3}, {0, 5, -175});
  REQUIRE_THROWS_MATCHES(golden::load_model(b.tmp.path), golden::FormatError,
                         Message(b.file("fc.bias.npy") + ": dtype int64, expected int32 ('<i4') for layer 'fc' bias"));
}

TEST_CASE("load_model: weight beyond W bits", "[golden][io][bad_input]") {
  // weight_bits 4: weights must lie in -8..7; the conv1 centre tap becomes 8.
  BadModel b;
  b.j["weight_bits"] = 4;
  b.save();
  npy(b.tmp.path / "conv1.weight.npy", golden::DType::int8, {2, 1, 3, 3},
      {0, 0, 0, 0, 1, 0, 0, 0, 0, /**/ 0, 0, 0, 0, 8, 0, 0, 0, 0});
  REQUIRE_THROWS_MATCHES(golden::load_model(b.tmp.path), golden::FormatError,
                         Message(b.file("conv1.weight.npy") +
                                 ": value 8 at index (1, 0, 1, 1) is outside the 4-bit signed weight range -8..7"));
}

TEST_CASE("load_model: shift 63 and multiplier 0", "[golden][io][bad_input]") {
  {
    BadModel b;
    b.save();
    npy(b.tmp.path / "conv1.shift.npy", golden::DType::int32, {2}, {1, 63});
    REQUIRE_THROWS_MATCHES(
        golden::load_model(b.tmp.path), golden::FormatError,
        Message(b.file("conv1.shift.npy") + ": value 63 at index (1,) is outside the shift range 0..62"));
  }
  {
    BadModel b;
    b.save();
    npy(b.tmp.path / "conv1.multiplier.npy", golden::DType::int32, {2}, {0, 3});
    REQUIRE_THROWS_MATCHES(golden::load_model(b.tmp.path), golden::FormatError,
                           Message(b.file("conv1.multiplier.npy") +
                                   ": value 0 at index (0,) is outside the multiplier range 1..2147483647"));
  }
}

TEST_CASE("load_model: shapes that do not chain", "[golden][io][bad_input]") {
  {
    BadModel b;
    b.j["layers"][3]["in_features"] = 9;
    b.save();
    REQUIRE_THROWS_MATCHES(golden::load_model(b.tmp.path), golden::FormatError,
                           Message(b.json_file() + ": layer 'fc': field 'in_features' is 9, previous layer outputs 8"));
  }
  {
    BadModel b;
    b.j["layers"][0]["in_channels"] = 3;
    b.save();
    REQUIRE_THROWS_MATCHES(golden::load_model(b.tmp.path), golden::FormatError,
                           Message(b.json_file() + ": layer 'conv1': field 'in_channels' is 3, the input is 1x4x4"));
  }
  {
    // Without the flatten layer, fc receives 2x2x2.
    BadModel b;
    b.j["layers"].erase(2);
    b.save();
    REQUIRE_THROWS_MATCHES(golden::load_model(b.tmp.path), golden::FormatError,
                           Message(b.json_file() + ": layer 'fc': linear needs a flattened input, previous layer "
                                                   "outputs 2x2x2 (add a flatten layer)"));
  }
  {
    BadModel b;
    b.j["layers"][1]["kernel"] = 5;
    b.save();
    REQUIRE_THROWS_MATCHES(golden::load_model(b.tmp.path), golden::FormatError,
                           Message(b.json_file() + ": layer 'pool': kernel 5 does not fit the 2x4x4 input"));
  }
}

TEST_CASE("load_model: malformed JSON", "[golden][io][bad_input]") {
  BadModel b;
  std::string text = b.j.dump(2);
  text.pop_back();  // drop the closing brace
  std::ofstream(b.tmp.path / "model.json") << text;
  REQUIRE_THROWS_AS(golden::load_model(b.tmp.path), golden::FormatError);
  REQUIRE_THROWS_WITH(
      golden::load_model(b.tmp.path),
      StartsWith(b.json_file() + ": malformed JSON: parse error at line ") && Contains("unexpected end of input"));
}

TEST_CASE("load_model: missing and mistyped fields", "[golden][io][bad_input]") {
  {
    BadModel b;
    b.j["layers"][0].erase("kernel");
    b.save();
    REQUIRE_THROWS_MATCHES(golden::load_model(b.tmp.path), golden::FormatError,
                           Message(b.json_file() + ": layer 'conv1': field 'kernel' is missing"));
  }
  {
    BadModel b;
    b.j["layers"][0]["stride"] = "1";
    b.save();
    REQUIRE_THROWS_MATCHES(golden::load_model(b.tmp.path), golden::FormatError,
                           Message(b.json_file() + ": layer 'conv1': field 'stride' must be an integer, got \"1\""));
  }
  {
    BadModel b;
    b.j["layers"][1]["type"] = "avgpool2d";
    b.save();
    REQUIRE_THROWS_MATCHES(golden::load_model(b.tmp.path), golden::FormatError,
                           Message(b.json_file() + ": layer 'pool': unknown type 'avgpool2d' (expected conv2d, "
                                                   "linear, maxpool2d or flatten)"));
  }
  {
    BadModel b;
    b.j["format"] = "something-else";
    b.save();
    REQUIRE_THROWS_MATCHES(golden::load_model(b.tmp.path), golden::FormatError,
                           Message(b.json_file() + ": field 'format' is \"something-else\", expected "
                                                   "\"accel-cosim-model\""));
  }
}

TEST_CASE("load_model: bit widths out of range", "[golden][io][bad_input]") {
  {
    BadModel b;
    b.j["act_bits"] = 9;
    b.save();
    REQUIRE_THROWS_MATCHES(golden::load_model(b.tmp.path), golden::FormatError,
                           Message(b.json_file() + ": field 'act_bits' is 9, must be 1..8"));
  }
  {
    BadModel b;
    b.j["psum_bits"] = 33;
    b.save();
    REQUIRE_THROWS_MATCHES(golden::load_model(b.tmp.path), golden::FormatError,
                           Message(b.json_file() + ": field 'psum_bits' is 33, must be 1..32"));
  }
}

TEST_CASE("load_model: logits only on the last layer", "[golden][io][bad_input]") {
  {
    BadModel b;
    b.j["layers"][0]["output"] = "logits";
    b.j["layers"][0]["relu"] = false;
    b.save();
    REQUIRE_THROWS_MATCHES(
        golden::load_model(b.tmp.path), golden::FormatError,
        Message(b.json_file() + ": layer 'conv1': output 'logits' is only allowed on the last layer"));
  }
  {
    BadModel b;
    b.j["layers"][3]["output"] = "requant";
    b.save();
    REQUIRE_THROWS_MATCHES(golden::load_model(b.tmp.path), golden::FormatError,
                           Message(b.json_file() + ": layer 'fc': the last layer must have output 'logits'"));
  }
  {
    BadModel b;
    b.j["layers"][3]["relu"] = true;
    b.save();
    REQUIRE_THROWS_MATCHES(
        golden::load_model(b.tmp.path), golden::FormatError,
        Message(b.json_file() + ": layer 'fc': a logits layer must have relu false (logits are raw acc + bias)"));
  }
}

TEST_CASE("load_model: reference logits with the wrong shape", "[golden][io][bad_input]") {
  BadModel b;
  b.save();
  npy(b.tmp.path / "expected_logits.npy", golden::DType::int64, {2, 4}, std::vector<int64_t>(8, 0));
  REQUIRE_THROWS_MATCHES(
      golden::load_model(b.tmp.path), golden::FormatError,
      Message(b.file("expected_logits.npy") + ": shape (2, 4), expected (2, 3) (reference count, classes)"));
}

TEST_CASE("load_model: truncated tensor", "[golden][io][bad_input]") {
  BadModel b;
  b.save();
  const fs::path p = b.tmp.path / "fc.weight.npy";
  fs::resize_file(p, fs::file_size(p) - 1);
  REQUIRE_THROWS_MATCHES(golden::load_model(b.tmp.path), golden::FormatError,
                         Message(b.file("fc.weight.npy") +
                                 ": truncated: shape (3, 8) of int8 needs 24 data bytes after the 128-byte header, "
                                 "the file has 23"));
}

// ---------------------------------------------------------------------------------------------
// Hostile input: numbers JSON cannot hold, files that are not regular files, sizes beyond the
// limits, control characters in names.

namespace {

// model.json as text with `from` replaced by `to` (values nlohmann cannot write itself).
void save_replacing(const BadModel& b, const std::string& from, const std::string& to) {
  std::string text = b.j.dump(2);
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  std::ofstream(b.tmp.path / "model.json") << text;
}

}  // namespace

TEST_CASE("load_model: numbers beyond a double, NaN and Infinity are malformed JSON", "[golden][io][bad_input]") {
  BadModel b;
  save_replacing(b, "\"kernel\": 3", "\"kernel\": 1e999");
  REQUIRE_THROWS_MATCHES(golden::load_model(b.tmp.path), golden::FormatError,
                         Message(b.json_file() + ": malformed JSON: number overflow parsing '1e999'"));
  save_replacing(b, "\"kernel\": 3", "\"kernel\": 123456789012345678901234567890");
  REQUIRE_THROWS_MATCHES(golden::load_model(b.tmp.path), golden::FormatError,
                         Message(b.json_file() + ": layer 'conv1': field 'kernel' must be an integer, got 1.23456789012"
                                                 "34568e+29"));
  for (const char* v : {"NaN", "Infinity"}) {
    save_replacing(b, "\"kernel\": 3", std::string("\"kernel\": ") + v);
    REQUIRE_THROWS_WITH(golden::load_model(b.tmp.path), StartsWith(b.json_file() + ": malformed JSON: parse error"));
  }
}

TEST_CASE("load_model: model.json or a tensor that is not a regular file", "[golden][io][bad_input]") {
  {
    BadModel b;
    fs::remove(b.tmp.path / "model.json");
    REQUIRE(mkfifo((b.tmp.path / "model.json").c_str(), 0600) == 0);
    REQUIRE_THROWS_MATCHES(golden::load_model(b.tmp.path), golden::FileError,
                           Message(b.json_file() + ": cannot read: is a FIFO, not a regular file"));
  }
  {
    BadModel b;
    fs::remove(b.tmp.path / "model.json");
    fs::create_directory(b.tmp.path / "model.json");
    REQUIRE_THROWS_MATCHES(golden::load_model(b.tmp.path), golden::FileError,
                           Message(b.json_file() + ": cannot read: is a directory"));
  }
  {
    BadModel b;
    b.j["layers"][0]["weight"] = "/dev/zero";
    b.save();
    REQUIRE_THROWS_MATCHES(golden::load_model(b.tmp.path), golden::FileError,
                           Message("/dev/zero: cannot read: is a character device, not a regular file"));
  }
}

TEST_CASE("load_model: sizes beyond the limits are refused before anything is read", "[golden][io][bad_input]") {
  {
    BadModel b;
    b.save();
    std::ofstream(b.tmp.path / "model.json", std::ios::app) << std::string((16 << 20) + 1, ' ');
    REQUIRE_THROWS_WITH(
        golden::load_model(b.tmp.path),
        StartsWith(b.json_file() + ": ") && Contains("bytes, more than the 16777216 bytes a model.json may have"));
  }
  {
    // 65536 x 65536 pixels: 2^32 values, and int products of it overflow.
    BadModel b;
    b.j["input"] = {{"channels", 1}, {"height", 65536}, {"width", 65536}};
    b.save();
    REQUIRE_THROWS_MATCHES(golden::load_model(b.tmp.path), golden::FormatError,
                           Message(b.json_file() + ": the input 1x65536x65536 has more than the limit of 67108864 "
                                                   "values"));
  }
  {
    BadModel b;
    b.j["input"] = {{"channels", 1}, {"height", 64}, {"width", 64}};
    b.j["layers"][0]["out_channels"] = 1 << 20;
    b.save();
    REQUIRE_THROWS_MATCHES(golden::load_model(b.tmp.path), golden::FormatError,
                           Message(b.json_file() + ": layer 'conv1': the output 1048576x64x64 has more than the limit "
                                                   "of 67108864 values"));
  }
  {
    BadModel b;
    b.j["layers"][0]["in_channels"] = 1 << 20;
    b.j["layers"][0]["out_channels"] = 1 << 20;
    b.j["input"]["channels"] = 1 << 16;
    b.save();
    // The input has 65536 channels, conv1 claims 2^20: the chain fails first, naming the field.
    REQUIRE_THROWS_WITH(golden::load_model(b.tmp.path), Contains("field 'in_channels' is 1048576"));
  }
}

TEST_CASE("load_model: control characters in names and strings are escaped or refused", "[golden][io][bad_input]") {
  {
    BadModel b;
    b.j["layers"][0]["name"] = "conv\n1\x1b[2J";
    b.save();
    REQUIRE_THROWS_MATCHES(golden::load_model(b.tmp.path), golden::FormatError,
                           Message(b.json_file() + ": layers[0]: field 'name' \"conv\\x0a1\\x1b[2J\" is not one line "
                                                   "of at most 256 printable characters"));
  }
  {
    BadModel b;
    b.j["layers"][1]["type"] = "pool\r\x07";
    b.save();
    REQUIRE_THROWS_MATCHES(golden::load_model(b.tmp.path), golden::FormatError,
                           Message(b.json_file() + ": layer 'pool': unknown type 'pool\\x0d\\x07' (expected conv2d, "
                                                   "linear, maxpool2d or flatten)"));
  }
}

TEST_CASE("load_model: zero points default to 0, load when they chain and round-trip through save_model",
          "[golden][io][zp]") {
  {
    BadModel b;
    b.save();
    const golden::Model m = golden::load_model(b.tmp.path);
    for (const golden::Layer& l : m.layers) {
      CHECK(l.input_zero_point == 0);
      CHECK(l.output_zero_point == 0);
    }
  }
  BadModel b;
  b.j["layers"][0]["input_zero_point"] = 7;
  b.j["layers"][0]["output_zero_point"] = 255;
  b.j["layers"][3]["input_zero_point"] = 255;  // conv1's, through pool and flatten
  b.save();
  const golden::Model m = golden::load_model(b.tmp.path);
  CHECK(m.layers[0].input_zero_point == 7);
  CHECK(m.layers[0].output_zero_point == 255);
  CHECK(m.layers[3].input_zero_point == 255);
  CHECK(m.layers[3].output_zero_point == 0);
  TempDir out;
  golden::save_model(m, out.path);
  const golden::Model back = golden::load_model(out.path);
  CHECK(back.layers[0].input_zero_point == 7);
  CHECK(back.layers[0].output_zero_point == 255);
  CHECK(back.layers[3].input_zero_point == 255);
}

TEST_CASE("load_model: zero points out of range, on pooling, on logits or not chaining", "[golden][io][bad_input][zp]") {
  const auto fails = [](const std::function<void(json&)>& edit, const std::string& what) {
    BadModel b;
    edit(b.j);
    b.save();
    REQUIRE_THROWS_MATCHES(golden::load_model(b.tmp.path), golden::FormatError, Message(b.json_file() + ": " + what));
  };
  fails([](json& j) { j["layers"][0]["input_zero_point"] = 256; },
        "layer 'conv1': field 'input_zero_point' is 256, must be 0..255");
  fails([](json& j) { j["layers"][0]["output_zero_point"] = -1; },
        "layer 'conv1': field 'output_zero_point' is -1, must be 0..255");
  fails([](json& j) { j["layers"][0]["input_zero_point"] = "3"; },
        "layer 'conv1': field 'input_zero_point' must be an integer, got \"3\"");
  fails([](json& j) { j["layers"][3]["output_zero_point"] = 4; },
        "layer 'fc': field 'output_zero_point' is 4 on a logits layer, must be 0 (logits are raw acc + bias)");
  fails([](json& j) { j["layers"][1]["input_zero_point"] = 4; },
        "layer 'pool': a maxpool2d layer has no zero point of its own (it carries its input's through); give "
        "input_zero_point/output_zero_point on the conv2d and linear layers");
  fails([](json& j) { j["layers"][2]["output_zero_point"] = 0; },
        "layer 'flatten': a flatten layer has no zero point of its own (it carries its input's through); give "
        "input_zero_point/output_zero_point on the conv2d and linear layers");
  fails([](json& j) { j["layers"][0]["output_zero_point"] = 5; },
        "layer 'fc': field 'input_zero_point' is 0, layer 'conv1' outputs zero point 5 (through pool, flatten)");
  fails([](json& j) { j["layers"][3]["input_zero_point"] = 3; },
        "layer 'fc': field 'input_zero_point' is 3, layer 'conv1' outputs zero point 0 (through pool, flatten)");
  // The range follows act_bits: 4-bit activations take 0..15.
  fails(
      [](json& j) {
        j["act_bits"] = 4;
        j["layers"][0]["input_zero_point"] = 16;
      },
      "layer 'conv1': field 'input_zero_point' is 16, must be 0..15");
}

TEST_CASE("validate_model: zero points of an in-memory model are checked as at load", "[golden][io][bad_input][zp]") {
  BadModel b;
  b.save();
  golden::Model m = golden::load_model(b.tmp.path);
  m.layers[0].output_zero_point = 9;
  CHECK_THROWS_WITH(golden::validate_model(m, "mem"),
                    "mem: layer 'fc': field 'input_zero_point' is 0, layer 'conv1' outputs zero point 9 (through "
                    "pool, flatten)");
  m.layers[3].input_zero_point = 9;
  CHECK_NOTHROW(golden::validate_model(m, "mem"));
  m.layers[1].output_zero_point = 9;
  CHECK_THROWS_WITH(golden::validate_model(m, "mem"), Contains("layer 'pool': a maxpool2d layer has no zero point"));
  m.layers[1].output_zero_point = 0;
  m.layers[0].input_zero_point = 300;
  CHECK_THROWS_WITH(golden::validate_model(m, "mem"),
                    "mem: layer 'conv1': field 'input_zero_point' is 300, must be 0..255");
}
