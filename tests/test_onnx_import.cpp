// The ONNX importer (docs/onnx.md): models built here with ONNX's own protobuf classes, imported,
// and the result checked against values worked out by hand; every refusal shown firing.
#include <accel/onnx_import.hpp>
#include <catch2/catch.hpp>
#include <golden/model.hpp>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

namespace {

namespace pb = ::onnx;
using accel::onnx::import_bytes;
using accel::onnx::ImportError;
using Catch::Contains;
using TP = pb::TensorProto;

// A tensor of `type` with `values`, stored as raw little-endian bytes (as exporters write them).
TP tensor(const std::string& name, int type, std::vector<int64_t> dims, std::vector<double> values) {
  TP t;
  t.set_name(name);
  t.set_data_type(type);
  for (int64_t d : dims) t.add_dims(d);
  std::string raw;
  for (double v : values) {
    auto put = [&](auto x) { raw.append(reinterpret_cast<const char*>(&x), sizeof x); };
    switch (type) {
      case TP::FLOAT:
        put(float(v));
        break;
      case TP::UINT8:
        put(uint8_t(v));
        break;
      case TP::INT8:
        put(int8_t(v));
        break;
      case TP::INT32:
        put(int32_t(v));
        break;
      case TP::INT64:
        put(int64_t(v));
        break;
      default:
        FAIL("type not used here");
    }
  }
  t.set_raw_data(raw);
  return t;
}

struct Builder {
  pb::ModelProto m;
  pb::GraphProto* g = m.mutable_graph();

  Builder(int elem, std::vector<int64_t> dims) {
    m.set_ir_version(7);
    m.add_opset_import()->set_version(13);
    auto* in = g->add_input();
    in->set_name("x");
    auto* tt = in->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(elem);
    for (int64_t d : dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
  }
  void init(const std::string& name, int type, std::vector<int64_t> dims, std::vector<double> v) {
    *g->add_initializer() = tensor(name, type, std::move(dims), std::move(v));
  }
  pb::NodeProto& node(const std::string& op, std::initializer_list<std::string> ins, const std::string& out) {
    pb::NodeProto& n = *g->add_node();
    n.set_op_type(op);
    n.set_name(out);
    for (const auto& i : ins) n.add_input(i);
    n.add_output(out);
    return n;
  }
  void output(const std::string& name) { g->add_output()->set_name(name); }
  std::string bytes() const { return m.SerializeAsString(); }
};

void ints(pb::NodeProto& n, const std::string& name, std::vector<int64_t> v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(pb::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}
void one_int(pb::NodeProto& n, const std::string& name, int64_t v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(pb::AttributeProto::INT);
  a->set_i(v);
}

// The QDQ network PyTorch exports, small: x (pixels / 255) -> Q -> DQ -> Conv 1->2 k3 p1 (per-
// channel weight scales, float bias) -> Relu -> Q -> DQ -> MaxPool 2 -> Flatten -> Gemm 8->3
// (per-tensor scale, int32 bias already in the accumulator's scale) -> logits.
Builder qdq_net() {
  Builder b(TP::FLOAT, {1, 1, 4, 4});
  b.init("s_in", TP::FLOAT, {}, {1.0 / 255});
  b.init("z_in", TP::UINT8, {}, {0});
  b.node("QuantizeLinear", {"x", "s_in", "z_in"}, "xq");
  b.node("DequantizeLinear", {"xq", "s_in", "z_in"}, "xd");
  std::vector<double> w1(18);
  for (int i = 0; i < 18; ++i) w1[size_t(i)] = i % 7 - 3;
  b.init("w1", TP::INT8, {2, 1, 3, 3}, w1);
  b.init("w1_s", TP::FLOAT, {2}, {0.01, 0.02});
  b.init("w1_z", TP::INT8, {2}, {0, 0});
  auto& dq = b.node("DequantizeLinear", {"w1", "w1_s", "w1_z"}, "w1d");
  one_int(dq, "axis", 0);
  b.init("b1", TP::FLOAT, {2}, {0.5, -0.3});
  auto& conv = b.node("Conv", {"xd", "w1d", "b1"}, "conv1");
  ints(conv, "pads", {1, 1, 1, 1});
  ints(conv, "kernel_shape", {3, 3});
  b.node("Relu", {"conv1"}, "relu1");
  b.init("s1", TP::FLOAT, {}, {0.05});
  b.init("z1", TP::UINT8, {}, {0});
  b.node("QuantizeLinear", {"relu1", "s1", "z1"}, "q1");
  b.node("DequantizeLinear", {"q1", "s1", "z1"}, "d1");
  auto& pool = b.node("MaxPool", {"d1"}, "pool");
  ints(pool, "kernel_shape", {2, 2});
  ints(pool, "strides", {2, 2});
  b.node("Flatten", {"pool"}, "flat");
  std::vector<double> w2(24);
  for (int i = 0; i < 24; ++i) w2[size_t(i)] = (i * 5) % 11 - 5;
  b.init("w2", TP::INT8, {3, 8}, w2);
  b.init("w2_s", TP::FLOAT, {}, {0.03});
  b.init("w2_z", TP::INT8, {}, {0});
  b.node("DequantizeLinear", {"w2", "w2_s", "w2_z"}, "w2d");
  b.init("b2", TP::INT32, {3}, {100, -7, 0});
  b.init("b2_s", TP::FLOAT, {}, {float(0.05) * float(0.03)});
  b.node("DequantizeLinear", {"b2", "b2_s"}, "b2d");
  auto& fc = b.node("Gemm", {"flat", "w2d", "b2d"}, "fc");
  one_int(fc, "transB", 1);
  b.output("fc");
  return b;
}

}  // namespace

TEST_CASE("multiplier_shift: hand-worked scales", "[onnx]") {
  using accel::onnx::multiplier_shift;
  // 0.5 = 0.5 * 2^0: S = 31, M = 2^30. 1.0 = 0.5 * 2^1: S = 30. 0.75: S = 31, M = 0.75 * 2^31.
  CHECK(multiplier_shift(0.5).multiplier == (1 << 30));
  CHECK(multiplier_shift(0.5).shift == 31);
  CHECK(multiplier_shift(1.0).shift == 30);
  CHECK(multiplier_shift(0.75).multiplier == 1610612736);
  // 2^-40: S capped at 62, M = 2^22.
  CHECK(multiplier_shift(std::ldexp(1.0, -40)).multiplier == (1 << 22));
  CHECK(multiplier_shift(std::ldexp(1.0, -40)).shift == 62);
  CHECK_THROWS_WITH(multiplier_shift(0.0), Contains("not positive"));
  CHECK_THROWS_WITH(multiplier_shift(std::ldexp(1.0, 32)), Contains("negative shift"));
  CHECK_THROWS_WITH(multiplier_shift(1e-30), Contains("underflows"));
}

TEST_CASE("import: a QDQ network becomes conv, pool, flatten and linear layers", "[onnx]") {
  const accel::onnx::ImportResult r = import_bytes(qdq_net().bytes(), "net.onnx");
  const golden::Model& m = r.model;
  CHECK(m.name == "net");
  CHECK(m.precision == golden::Precision{8, 8, 32});
  CHECK(m.input == golden::Shape{1, 4, 4});
  REQUIRE(m.layers.size() == 4);
  const golden::Layer& c = m.layers[0];
  CHECK(c.type == golden::LayerType::conv2d);
  CHECK(c.in_channels == 1);
  CHECK(c.out_channels == 2);
  CHECK(c.kernel == 3);
  CHECK(c.padding == 1);
  CHECK(c.relu);
  CHECK(c.weight[0] == -3);  // 0 % 7 - 3
  CHECK(c.weight[17] == 0);  // 17 % 7 - 3
  // bias / (s_in * s_w): 0.5 / (0.01 / 255) = 12750; -0.3 / (0.02 / 255) = -3825.
  CHECK(c.bias == std::vector<int32_t>{12750, -3825});
  // The requantization scale s_in * s_w / s_out = (1/255) * 0.01 / 0.05, as M / 2^S.
  for (int o = 0; o < 2; ++o) {
    const double want = (1.0 / 255) * (o == 0 ? 0.01 : 0.02) / 0.05;
    CHECK(std::fabs(std::ldexp(double(c.multiplier[size_t(o)]), -c.shift[size_t(o)]) / want - 1) < 1e-6);
  }
  CHECK(m.layers[1].type == golden::LayerType::maxpool2d);
  CHECK(m.layers[1].kernel == 2);
  CHECK(m.layers[2].type == golden::LayerType::flatten);
  const golden::Layer& fc = m.layers[3];
  CHECK(fc.type == golden::LayerType::linear);
  CHECK(fc.in_features == 8);
  CHECK(fc.out_features == 3);
  CHECK(fc.logits);
  CHECK(fc.multiplier.empty());
  CHECK(fc.bias == std::vector<int32_t>{100, -7, 0});  // already in the accumulator's scale
  CHECK(fc.weight[1] == 0);                            // (1 * 5) % 11 - 5

  // What save_model writes, load_model reads back the same.
  const auto dir = std::filesystem::temp_directory_path() / "accel_onnx_import_test";
  std::filesystem::remove_all(dir);
  golden::save_model(m, dir);
  const golden::Model back = golden::load_model(dir);
  CHECK(back.layers[0].weight == c.weight);
  CHECK(back.layers[3].bias == fc.bias);
  std::filesystem::remove_all(dir);
}

TEST_CASE("import: a weight zero point folds into the weights", "[onnx]") {
  Builder b = qdq_net();
  *b.g->mutable_initializer(4) = tensor("w1_z", TP::INT8, {2}, {0, 3});  // channel 1: q - 3
  const accel::onnx::ImportResult r = import_bytes(b.bytes(), "net.onnx");
  const std::vector<int32_t>& w = r.model.layers[0].weight;
  CHECK(w[0] == -3);      // channel 0 unchanged: 0 % 7 - 3
  CHECK(w[9] == -1 - 3);  // channel 1, first weight: 9 % 7 - 3 = -1, minus 3
  CHECK(w[17] == 0 - 3);  // 17 % 7 - 3 = 0, minus 3
  CHECK(std::any_of(r.notes.begin(), r.notes.end(),
                    [](const std::string& n) { return n.find("weight 'w1d': its zero point is folded") == 0; }));
}

TEST_CASE("import: what cannot be mapped is refused, naming the node", "[onnx][bad_input]") {
  CHECK_THROWS_WITH(import_bytes("not a protobuf at all", "bad.onnx"), Contains("bad.onnx: not an ONNX model"));
  CHECK_THROWS_WITH(accel::onnx::import_file("/nonexistent/model.onnx"), Contains("no such file"));

  Builder b = qdq_net();
  SECTION("an operator it does not know") {
    b.g->mutable_node(4)->set_op_type("Sigmoid");
    CHECK_THROWS_WITH(import_bytes(b.bytes(), "n.onnx"),
                      Contains("n.onnx: node 'relu1' (Sigmoid): operator not supported"));
  }
  SECTION("per-channel scales on the last layer") {
    *b.g->mutable_initializer(9) = tensor("w2_s", TP::FLOAT, {3}, {0.03, 0.04, 0.03});
    *b.g->mutable_initializer(10) = tensor("w2_z", TP::INT8, {3}, {0, 0, 0});
    b.g->mutable_node(9)->add_attribute()->CopyFrom(b.g->node(2).attribute(0));  // axis 0
    CHECK_THROWS_WITH(import_bytes(b.bytes(), "n.onnx"), Contains("layer 'fc' has per-channel weight scales"));
  }
  SECTION("a name with a line break is escaped: the message stays one line") {
    b.g->mutable_node(4)->set_op_type("Sigmoid");
    b.g->mutable_node(4)->set_name("re\nlu");
    try {
      import_bytes(b.bytes(), "n.onnx");
      FAIL("imported");
    } catch (const ImportError& e) {
      CHECK(std::string(e.what()).find('\n') == std::string::npos);
      CHECK_THAT(e.what(), Contains("node 're\\x0alu' (Sigmoid)"));
    }
  }
  SECTION("a node with fewer inputs than its operator takes") {
    b.g->mutable_node(4)->clear_input();  // the Relu
    CHECK_THROWS_WITH(import_bytes(b.bytes(), "n.onnx"),
                      Contains("node 'relu1' (Relu): 0 inputs, the operator takes at least 1"));
  }
  SECTION("a float weight") {
    *b.g->mutable_node(3)->mutable_input(1) = "w1_s";  // a float initializer as the weight
    CHECK_THROWS_WITH(import_bytes(b.bytes(), "n.onnx"),
                      Contains("node 'conv1' (Conv): weight 'w1_s' is a float constant"));
  }
  SECTION("an input scale the pixel rule does not reproduce") {
    *b.g->mutable_initializer(0) = tensor("s_in", TP::FLOAT, {}, {2.0 / 255});
    CHECK_THROWS_WITH(import_bytes(b.bytes(), "n.onnx"), Contains("maps pixel 1"));
  }
  SECTION("a strided pool with padding") {
    ints(*b.g->mutable_node(7), "pads", {1, 1, 1, 1});
    CHECK_THROWS_WITH(import_bytes(b.bytes(), "n.onnx"),
                      Contains("node 'pool' (MaxPool): padded max-pooling is not supported"));
  }
}
