// cosim merge: the JSON reports of the shards of one run (cosim mnist --shard K/N, or
// scripts/regress.sh with SHARD=K/N) into the report one unsharded run gives (docs/cosim.md
// "cosim merge"). One unsharded report passes through, so that --results-only makes any two
// reports of the same run comparable byte for byte.
#include <accel/report/report_json.hpp>
#include <accel/report/report_text.hpp>
#include <accel/report/run_report.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <numeric>
#include <optional>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "commands.hpp"
#include "options.hpp"
#include "report_files.hpp"

namespace accel::cosim {

namespace {

using report::RunReport;

using json = nlohmann::json;
using Shard = RunReport::Shard;

struct MergeArgs {
  std::vector<std::string> inputs;
  std::string json_path;
  std::string csv_dir, html;  // --csv DIR, --html PATH (mnist reports only)
  bool results_only = false;
};

std::optional<Shard> shard_of(const json& j) {
  if (!j.contains("shard")) return std::nullopt;
  return Shard{j["shard"].at("index").get<int>(), j["shard"].at("count").get<int>()};
}

// A whole run's report alone, or every shard 1..N of one N exactly once.
void check_shards(const std::vector<std::string>& paths, const std::vector<std::optional<Shard>>& shards) {
  if (shards.size() == 1 && !shards[0]) return;
  std::set<int> seen;
  const int n = shards.front() ? shards.front()->count : 0;
  for (size_t i = 0; i < paths.size(); ++i) {
    const std::string& path = paths[i];
    if (!shards[i]) throw UsageError(fmt::format("{}: not a shard (its run had no --shard K/N)", path));
    const Shard& s = *shards[i];
    if (s.count != n)
      throw UsageError(fmt::format("{}: shard {}/{}, but {} is of {} shards", path, s.index, s.count, paths[0], n));
    if (!seen.insert(s.index).second) throw UsageError(fmt::format("{}: shard {}/{} given twice", path, s.index, n));
  }
  if (int(seen.size()) != n) {
    std::string missing;
    for (int k = 1; k <= n; ++k)
      if (!seen.count(k)) missing += fmt::format("{}{}/{}", missing.empty() ? "" : ", ", k, n);
    throw UsageError(fmt::format("shards missing: {}", missing));
  }
}

// mnist: the shards' RunReports, in shard order, merged (report::merge checks they are one run).
int merge_mnist(const MergeArgs& a, const std::vector<std::string>& paths, std::vector<json>& docs) {
  RunReport total;
  for (size_t i = 0; i < docs.size(); ++i) {
    RunReport r;
    try {
      r = report::from_json(docs[i]);
      if (i == 0) {
        total = r;
        total.shard.reset();
      } else {
        report::merge(total, r);
      }
    } catch (const std::exception& e) {
      throw UsageError(fmt::format("{}: {}", paths[i], e.what()));
    }
  }
  total.passed = report::verdict(total);
  if (a.results_only) total = report::without_timings(total);
  fmt::print("{}{}", report::text_header(total), report::text_results(total));
  write_report_files(total, {a.json_path, a.csv_dir, a.html});
  return total.passed ? 0 : 1;
}

// regress (scripts/regress.sh REPORT=...): the jobs of every shard, back in list order.
int merge_regress(const MergeArgs& a, const std::vector<std::string>& paths, std::vector<json>& docs) {
  json total = docs.front();
  total.erase("shard");
  std::map<int, json> jobs;
  double wall = 0;
  for (size_t i = 0; i < docs.size(); ++i) {
    const json& d = docs[i];
    for (const char* key : {"configs", "seeds", "first_seed", "total_jobs"})
      if (d.at(key) != total.at(key))
        throw UsageError(fmt::format("{}: not the same regression ('{}' differs from {})", paths[i], key, paths[0]));
    for (const json& job : d.at("jobs"))
      if (!jobs.emplace(job.at("index").get<int>(), job).second)
        throw UsageError(fmt::format("{}: job {} is in two reports", paths[i], job.at("index").get<int>()));
    wall = std::max(wall, d.at("wall_seconds").get<double>());
  }
  if (int(jobs.size()) != total.at("total_jobs").get<int>())
    throw UsageError(fmt::format("{} of {} jobs in the reports", jobs.size(), total.at("total_jobs").get<int>()));
  total["jobs"] = json::array();
  int layers = 0, os_layers = 0, vectors = 0, failed = 0;
  uint64_t mism = 0;
  for (const auto& [index, job] : jobs) {
    total["jobs"].push_back(job);
    const std::string name = job.at("name").get<std::string>();
    (name.rfind("vectors-", 0) == 0 ? vectors : layers) += 1;
    os_layers += name.rfind("os-", 0) == 0;  // scripts/regress.sh names the output-stationary jobs os-...
    mism += job.at("mismatches").get<uint64_t>();
    if (!job.at("ok").get<bool>()) {
      ++failed;
      fmt::print("FAIL {}\n", name);
    }
  }
  total["wall_seconds"] = a.results_only ? 0.0 : wall;
  fmt::print(
      "regress: {} configurations x {} seeds, {} layers ({} output-stationary), {} vector sets, {} mismatches, {} "
      "failed ({} reports)\n",
      total.at("configs").size(), total.at("seeds").get<int>(), layers, os_layers, vectors, mism, failed, docs.size());
  if (!a.json_path.empty()) {
    std::ofstream f(a.json_path);
    f << total.dump(2) << "\n";
    if (!f) throw UsageError(fmt::format("{}: cannot write the merged report", a.json_path));
  }
  return failed == 0 ? 0 : 1;
}

int run_merge(const MergeArgs& a) {
  std::vector<json> docs;
  std::vector<std::optional<Shard>> shards;
  std::string command;
  for (const std::string& p : a.inputs) {
    docs.push_back(read_json(p));
    try {
      shards.push_back(shard_of(docs.back()));
      const std::string c = docs.back().at("command").get<std::string>();
      if (c != "mnist" && c != "regress")
        throw UsageError(fmt::format("a '{}' report; merge takes mnist and regress reports", c));
      if (!command.empty() && c != command) throw UsageError(fmt::format("a '{}' report among '{}' ones", c, command));
      command = c;
    } catch (const std::exception& e) {
      throw UsageError(fmt::format("{}: {}", p, e.what()));
    }
  }
  if (command == "regress" && !(a.csv_dir + a.html).empty())
    throw UsageError(fmt::format("{} applies to mnist reports, not to regress ones", a.csv_dir.empty() ? "--html" : "--csv"));
  check_report_files({"", a.csv_dir, a.html});
  check_shards(a.inputs, shards);
  // Shard order (a single whole report: itself).
  std::vector<size_t> order(docs.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(),
            [&](size_t x, size_t y) { return shards[x] && shards[y] && shards[x]->index < shards[y]->index; });
  std::vector<json> sorted;
  std::vector<std::string> paths;
  for (size_t i : order) {
    sorted.push_back(std::move(docs[i]));
    paths.push_back(a.inputs[i]);
  }
  return command == "mnist" ? merge_mnist(a, paths, sorted) : merge_regress(a, paths, sorted);
}

}  // namespace

Command add_merge_command(CLI::App& app) {
  auto a = std::make_shared<MergeArgs>();
  CLI::App* c = app.add_subcommand(
      "merge", "the JSON reports of a run's shards (mnist --shard K/N, regress SHARD=K/N) into one report");
  c->add_option("reports", a->inputs, "the shard reports, every K of N once (or one whole run's report)")->required();
  c->add_option("--json", a->json_path, "write the merged report as JSON");
  c->add_option("--csv", a->csv_dir, "write DIR/images.csv and DIR/confusion.csv of the merged run");
  c->add_option("--html", a->html, "write the merged run's HTML report (FILE.html, or DIR for DIR/index.html)");
  c->add_flag("--results-only", a->results_only,
              "leave out timings, job counts and shards, so that reports of one run compare byte for byte");
  return {c, [a] { return run_merge(*a); }};
}

}  // namespace accel::cosim
