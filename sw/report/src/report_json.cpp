#include <accel/report/report_json.hpp>
#include <fmt/format.h>

#include <fstream>
#include <stdexcept>

namespace accel::report {

using json = nlohmann::json;

namespace {

json layer_json(const LayerRow& l, const RunReport& r) {
  if (l.on_host()) return {{"name", l.name}, {"describe", l.describe}, {"device", l.device}};
  json est = json::array();
  for (const StrategyEstimate& e : l.estimates)
    est.push_back({{"dataflow", e.dataflow}, {"strategy", e.strategy}, {"cycles", e.cycles}});
  json j{{"name", l.name},
         {"describe", l.describe},
         {"dataflow", l.dataflow},
         {"strategy", l.strategy},
         {"device", l.device},
         {"estimates", est},
         {"macs", l.macs},
         {"cycles", l.cycles},
         {"compute_cycles", l.compute_cycles},
         {"weight_load_cycles", l.weight_load_cycles},
         {"host_transfer_cycles", l.host_transfer_cycles},
         {"stall_cycles", l.stall_cycles},
         {"drain_cycles", l.drain_cycles},
         {"cycles_per_image", r.cycles_per_image(l.cycles)},
         {"utilization", l.utilization},
         {"schedules", l.schedules},
         {"psum_rows_checked", l.psum_rows_checked},
         {"psum_mismatches", l.psum_mismatches},
         {"out_rows_checked", l.out_rows_checked},
         {"out_mismatches", l.out_mismatches},
         {"protocol_errors", l.protocol_errors},
         {"seconds", l.seconds}};
  if (l.own_mismatches) j["own_mismatches"] = *l.own_mismatches;
  json ev = json::object();
  for (unsigned k = kNumCycleCounters; k < kNumCounters; ++k) ev[std::string(kCounterNames[k])] = l.events[k - kNumCycleCounters];
  j["events"] = ev;
  if (l.energy_pj) {
    json e = json::object();
    double total = 0;
    for (size_t i = 0; i < kEnergyParts.size(); ++i) {
      e[std::string(kEnergyParts[i])] = (*l.energy_pj)[i];
      total += (*l.energy_pj)[i];
    }
    e["total"] = total;
    e["per_image"] = r.images ? total / r.images : 0.0;
    j["energy_pj"] = e;
  }
  if (l.schedule)
    j["schedule"] = {{"slots", l.schedule->slots},
                     {"passes", l.schedule->passes},
                     {"psum_rows", l.schedule->psum_rows},
                     {"out_rows", l.schedule->out_rows}};
  return j;
}

LayerRow layer_from(const json& j) {
  LayerRow l;
  l.name = j.at("name").get<std::string>();
  l.describe = j.at("describe").get<std::string>();
  l.device = j.at("device").get<std::string>();
  if (l.on_host()) return l;
  l.dataflow = j.at("dataflow").get<std::string>();
  l.strategy = j.at("strategy").get<std::string>();
  for (const json& e : j.value("estimates", json::array()))
    l.estimates.push_back(
        {e.at("strategy").get<std::string>(), e.at("cycles").get<uint64_t>(), e.at("dataflow").get<std::string>()});
  l.macs = j.at("macs").get<int64_t>();
  l.cycles = j.at("cycles").get<uint64_t>();
  l.compute_cycles = j.at("compute_cycles").get<uint64_t>();
  l.weight_load_cycles = j.at("weight_load_cycles").get<uint64_t>();
  l.host_transfer_cycles = j.at("host_transfer_cycles").get<uint64_t>();
  l.stall_cycles = j.at("stall_cycles").get<uint64_t>();
  l.drain_cycles = j.at("drain_cycles").get<uint64_t>();
  l.utilization = j.at("utilization").get<double>();
  l.schedules = j.at("schedules").get<int>();
  l.psum_rows_checked = j.at("psum_rows_checked").get<uint64_t>();
  l.psum_mismatches = j.at("psum_mismatches").get<uint64_t>();
  l.out_rows_checked = j.at("out_rows_checked").get<uint64_t>();
  l.out_mismatches = j.at("out_mismatches").get<uint64_t>();
  l.protocol_errors = j.at("protocol_errors").get<uint64_t>();
  l.seconds = j.at("seconds").get<double>();
  if (j.contains("own_mismatches")) l.own_mismatches = j["own_mismatches"].get<uint64_t>();
  const json ev = j.value("events", json::object());
  for (unsigned k = kNumCycleCounters; k < kNumCounters; ++k)
    l.events[k - kNumCycleCounters] = ev.value(std::string(kCounterNames[k]), uint64_t{0});
  if (j.contains("energy_pj")) {
    l.energy_pj = EnergyParts{};
    for (size_t i = 0; i < kEnergyParts.size(); ++i) (*l.energy_pj)[i] = j["energy_pj"].at(std::string(kEnergyParts[i])).get<double>();
  }
  if (j.contains("schedule")) {
    const json& s = j["schedule"];
    l.schedule = ScheduleShape{s.at("slots").get<uint64_t>(), s.at("passes").get<uint64_t>(),
                               s.at("psum_rows").get<uint64_t>(), s.at("out_rows").get<uint64_t>()};
  }
  return l;
}

json tally_json(const Tally& t, const char* count_key) {
  return {{count_key, t.count}, {"total", t.total}, {"percent", t.percent()}};
}

std::optional<Tally> tally_from(const json& j, const char* key, const char* count_key) {
  if (!j.contains(key)) return std::nullopt;
  return Tally{j[key].at(count_key).get<int>(), j[key].at("total").get<int>()};
}

// What the run was: command, model, configuration, devices, images.
void put_run(json& j, const RunReport& r) {
  j["command"] = r.command;
  j["model"] = r.model;
  j["model_dir"] = r.model_dir;
  if (r.seed) j["seed"] = *r.seed;
  j["config"] = r.config;
  j["widths"] = r.widths;
  if (!r.energy_table.empty()) j["energy_table"] = r.energy_table;
  j["rows"] = r.rows;
  j["cols"] = r.cols;
  j["lanes"] = r.lanes;
  j["devices"] = r.devices;
  j["images"] = r.images;
  j["first_image"] = r.first_image;
  j["images_in_file"] = r.images_in_file;
  j["images_file"] = r.images_file;
  j["batch"] = r.batch;
  if (r.shard) j["shard"] = {{"index", r.shard->index}, {"count", r.shard->count}};
}

void get_run(const json& j, RunReport& r) {
  r.command = j.at("command").get<std::string>();
  r.model = j.at("model").get<std::string>();
  r.model_dir = j.at("model_dir").get<std::string>();
  if (j.contains("seed")) r.seed = j["seed"].get<uint32_t>();
  r.config = j.at("config").get<std::string>();
  r.widths = j.at("widths").get<std::string>();
  r.energy_table = j.value("energy_table", "");
  r.rows = j.at("rows").get<unsigned>();
  r.cols = j.at("cols").get<unsigned>();
  r.lanes = j.value("lanes", 1u);  // reports from before the SIMD mode: 1
  r.devices = j.at("devices").get<std::string>();
  r.images = j.at("images").get<int>();
  r.first_image = j.at("first_image").get<int>();
  r.images_in_file = j.at("images_in_file").get<int>();
  r.images_file = j.at("images_file").get<std::string>();
  r.batch = j.at("batch").get<int>();
  if (j.contains("shard"))
    r.shard = RunReport::Shard{j["shard"].at("index").get<int>(), j["shard"].at("count").get<int>()};
}

json mismatch_json(const MismatchFields& m) {
  return {{"kind", m.kind},     {"layer", m.layer},   {"image", m.image}, {"tile", m.tile},
          {"column", m.column}, {"channel", m.channel}, {"y", m.y},       {"x", m.x},
          {"slot", m.slot},     {"device", m.device}, {"expected", m.expected}, {"what", m.what}};
}

MismatchFields mismatch_from(const json& j) {
  return {j.at("kind").get<std::string>(), j.at("layer").get<std::string>(), j.at("image").get<int>(),
          j.at("tile").get<std::string>(),  j.at("column").get<int>(),         j.at("channel").get<int>(),
          j.at("y").get<int>(),             j.at("x").get<int>(),              j.at("slot").get<uint64_t>(),
          j.at("device").get<int64_t>(),    j.at("expected").get<int64_t>(),   j.at("what").get<std::string>()};
}

json image_json(const ImageResult& i) {
  json j{{"image", i.image},
         {"predicted", i.predicted},
         {"golden_predicted", i.golden_predicted},
         {"logits_identical", i.logits_identical},
         {"cycles", i.cycles}};
  if (i.label) j["label"] = *i.label;
  return j;
}

ImageResult image_from(const json& j) {
  ImageResult i{j.at("image").get<int>(), std::nullopt, j.at("predicted").get<int>(),
                j.at("golden_predicted").get<int>(), j.at("logits_identical").get<bool>(), j.at("cycles").get<double>()};
  if (j.contains("label")) i.label = j["label"].get<int>();
  return i;
}

// The lists of a run: mismatches as fields, per-image results, the confusion matrix.
void put_lists(json& j, const RunReport& r) {
  j["first_mismatch_fields"] = json::array();
  for (const MismatchFields& m : r.first_mismatch_fields) j["first_mismatch_fields"].push_back(mismatch_json(m));
  j["per_image"] = json::array();
  for (const ImageResult& i : r.per_image) j["per_image"].push_back(image_json(i));
  if (!r.confusion.empty()) j["confusion"] = r.confusion;
}

void get_lists(const json& j, RunReport& r) {
  for (const json& m : j.value("first_mismatch_fields", json::array())) r.first_mismatch_fields.push_back(mismatch_from(m));
  for (const json& i : j.value("per_image", json::array())) r.per_image.push_back(image_from(i));
  if (j.contains("confusion")) r.confusion = j["confusion"].get<std::vector<std::vector<int>>>();
}

}  // namespace

json to_json(const RunReport& r) {
  json j;
  put_run(j, r);
  j["layers"] = json::array();
  for (const LayerRow& l : r.layers) j["layers"].push_back(layer_json(l, r));
  const uint64_t cycles = r.network_cycles();
  j["network"] = {{"cycles", cycles},
                  {"cycles_per_image", r.cycles_per_image(cycles)},
                  {"macs", r.network_macs()},
                  {"utilization", r.network_utilization()}};
  if (const std::optional<double> e = r.network_energy_pj()) {
    j["network"]["energy_pj"] = *e;
    j["network"]["energy_pj_per_image"] = r.images ? *e / r.images : 0.0;
  }
  if (r.accuracy) j["accuracy"] = tally_json(*r.accuracy, "correct");
  if (r.golden_accuracy) j["golden_accuracy"] = tally_json(*r.golden_accuracy, "correct");
  if (r.agreement) j["agreement"] = tally_json(*r.agreement, "identical");
  j["psum_values_checked"] = r.psum_values_checked;
  j["output_values_checked"] = r.output_values_checked;
  j["mismatches"] = r.mismatches;
  j["protocol_errors"] = r.protocol_errors;
  j["first_mismatches"] = r.first_mismatches;
  j["reproduce"] = r.reproduce;
  if (!r.trace.empty()) j["trace"] = r.trace;
  put_lists(j, r);
  j["simulated_cycles_per_second"] = r.simulated_cycles_per_second();
  j["device_seconds"] = r.device_seconds;
  j["golden_seconds"] = r.golden_seconds;
  j["wall_seconds"] = r.wall_seconds;
  j["jobs"] = r.jobs;
  j["passed"] = r.passed;
  return j;
}

RunReport from_json(const json& j) {
  RunReport r;
  get_run(j, r);
  for (const json& l : j.at("layers")) r.layers.push_back(layer_from(l));
  r.accuracy = tally_from(j, "accuracy", "correct");
  r.golden_accuracy = tally_from(j, "golden_accuracy", "correct");
  r.agreement = tally_from(j, "agreement", "identical");
  r.psum_values_checked = j.at("psum_values_checked").get<uint64_t>();
  r.output_values_checked = j.at("output_values_checked").get<uint64_t>();
  r.mismatches = j.at("mismatches").get<uint64_t>();
  r.protocol_errors = j.at("protocol_errors").get<uint64_t>();
  r.first_mismatches = j.at("first_mismatches").get<std::vector<std::string>>();
  r.reproduce = j.at("reproduce").get<std::string>();
  r.trace = j.value("trace", "");
  get_lists(j, r);
  r.device_seconds = j.at("device_seconds").get<double>();
  r.golden_seconds = j.at("golden_seconds").get<double>();
  r.wall_seconds = j.at("wall_seconds").get<double>();
  r.jobs = j.value("jobs", 1);
  r.passed = j.at("passed").get<bool>();
  return r;
}

void write_json(const RunReport& r, const std::string& path) {
  std::ofstream f(path);
  if (!f) throw std::runtime_error(fmt::format("{}: cannot write the JSON report", path));
  f << to_json(r).dump(2) << "\n";
  if (!f) throw std::runtime_error(fmt::format("{}: cannot write the JSON report", path));
}

}  // namespace accel::report
