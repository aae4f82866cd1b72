// Programs' side of the model libraries: finds, builds on demand, loads and checks the Verilated
// model of a configuration (core_sim.hpp). The models themselves are sim/src/core_model.cpp.
#include <accel/sim/core_sim.hpp>

#include <fmt/format.h>

#include <dlfcn.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>

namespace accel::sim {

namespace {

std::mutex g_mutex;
std::map<std::string, void*> g_loaded;  // library path -> dlopen handle (never closed)
bool g_echo = true;

bool file_exists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool env_on(const char* name) {
  const char* v = std::getenv(name);
  return v && *v && std::string(v) != "0";
}

// cmake --build of the model's target in the build tree this program belongs to. Its output goes
// to a log file; one line says what is happening.
void build_model(std::string_view config_name, std::string_view kind, bool present) {
  const std::string target = fmt::format("accel_{}_{}", kind, config_name);
  const std::string log = fmt::format("{}/models/{}.build.log", ACCEL_BUILD_DIR, target);
  if (!present) fmt::print(stderr, "model: building the verilated model of '{}' ({})...\n", config_name, target);
  const std::string cmd = fmt::format("mkdir -p '{}/models' && '{}' --build '{}' --target {} >'{}' 2>&1",
                                      ACCEL_BUILD_DIR, ACCEL_CMAKE_COMMAND, ACCEL_BUILD_DIR, target, log);
  const auto t0 = std::chrono::steady_clock::now();
  if (std::system(cmd.c_str()) != 0)
    throw ModelError(fmt::format("building {} for configuration '{}' failed (see {})", target, config_name, log));
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (s > 2.0) fmt::print(stderr, "model: {} rebuilt in {:.1f} s (log: {})\n", target, s, log);
}

bool in_build_tree() { return file_exists(std::string(ACCEL_BUILD_DIR) + "/CMakeCache.txt"); }

}  // namespace

void CoreSim::echo_messages(bool on) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_echo = on;
  for (const auto& [path, handle] : g_loaded)
    if (auto* f = reinterpret_cast<void (*)(bool)>(dlsym(handle, "accel_model_echo"))) f(on);
}

std::string model_library(std::string_view config_name, std::string_view kind) {
  const char* dir = std::getenv("ACCEL_MODEL_DIR");
  return fmt::format("{}/libaccel_{}_{}.so", dir && *dir ? dir : ACCEL_BUILD_DIR "/models", kind, config_name);
}

std::string ensure_model_library(std::string_view config_name, std::string_view kind) {
  const std::string lib = model_library(config_name, kind);
  const bool have = file_exists(lib);
  if (in_build_tree() && !std::getenv("ACCEL_MODEL_DIR") && (!have || env_on("ACCEL_REBUILD_MODELS"))) {
    std::lock_guard<std::mutex> lock(g_mutex);
    if (!g_loaded.count(lib)) build_model(config_name, kind, have);
  }
  if (!file_exists(lib))
    throw ModelError(fmt::format("no verilated model for configuration '{}': {} does not exist", config_name, lib));
  return lib;
}

void* model_symbol(const std::string& library, const char* name) {
  std::lock_guard<std::mutex> lock(g_mutex);
  void*& handle = g_loaded[library];
  if (!handle) {
    // RTLD_LOCAL: each model keeps its own Verilator runtime to itself.
    handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* e = dlerror();
      g_loaded.erase(library);
      throw ModelError(fmt::format("cannot load model library {}: {}", library, e ? e : "unknown error"));
    }
    auto* abi = reinterpret_cast<int (*)()>(dlsym(handle, "accel_model_abi"));
    if (!abi || abi() != kModelAbi)
      throw ModelError(fmt::format("{} is not a model library of this build (interface {}, expected {}): rebuild it",
                                   library, abi ? abi() : -1, kModelAbi));
    if (auto* echo = reinterpret_cast<void (*)(bool)>(dlsym(handle, "accel_model_echo"))) echo(g_echo);
  }
  void* sym = dlsym(handle, name);
  if (!sym) throw ModelError(fmt::format("{} has no entry point {}", library, name));
  return sym;
}

void check_model_params(const CoreConfig& claimed, const CoreConfig& built, const std::string& library) {
  const std::pair<const char*, unsigned> want[] = {{"Rows", claimed.rows},
                                                   {"Cols", claimed.cols},
                                                   {"ActBits", claimed.act_bits},
                                                   {"WeightBits", claimed.weight_bits},
                                                   {"PsumBits", claimed.psum_bits},
                                                   {"XmemDepth", claimed.xmem_depth},
                                                   {"PmemDepth", claimed.pmem_depth},
                                                   {"L0Depth", claimed.l0_depth},
                                                   {"OfifoDepth", claimed.ofifo_depth},
                                                   {"Simd", claimed.simd}};
  const unsigned got[] = {built.rows,       built.cols,       built.act_bits,    built.weight_bits,
                          built.psum_bits,  built.xmem_depth, built.pmem_depth,  built.l0_depth,
                          built.ofifo_depth, built.simd};
  std::string diff;
  for (size_t i = 0; i < std::size(want); ++i)
    if (want[i].second != got[i])
      diff += fmt::format("{}{} {} (model) vs {} (configuration)", diff.empty() ? "" : ", ", want[i].first, got[i],
                          want[i].second);
  if (!diff.empty())
    throw ModelError(fmt::format("the model in {} is not configuration '{}': {}", library, claimed.name, diff));
}

std::unique_ptr<CoreSim> make_core_sim(const CoreConfig& config, const std::string& library) {
  auto* make = reinterpret_cast<CoreSim* (*)(const CoreConfig*)>(model_symbol(library, "accel_model_new"));
  std::unique_ptr<CoreSim> sim(make(&config));
  check_model_params(config, sim->model_params(), library);
  return sim;
}

std::unique_ptr<CoreSim> make_core_sim(const CoreConfig& config) {
  return make_core_sim(config, ensure_model_library(config.name));
}

std::unique_ptr<CoreSim> make_core_sim(std::string_view config_name) {
  return make_core_sim(config_by_name(config_name));
}

}  // namespace accel::sim
