#include "report_files.hpp"

#include <accel/report/report_csv.hpp>
#include <accel/report/report_html.hpp>
#include <accel/report/report_json.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "options.hpp"

namespace accel::cosim {

void check_report_files(const ReportFiles& f) {
  if (!f.json.empty()) check_output_file("--json", f.json);
  if (!f.csv.empty()) check_output_dir("--csv", f.csv);
  if (f.html.empty()) return;
  if (std::filesystem::path(f.html).extension() == ".html")
    check_output_file("--html", f.html);
  else
    check_output_dir("--html", f.html);
}

void write_report_files(const report::RunReport& r, const ReportFiles& f) {
  if (!f.json.empty()) report::write_json(r, f.json);
  if (!f.csv.empty()) report::write_csv(r, f.csv);
  if (!f.html.empty()) fmt::print("html report: {}\n", report::write_html(r, f.html));
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw UsageError(fmt::format("{}: cannot read the report", path));
  try {
    return nlohmann::json::parse(f);
  } catch (const nlohmann::json::exception& e) {
    throw UsageError(fmt::format("{}: not a JSON report ({})", path, e.what()));
  }
}

report::RunReport read_run_report(const std::string& path) {
  const nlohmann::json j = read_json(path);
  try {
    return report::from_json(j);
  } catch (const nlohmann::json::exception& e) {
    throw UsageError(fmt::format("{}: not a cosim run report ({})", path, e.what()));
  }
}

}  // namespace accel::cosim
