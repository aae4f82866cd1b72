// Text vector files of one conv tile, as accelerator courses write them (the ece284 notebook's
// activation.txt / weight_<kij>.txt / psum.txt / output.txt): reading, writing, finding them in a
// directory and checking that they describe one consistent conv layer. The formats are in
// docs/vector-files.md. This file only moves bits: no value is computed here.
//
// Every problem with a file is a VectorFileError whose what() is one line,
//   <file>:<line>: <problem>
// line = 1-based line in the file, 0 = the file as a whole (missing, ambiguous, unreadable).
#pragma once

#include <accel/isa.hpp>
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace accel {

class VectorFileError : public std::runtime_error {
 public:
  VectorFileError(std::filesystem::path file, int line, const std::string& problem);
  const std::filesystem::path& file() const { return file_; }
  int line() const { return line_; }  // 0 = the file as a whole
  const std::string& problem() const { return problem_; }

 private:
  std::filesystem::path file_;
  int line_;
  std::string problem_;
};
// A data line with the wrong number of binary digits (load_vectors adds the configuration the
// set's digits fit).
class VectorWidthError : public VectorFileError {
 public:
  using VectorFileError::VectorFileError;
};

inline constexpr int kVectorHeaderLines = 3;  // every file starts with 3 lines beginning with '#'
// Limits (docs/vector-files.md "Limits"): a file is at most kMaxVectorFileBytes, checked before it
// is read; kernel positions (kij in file names, K x K) are below kMaxKernelPositions.
inline constexpr uint64_t kMaxVectorFileBytes = uint64_t{64} << 20;
inline constexpr int kMaxKernelPositions = 1024;

// How one data line is laid out: `lanes` fields of `bits` binary digits, lane lanes-1 first, each
// MSB first; unsigned or two's complement.
struct LineFormat {
  unsigned lanes = 0;
  unsigned bits = 0;
  bool is_signed = false;
  unsigned digits() const { return lanes * bits; }
};
// The four file kinds for a core configuration.
inline LineFormat activation_format(const CoreConfig& c) { return {c.rows, c.act_bits, false}; }
inline LineFormat weight_format(const CoreConfig& c) { return {c.rows, c.weight_bits, true}; }
inline LineFormat psum_format(const CoreConfig& c) { return {c.cols, c.psum_bits, true}; }

// One parsed file. Data line i is line i + 4 of the file; values are stored lane 0 first.
struct VectorFile {
  std::filesystem::path path;
  LineFormat format;
  std::array<std::string, kVectorHeaderLines> header;
  std::vector<int64_t> values;  // [line][lane], lane 0 first

  size_t lines() const { return format.lanes ? values.size() / format.lanes : 0; }
  int64_t at(size_t line, unsigned lane) const { return values[line * format.lanes + lane]; }
  std::span<const int64_t> line(size_t i) const { return {values.data() + i * format.lanes, format.lanes}; }
  static int file_line(size_t i) { return int(i) + kVectorHeaderLines + 1; }  // 1-based
};

// Reads and checks one file: 3 header lines starting with '#', then data lines of exactly
// format.digits() binary digits (spaces and tabs between digits are ignored, a trailing '\r' too,
// blank lines at the end of the file too; a line of the wrong width is a VectorWidthError). If
// `expected_lines` is given, the number of data lines must equal it; `what` names the lines in that
// message ("output positions").
VectorFile read_vector_file(const std::filesystem::path& path, const LineFormat& format,
                            std::optional<size_t> expected_lines = {}, const std::string& what = "data lines");

// One data line: lane lanes-1 first, MSB first. Throws std::invalid_argument if a value does not
// fit the format (a program error: callers wrap or check first).
std::string format_vector_line(std::span<const int64_t> lanes, const LineFormat& format);
// Writes the header and `values` ([line][lane], lane 0 first). Throws VectorFileError if the file
// cannot be written.
void write_vector_file(const std::filesystem::path& path, const std::array<std::string, kVectorHeaderLines>& header,
                       const LineFormat& format, std::span<const int64_t> values);

// The files of one vector set. Empty paths / vectors = not given (find by pattern) or absent.
struct VectorFileSet {
  std::filesystem::path activation;
  std::vector<std::filesystem::path> weights;  // one per kij, or one file with every kij
  std::vector<std::filesystem::path> psums;    // one per kij, or one file with every kij
  std::filesystem::path output;
};

// Finds the files in `dir` (names case-insensitive; docs/vector-files.md "File names"):
//   activation*.txt
//   weight[_itile<I>_otile<J>]_{kij,k,}<N>.txt          N = 0 .. K*K-1, no gaps, or one other
//   weight*.txt (all kij)
//   psum*.txt: psum[_itile<I>_otile<J>]_{kij,k,}<N>.txt  per kij, or one other psum*.txt (all kij)
//   out.txt or output*.txt
// Fields already set in `given` are kept (and not searched for). Missing activation, weight or
// output files, two candidates for one file, a gap in the kij numbers: VectorFileError.
// No psum file is not an error (psums is empty).
VectorFileSet find_vector_files(const std::filesystem::path& dir, const VectorFileSet& given = {});

// Sizes of the conv layer a vector set describes; each unset value is derived from line counts
// (the stride from the set's header, VectorSetHeader, if it records one).
struct VectorShapeOptions {
  std::optional<int> padded_width;  // default sqrt(activation lines), which must be a perfect square
  std::optional<int> kernel;        // default sqrt(weight files or positions), a perfect square
  std::optional<int> stride;        // default the header's, else 1
};

// What the third header line of an exported set's activation file records (export_vectors writes
// "... -> 8x8 padded, kernel 3, stride 1, 6x6 outputs; core ece284 (cosim export-vectors)"): the
// stride and the core, which the file sizes do not say. A course's free-text header records
// nothing. The line is line kVectorHeaderLines of `file`.
struct VectorSetHeader {
  std::filesystem::path file;
  std::optional<int> stride;
  std::string core;  // empty: not recorded
};
VectorSetHeader parse_set_header(const std::filesystem::path& file, const std::string& line);
// The header of the activation file of the set in `dir` (found as find_vector_files does); reads
// only the header lines. VectorFileError if the file is missing or has no header.
VectorSetHeader read_set_header(const std::filesystem::path& dir, const VectorFileSet& given = {});
// `given` with its unset values taken from the header; a given value the header contradicts is a
// VectorFileError at the header's line.
VectorShapeOptions shape_from_header(const VectorSetHeader& header, const VectorShapeOptions& given);

// A parsed, size-checked vector set for one core configuration: a conv layer with Rows input
// channels (already padded: padding 0), Cols output channels, kernel K, stride S.
struct ConvVectors {
  CoreConfig config{};
  VectorFileSet files;
  int padded_height = 0, padded_width = 0;  // input positions nij = iy * padded_width + ix
  int kernel = 0, stride = 1;               // kernel positions kij = ky * kernel + kx
  int out_height = 0, out_width = 0;        // output positions = output lines, y * out_width + x
  VectorFile activation;                    // padded_height * padded_width lines, Rows lanes
  std::vector<VectorFile> weights;          // kernel^2 positions, Cols lines (one per column), Rows lanes
                                            // (one weight file with every kij: split into positions)
  std::vector<VectorFile> psums;            // empty, one per kij, or one file (kij-major)
  VectorFile output;                        // out_height * out_width lines, Cols lanes

  int positions() const { return padded_height * padded_width; }
  int kernel_positions() const { return kernel * kernel; }
  bool has_psums() const { return !psums.empty(); }
  // The psum file line holding kernel position kij at input position nij.
  const VectorFile& psum_file(int kij) const { return psums.size() == 1 ? psums[0] : psums[size_t(kij)]; }
  size_t psum_line(int kij, int nij) const { return psums.size() == 1 ? size_t(kij) * positions() + nij : size_t(nij); }
  // weight[o][c][ky][kx] (OIHW) = weight file kij, line o, lane c.
  std::vector<int32_t> weight_oihw() const;
};

// find_vector_files + read and check every file: digits per line from `config` (a wrong width
// names the configurations the set's digits fit), the header's sizes (shape_from_header; a
// recorded core whose widths differ from `config` is an error), line counts (activation: a perfect
// square or a multiple of padded_width; weights: Cols lines per kij file or kernel^2 * Cols in one
// file; psums: positions lines per kij file or kernel^2 * positions in one file; output:
// out_height * out_width lines).
// The configurations of this build (kConfigs) whose widths fit the digits per line of the set's
// first activation, weight and output lines: "ece284" or "int4 or ece284"; empty if none.
std::string configs_fitting(const VectorFileSet& files);

ConvVectors load_vectors(const std::filesystem::path& dir, const CoreConfig& config, const VectorFileSet& given = {},
                         const VectorShapeOptions& shape = {});

}  // namespace accel
