// Text vector files: parsing, writing, discovery, size checks (docs/vector-files.md).
#include <fmt/format.h>

#include <accel/vector_files.hpp>
#include <golden/error.hpp>
#include <golden/input_file.hpp>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

namespace fs = std::filesystem;

namespace accel {

VectorFileError::VectorFileError(fs::path file, int line, const std::string& problem)
    : std::runtime_error(fmt::format("{}:{}: {}", file.string(), line, problem)),
      file_(std::move(file)),
      line_(line),
      problem_(problem) {}

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

std::string show_char(char c) {
  const unsigned char u = static_cast<unsigned char>(c);
  return fmt::format("'{}'", u < 0x80 ? golden::printable(std::string(1, c)) : fmt::format("\\x{:02x}", unsigned(u)));
}

// Largest integer whose square is <= n, and whether it is exact.
bool perfect_square(size_t n, int& root) {
  size_t r = 0;
  while ((r + 1) * (r + 1) <= n) ++r;
  root = int(r);
  return r * r == n;
}

std::string join_names(const std::vector<fs::path>& v) {
  std::string s;
  for (const auto& p : v) s += (s.empty() ? "" : ", ") + golden::printable(p.filename().string());
  return s;
}

// The whole file: a regular file (a FIFO would block) of at most kMaxVectorFileBytes.
std::string read_text(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw VectorFileError(path, 0, "missing file");
  try {
    return golden::read_small_file(path, kMaxVectorFileBytes, "vector file");
  } catch (const golden::FileError& e) {
    throw VectorFileError(path, 0, e.problem().empty() ? "cannot read the file" : e.problem());
  } catch (const golden::FormatError&) {
    throw VectorFileError(path, 0, fmt::format("more than the {} bytes a vector file may have", kMaxVectorFileBytes));
  }
}

}  // namespace

VectorFile read_vector_file(const fs::path& path, const LineFormat& format, std::optional<size_t> expected_lines,
                            const std::string& what) {
  const std::string text = read_text(path);
  std::vector<std::string> lines;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string l = text.substr(pos, end - pos);
    if (!l.empty() && l.back() == '\r') l.pop_back();
    lines.push_back(std::move(l));
    pos = end + 1;
  }
  // Blank lines at the end of the file are tolerated (editors add them).
  while (!lines.empty() && lines.back().find_first_not_of(" \t") == std::string::npos) lines.pop_back();

  VectorFile f;
  f.path = path;
  f.format = format;
  for (int i = 0; i < kVectorHeaderLines; ++i) {
    if (size_t(i) >= lines.size() || lines[size_t(i)].empty() || lines[size_t(i)][0] != '#')
      throw VectorFileError(
          path, i + 1,
          size_t(i) >= lines.size()
              ? fmt::format("expected {} header lines starting with '#', the file ends after {} line{}",
                            kVectorHeaderLines, lines.size(), lines.size() == 1 ? "" : "s")
              : fmt::format("expected {} header lines starting with '#'", kVectorHeaderLines));
    f.header[size_t(i)] = lines[size_t(i)];
  }

  const unsigned want = format.digits();
  std::vector<char> digits;
  digits.reserve(want);
  f.values.reserve((lines.size() - kVectorHeaderLines) * format.lanes);
  for (size_t i = kVectorHeaderLines; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    const int lineno = int(i) + 1;
    digits.clear();
    for (size_t col = 0; col < l.size(); ++col) {
      const char c = l[col];
      if (c == '0' || c == '1') {
        digits.push_back(char(c - '0'));
      } else if (c != ' ' && c != '\t') {
        throw VectorFileError(path, lineno, fmt::format("non-binary character {} at column {}", show_char(c), col + 1));
      }
    }
    if (digits.size() != want)
      throw VectorFileError(path, lineno,
                            fmt::format("expected {} binary digits ({} x {} bits), found {}", want, format.lanes,
                                        format.bits, digits.size()));
    // Lane lanes-1 comes first; within a lane the MSB first.
    const size_t base = f.values.size();
    f.values.resize(base + format.lanes);
    for (unsigned k = 0; k < format.lanes; ++k) {
      uint64_t v = 0;
      for (unsigned b = 0; b < format.bits; ++b) v = (v << 1) | uint64_t(digits[size_t(k) * format.bits + b]);
      int64_t s = int64_t(v);
      if (format.is_signed && format.bits < 64 && ((v >> (format.bits - 1)) & 1u))
        s = int64_t(v | (~uint64_t{0} << format.bits));
      f.values[base + (format.lanes - 1 - k)] = s;
    }
  }
  const size_t n = f.lines();
  if (expected_lines && n != *expected_lines)
    throw VectorFileError(path, int(std::min(n, *expected_lines)) + kVectorHeaderLines + 1,
                          fmt::format("expected {} {} after the {} header lines, found {}", *expected_lines, what,
                                      kVectorHeaderLines, n));
  return f;
}

std::string format_vector_line(std::span<const int64_t> lanes, const LineFormat& format) {
  if (lanes.size() != format.lanes)
    throw std::invalid_argument(fmt::format("format_vector_line: {} values for {} lanes", lanes.size(), format.lanes));
  if (format.bits < 1 || format.bits > 63) throw std::invalid_argument("format_vector_line: bits must be 1..63");
  const int64_t lo = format.is_signed ? -(int64_t{1} << (format.bits - 1)) : 0;
  const int64_t hi = format.is_signed ? (int64_t{1} << (format.bits - 1)) - 1 : (int64_t{1} << format.bits) - 1;
  std::string s;
  s.reserve(format.digits());
  for (unsigned k = format.lanes; k-- > 0;) {
    const int64_t v = lanes[k];
    if (v < lo || v > hi)
      throw std::invalid_argument(fmt::format("format_vector_line: lane {} value {} does not fit {} {} bits", k, v,
                                              format.bits, format.is_signed ? "signed" : "unsigned"));
    const uint64_t u = uint64_t(v);  // two's complement: the low bits are the field
    for (unsigned b = format.bits; b-- > 0;) s.push_back(((u >> b) & 1u) ? '1' : '0');
  }
  return s;
}

void write_vector_file(const fs::path& path, const std::array<std::string, kVectorHeaderLines>& header,
                       const LineFormat& format, std::span<const int64_t> values) {
  if (format.lanes == 0 || values.size() % format.lanes != 0)
    throw std::invalid_argument(fmt::format("write_vector_file: {} values for {} lanes", values.size(), format.lanes));
  std::string text;
  for (const auto& h : header) {
    if (h.empty() || h[0] != '#' || h.find('\n') != std::string::npos)
      throw std::invalid_argument("write_vector_file: a header line must start with '#' and be one line");
    text += h + '\n';
  }
  for (size_t i = 0; i < values.size(); i += format.lanes)
    text += format_vector_line(values.subspan(i, format.lanes), format) + '\n';
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw VectorFileError(path, 0, "cannot create the file");
  out << text;
  out.close();
  if (!out) throw VectorFileError(path, 0, "cannot write the file");
}

// ------------------------------------------------------------------------------------------------
// Discovery
// ------------------------------------------------------------------------------------------------
namespace {

const std::regex kActivation(R"(^activation.*\.txt$)");
const std::regex kWeight(R"(^weight(_itile\d+_otile\d+)?_(kij|k)?(\d+)\.txt$)");
const std::regex kPsumKij(R"(^psum(_itile\d+_otile\d+)?_(kij|k)?(\d+)\.txt$)");
const std::regex kPsumAny(R"(^psum.*\.txt$)");
const std::regex kOutput(R"(^(out|output.*)\.txt$)");

struct Numbered {
  std::map<int, std::vector<fs::path>> by_index;
  std::map<int, std::pair<size_t, size_t>> digits;  // where N sits in the file name (for messages)

  // File `p`, its kernel position N the regex's third group.
  void add(const fs::path& p, const std::smatch& m) {
    const std::string digits_text = m.str(3);
    int n = 0;
    const auto [end, ec] = std::from_chars(digits_text.data(), digits_text.data() + digits_text.size(), n);
    if (ec != std::errc() || end != digits_text.data() + digits_text.size() || n >= kMaxKernelPositions)
      throw VectorFileError(p, 0,
                            fmt::format("kernel position {} in the file name is beyond the limit of {}",
                                        golden::printable(digits_text), kMaxKernelPositions - 1));
    by_index[n].push_back(p);
    digits[n] = {size_t(m.position(3)), size_t(m.length(3))};
  }
};

// One file for `what` (activation, output), or an error naming the candidates.
fs::path pick_one(const fs::path& dir, const std::vector<fs::path>& found, const std::string& pattern,
                  const std::string& what) {
  if (found.empty())
    throw VectorFileError(dir / pattern, 0, fmt::format("missing file: no {} file ({})", what, pattern));
  if (found.size() > 1)
    throw VectorFileError(dir / pattern, 0,
                          fmt::format("{} candidates for the {} file: {} (give the file explicitly)", found.size(),
                                      what, join_names(found)));
  return found.front();
}

// Files numbered 0..n-1 without gaps, one per number.
std::vector<fs::path> numbered_files(const fs::path& dir, const Numbered& nf, const std::string& pattern,
                                     const std::string& what) {
  if (nf.by_index.empty())
    throw VectorFileError(dir / pattern, 0, fmt::format("missing file: no {} file ({})", what, pattern));
  for (const auto& [n, files] : nf.by_index)
    if (files.size() > 1)
      throw VectorFileError(dir / pattern, 0,
                            fmt::format("{} candidates for the {} file of kernel position {}: {} (give the files "
                                        "explicitly)",
                                        files.size(), what, n, join_names(files)));
  const int last = nf.by_index.rbegin()->first;
  std::vector<fs::path> out;
  for (int n = 0; n <= last; ++n) {
    auto it = nf.by_index.find(n);
    if (it == nf.by_index.end()) {
      // Name the missing file after the highest one: weight_kij8.txt -> weight_kij3.txt.
      const fs::path& model = nf.by_index.at(last).front();
      const auto [pos, len] = nf.digits.at(last);
      std::string name = model.filename().string();
      name.replace(pos, len, std::to_string(n));
      throw VectorFileError(dir / name, 0,
                            fmt::format("missing file: {} files must number the kernel positions 0..{} without gaps, "
                                        "kij {} is missing",
                                        what, last, n));
    }
    out.push_back(it->second.front());
  }
  return out;
}

}  // namespace

VectorFileSet find_vector_files(const fs::path& dir, const VectorFileSet& given) {
  std::error_code ec;
  const bool required = given.activation.empty() || given.weights.empty() || given.output.empty();
  VectorFileSet set = given;
  // With every required file given and no directory, there is nowhere to look for psums.
  if (!required && (!given.psums.empty() || dir.empty())) return set;
  if (dir.empty()) throw VectorFileError(".", 0, "no vector directory given and not every file given explicitly");
  if (!fs::is_directory(dir, ec)) throw VectorFileError(dir, 0, "missing directory");

  std::vector<fs::path> entries;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file()) entries.push_back(e.path());
  if (ec) throw VectorFileError(dir, 0, "cannot list the directory: " + ec.message());
  std::sort(entries.begin(), entries.end());

  std::vector<fs::path> acts, outs, psum_all;
  Numbered weights, psums;
  for (const auto& p : entries) {
    const std::string name = lower(p.filename().string());
    std::smatch m;
    if (std::regex_match(name, kActivation)) acts.push_back(p);
    if (std::regex_match(name, m, kWeight)) weights.add(p, m);
    if (std::regex_match(name, m, kPsumKij)) {
      psums.add(p, m);
    } else if (std::regex_match(name, kPsumAny)) {
      psum_all.push_back(p);
    }
    if (std::regex_match(name, kOutput)) outs.push_back(p);
  }

  if (set.activation.empty()) set.activation = pick_one(dir, acts, "activation*.txt", "activation");
  if (set.weights.empty()) set.weights = numbered_files(dir, weights, "weight_kij<N>.txt", "weight");
  if (set.output.empty()) set.output = pick_one(dir, outs, "output*.txt", "output");
  if (set.psums.empty() && (!psums.by_index.empty() || !psum_all.empty())) {
    if (!psums.by_index.empty() && !psum_all.empty()) {
      std::vector<fs::path> all = psum_all;
      for (const auto& [n, f] : psums.by_index) all.insert(all.end(), f.begin(), f.end());
      throw VectorFileError(
          dir / "psum*.txt", 0,
          fmt::format("both per-kij and combined psum files: {} (give the files explicitly)", join_names(all)));
    }
    if (!psum_all.empty())
      set.psums = {pick_one(dir, psum_all, "psum*.txt", "psum")};
    else
      set.psums = numbered_files(dir, psums, "psum_kij<N>.txt", "psum");
  }
  return set;
}

// ------------------------------------------------------------------------------------------------
// Loading a set
// ------------------------------------------------------------------------------------------------
std::vector<int32_t> ConvVectors::weight_oihw() const {
  const int R = int(config.rows), C = int(config.cols), K = kernel;
  std::vector<int32_t> w(size_t(C) * R * K * K);
  for (int kij = 0; kij < K * K; ++kij)
    for (int o = 0; o < C; ++o)
      for (int c = 0; c < R; ++c)
        w[((size_t(o) * R + c) * K + kij / K) * K + kij % K] = int32_t(weights[size_t(kij)].at(size_t(o), unsigned(c)));
  return w;
}

ConvVectors load_vectors(const fs::path& dir, const CoreConfig& config, const VectorFileSet& given,
                         const VectorShapeOptions& shape) {
  ConvVectors v;
  v.config = config;
  v.files = find_vector_files(dir, given);
  const VectorFileSet& f = v.files;

  // Activations: the padded input, one line per position.
  v.activation = read_vector_file(f.activation, activation_format(config));
  const size_t n = v.activation.lines();
  if (n == 0) throw VectorFileError(f.activation, kVectorHeaderLines + 1, "no activation lines after the header");
  if (shape.padded_width) {
    const int w = *shape.padded_width;
    if (w <= 0 || n % size_t(w) != 0)
      throw VectorFileError(f.activation, 0,
                            fmt::format("{} activation lines is not a multiple of the padded width {}", n, w));
    v.padded_width = w;
    v.padded_height = int(n / size_t(w));
  } else {
    int side = 0;
    if (!perfect_square(n, side))
      throw VectorFileError(f.activation, 0,
                            fmt::format("{} activation lines is not a perfect square (a square padded input; "
                                        "otherwise give the padded width)",
                                        n));
    v.padded_width = v.padded_height = side;
  }

  // Weights: one file per kernel position, one line per column.
  const fs::path wdir = f.weights.empty() ? dir : f.weights.front().parent_path();
  const size_t kk = f.weights.size();
  if (shape.kernel) {
    if (*shape.kernel <= 0 || size_t(*shape.kernel) * size_t(*shape.kernel) != kk)
      throw VectorFileError(
          wdir / "weight*.txt", 0,
          fmt::format("expected {} weight files (kernel {}), found {}",
                      size_t(std::max(*shape.kernel, 0)) * size_t(std::max(*shape.kernel, 0)), *shape.kernel, kk));
    v.kernel = *shape.kernel;
  } else if (!perfect_square(kk, v.kernel) || kk == 0) {
    throw VectorFileError(wdir / "weight*.txt", 0,
                          fmt::format("{} weight files is not a perfect square number of kernel positions", kk));
  }
  v.stride = shape.stride.value_or(1);
  if (v.stride < 1) throw VectorFileError(f.activation, 0, fmt::format("stride {} must be at least 1", v.stride));
  if (v.kernel > v.padded_height || v.kernel > v.padded_width)
    throw VectorFileError(f.activation, 0,
                          fmt::format("kernel {} (from {} weight files) does not fit the {}x{} padded input", v.kernel,
                                      kk, v.padded_height, v.padded_width));
  v.out_height = (v.padded_height - v.kernel) / v.stride + 1;
  v.out_width = (v.padded_width - v.kernel) / v.stride + 1;
  for (const auto& p : f.weights)
    v.weights.push_back(read_vector_file(p, weight_format(config), config.cols, "weight lines (one per column)"));

  // Psums: per kernel position, or one file with all of them.
  const size_t positions = size_t(v.positions());
  if (f.psums.size() == 1 && kk > 1) {
    v.psums.push_back(
        read_vector_file(f.psums.front(), psum_format(config), kk * positions,
                         fmt::format("psum lines ({} kernel positions x {} input positions)", kk, positions)));
  } else if (!f.psums.empty()) {
    if (f.psums.size() != kk) {
      const fs::path pdir = f.psums.front().parent_path();
      throw VectorFileError(f.psums.size() < kk ? pdir / fmt::format("psum_kij{}.txt", f.psums.size()) : f.psums.back(),
                            0,
                            fmt::format("expected {} psum files (one per kernel position, like the weight files), "
                                        "found {}",
                                        kk, f.psums.size()));
    }
    for (const auto& p : f.psums)
      v.psums.push_back(read_vector_file(p, psum_format(config), positions, "psum lines (one per input position)"));
  }

  v.output = read_vector_file(f.output, psum_format(config), size_t(v.out_height) * v.out_width,
                              fmt::format("output lines ({}x{} output positions)", v.out_height, v.out_width));
  return v;
}

}  // namespace accel
