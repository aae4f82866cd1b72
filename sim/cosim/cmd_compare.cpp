// cosim compare: two saved run reports side by side, with a verdict a CI job can use
// (docs/report.md "Comparing two runs").
#include <accel/report/report_compare.hpp>
#include <accel/report/report_html.hpp>
#include <fmt/format.h>

#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "commands.hpp"
#include "options.hpp"
#include "report_files.hpp"

namespace accel::cosim {

namespace {

struct CompareArgs {
  std::string a, b, json_path, html;
  std::optional<double> max_growth;  // --max-cycle-growth PCT
};

int run_compare(const CompareArgs& a) {
  if (a.max_growth && !(*a.max_growth >= 0 && *a.max_growth <= 1e6))
    throw UsageError(fmt::format("--max-cycle-growth {}: expected a percentage from 0 to 1000000", *a.max_growth));
  check_report_files({a.json_path, "", a.html});
  const report::Comparison c = report::compare(read_run_report(a.a), read_run_report(a.b));
  fmt::print("{}", report::text_comparison(c));
  const bool grew = a.max_growth && c.cycle_growth() > *a.max_growth;
  if (a.max_growth)
    fmt::print("network cycles: {:+.1f} % ({} the --max-cycle-growth {} %)\n", c.cycle_growth(),
               grew ? "beyond" : "within", *a.max_growth);
  if (!a.json_path.empty()) {
    nlohmann::json j = report::comparison_json(c);
    if (a.max_growth) j["max_cycle_growth_percent"] = *a.max_growth;
    j["passed"] = c.results_identical() && !grew;
    std::ofstream f(a.json_path);
    f << j.dump(2) << "\n";
    if (!f) throw UsageError(fmt::format("{}: cannot write the comparison", a.json_path));
  }
  if (!a.html.empty()) fmt::print("html report: {}\n", report::write_html(c, a.html));
  return c.results_identical() && !grew ? 0 : 1;
}

}  // namespace

Command add_compare_command(CLI::App& app) {
  auto a = std::make_shared<CompareArgs>();
  CLI::App* c = app.add_subcommand("compare", "two saved run reports: per-layer deltas and whether the results match");
  c->add_option("a", a->a, "A.json (the before run: cosim mnist, layer or merge --json)")->required();
  c->add_option("b", a->b, "B.json (the after run)")->required();
  c->add_option("--max-cycle-growth", a->max_growth,
                "PCT: also fail when B's network cycles exceed A's by more than PCT percent");
  c->add_option("--json", a->json_path, "write the comparison as JSON");
  c->add_option("--html", a->html, "write the comparison as HTML (FILE.html, or DIR for DIR/index.html)");
  return {c, [a] { return run_compare(*a); }};
}

}  // namespace accel::cosim
