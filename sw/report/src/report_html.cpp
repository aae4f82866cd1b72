#include <accel/report/report_html.hpp>
#include <accel/report/report_compare.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace accel::report {

using json = nlohmann::json;

namespace {

std::string esc(const std::string& s) {
  std::string o;
  for (const char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

// JSON inside <script>: "</" would end the element.
std::string script_json(const json& j) {
  std::string s = j.dump();
  for (size_t p = 0; (p = s.find("</", p)) != std::string::npos; p += 3) s.replace(p, 2, "<\\/");
  return s;
}

std::string vendored(const char* name) {
  const std::filesystem::path p = std::filesystem::path(ACCEL_REPORT_VENDOR) / name;
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  if (!f || ss.str().empty()) throw std::runtime_error(fmt::format("{}: cannot read the chart library", p.string()));
  return ss.str();
}

std::vector<const LayerRow*> device_layers(const RunReport& r) {
  std::vector<const LayerRow*> v;
  for (const LayerRow& l : r.layers)
    if (!l.on_host()) v.push_back(&l);
  return v;
}

json bar_spec(const std::string& title, json values, json encoding) {
  return {{"$schema", "https://vega.github.io/schema/vega-lite/v5.json"},
          {"title", title},
          {"width", 560},
          {"height", 240},
          {"data", {{"values", std::move(values)}}},
          {"mark", {{"type", "bar"}, {"tooltip", true}}},
          {"encoding", std::move(encoding)}};
}

const json kLayerAxis = {{"field", "layer"}, {"type", "nominal"}, {"sort", nullptr}, {"title", "layer"}};

// Energy per image by part per layer (docs/energy.md), when the run has an energy table.
json energy_chart(const RunReport& r) {
  json values = json::array(), parts = json::array();
  for (const std::string_view p : kEnergyParts) parts.push_back(std::string(p));
  for (const LayerRow* l : device_layers(r))
    if (l->energy_pj)
      for (size_t i = 0; i < kEnergyParts.size(); ++i)
        values.push_back({{"layer", l->name},
                          {"part", std::string(kEnergyParts[i])},
                          {"nJ per image", r.images ? (*l->energy_pj)[i] / 1e3 / r.images : 0.0}});
  return bar_spec("Energy per image by part per layer (estimate)", values,
                  {{"x", kLayerAxis},
                   {"y", {{"field", "nJ per image"}, {"type", "quantitative"}, {"stack", "zero"}}},
                   {"color", {{"field", "part"}, {"type", "nominal"}, {"sort", parts}, {"scale", {{"domain", parts}}}}},
                   {"order", {{"field", "part"}, {"sort", "ascending"}}}});
}

// The charts, by element id: cycles, utilization, estimates, and energy where it exists.
json charts(const RunReport& r) {
  json cycles = json::array(), util = json::array(), est = json::array();
  for (const LayerRow* l : device_layers(r)) {
    const std::pair<const char*, uint64_t> cats[] = {{"compute", l->compute_cycles},
                                                     {"w-load", l->weight_load_cycles},
                                                     {"host", l->host_transfer_cycles},
                                                     {"drain", l->drain_cycles},
                                                     {"stall", l->stall_cycles}};
    for (const auto& [cat, n] : cats) cycles.push_back({{"layer", l->name}, {"category", cat}, {"cycles", n}});
    util.push_back({{"layer", l->name}, {"utilization", 100 * l->utilization}, {"dataflow", l->dataflow}});
    est.push_back({{"layer", l->name}, {"kind", "estimated"}, {"cycles", chosen_estimate(*l)}});
    est.push_back({{"layer", l->name}, {"kind", "measured"}, {"cycles", l->cycles}});
  }
  const json cat_order = {"compute", "w-load", "host", "drain", "stall"};
  json j;
  j["chart-cycles"] = bar_spec(
      "Cycles by category per layer", cycles,
      {{"x", kLayerAxis},
       {"y", {{"field", "cycles"}, {"type", "quantitative"}, {"stack", "zero"}, {"title", "core cycles"}}},
       {"color", {{"field", "category"}, {"type", "nominal"}, {"sort", cat_order}, {"scale", {{"domain", cat_order}}}}},
       {"order", {{"field", "category"}, {"sort", "ascending"}}}});
  j["chart-util"] = bar_spec(
      "Array utilization per layer", util,
      {{"x", kLayerAxis},
       {"y", {{"field", "utilization"}, {"type", "quantitative"}, {"title", "utilization (%)"},
              {"scale", {{"domain", {0, 100}}}}}},
       {"color", {{"field", "dataflow"}, {"type", "nominal"}}}});
  j["chart-estimate"] = bar_spec(
      "Estimated against measured cycles", est,
      {{"x", kLayerAxis},
       {"xOffset", {{"field", "kind"}, {"type", "nominal"}}},
       {"y", {{"field", "cycles"}, {"type", "quantitative"}, {"title", "core cycles"}}},
       {"color", {{"field", "kind"}, {"type", "nominal"}}}});
  if (r.network_energy_pj()) j["chart-energy"] = energy_chart(r);
  return j;
}

std::string tally_cell(const std::optional<Tally>& t) {
  return t ? fmt::format("{}/{} ({:.2f} %)", t->count, t->total, t->percent()) : "n/a";
}

std::string summary(const RunReport& r) {
  std::string flows;
  for (const LayerRow* l : device_layers(r))
    if (flows.find(l->dataflow) == std::string::npos) flows += (flows.empty() ? "" : ", ") + l->dataflow;
  std::string s = fmt::format("<p class=\"verdict {0}\" id=\"verdict\">{1}</p>\n<table class=\"summary\">\n",
                              r.passed ? "pass" : "fail", r.passed ? "PASS" : "FAIL");
  const auto row = [&](const std::string& k, const std::string& v) {
    s += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", esc(k), esc(v));
  };
  row("command", "cosim " + r.command);
  row("model", r.model.empty() ? "random layer" : fmt::format("{} ({})", r.model, r.model_dir));
  row("configuration", fmt::format("{} ({})", r.config, r.widths_and_mode()));
  row("dataflow", flows);
  row("devices", r.devices);
  row("images", fmt::format("{} from {} (first {})", r.images, r.images_file, r.first_image));
  if (r.command == "mnist") {
    row("accuracy (device)", tally_cell(r.accuracy));
    row("accuracy (golden)", tally_cell(r.golden_accuracy));
    row("logits bit-identical to golden", tally_cell(r.agreement));
  }
  const uint64_t cycles = r.network_cycles();
  row("network cycles", fmt::format("{} ({:.0f} per image), utilization {:.1f} %", cycles, r.cycles_per_image(cycles),
                                    100 * r.network_utilization()));
  if (const std::optional<double> e = r.network_energy_pj())
    row("energy (estimate)", fmt::format("{:.3f} uJ per image ({})", r.images ? *e / 1e6 / r.images : 0.0,
                                         r.energy_table));
  row("values checked", fmt::format("{} psum, {} output", r.psum_values_checked, r.output_values_checked));
  row("mismatches", fmt::format("{} (protocol errors {})", r.mismatches, r.protocol_errors));
  return s + "</table>\n";
}

std::string layer_table(const RunReport& r) {
  std::string s =
      "<table class=\"layers\" id=\"layers\">\n<tr><th>layer</th><th>describe</th><th>device</th><th>flow</th>"
      "<th>strategy</th><th>MACs</th><th>cycles</th><th>estimate</th><th>compute</th><th>w-load</th><th>host</th>"
      "<th>drain</th><th>stall</th><th>util %</th><th>psum rows</th><th>bad</th><th>out rows</th><th>bad</th>"
      "<th title=\"mismatches when the layer runs on golden's input; the rest are inherited\">own</th></tr>\n";
  for (const LayerRow& l : r.layers) {
    if (l.on_host()) {
      s += fmt::format("<tr class=\"host\"><td>{}</td><td>{}</td><td>host</td><td colspan=\"16\"></td></tr>\n",
                       esc(l.name), esc(l.describe));
      continue;
    }
    const bool bad = l.psum_mismatches + l.out_mismatches + l.protocol_errors > 0;
    s += fmt::format(
        "<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.1f}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
        bad ? " class=\"bad\"" : "", esc(l.name), esc(l.describe), esc(l.device), esc(l.dataflow), esc(l.strategy),
        l.macs, l.cycles, chosen_estimate(l), l.compute_cycles, l.weight_load_cycles, l.host_transfer_cycles,
        l.drain_cycles, l.stall_cycles, 100 * l.utilization, l.psum_rows_checked, l.psum_mismatches,
        l.out_rows_checked, l.out_mismatches + l.protocol_errors,
        l.own_mismatches ? fmt::format("{}", *l.own_mismatches) : "-");
  }
  return s + "</table>\n";
}

std::string mismatches(const RunReport& r) {
  if (r.first_mismatches.empty()) return "<p id=\"mismatches\">No mismatch.</p>\n";
  std::string s = fmt::format("<p>First {} of {} mismatching values:</p>\n", r.first_mismatches.size(), r.mismatches);
  s += "<table class=\"mismatches\" id=\"mismatches\">\n<tr><th>kind</th><th>layer</th><th>image</th><th>tile</th>"
       "<th>column</th><th>channel</th><th>y</th><th>x</th><th>slot</th><th>device</th><th>expected</th></tr>\n";
  for (const MismatchFields& m : r.first_mismatch_fields)
    s += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{}</td></tr>\n",
        esc(m.kind), esc(m.layer), m.image, esc(m.tile), m.column, m.channel, m.y, m.x, m.slot, m.device, m.expected);
  s += "</table>\n<pre class=\"lines\">";
  for (const std::string& m : r.first_mismatches) s += esc(m) + "\n";
  s += "</pre>\n";
  if (!r.reproduce.empty())
    s += fmt::format("<p>Rerun the first one alone, with a trace:</p>\n<pre id=\"reproduce\">{}</pre>\n",
                     esc(r.reproduce));
  return s;
}

constexpr const char* kStyle = R"(body{font-family:sans-serif;margin:2em;color:#222;max-width:1200px}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:3px 7px;font-size:13px}
td{text-align:right}table.summary td,table.summary th{text-align:left}tr.bad td{background:#fdd}
tr.host td{color:#888}.verdict{font-size:28px;font-weight:bold;padding:6px 14px;display:inline-block}
.pass{background:#cfc;color:#060}.fail{background:#fcc;color:#900}pre{background:#f4f4f4;padding:8px;
overflow-x:auto}.charts{display:flex;flex-wrap:wrap;gap:20px}#errors{color:#900})";

// Renders every chart; the body's data-rendered is then the number drawn and data-errors the
// script errors (the browser test reads both).
constexpr const char* kScript = R"(
const errors = [];
function fail(m) { errors.push(String(m)); document.body.dataset.errors = errors.join(' | ');
  document.getElementById('errors').textContent = 'chart error: ' + errors.join(' | '); }
window.addEventListener('error', e => fail(e.message));
window.addEventListener('unhandledrejection', e => fail(e.reason));
Promise.all(Object.entries(SPECS).map(([id, spec]) =>
  new vega.View(vega.parse(vegaLite.compile(spec).spec), {renderer: 'svg', container: '#' + id, hover: true})
    .runAsync()))
  .then(views => { document.body.dataset.rendered = String(views.length); })
  .catch(fail);
)";

}  // namespace

namespace {

// The page around `body`: the style, the vendored libraries, and the script drawing `specs`.
std::string page(const std::string& title, const std::string& body, const json& specs) {
  return fmt::format("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{0}</title>\n"
                     "<style>{1}</style>\n<script>{2}</script>\n<script>{3}</script>\n</head>\n<body>\n"
                     "<h1>{0}</h1>\n<p id=\"errors\"></p>\n{4}<script>const SPECS = {5};\n{6}</script>\n</body>\n"
                     "</html>\n",
                     esc(title), kStyle, vendored("vega.min.js"), vendored("vega-lite.min.js"), body,
                     script_json(specs), kScript);
}

std::string chart_divs(const json& specs) {
  std::string s = "<div class=\"charts\">";
  for (const auto& [id, spec] : specs.items()) s += fmt::format("<div id=\"{}\"></div>", id);
  return s + "</div>\n";
}

// A file (".html") or DIR/index.html.
std::string write_page(const std::string& page_text, const std::string& path) {
  namespace fs = std::filesystem;
  fs::path file = path;
  if (file.extension() != ".html") {
    std::error_code ec;
    fs::create_directories(file, ec);
    if (ec) throw std::runtime_error(fmt::format("{}: cannot create the report directory: {}", path, ec.message()));
    file /= "index.html";
  }
  std::ofstream f(file);
  f << page_text;
  if (!f) throw std::runtime_error(fmt::format("{}: cannot write the HTML report", file.string()));
  return file.string();
}

}  // namespace

std::string html_report(const RunReport& r) {
  const std::string title = fmt::format("cosim {} {} on {}: {}", r.command, r.model.empty() ? "random layer" : r.model,
                                        r.config, r.passed ? "PASS" : "FAIL");
  const json specs = charts(r);
  std::string s = summary(r);
  s += "<h2>Layers</h2>\n" + layer_table(r);
  s += "<h2>Charts</h2>\n" + chart_divs(specs);
  s += "<p>Estimates are the tiler's (docs/tiler.md \"Estimates\"); cycles and utilization are measured on the "
       "device.</p>\n";
  s += "<h2>Mismatches</h2>\n" + mismatches(r);
  if (!r.trace.empty())
    s += fmt::format("<h2>Trace</h2>\n<p><a href=\"{0}\" id=\"trace\">{0}</a> (open with GTKWave: make wave)</p>\n",
                     esc(r.trace));
  return page(title, s, specs);
}

std::string html_comparison(const Comparison& c) {
  json rows = json::array();
  for (const LayerDelta& l : c.layers) {
    if (l.cycles_a) rows.push_back({{"layer", l.name}, {"run", "A"}, {"cycles", *l.cycles_a}});
    if (l.cycles_b) rows.push_back({{"layer", l.name}, {"run", "B"}, {"cycles", *l.cycles_b}});
  }
  json specs;
  specs["chart-compare"] = bar_spec("Cycles per layer, A against B", rows,
                                    {{"x", kLayerAxis},
                                     {"xOffset", {{"field", "run"}, {"type", "nominal"}}},
                                     {"y", {{"field", "cycles"}, {"type", "quantitative"}, {"title", "core cycles"}}},
                                     {"color", {{"field", "run"}, {"type", "nominal"}}}});
  const bool same = c.results_identical();
  std::string s = fmt::format("<p class=\"verdict {}\" id=\"verdict\">results {}</p>\n", same ? "pass" : "fail",
                              same ? "identical" : "DIFFERENT");
  s += fmt::format("<p>A: {}<br>B: {}</p>\n", esc(c.label_a), esc(c.label_b));
  s += "<pre id=\"comparison\">" + esc(text_comparison(c)) + "</pre>\n" + chart_divs(specs);
  return page(fmt::format("cosim compare: results {}", same ? "identical" : "DIFFERENT"), s, specs);
}

std::string write_html(const RunReport& r, const std::string& path) { return write_page(html_report(r), path); }

std::string write_html(const Comparison& c, const std::string& path) { return write_page(html_comparison(c), path); }

}  // namespace accel::report
