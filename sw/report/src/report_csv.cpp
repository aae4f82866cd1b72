#include <accel/report/report_csv.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace accel::report {

namespace {

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream f(p);
  f << text;
  if (!f) throw std::runtime_error(fmt::format("{}: cannot write the CSV file", p.string()));
}

}  // namespace

void write_csv(const RunReport& r, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error(fmt::format("{}: cannot create the CSV directory: {}", dir, ec.message()));
  std::string images = "image,label,predicted,golden_predicted,logits_identical,cycles\n";
  for (const ImageResult& i : r.per_image)
    images += fmt::format("{},{},{},{},{},{:.1f}\n", i.image, i.label ? fmt::to_string(*i.label) : "", i.predicted,
                          i.golden_predicted, i.logits_identical ? 1 : 0, i.cycles);
  write_file(std::filesystem::path(dir) / "images.csv", images);
  if (r.confusion.empty()) return;
  std::string conf = "label";
  for (size_t c = 0; c < r.confusion.size(); ++c) conf += fmt::format(",pred_{}", c);
  conf += "\n";
  for (size_t l = 0; l < r.confusion.size(); ++l) {
    conf += fmt::to_string(l);
    for (int n : r.confusion[l]) conf += fmt::format(",{}", n);
    conf += "\n";
  }
  write_file(std::filesystem::path(dir) / "confusion.csv", conf);
}

}  // namespace accel::report
