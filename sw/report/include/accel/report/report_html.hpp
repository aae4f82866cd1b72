// The HTML writer: a RunReport as one self-contained page (docs/report.md): the summary and
// verdict, the per-layer table, Vega-Lite charts (cycles by category, utilization, estimated
// against measured cycles), the first mismatches with their fields and the rerun command, the
// trace. Vega and Vega-Lite (sw/report/vendor) are inlined, so the page opens offline.
#pragma once

#include <accel/report/run_report.hpp>
#include <string>

namespace accel::report {

// The page. std::runtime_error when a vendored script cannot be read.
std::string html_report(const RunReport& r);

// PATH ending in ".html": that file; otherwise a directory (created) holding index.html. Returns
// the file written; std::runtime_error naming it when it cannot be.
std::string write_html(const RunReport& r, const std::string& path);

// cosim compare: the verdict, the comparison table, cycles per layer of A and B as a chart.
struct Comparison;
std::string html_comparison(const Comparison& c);
std::string write_html(const Comparison& c, const std::string& path);

}  // namespace accel::report
