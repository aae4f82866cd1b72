// CSV for write-ups: a run's per-image results and its confusion matrix (docs/cosim.md
// "Per-image results"), from the same RunReport the text and JSON writers read.
#pragma once

#include <accel/report/run_report.hpp>
#include <string>

namespace accel::report {

// images.csv: image,label,predicted,golden_predicted,logits_identical,cycles (label empty without
// labels); confusion.csv (runs with labels only): label,pred_0..pred_{K-1}, one row per label.
// Both into directory `dir` (created); std::runtime_error naming the file when it cannot be written.
void write_csv(const RunReport& r, const std::string& dir);

}  // namespace accel::report
