// Two runs side by side (cosim compare, docs/report.md "Comparing two runs"): per-layer cycle and
// utilization deltas, accuracy and agreement deltas, and whether the results are identical (the
// same images, predictions, bit-identical logits, mismatch counts and verdict), whatever the
// configuration, dataflow or timings.
#pragma once

#include <accel/report/run_report.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace accel::report {

struct LayerDelta {
  std::string name;
  std::optional<uint64_t> cycles_a, cycles_b;  // absent: the layer is not in that run (or on the host)
  double util_a = 0, util_b = 0;                // fractions
  std::string flow_a, flow_b;
  bool operator==(const LayerDelta&) const = default;
};

struct Comparison {
  std::string label_a, label_b;  // "mnist_int8 on int8 (8x8, 8/8/32)"
  std::vector<LayerDelta> layers;  // A's layer order, then B's extra ones
  uint64_t cycles_a = 0, cycles_b = 0;  // network cycles
  double util_a = 0, util_b = 0;
  std::optional<Tally> accuracy_a, accuracy_b, agreement_a, agreement_b;
  bool passed_a = false, passed_b = false;
  std::vector<std::string> differences;  // what makes the results differ; empty: identical
  bool results_identical() const { return differences.empty(); }
  // (B - A) / A in percent; 0 when A is 0.
  double cycle_growth() const;
};

Comparison compare(const RunReport& a, const RunReport& b);
std::string text_comparison(const Comparison& c);
nlohmann::json comparison_json(const Comparison& c);

}  // namespace accel::report
