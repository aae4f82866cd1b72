// The network runner on a tiny hand-computed model: every layer's output and
// raw accumulators, the input shift, and the logits / prediction.
#include <catch2/catch.hpp>
#include <vector>

#include "golden/model.hpp"
#include "golden/network.hpp"
#include "golden/ops.hpp"
#include "golden/partial.hpp"
#include "support/tensor_literal.hpp"
#include "support/tiny_model.hpp"

using golden::Layer;
using golden::LayerType;
using golden::Model;
using test_support::chw;
using test_support::ramp_pixels;
using test_support::tiny_model;

namespace {

// flatten -> linear (all inputs) -> 1 logit, every weight `weight`.
Model sum_model(const char* name, golden::Precision precision, golden::Shape input, int32_t weight, int32_t bias) {
  Model m;
  m.name = name;
  m.precision = precision;
  m.input = input;
  Layer flat;
  flat.name = "flatten";
  flat.type = LayerType::flatten;
  Layer fc;
  fc.name = "fc";
  fc.type = LayerType::linear;
  fc.in_features = input[0] * input[1] * input[2], fc.out_features = 1;
  fc.logits = true;
  fc.weight.assign(size_t(fc.in_features), weight);
  fc.bias = {bias};
  m.layers = {flat, fc};
  golden::validate_model(m, name);
  return m;
}

}  // namespace

TEST_CASE("network: tiny model layer by layer", "[golden]") {
  Model m = tiny_model();
  golden::NetworkTrace t = golden::run_network(m, ramp_pixels());
  REQUIRE(t.layers.size() == 4);
  // A = 8: the input is the pixel itself.
  CHECK(t.input == chw({{{0, 10, 20, 30}, {40, 50, 60, 70}, {80, 90, 100, 110}, {120, 130, 140, 150}}}));
  // conv1 accumulators: ch0 = +p (centre tap 1), ch1 = -p.
  CHECK(t.layers[0].acc ==
        chw({{{0, 10, 20, 30}, {40, 50, 60, 70}, {80, 90, 100, 110}, {120, 130, 140, 150}},
             {{0, -10, -20, -30}, {-40, -50, -60, -70}, {-80, -90, -100, -110}, {-120, -130, -140, -150}}}));
  // ch0: y = p, q = floor((p + 1) / 2) = p / 2 (p even).
  // ch1: y = max(100 - p, 0) = [[100,90,80,70],[60,50,40,30],[20,10,0,0],[0,0,0,0]],
  //      q = clamp(3y, 0, 255) = [[255(300),255(270),240,210],[180,150,120,90],[60,30,0,0],[0,0,0,0]].
  CHECK(t.layers[0].output == chw({{{0, 5, 10, 15}, {20, 25, 30, 35}, {40, 45, 50, 55}, {60, 65, 70, 75}},
                                   {{255, 255, 240, 210}, {180, 150, 120, 90}, {60, 30, 0, 0}, {0, 0, 0, 0}}}));
  // pool k2 s2: ch0 [[max(0,5,20,25), max(10,15,30,35)], [max(40,45,60,65), max(50,55,70,75)]] = [[25,35],[65,75]]
  //             ch1 [[255, max(240,210,120,90)], [max(60,30,0,0), 0]] = [[255,240],[60,0]]
  CHECK(t.layers[1].output == chw({{{25, 35}, {65, 75}}, {{255, 240}, {60, 0}}}));
  CHECK(t.layers[1].acc.rank() == 0);  // no accumulators for pooling
  CHECK(t.layers[2].output.data == std::vector<int64_t>{25, 35, 65, 75, 255, 240, 60, 0});
  // fc acc: w0 -> 25; w1 -> 75 - 255 = -180; w2 -> 25 + 35 + 65 + 75 = 200.
  CHECK(t.layers[3].acc.data == std::vector<int64_t>{25, -180, 200});
  // logits = acc + bias: 25 + 0, -180 + 5, 200 - 175 = [25, -175, 25]; tie 0/2 -> class 0.
  CHECK(t.logits().data == std::vector<int64_t>{25, -175, 25});
  CHECK(t.predicted() == 0);
  CHECK(golden::infer_logits(m, ramp_pixels()) == std::vector<int64_t>{25, -175, 25});
  // input_of(i) is the previous layer's output.
  CHECK(t.input_of(0) == t.input);
  CHECK(t.input_of(3) == t.layers[2].output);
}

TEST_CASE("network: all-zero image", "[golden]") {
  // ch0: q = 0; ch1: y = 100 -> 3 * 100 = 300 -> 255. Pool: ch0 0s, ch1 255s.
  // fc: w0 -> 0; w1 -> 0 - 255 + 5 = -250; w2 -> 0 - 175 = -175.
  Model m = tiny_model();
  CHECK(golden::infer_logits(m, std::vector<uint8_t>(16, 0)) == std::vector<int64_t>{0, -250, -175});
}

TEST_CASE("network: int4 input is the pixel shifted right by 4", "[golden]") {
  // flatten -> linear 16->1 with all weights 1: logit = sum of p >> 4 over
  // p = 0,10,...,150: 0,0,1,1, 2,3,3,4, 5,5,6,6, 7,8,8,9 = 68.
  Model m = sum_model("sum4", {4, 4, 32}, {1, 4, 4}, 1, 0);
  golden::NetworkTrace t = golden::run_network(m, ramp_pixels());
  CHECK(t.input.data == std::vector<int64_t>{0, 0, 1, 1, 2, 3, 3, 4, 5, 5, 6, 6, 7, 8, 8, 9});
  CHECK(t.logits().data == std::vector<int64_t>{68});
}

TEST_CASE("network: ece284 accumulators wrap at 16 bits in the trace", "[golden]") {
  // 1x1x313 input of 15 (pixel 255 >> 4), flatten, linear 313->1 with w = 7:
  // acc = 313 * 105 = 32865 -> 32865 - 65536 = -32671 (P16); logit = acc + bias 1000 = -31671.
  Model m = sum_model("wrap", golden::kEce284, {1, 1, 313}, 7, 1000);
  golden::NetworkTrace t = golden::run_network(m, std::vector<uint8_t>(313, 255));
  CHECK(t.layers[1].acc.data == std::vector<int64_t>{-32671});
  CHECK(t.logits().data == std::vector<int64_t>{-31671});
}

TEST_CASE("network: trace accumulators equal the partial-sum API over the whole layer", "[golden]") {
  Model m = tiny_model();
  golden::NetworkTrace t = golden::run_network(m, ramp_pixels());
  const Layer& conv = m.layers[0];
  CHECK(golden::partial_acc(conv, m.precision, t.input_of(0),
                            golden::ConvSlice{0, 1, golden::all_kernel_positions(3), 0, 2}) == t.layers[0].acc);
  CHECK(golden::partial_acc(m.layers[3], m.precision, t.input_of(3), golden::LinearSlice{0, 8, 0, 3}) ==
        t.layers[3].acc);
}

TEST_CASE("network: batch over an image set", "[golden]") {
  Model m = tiny_model();
  auto traces = golden::run_batch(m, test_support::tiny_images(), 0, 2);
  REQUIRE(traces.size() == 2);
  CHECK(traces[0].logits().data == std::vector<int64_t>{25, -175, 25});
  CHECK(traces[1].logits().data == std::vector<int64_t>{0, -250, -175});
}

TEST_CASE("validate_model: in-memory model that does not chain", "[golden][bad_input]") {
  Model m = tiny_model();
  m.layers[3].in_features = 9;
  m.layers[3].weight.assign(27, 0);
  REQUIRE_THROWS_WITH(golden::validate_model(m, "tiny"),
                      "tiny: layer 'fc': field 'in_features' is 9, previous layer outputs 8");
}

TEST_CASE("network: a layer type outside LayerType is a clear error", "[golden][bad_input]") {
  Model m = tiny_model();
  m.layers[1].type = static_cast<LayerType>(9);
  CHECK_THROWS_WITH(golden::apply_layer(m.layers[1], m.precision, golden::Tensor::chw(2, 4, 4)),
                    Catch::Contains("layer 'pool': layer type value 9 is not a known layer type"));
  CHECK_THROWS_WITH(m.layers[1].describe(), Catch::Contains("layer type value 9"));
  CHECK_THROWS_WITH(m.layers[1].has_weights(), Catch::Contains("layer type value 9"));
}
