// cosim report: a saved JSON run report (cosim mnist/layer/merge --json) rendered again as text and
// as the HTML page --html writes (docs/report.md).
#include <accel/report/report_text.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <string>

#include "commands.hpp"
#include "report_files.hpp"

namespace accel::cosim {

namespace {

struct ReportArgs {
  std::string input, html;
};

int run_report(const ReportArgs& a) {
  const report::RunReport r = read_run_report(a.input);
  const std::string html = a.html.empty() ? std::filesystem::path(a.input).replace_extension(".html").string() : a.html;
  check_report_files({"", "", html});
  fmt::print("{}{}", report::text_header(r), report::text_results(r));
  write_report_files(r, {"", "", html});
  return r.passed ? 0 : 1;
}

}  // namespace

Command add_report_command(CLI::App& app) {
  auto a = std::make_shared<ReportArgs>();
  CLI::App* c = app.add_subcommand("report", "render a saved JSON run report as text and HTML");
  c->add_option("report", a->input, "RUN.json (cosim mnist, layer or merge --json)")->required();
  c->add_option("--html", a->html, "FILE.html, or DIR for DIR/index.html (default: RUN.html beside RUN.json)");
  return {c, [a] { return run_report(*a); }};
}

}  // namespace accel::cosim
