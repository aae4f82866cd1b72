// The cosim program, run as a process (COSIM_EXE from CMake) from the repository root: every bad
// input gives exactly one "error:" line and a non-zero exit; a model layer with a trace window;
// the reproduction command line as cosim prints it; mnist and layer with a JSON report;
// export-vectors then vectors.
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace fs = std::filesystem;

namespace {

struct Run {
  int code = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

fs::path scratch(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / fmt::format("accel_cosim_{}_{}", getpid(), name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// A shell command line run in the repository root, stdout and stderr captured.
Run in_root(const std::string& command) {
  const fs::path d = scratch("io");
  const std::string cmd =
      fmt::format("cd '{}' && CI=1 {} >'{}' 2>'{}'", ACCEL_ROOT, command, (d / "out").string(), (d / "err").string());
  const int st = std::system(cmd.c_str());
  Run r;
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.out = slurp(d / "out");
  r.err = slurp(d / "err");
  fs::remove_all(d);
  return r;
}

// `cosim ARGS` in the repository root.
Run cosim(const std::string& args) { return in_root(fmt::format("'{}' {}", COSIM_EXE, args)); }

// One line "error: ...", containing `what`, and a non-zero exit.
void check_error(const std::string& args, const std::string& what) {
  INFO("cosim " << args);
  const Run r = cosim(args);
  INFO("stdout: " << r.out);
  INFO("stderr: " << r.err);
  CHECK(r.code != 0);
  CHECK(r.code != -1);
  CHECK(r.err.rfind("error: ", 0) == 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK_THAT(r.err, Catch::Contains(what));
}

const std::string kImages =
    "--images data/mnist/test-images-idx3-ubyte.gz --labels data/mnist/test-labels-idx1-ubyte.gz";

}  // namespace

TEST_CASE("cosim: each bad input gives one error line and a non-zero exit", "[cosim][bad_input]") {
  const fs::path bad = scratch("badmodel");
  std::ofstream(bad / "model.json") << "{ \"format\": \"accel-cosim-model\", \"version\": 1, \"layers\": [";
  const fs::path badvec = scratch("badvec");
  std::ofstream(badvec / "activation.txt") << "#a\n#b\n#c\n0101\n";
  check_error("", "subcommand");
  check_error("frobnicate", "frobnicate");
  check_error("mnist --model models/mnist_int8 " + kImages + " --bogus 3", "--bogus");
  check_error("mnist --model models/none " + kImages, "models/none");
  check_error("mnist --model " + bad.string() + " " + kImages, "model.json");
  check_error("mnist --model models/mnist_int8 --images data/none.gz --labels data/mnist/test-labels-idx1-ubyte.gz",
              "data/none.gz");
  check_error("mnist --model models/mnist_int8 " + kImages + " --rtl-layers conv9", "no layer 'conv9'");
  check_error("mnist --model models/mnist_int8 " + kImages + " --rtl-layers pool", "runs on the host");
  check_error("mnist --model models/mnist_int8 " + kImages + " --config int4", "--config int4 has widths");
  check_error("mnist --model models/mnist_int8 " + kImages + " --device gpu", "unknown device 'gpu'");
  check_error("mnist --model models/mnist_int8 " + kImages + " --limit -3", "--limit");
  check_error("layer --model models/mnist_int8 --layer fc9", "no layer 'fc9'");
  check_error("layer --model models/mnist_int8 --layer fc2 --image 99999", "--image 99999");
  check_error("layer --model models/mnist_int8", "--model needs --layer");
  check_error("layer --model models/mnist_int8 --layer fc2 --kind linear", "--kind");
  check_error("layer --seed 3 --config int9", "unknown core configuration 'int9'");
  check_error("layer --seed 3 --kind pool", "unknown --kind 'pool'");
  check_error("layer --seed 3 --kernel 0", "bad conv shape");
  check_error("layer --seed 3 --strategy fastest", "unknown strategy 'fastest'");
  check_error("layer --seed 3 --trace /tmp/x.fst --trace-window 9:3", "--trace-window '9:3'");
  check_error("layer --seed 3 --trace-window 1:3", "--trace-window needs --trace");
  check_error("layer --seed 3 --device functional --trace /tmp/x.fst", "--trace needs --device rtl");
  check_error("vectors --dir /nonexistent/vec", "/nonexistent/vec");
  check_error("vectors --dir " + badvec.string(), badvec.string());
  check_error("export-vectors --out /tmp/x --model models/mnist_int8 --layer fc1", "not a conv2d");
  fs::remove_all(bad);
  fs::remove_all(badvec);
}

// Runs fc2 of image 0 on `device` with a trace of slots 10..60 into <dir>/fc2.fst; checks it passed.
Run traced_fc2(const std::string& device, const fs::path& dir) {
  const Run r =
      cosim(fmt::format("layer --model models/mnist_int8 --layer fc2 --image 0 --device {} --trace {} "
                        "--trace-window 10:60",
                        device, (dir / "fc2.fst").string()));
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(r.err.empty());
  CHECK_THAT(r.out, Catch::Contains("result: PASS"));
  return r;
}

TEST_CASE("cosim: a model layer on the RTL passes and traces its slot window", "[cosim][rtl][mnist]") {
  const fs::path d = scratch("trace");
  const Run r = traced_fc2("rtl", d);
  CHECK_THAT(r.out, Catch::Contains("0 mismatches"));
  CHECK(fs::exists(d / "fc2.fst"));
  fs::remove_all(d);
}

TEST_CASE("cosim: the printed reproduction command runs as printed from the repository root", "[cosim][rtl][mnist]") {
  // A corrupted expectation of fc2 (the test hook): the scoreboard must report it, cosim must print
  // the rerun command with its own path as typed from the repository root.
  const Run bad =
      cosim(fmt::format("mnist --model models/mnist_int8 {} --limit 1 --device functional "
                        "--inject-mismatch fc2",
                        kImages));
  INFO(bad.out << bad.err);
  CHECK(bad.code == 1);
  CHECK_THAT(bad.out, Catch::Contains("result: FAIL"));
  const auto at = bad.out.find("reproduce: ");
  REQUIRE(at != std::string::npos);
  std::string cmd = bad.out.substr(at + 11, bad.out.find('\n', at) - at - 11);
  const std::string exe = fs::relative(COSIM_EXE, ACCEL_ROOT).string();
  REQUIRE(cmd.rfind(exe + " layer --model models/mnist_int8 --layer fc2 --image 0 --device rtl", 0) == 0);
  const auto window = cmd.find("--trace-window ");
  REQUIRE(window != std::string::npos);
  const std::string ab = cmd.substr(window + 15);
  const uint64_t a = std::stoull(ab.substr(0, ab.find(':'))), b = std::stoull(ab.substr(ab.find(':') + 1));
  const fs::path d = scratch("repro");
  const auto fst = cmd.find("out.fst");
  REQUIRE(fst != std::string::npos);
  cmd.replace(fst, 7, (d / "out.fst").string());
  const Run r = in_root(cmd);
  INFO(cmd << "\n" << r.out << r.err);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains(fmt::format("schedule slots {}..{}", a, b - 1)));
  CHECK(fs::exists(d / "out.fst"));
  fs::remove_all(d);
}

TEST_CASE("cosim: layer writes the JSON report", "[cosim][mnist]") {
  const fs::path d = scratch("layerjson");
  const Run r = cosim(fmt::format("layer --model models/mnist_int8 --layer fc2 --image 2 --device functional --json {}",
                                  (d / "l.json").string()));
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("result: PASS"));
  const auto j = nlohmann::json::parse(slurp(d / "l.json"));
  CHECK(j["command"] == "layer");
  CHECK(j["model"] == "mnist_int8");
  CHECK(j["config"] == "int8");
  CHECK(j["devices"] == "functional");
  CHECK(j["first_image"] == 2);
  CHECK(j["mismatches"] == 0);
  CHECK(j["passed"] == true);
  REQUIRE(j["layers"].size() == 1);
  const auto& l = j["layers"][0];
  CHECK(l["name"] == "fc2");
  CHECK(l["strategy"] == "linear");
  CHECK(l["psum_rows_checked"].get<uint64_t>() > 0);
  CHECK(l["psum_rows_checked"] == l["schedule"]["psum_rows"]);
  CHECK(l["cycles"] == l["schedule"]["slots"]);
  CHECK(l["compute_cycles"].get<uint64_t>() + l["weight_load_cycles"].get<uint64_t>() +
            l["host_transfer_cycles"].get<uint64_t>() + l["stall_cycles"].get<uint64_t>() ==
        l["cycles"].get<uint64_t>());
  fs::remove_all(d);
}

TEST_CASE("cosim: mnist with one RTL layer writes the JSON report", "[cosim][rtl][mnist]") {
  const fs::path d = scratch("json");
  const Run r = cosim(fmt::format("mnist --model models/mnist_int8 {} --limit 6 --batch 4 --rtl-layers fc2 --json {}",
                                  kImages, (d / "r.json").string()));
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(r.err.empty());  // CI=1: no progress line
  CHECK_THAT(r.out, Catch::Contains("conv1=functional, conv2=functional, fc1=functional, fc2=rtl"));
  CHECK_THAT(r.out, Catch::Contains("agreement with golden: 6/6"));
  const auto j = nlohmann::json::parse(slurp(d / "r.json"));
  CHECK(j["images"] == 6);
  CHECK(j["config"] == "int8");
  CHECK(j["mismatches"] == 0);
  CHECK(j["passed"] == true);
  CHECK(j["agreement"]["identical"] == 6);
  REQUIRE(j["layers"].size() == 6);
  CHECK(j["layers"][5]["device"] == "rtl");
  CHECK(j["layers"][5]["psum_rows_checked"].get<uint64_t>() > 0);
  CHECK(j["network"]["cycles"].get<uint64_t>() > 0);
  fs::remove_all(d);
}

TEST_CASE("cosim: export-vectors then vectors on the RTL", "[cosim][rtl][vectors]") {
  const fs::path d = scratch("vec");
  const Run e = cosim(fmt::format("export-vectors --out {} --config ece284 --seed 5", (d / "set").string()));
  INFO(e.out << e.err);
  REQUIRE(e.code == 0);
  const Run r = cosim(fmt::format("vectors --dir {} --config ece284 --device rtl", (d / "set").string()));
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("result: PASS"));
  // A wrong expected output digit: the device disagrees with the file, exit 1.
  const fs::path out = d / "set" / "output.txt";
  std::string text = slurp(out);
  const auto last = text.find_last_of("01");
  text[last] = text[last] == '0' ? '1' : '0';
  std::ofstream(out) << text;
  const Run bad = cosim(fmt::format("vectors --dir {} --config ece284 --device rtl", (d / "set").string()));
  CHECK(bad.code == 1);
  CHECK_THAT(bad.out, Catch::Contains("result: FAIL"));
  fs::remove_all(d);
}

TEST_CASE("cosim: mnist on the SystemC device matches the RTL cycle for cycle", "[cosim][systemc][mnist]") {
  const fs::path d = scratch("systemc");
  std::map<std::string, nlohmann::json> reports;
  for (const std::string dev : {"rtl", "systemc"}) {
    const Run r = cosim(fmt::format("mnist --model models/mnist_int8 {} --limit 5 --device {} --json {}", kImages, dev,
                                    (d / (dev + ".json")).string()));
    INFO(dev << ": " << r.out << r.err);
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    CHECK_THAT(r.out, Catch::Contains("result: PASS"));
    reports[dev] = nlohmann::json::parse(slurp(d / (dev + ".json")));
  }
  const auto& a = reports["rtl"]["layers"];
  const auto& b = reports["systemc"]["layers"];
  REQUIRE(a.size() == b.size());
  int on_core = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i]["device"] == "host") continue;
    ++on_core;
    INFO(a[i]["name"]);
    CHECK(b[i]["device"] == "systemc");
    CHECK(a[i]["cycles"] == b[i]["cycles"]);
    CHECK(a[i]["compute_cycles"] == b[i]["compute_cycles"]);
    CHECK(a[i]["stall_cycles"] == b[i]["stall_cycles"]);
  }
  CHECK(on_core == 4);
  CHECK(reports["systemc"]["mismatches"] == 0);
  fs::remove_all(d);
}

TEST_CASE("cosim: a layer on the SystemC device traces its slot window", "[cosim][systemc]") {
  const fs::path d = scratch("sctrace");
  const Run r = traced_fc2("systemc", d);
  CHECK_THAT(r.out, Catch::Contains("device systemc"));
  REQUIRE(fs::exists(d / "fc2.fst"));
  CHECK(fs::file_size(d / "fc2.fst") > 0);
  // Every configuration has a SystemC model; an unknown one is one error line.
  check_error("layer --seed 1 --config nosuch --device systemc", "unknown core configuration 'nosuch'");
  fs::remove_all(d);
}
