#include <accel/report/report_compare.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace accel::report {

namespace {

std::string label(const RunReport& r) {
  return fmt::format("{} on {} ({})", r.model.empty() ? "random layer" : r.model, r.config, r.widths_and_mode());
}

std::optional<LayerDelta>* find(std::vector<std::optional<LayerDelta>>& v, const std::string& name) {
  for (auto& d : v)
    if (d && d->name == name) return &d;
  return nullptr;
}

// The results two runs must share to be "identical": what ran and what it computed.
void diff_results(const RunReport& a, const RunReport& b, std::vector<std::string>& out) {
  const auto differ = [&](const std::string& what, const auto& x, const auto& y) {
    if (x != y) out.push_back(fmt::format("{}: {} against {}", what, x, y));
  };
  differ("command", a.command, b.command);
  differ("model", a.model, b.model);
  differ("image set", a.images_file, b.images_file);
  differ("first image", a.first_image, b.first_image);
  differ("images", a.images, b.images);
  const auto count = [](const std::optional<Tally>& t) { return t ? fmt::format("{}/{}", t->count, t->total) : "n/a"; };
  differ("accuracy", count(a.accuracy), count(b.accuracy));
  differ("bit-identical logits", count(a.agreement), count(b.agreement));
  differ("mismatches", a.mismatches, b.mismatches);
  differ("protocol errors", a.protocol_errors, b.protocol_errors);
  const auto verdict = [](bool passed) { return std::string(passed ? "PASS" : "FAIL"); };  // not two arrays' addresses
  differ("verdict", verdict(a.passed), verdict(b.passed));
  if (a.per_image.size() != b.per_image.size()) return;  // counted by "images" already
  int predictions = 0;
  for (size_t i = 0; i < a.per_image.size(); ++i)
    predictions += a.per_image[i].predicted != b.per_image[i].predicted ||
                   a.per_image[i].logits_identical != b.per_image[i].logits_identical;
  if (predictions) out.push_back(fmt::format("per-image predictions or logits agreement: {} images differ", predictions));
}

std::string cycles_cell(const std::optional<uint64_t>& c) { return c ? fmt::to_string(*c) : "-"; }

std::string growth_cell(const std::optional<uint64_t>& a, const std::optional<uint64_t>& b) {
  if (!a || !b || *a == 0) return "-";
  return fmt::format("{:+.1f} %", 100.0 * (double(*b) - double(*a)) / double(*a));
}

}  // namespace

double Comparison::cycle_growth() const {
  return cycles_a ? 100.0 * (double(cycles_b) - double(cycles_a)) / double(cycles_a) : 0.0;
}

Comparison compare(const RunReport& a, const RunReport& b) {
  Comparison c;
  c.label_a = label(a);
  c.label_b = label(b);
  std::vector<std::optional<LayerDelta>> rows;
  for (const LayerRow& l : a.layers)
    if (!l.on_host()) rows.push_back(LayerDelta{l.name, l.cycles, std::nullopt, l.utilization, 0, l.dataflow, ""});
  for (const LayerRow& l : b.layers) {
    if (l.on_host()) continue;
    if (auto* d = find(rows, l.name)) {
      (*d)->cycles_b = l.cycles;
      (*d)->util_b = l.utilization;
      (*d)->flow_b = l.dataflow;
    } else {
      rows.push_back(LayerDelta{l.name, std::nullopt, l.cycles, 0, l.utilization, "", l.dataflow});
    }
  }
  for (auto& d : rows) c.layers.push_back(*d);
  c.cycles_a = a.network_cycles();
  c.cycles_b = b.network_cycles();
  c.util_a = a.network_utilization();
  c.util_b = b.network_utilization();
  c.accuracy_a = a.accuracy;
  c.accuracy_b = b.accuracy;
  c.agreement_a = a.agreement;
  c.agreement_b = b.agreement;
  c.passed_a = a.passed;
  c.passed_b = b.passed;
  diff_results(a, b, c.differences);
  return c;
}

std::string text_comparison(const Comparison& c) {
  std::string s = fmt::format("A: {}\nB: {}\n\n{:<10} {:>5} {:>5} {:>12} {:>12} {:>9} {:>7} {:>7} {:>8}\n", c.label_a,
                              c.label_b, "layer", "flowA", "flowB", "cycles A", "cycles B", "delta", "util A", "util B",
                              "delta");
  for (const LayerDelta& l : c.layers)
    s += fmt::format("{:<10} {:>5} {:>5} {:>12} {:>12} {:>9} {:>6.1f}% {:>6.1f}% {:>+7.1f}pt\n", l.name, l.flow_a,
                     l.flow_b, cycles_cell(l.cycles_a), cycles_cell(l.cycles_b), growth_cell(l.cycles_a, l.cycles_b),
                     100 * l.util_a, 100 * l.util_b, 100 * (l.util_b - l.util_a));
  s += fmt::format("{:<10} {:>5} {:>5} {:>12} {:>12} {:>9} {:>6.1f}% {:>6.1f}% {:>+7.1f}pt\n", "network", "", "",
                   c.cycles_a, c.cycles_b, growth_cell(c.cycles_a, c.cycles_b), 100 * c.util_a, 100 * c.util_b,
                   100 * (c.util_b - c.util_a));
  const auto pct = [](const std::optional<Tally>& t) { return t ? fmt::format("{:.2f} %", t->percent()) : "n/a"; };
  const auto delta = [](const std::optional<Tally>& x, const std::optional<Tally>& y) {
    return x && y ? fmt::format("{:+.2f} pt", y->percent() - x->percent()) : "n/a";
  };
  s += fmt::format("\naccuracy: {} against {} ({})\n", pct(c.accuracy_a), pct(c.accuracy_b),
                   delta(c.accuracy_a, c.accuracy_b));
  s += fmt::format("bit-identical logits: {} against {} ({})\n", pct(c.agreement_a), pct(c.agreement_b),
                   delta(c.agreement_a, c.agreement_b));
  s += fmt::format("verdicts: {} against {}\n", c.passed_a ? "PASS" : "FAIL", c.passed_b ? "PASS" : "FAIL");
  for (const std::string& d : c.differences) s += "  differs: " + d + "\n";
  s += fmt::format("results: {}\n", c.results_identical() ? "identical" : "DIFFERENT");
  return s;
}

nlohmann::json comparison_json(const Comparison& c) {
  using nlohmann::json;
  const auto opt = [](const std::optional<uint64_t>& v) { return v ? json(*v) : json(nullptr); };
  const auto tally = [](const std::optional<Tally>& t) {
    return t ? json{{"count", t->count}, {"total", t->total}, {"percent", t->percent()}} : json(nullptr);
  };
  json layers = json::array();
  for (const LayerDelta& l : c.layers)
    layers.push_back({{"name", l.name}, {"cycles_a", opt(l.cycles_a)}, {"cycles_b", opt(l.cycles_b)},
                      {"utilization_a", l.util_a}, {"utilization_b", l.util_b}, {"dataflow_a", l.flow_a},
                      {"dataflow_b", l.flow_b}});
  return {{"a", c.label_a},
          {"b", c.label_b},
          {"layers", layers},
          {"network", {{"cycles_a", c.cycles_a}, {"cycles_b", c.cycles_b}, {"cycle_growth_percent", c.cycle_growth()},
                       {"utilization_a", c.util_a}, {"utilization_b", c.util_b}}},
          {"accuracy_a", tally(c.accuracy_a)},
          {"accuracy_b", tally(c.accuracy_b)},
          {"agreement_a", tally(c.agreement_a)},
          {"agreement_b", tally(c.agreement_b)},
          {"passed_a", c.passed_a},
          {"passed_b", c.passed_b},
          {"differences", c.differences},
          {"results_identical", c.results_identical()}};
}

}  // namespace accel::report
