// The run report (sw/report): hand-built reports through the text and JSON writers, expected lines
// written by hand; a JSON round trip gives back the same report.
#include <accel/report/report_json.hpp>
#include <accel/report/report_text.hpp>
#include <accel/report/run_report.hpp>
#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <accel/report/energy.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <string>

using namespace accel;
using namespace accel::report;

namespace {

// mnist, 4 images: a host layer and one RTL layer with one bad output row, 3 mismatches in all.
RunReport mnist_report() {
  RunReport r;
  r.command = "mnist";
  r.model = "tiny";
  r.model_dir = "models/tiny";
  set_config(r, configs::int8);
  r.energy_table = "test table, t.json";
  r.devices = "fc=rtl";
  r.images = 4;
  r.images_in_file = 10;
  r.images_file = "img.gz";
  r.batch = 2;
  r.layers.push_back(named_row("pool", "maxpool 2", "host"));
  LayerRow fc = named_row("fc", "linear 64->8", "rtl");
  fc.dataflow = "ws";
  fc.strategy = "linear";
  fc.estimates = {{"linear", 90}};
  fc.macs = 2560;
  fc.cycles = 100;
  fc.compute_cycles = 40;
  fc.weight_load_cycles = 30;
  fc.host_transfer_cycles = 20;
  fc.drain_cycles = 4;
  fc.stall_cycles = 6;
  fc.utilization = 0.4;  // 2560 / (8 * 8 * 100)
  fc.schedules = 2;
  fc.psum_rows_checked = 5;
  fc.out_rows_checked = 2;
  fc.out_mismatches = 1;
  fc.own_mismatches = 1;
  fc.events[0] = 2560;  // macs
  fc.events[1] = 12;    // xmem_read
  fc.energy_pj = EnergyParts{600000, 100000, 0, 200000, 50000, 30000, 20000, 0};  // 1 uJ
  fc.seconds = 0.5;
  r.layers.push_back(fc);
  r.accuracy = Tally{3, 4};
  r.golden_accuracy = Tally{4, 4};
  r.agreement = Tally{3, 4};
  r.psum_values_checked = 40;
  r.output_values_checked = 32;
  r.mismatches = 3;
  r.first_mismatches = {"fc image 1 output: channel 3", "fc image 1 output: channel 4"};
  r.reproduce = "build/sim/cosim layer --model models/tiny --layer fc --image 1";
  r.device_seconds = 0.5;
  r.golden_seconds = 0.25;
  r.wall_seconds = 1.0;
  r.passed = false;
  return r;
}

// layer: a random conv on the functional device, no mismatch.
RunReport layer_report() {
  RunReport r;
  r.command = "layer";
  r.seed = 7;
  set_config(r, configs::int8);
  r.devices = "functional";
  r.images = 2;
  r.batch = 1;
  LayerRow l = named_row("random_conv", "conv 8->8 k3", "functional");
  l.dataflow = "os";
  l.strategy = "im2col";
  l.estimates = {{"im2col", 110, "os"}, {"kernel-major", 200}};
  l.schedule = ScheduleShape{120, 3, 30, 6};
  l.macs = 3840;
  l.cycles = 120;
  l.compute_cycles = 60;
  l.weight_load_cycles = 30;
  l.host_transfer_cycles = 20;
  l.drain_cycles = 3;
  l.stall_cycles = 7;
  l.utilization = 0.5;  // 3840 / (8 * 8 * 120)
  l.schedules = 1;
  l.psum_rows_checked = 30;
  l.out_rows_checked = 6;
  l.seconds = 0.001;
  r.layers.push_back(l);
  r.psum_values_checked = 100;
  r.output_values_checked = 20;
  r.device_seconds = 0.001;
  r.passed = true;
  return r;
}

}  // namespace

TEST_CASE("report: the mnist text has the table, the totals and the scoreboard", "[report]") {
  const RunReport r = mnist_report();
  CHECK(text_header(r) ==
        "cosim mnist: model tiny (models/tiny), config int8 (8x8, 8/8/32)\n"
        "devices: fc=rtl\n"
        "images: 4 of 10 from img.gz, batch 2, deterministic (no seed)\n"
        "jobs: 1 (worker threads, each with its own models)\n");
  const std::string head =
      "layer    flow strategy     device             MACs      cycles    estimate     compute  w-load   host  drain  stall   util  psum rows"
      "   bad  out rows   bad   own";
  const std::string pool = "pool     -    -            host      ";
  const std::string fc =
      "fc       ws   linear       rtl                2560         100          90          40      30     20      4      6  40.0%          5"
      "     0         2     1     1";
  CHECK(text_results(r) ==
        "\n" + head + "\n" + pool + "\n" + fc + "\n" +
            "network: 100 cycles, 25 cycles per image, 2560 MACs, utilization 40.0% (every cycle of every layer)\n"
            "energy: 1.000 uJ, 0.250 uJ per image (an estimate: test table, t.json)\n"
            "accuracy: 3/4 (75.00%)\n"
            "golden accuracy: 4/4 (100.00%)\n"
            "agreement with golden: 3/4 images with bit-identical logits (75.00%)\n"
            "simulated: 0.00 M cycles/s per device (100 cycles in 0.50 s on the devices); golden 0.25 s; wall time "
            "1.00 s, 0.00 M cycles/s end to end\n"
            "scoreboard: 40 psum values and 32 outputs checked, 3 mismatches\n"
            "  fc image 1 output: channel 3\n"
            "  fc image 1 output: channel 4\n"
            "  ... and 1 more\n"
            "reproduce: build/sim/cosim layer --model models/tiny --layer fc --image 1\n"
            "result: FAIL\n");
}

TEST_CASE("report: the layer text has the schedule, the counters and the verdict", "[report]") {
  CHECK(format_text(layer_report()) ==
        "cosim layer: random random_conv (conv 8->8 k3), 2 inputs, seed 7\n"
        "config int8 (8x8, 8/8/32), device functional\n"
        "schedule: os im2col, 120 slots, 3 passes, 30 psum rows, 6 out rows (estimates: os im2col 110 ws kernel-major 200)\n"
        "cycles 120 (compute 60, weight-load 30, host-transfer 20, drain 3, stall 7), utilization 50.0%, 0.12 M slots/s\n"
        "checked: 30 psum rows, 6 out rows, 0 protocol errors\n"
        "scoreboard: 100 psum values and 20 outputs checked, 0 mismatches\n"
        "result: PASS\n");
}

TEST_CASE("report: JSON keys of a hand-built mnist report", "[report]") {
  const nlohmann::json j = to_json(mnist_report());
  CHECK(j["command"] == "mnist");
  CHECK(j["config"] == "int8");
  CHECK(j["rows"] == 8);
  CHECK(j["images"] == 4);
  REQUIRE(j["layers"].size() == 2);
  CHECK(j["layers"][0] == nlohmann::json{{"name", "pool"}, {"describe", "maxpool 2"}, {"device", "host"}});
  CHECK(j["layers"][1]["cycles_per_image"] == 25.0);
  CHECK(j["layers"][1]["out_mismatches"] == 1);
  CHECK(j["layers"][1]["own_mismatches"] == 1);
  CHECK(j["network"]["cycles"] == 100);
  CHECK(j["network"]["utilization"] == 0.4);
  CHECK(j["accuracy"] == nlohmann::json{{"correct", 3}, {"total", 4}, {"percent", 75.0}});
  CHECK(j["agreement"]["identical"] == 3);
  CHECK(j["simulated_cycles_per_second"] == 200.0);
  CHECK(j["first_mismatches"].size() == 2);
  CHECK(j["passed"] == false);
}

TEST_CASE("report: a JSON round trip gives back the same report", "[report]") {
  for (const RunReport& r : {mnist_report(), layer_report()}) {
    INFO(r.command);
    const nlohmann::json j = nlohmann::json::parse(to_json(r).dump(2));
    CHECK(from_json(j) == r);
    CHECK(j.contains("accuracy") == r.accuracy.has_value());
    CHECK(j.contains("seed") == r.seed.has_value());
  }
}

TEST_CASE("report: a runtime layer report becomes a row", "[report]") {
  LayerReport l;
  l.name = "conv1";
  l.describe = "conv 1->8";
  l.device = "functional";
  l.strategy = Strategy::Im2col;
  l.dataflow = Dataflow::OS;
  l.estimates = {Estimate{Dataflow::OS, Strategy::Im2col, 0, 0, 0, 300}};
  l.macs = 6400;
  l.counters = {200, 100, 50, 30, 15, 5};
  l.psum_rows = 12;
  l.out_rows = 4;
  l.schedules = 1;
  l.rows = l.cols = 8;
  LayerRow row = layer_row(l);
  CHECK(row.strategy == "im2col");
  CHECK(row.dataflow == "os");
  CHECK(row.estimates == std::vector<StrategyEstimate>{{"im2col", 300, "os"}});
  CHECK(row.utilization == 0.5);  // 6400 / (8 * 8 * 200)
  accumulate(row, l, 64);
  CHECK(row.cycles == 400);
  CHECK(row.stall_cycles == 30);
  CHECK(row.drain_cycles == 10);
  CHECK(row.psum_rows_checked == 24);
  CHECK(row.schedules == 2);
  CHECK(row.utilization == 0.5);
  CHECK(format_report(l) == text_layer_line(layer_row(l)));
}

namespace {

// Images [first, first + n) of the mnist run above: every count scaled to n of its 4 images, the
// mismatch list and rerun command only where `bad`.
RunReport mnist_part(int first, int n, bool bad) {
  RunReport r = mnist_report();
  r.first_image = first;
  r.images = n;
  LayerRow& fc = r.layers[1];
  fc.macs = 640 * n;
  fc.cycles = 25u * n;
  fc.compute_cycles = 10u * n;
  fc.weight_load_cycles = 7u * n;
  fc.host_transfer_cycles = 5u * n;
  fc.drain_cycles = 1u * n;
  fc.stall_cycles = 2u * n;
  fc.utilization = double(fc.macs) / (64.0 * fc.cycles);
  fc.schedules = n > 0 ? 1 : 0;
  fc.out_mismatches = bad ? 1 : 0;
  fc.own_mismatches = bad ? 1 : 0;
  r.accuracy = Tally{n, n};
  r.golden_accuracy = Tally{n, n};
  r.agreement = Tally{bad ? n - 1 : n, n};
  r.psum_values_checked = 10u * n;
  r.output_values_checked = 8u * n;
  r.mismatches = bad ? 2 : 0;
  r.first_mismatches.clear();
  r.reproduce.clear();
  if (bad) {
    r.first_mismatches = {fmt::format("fc image {} output: channel 3", first), "second"};
    r.reproduce = fmt::format("rerun {}", first);
  }
  r.device_seconds = r.golden_seconds = r.wall_seconds = 0.1 * n;
  r.passed = verdict(r);
  return r;
}

}  // namespace

TEST_CASE("report: merging parts in order adds counts and keeps the earliest mismatches", "[report]") {
  RunReport total = mnist_part(0, 0, false);
  for (const RunReport& p : {mnist_part(0, 2, false), mnist_part(2, 1, true), mnist_part(3, 1, true)}) merge(total, p);
  CHECK(total.images == 4);
  CHECK(total.first_image == 0);
  const LayerRow& fc = total.layers[1];
  CHECK(fc.cycles == 100);
  CHECK(fc.macs == 2560);
  CHECK(fc.stall_cycles == 8);
  REQUIRE(fc.estimates.size() == 1);
  CHECK(fc.estimates[0].cycles == 4 * 90);  // per-batch estimates add up like the cycles
  CHECK(fc.drain_cycles == 4);
  CHECK(fc.utilization == Approx(0.4));
  CHECK(fc.schedules == 3);
  CHECK(fc.out_mismatches == 2);
  CHECK(fc.own_mismatches == 2);  // measured in every part: summed
  CHECK(total.agreement == Tally{2, 4});
  CHECK(total.mismatches == 4);
  CHECK(total.first_mismatches ==
        std::vector<std::string>{"fc image 2 output: channel 3", "second", "fc image 3 output: channel 3", "second"});
  CHECK(total.reproduce == "rerun 2");
  CHECK(total.device_seconds == Approx(0.4));
  CHECK(total.wall_seconds == Approx(0.2));  // the longest part
  CHECK_FALSE(total.passed);
  // At most kListedMismatches listed, however many parts had some.
  for (int i = 4; i < 12; ++i) merge(total, mnist_part(i, 1, true));
  CHECK(total.first_mismatches.size() == kListedMismatches);
  CHECK(total.first_mismatches.front() == "fc image 2 output: channel 3");
}

TEST_CASE("report: merge refuses parts of another run or out of order", "[report][bad_input]") {
  RunReport total = mnist_part(0, 2, false);
  CHECK_THROWS_WITH(merge(total, mnist_part(3, 1, false)), Catch::Contains("images 3.. do not follow images 0..1"));
  RunReport other = mnist_part(2, 1, false);
  other.config = "int4";
  CHECK_THROWS_WITH(merge(total, other), Catch::Contains("not the same run: configuration int8 and int4"));
  other = mnist_part(2, 1, false);
  other.layers[1].name = "fc9";
  CHECK_THROWS_WITH(merge(total, other), Catch::Contains("layer fc and fc9"));
  other = mnist_part(2, 1, false);
  other.batch = 7;
  CHECK_THROWS_WITH(merge(total, other), Catch::Contains("batch 2 and 7"));
  CHECK(total.images == 2);  // a refused part changes nothing
}

TEST_CASE("report: without_timings keeps the results and drops how the run went", "[report]") {
  RunReport a = mnist_report(), b = mnist_report();
  b.wall_seconds = 9;
  b.device_seconds = 8;
  b.golden_seconds = 7;
  b.layers[1].seconds = 6;
  b.jobs = 4;
  b.shard = RunReport::Shard{1, 2};
  CHECK_FALSE(a == b);
  CHECK(without_timings(a) == without_timings(b));
  b.mismatches += 1;
  CHECK_FALSE(without_timings(a) == without_timings(b));
}

namespace {

// A table file with the given text, in a scratch directory.
std::string table_file(const std::string& name, const std::string& text) {
  const auto p = std::filesystem::temp_directory_path() / fmt::format("accel_energy_{}_{}", getpid(), name);
  std::ofstream(p) << text;
  return p.string();
}

const char* kTable = R"({"format": "accel-energy-table", "version": 1, "name": "t", "source": "s",
  "pj": {"add_8": 0.03, "add_32": 0.1, "mul_8": 0.2, "mul_32": 3.1, "sram_64bit_8kb": 10, "register_bit": 0.004}})";

}  // namespace

TEST_CASE("energy: the width and size rules go through the table's figures", "[report][energy]") {
  const EnergyTable t = read_energy_table(table_file("good", kTable));
  CHECK(t.name == "t");
  CHECK(add_pj(t, 8) == Approx(0.03));
  CHECK(add_pj(t, 32) == Approx(0.1));
  CHECK(add_pj(t, 4) == Approx(0.015));
  CHECK(mul_pj(t, 8, 8) == Approx(0.2));
  CHECK(mul_pj(t, 32, 32) == Approx(3.1));
  CHECK(mul_pj(t, 2, 4) == Approx(0.2 * 8 / 64));
  CHECK(sram_pj(t, 64, 8192) == Approx(10));
  CHECK(sram_pj(t, 64, 32768) == Approx(20));   // Horowitz: 20 pJ for 32 KB
  CHECK(sram_pj(t, 32, 8192) == Approx(5));
  // int8 (8x8, 8/8/32): a MAC is an 8x8 multiply and a 32-bit add; an xmem word is 64 bits of a
  // 4096-word (32 KB) SRAM.
  const auto costs = event_costs(t, configs::int8);
  CHECK(costs[unsigned(Counter::Macs)].pj == Approx(0.3));
  CHECK(costs[unsigned(Counter::XmemRead)].pj == Approx(20));
  CHECK(costs[unsigned(Counter::Total)].part == -1);
  Counters c{};
  c[unsigned(Counter::Total)] = 1000;  // cycles cost nothing by themselves
  c[unsigned(Counter::Macs)] = 640;
  c[unsigned(Counter::XmemRead)] = 10;
  const EnergyParts e = energy_of(costs, c);
  CHECK(e[0] == Approx(640 * 0.3));  // mac
  CHECK(e[1] == Approx(10 * 20.0));  // xmem
  CHECK(e[2] == 0);
}

TEST_CASE("energy: a bad table is one error naming the file and the figure", "[report][energy][bad_input]") {
  CHECK_THROWS_WITH(read_energy_table("/nonexistent/t.json"), Catch::Contains("/nonexistent/t.json: cannot read"));
  CHECK_THROWS_WITH(read_energy_table(table_file("junk", "{")), Catch::Contains("not JSON"));
  CHECK_THROWS_WITH(read_energy_table(table_file("other", R"({"format": "x"})")), Catch::Contains("not an energy table"));
  std::string missing = kTable;
  missing.replace(missing.find("\"mul_32\": 3.1, "), 15, "");
  CHECK_THROWS_WITH(read_energy_table(table_file("missing", missing)), Catch::Contains("pj.mul_32 missing"));
  std::string negative = kTable;
  negative.replace(negative.find("0.004"), 5, "-1");
  CHECK_THROWS_WITH(read_energy_table(table_file("negative", negative)),
                    Catch::Contains("pj.register_bit = -1 (expected a finite energy >= 0)"));
  // The shipped table reads.
  CHECK(read_energy_table(std::string(ACCEL_ROOT) + "/energy/horowitz_45nm.json").mul_32 == Approx(3.1));
}
