// The files a run report goes to and comes from: --json, --csv and --html, checked before a run
// and written after it; a saved JSON report read back (cosim merge, cosim report).
#pragma once

#include <accel/report/run_report.hpp>
#include <nlohmann/json.hpp>
#include <string>

namespace accel::cosim {

struct ReportFiles {
  std::string json, csv, html;  // --json FILE, --csv DIR, --html PATH (empty: not written)
};

// Usage errors, before anything runs, for outputs that cannot be written.
void check_report_files(const ReportFiles& f);
// Writes the given ones; prints "html report: FILE" for the HTML page.
void write_report_files(const report::RunReport& r, const ReportFiles& f);

// A JSON file, or a usage error naming it (unreadable, not JSON).
nlohmann::json read_json(const std::string& path);
// A saved RunReport, or a usage error naming the file and the missing or malformed field.
report::RunReport read_run_report(const std::string& path);

}  // namespace accel::cosim
