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

// The lines of a file without their '\r'; blank lines at the end are dropped (editors add them).
std::vector<std::string> file_lines(const fs::path& path) {
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
  while (!lines.empty() && lines.back().find_first_not_of(" \t") == std::string::npos) lines.pop_back();
  return lines;
}

// The kVectorHeaderLines header lines of `lines`, each starting with '#'.
std::array<std::string, kVectorHeaderLines> header_of(const fs::path& path, const std::vector<std::string>& lines) {
  std::array<std::string, kVectorHeaderLines> header;
  for (int i = 0; i < kVectorHeaderLines; ++i) {
    if (size_t(i) >= lines.size() || lines[size_t(i)].empty() || lines[size_t(i)][0] != '#')
      throw VectorFileError(
          path, i + 1,
          size_t(i) >= lines.size()
              ? fmt::format("expected {} header lines starting with '#', the file ends after {} line{}",
                            kVectorHeaderLines, lines.size(), lines.size() == 1 ? "" : "s")
              : fmt::format("expected {} header lines starting with '#'", kVectorHeaderLines));
    header[size_t(i)] = lines[size_t(i)];
  }
  return header;
}

}  // namespace

VectorFile read_vector_file(const fs::path& path, const LineFormat& format, std::optional<size_t> expected_lines,
                            const std::string& what) {
  const std::vector<std::string> lines = file_lines(path);
  VectorFile f;
  f.path = path;
  f.format = format;
  f.header = header_of(path, lines);

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
      throw VectorWidthError(path, lineno,
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
const std::regex kWeightAny(R"(^weight.*\.txt$)");
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

// Numbered files (what_kij<N>.txt) or one other what*.txt with every kernel position.
std::vector<fs::path> per_kij_or_one(const fs::path& dir, const Numbered& numbered, const std::vector<fs::path>& all,
                                     const std::string& what) {
  if (!numbered.by_index.empty() && !all.empty()) {
    std::vector<fs::path> both = all;
    for (const auto& [n, f] : numbered.by_index) both.insert(both.end(), f.begin(), f.end());
    throw VectorFileError(
        dir / (what + "*.txt"), 0,
        fmt::format("both per-kij and combined {} files: {} (give the files explicitly)", what, join_names(both)));
  }
  if (!all.empty()) return {pick_one(dir, all, what + "*.txt", what)};
  return numbered_files(dir, numbered, what + "_kij<N>.txt", what);
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

  std::vector<fs::path> acts, outs, psum_all, weight_all;
  Numbered weights, psums;
  for (const auto& p : entries) {
    const std::string name = lower(p.filename().string());
    std::smatch m;
    if (std::regex_match(name, kActivation)) acts.push_back(p);
    if (std::regex_match(name, m, kWeight)) {
      weights.add(p, m);
    } else if (std::regex_match(name, kWeightAny)) {
      weight_all.push_back(p);
    }
    if (std::regex_match(name, m, kPsumKij)) {
      psums.add(p, m);
    } else if (std::regex_match(name, kPsumAny)) {
      psum_all.push_back(p);
    }
    if (std::regex_match(name, kOutput)) outs.push_back(p);
  }

  if (set.activation.empty()) set.activation = pick_one(dir, acts, "activation*.txt", "activation");
  if (set.weights.empty()) set.weights = per_kij_or_one(dir, weights, weight_all, "weight");
  if (set.output.empty()) set.output = pick_one(dir, outs, "output*.txt", "output");
  if (set.psums.empty() && (!psums.by_index.empty() || !psum_all.empty()))
    set.psums = per_kij_or_one(dir, psums, psum_all, "psum");
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

// ------------------------------------------------------------------------------------------------
// The header of an exported set
// ------------------------------------------------------------------------------------------------
VectorSetHeader parse_set_header(const fs::path& file, const std::string& line) {
  VectorSetHeader h;
  h.file = file;
  // The end of what TileWriter writes (vector_export.cpp); a course's free text does not match.
  static const std::regex kExported(
      R"(padded, kernel \d+, stride (\d+), \d+x\d+ outputs; core (\S+) \(cosim export-vectors\)\s*$)");
  std::smatch m;
  if (!std::regex_search(line, m, kExported)) return h;
  const std::string t = m.str(1);
  int stride = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), stride);
  if (ec != std::errc() || end != t.data() + t.size())
    throw VectorFileError(file, kVectorHeaderLines, fmt::format("the header's stride {} is out of range", t));
  h.stride = stride;
  h.core = m.str(2);
  return h;
}

VectorSetHeader read_set_header(const fs::path& dir, const VectorFileSet& given) {
  const fs::path act = given.activation.empty() ? find_vector_files(dir, given).activation : given.activation;
  return parse_set_header(act, header_of(act, file_lines(act))[kVectorHeaderLines - 1]);
}

VectorShapeOptions shape_from_header(const VectorSetHeader& header, const VectorShapeOptions& given) {
  VectorShapeOptions s = given;
  if (!header.stride) return s;
  if (s.stride && *s.stride != *header.stride)
    throw VectorFileError(
        header.file, kVectorHeaderLines,
        fmt::format("the header records stride {}, but stride {} was given", *header.stride, *s.stride));
  s.stride = header.stride;
  return s;
}

// ------------------------------------------------------------------------------------------------
// Loading a set
// ------------------------------------------------------------------------------------------------
namespace {

// Binary digits on the first data line of a file; nullopt if it cannot be read or has none.
std::optional<size_t> first_line_digits(const fs::path& path) {
  try {
    const std::vector<std::string> lines = file_lines(path);
    if (lines.size() <= size_t(kVectorHeaderLines)) return std::nullopt;
    const std::string& l = lines[kVectorHeaderLines];
    return size_t(std::count(l.begin(), l.end(), '0') + std::count(l.begin(), l.end(), '1'));
  } catch (const VectorFileError&) {
    return std::nullopt;
  }
}

// Padded input size from the activation lines (or the given padded width).
void size_input(ConvVectors& v, const VectorShapeOptions& shape) {
  const fs::path& file = v.files.activation;
  const size_t n = v.activation.lines();
  if (n == 0) throw VectorFileError(file, kVectorHeaderLines + 1, "no activation lines after the header");
  if (shape.padded_width) {
    const int w = *shape.padded_width;
    if (w <= 0 || n % size_t(w) != 0)
      throw VectorFileError(file, 0, fmt::format("{} activation lines is not a multiple of the padded width {}", n, w));
    v.padded_width = w;
    v.padded_height = int(n / size_t(w));
  } else {
    int side = 0;
    if (!perfect_square(n, side))
      throw VectorFileError(file, 0,
                            fmt::format("{} activation lines is not a perfect square (a square padded input; "
                                        "otherwise give the padded width)",
                                        n));
    v.padded_width = v.padded_height = side;
  }
}

// One weight file with every kernel position: Cols lines per position, kij-major; split.
void split_weight_file(ConvVectors& v, const fs::path& path) {
  const unsigned cols = v.config.cols;
  const VectorFile all = read_vector_file(path, weight_format(v.config));
  const size_t n = all.lines(), kk = n / cols;
  if (n == 0 || n % cols != 0)
    throw VectorFileError(path, VectorFile::file_line(kk * cols),
                          fmt::format("{} weight lines is neither {} (one kernel position, a line per column) nor a "
                                      "multiple of {} (every kernel position, kij-major)",
                                      n, cols, cols));
  if (kk >= size_t(kMaxKernelPositions))
    throw VectorFileError(
        path, 0,
        fmt::format("{} kernel positions in the weight file is beyond the limit of {}", kk, kMaxKernelPositions - 1));
  const size_t per = size_t(cols) * all.format.lanes;
  for (size_t kij = 0; kij < kk; ++kij) {
    VectorFile w;
    w.path = all.path;
    w.format = all.format;
    w.header = all.header;
    w.values.assign(all.values.begin() + std::ptrdiff_t(kij * per),
                    all.values.begin() + std::ptrdiff_t((kij + 1) * per));
    v.weights.push_back(std::move(w));
  }
}

// Weights: one file per kernel position (Cols lines), or one file with all of them; the kernel.
void read_weights(ConvVectors& v, const fs::path& dir, const VectorShapeOptions& shape) {
  const std::vector<fs::path>& files = v.files.weights;
  const bool one_file = files.size() == 1;
  if (one_file) {
    split_weight_file(v, files.front());
  } else {
    for (const auto& p : files)
      v.weights.push_back(read_vector_file(p, weight_format(v.config), v.config.cols, "weight lines (one per column)"));
  }
  const size_t kk = v.weights.size();
  const fs::path where = one_file ? files.front() : (files.empty() ? dir : files.front().parent_path()) / "weight*.txt";
  const std::string found = one_file ? fmt::format("{} kernel position{} ({} lines of {} columns) in the weight file",
                                                   kk, kk == 1 ? "" : "s", kk * v.config.cols, v.config.cols)
                                     : fmt::format("{} weight files", kk);
  if (shape.kernel) {
    const size_t k = size_t(std::max(*shape.kernel, 0));
    if (*shape.kernel <= 0 || k * k != kk)
      throw VectorFileError(
          where, 0, fmt::format("expected {} kernel positions (kernel {}), found {}", k * k, *shape.kernel, found));
    v.kernel = *shape.kernel;
  } else if (!perfect_square(kk, v.kernel) || kk == 0) {
    throw VectorFileError(where, 0, fmt::format("{} is not a perfect square number of kernel positions", found));
  }
  if (v.kernel > v.padded_height || v.kernel > v.padded_width)
    throw VectorFileError(v.files.activation, 0,
                          fmt::format("kernel {} (from {}) does not fit the {}x{} padded input", v.kernel, found,
                                      v.padded_height, v.padded_width));
}

// Psums: per kernel position, or one file with all of them.
void read_psums(ConvVectors& v) {
  const std::vector<fs::path>& files = v.files.psums;
  const size_t kk = size_t(v.kernel_positions()), positions = size_t(v.positions());
  if (files.size() == 1 && kk > 1) {
    v.psums.push_back(
        read_vector_file(files.front(), psum_format(v.config), kk * positions,
                         fmt::format("psum lines ({} kernel positions x {} input positions)", kk, positions)));
  } else if (!files.empty()) {
    if (files.size() != kk) {
      const fs::path pdir = files.front().parent_path();
      throw VectorFileError(files.size() < kk ? pdir / fmt::format("psum_kij{}.txt", files.size()) : files.back(), 0,
                            fmt::format("expected {} psum files (one per kernel position, like the weight files), "
                                        "found {}",
                                        kk, files.size()));
    }
    for (const auto& p : files)
      v.psums.push_back(read_vector_file(p, psum_format(v.config), positions, "psum lines (one per input position)"));
  }
}

// A core recorded in the header must compute in the widths the set is read with.
void check_header_core(const VectorSetHeader& h, const CoreConfig& config) {
  if (h.core.empty() || h.core == config.name) return;
  const CoreConfig* recorded = nullptr;
  for (const CoreConfig& c : kConfigs)
    if (c.name == h.core) recorded = &c;
  if (recorded && recorded->rows == config.rows && recorded->cols == config.cols &&
      recorded->act_bits == config.act_bits && recorded->weight_bits == config.weight_bits &&
      recorded->psum_bits == config.psum_bits)
    return;
  throw VectorFileError(
      h.file, kVectorHeaderLines,
      fmt::format("the header records core {}, but the set is read as {} ({}x{}, {}/{}/{})", golden::printable(h.core),
                  config.name, config.rows, config.cols, config.act_bits, config.weight_bits, config.psum_bits));
}

void load_files(ConvVectors& v, const fs::path& dir, const VectorShapeOptions& given) {
  const fs::path& act = v.files.activation;
  const VectorSetHeader h = parse_set_header(act, header_of(act, file_lines(act))[kVectorHeaderLines - 1]);
  check_header_core(h, v.config);
  const VectorShapeOptions shape = shape_from_header(h, given);
  v.activation = read_vector_file(act, activation_format(v.config));
  size_input(v, shape);
  read_weights(v, dir, shape);
  v.stride = shape.stride.value_or(1);
  if (v.stride < 1) throw VectorFileError(act, 0, fmt::format("stride {} must be at least 1", v.stride));
  v.out_height = (v.padded_height - v.kernel) / v.stride + 1;
  v.out_width = (v.padded_width - v.kernel) / v.stride + 1;
  read_psums(v);
  v.output = read_vector_file(v.files.output, psum_format(v.config), size_t(v.out_height) * v.out_width,
                              fmt::format("output lines ({}x{} output positions)", v.out_height, v.out_width));
}

}  // namespace

std::string configs_fitting(const VectorFileSet& files) {
  const std::optional<size_t> act = first_line_digits(files.activation);
  const std::optional<size_t> weight = files.weights.empty() ? std::nullopt : first_line_digits(files.weights.front());
  const std::optional<size_t> out = files.output.empty() ? std::nullopt : first_line_digits(files.output);
  std::string fit;
  for (const CoreConfig& c : kConfigs) {
    if ((act && *act != activation_format(c).digits()) || (weight && *weight != weight_format(c).digits()) ||
        (out && *out != psum_format(c).digits()))
      continue;
    fit += (fit.empty() ? "" : " or ") +
           fmt::format("{} ({}x{}, {}/{}/{})", c.name, c.rows, c.cols, c.act_bits, c.weight_bits, c.psum_bits);
  }
  return (act || weight || out) ? fit : std::string();
}

ConvVectors load_vectors(const fs::path& dir, const CoreConfig& config, const VectorFileSet& given,
                         const VectorShapeOptions& shape) {
  ConvVectors v;
  v.config = config;
  v.files = find_vector_files(dir, given);
  try {
    load_files(v, dir, shape);
  } catch (const VectorWidthError& e) {
    const std::string fit = configs_fitting(v.files);
    if (fit.find(std::string(config.name) + " (") != std::string::npos) throw;  // one file is off, not the set
    throw VectorFileError(
        e.file(), e.line(),
        e.problem() + (fit.empty() ? fmt::format("; no configuration of this build fits the set's "
                                                 "digits per line")
                                   : fmt::format("; the set's digits per line fit {}, not {}", fit, config.name)));
  }
  return v;
}

}  // namespace accel
