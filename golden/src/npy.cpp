#include "golden/npy.hpp"

#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <stdexcept>

#include "golden/error.hpp"
#include "golden/input_file.hpp"

namespace golden {

const char* dtype_name(DType t) {
  switch (t) {
    case DType::int8:
      return "int8";
    case DType::uint8:
      return "uint8";
    case DType::int16:
      return "int16";
    case DType::int32:
      return "int32";
    case DType::int64:
      return "int64";
  }
  return "?";
}

const char* dtype_descr(DType t) {
  switch (t) {
    case DType::int8:
      return "|i1";
    case DType::uint8:
      return "|u1";
    case DType::int16:
      return "<i2";
    case DType::int32:
      return "<i4";
    case DType::int64:
      return "<i8";
  }
  return "?";
}

int dtype_size(DType t) {
  switch (t) {
    case DType::int8:
    case DType::uint8:
      return 1;
    case DType::int16:
      return 2;
    case DType::int32:
      return 4;
    case DType::int64:
      return 8;
  }
  return 0;
}

std::string format_shape(std::span<const int64_t> shape) {
  if (shape.empty()) return "()";
  if (shape.size() == 1) return fmt::format("({},)", shape[0]);
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    s += fmt::format("{}{}", i ? ", " : "", shape[i]);
  }
  return s + ")";
}

std::string NpyArray::shape_str() const { return format_shape(shape); }

std::string NpyArray::index_str(int64_t flat) const {
  std::vector<int64_t> idx(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    idx[d] = flat % shape[d];
    flat /= shape[d];
  }
  return format_shape(idx);
}

namespace {

// Parser of the header dict, a Python literal such as
//   {'descr': '<i1', 'fortran_order': False, 'shape': (32, 1, 5, 5), }
// Offsets in messages are byte offsets in the file.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, size_t base, const std::string& name) : text_(text), base_(base), name_(name) {}

  void parse(std::optional<std::string>& descr, std::optional<bool>& fortran,
             std::optional<std::vector<int64_t>>& shape) {
    skip_ws();
    expect('{', "'{' opening the header dict");
    while (true) {
      skip_ws();
      if (peek() == '}') {
        ++pos_;
        break;
      }
      size_t key_pos = pos_;
      std::string key = parse_string("a quoted key");
      skip_ws();
      expect(':', fmt::format("':' after key '{}'", printable(key)));
      skip_ws();
      if (key == "descr") {
        descr = parse_string("a quoted dtype string for 'descr'");
      } else if (key == "fortran_order") {
        fortran = parse_bool();
      } else if (key == "shape") {
        shape = parse_tuple();
      } else {
        fail(key_pos, fmt::format("header: unexpected key '{}'", printable(key)));
      }
      skip_ws();
      if (peek() == ',') {
        ++pos_;
      } else if (peek() != '}') {
        fail(pos_, "header: expected ',' or '}' after a value");
      }
    }
    skip_ws();
    if (pos_ != text_.size()) fail(pos_, "header: unexpected text after the dict");
  }

 private:
  [[noreturn]] void fail(size_t at, const std::string& what) const {
    throw FormatError(fmt::format("{}: offset {}: {}", name_, base_ + at, what));
  }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skip_ws() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\t' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  void expect(char c, const std::string& what) {
    if (peek() != c) fail(pos_, fmt::format("header: expected {}", what));
    ++pos_;
  }
  std::string parse_string(const std::string& what) {
    char q = peek();
    if (q != '\'' && q != '"') fail(pos_, fmt::format("header: expected {}", what));
    size_t start = ++pos_;
    while (pos_ < text_.size() && text_[pos_] != q) ++pos_;
    if (pos_ >= text_.size()) fail(start - 1, "header: unterminated string");
    return std::string(text_.substr(start, pos_++ - start));
  }
  bool parse_bool() {
    if (text_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return true;
    }
    if (text_.substr(pos_, 5) == "False") {
      pos_ += 5;
      return false;
    }
    fail(pos_, "header: expected True or False for 'fortran_order'");
  }
  std::vector<int64_t> parse_tuple() {
    expect('(', "a tuple '(...)' for 'shape'");
    std::vector<int64_t> dims;
    while (true) {
      skip_ws();
      if (peek() == ')') {
        ++pos_;
        return dims;
      }
      size_t start = pos_;
      int64_t v = 0;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
        if (v > (std::numeric_limits<int64_t>::max() - 9) / 10) {
          fail(start, "header: shape dimension too large");
        }
        v = v * 10 + (text_[pos_++] - '0');
      }
      if (pos_ == start) fail(start, "header: expected a non-negative integer in 'shape'");
      if (peek() == 'L') ++pos_;  // Python 2 long suffix
      dims.push_back(v);
      skip_ws();
      if (peek() == ',') {
        ++pos_;
      } else if (peek() != ')') {
        fail(pos_, "header: expected ',' or ')' in 'shape'");
      }
    }
  }

  std::string_view text_;
  size_t base_;
  const std::string& name_;
  size_t pos_ = 0;
};

std::optional<DType> dtype_from_descr(const std::string& d) {
  if (d == "|i1" || d == "<i1") return DType::int8;
  if (d == "|u1" || d == "<u1") return DType::uint8;
  if (d == "<i2") return DType::int16;
  if (d == "<i4") return DType::int32;
  if (d == "<i8") return DType::int64;
  return std::nullopt;
}

uint64_t read_le(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

namespace {

// Where the header dict lies: after the 10-byte (1.0) or 12-byte (2.0) prefix.
struct NpyLayout {
  size_t header_start = 0, header_len = 0;
  size_t data_start() const { return header_start + header_len; }
};

// The prefix (magic, version, header length) from the first bytes of a file of `file_size` bytes.
NpyLayout parse_prefix(std::span<const uint8_t> bytes, uint64_t file_size, const std::string& name) {
  static constexpr uint8_t kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (bytes.size() < 10) {
    throw FormatError(fmt::format("{}: truncated: {} bytes, a .npy header needs at least 10", name, bytes.size()));
  }
  if (std::memcmp(bytes.data(), kMagic, 6) != 0) {
    throw FormatError(fmt::format("{}: offset 0: bad magic, not a .npy file", name));
  }
  const int major = bytes[6], minor = bytes[7];
  NpyLayout l;
  if (major == 1) {
    l.header_len = read_le(&bytes[8], 2);
    l.header_start = 10;
  } else if (major == 2) {
    if (bytes.size() < 12) {
      throw FormatError(
          fmt::format("{}: truncated: {} bytes, a version 2.0 header needs at least 12", name, bytes.size()));
    }
    l.header_len = read_le(&bytes[8], 4);
    l.header_start = 12;
  } else {
    throw FormatError(
        fmt::format("{}: offset 6: format version {}.{} is not supported (need 1.0 or 2.0)", name, major, minor));
  }
  if (l.header_len > kNpyMaxHeaderBytes) {
    throw FormatError(fmt::format("{}: offset 8: header length {} is more than the limit of {}", name, l.header_len,
                                  kNpyMaxHeaderBytes));
  }
  if (l.data_start() > file_size) {
    throw FormatError(fmt::format("{}: truncated: header length {} runs past the end of the file ({} bytes)", name,
                                  l.header_len, file_size));
  }
  return l;
}

// dtype and shape from the header dict; the element count checked against the limit.
NpyArray parse_header(std::string_view text, size_t header_start, const std::string& name) {
  std::optional<std::string> descr;
  std::optional<bool> fortran;
  std::optional<std::vector<int64_t>> shape;
  HeaderParser(text, header_start, name).parse(descr, fortran, shape);
  for (auto [missing, key] : {std::pair{!descr, "descr"}, {!fortran, "fortran_order"}, {!shape, "shape"}}) {
    if (missing) throw FormatError(fmt::format("{}: header: key '{}' is missing", name, key));
  }
  auto dtype = dtype_from_descr(*descr);
  if (!dtype) {
    if (!descr->empty() && descr->front() == '>') {
      throw FormatError(fmt::format("{}: header: big-endian dtype '{}' is not supported (need little-endian)", name,
                                    printable(*descr)));
    }
    throw FormatError(
        fmt::format("{}: header: dtype '{}' is not supported "
                    "(need int8, uint8, int16, int32 or int64)",
                    name, printable(*descr)));
  }
  if (*fortran) {
    throw FormatError(fmt::format("{}: header: fortran_order is True, need C order", name));
  }
  NpyArray a;
  a.path = name;
  a.dtype = *dtype;
  a.shape = *shape;
  uint64_t count = 1;
  for (int64_t d : a.shape) {
    if (d != 0 && count > kNpyMaxElements / static_cast<uint64_t>(d)) {
      throw FormatError(fmt::format("{}: header: shape {} has more than the limit of {} elements", name, a.shape_str(),
                                    kNpyMaxElements));
    }
    count *= static_cast<uint64_t>(d);
  }
  return a;
}

uint64_t element_count(const NpyArray& a) {
  uint64_t n = 1;
  for (int64_t d : a.shape) n *= static_cast<uint64_t>(d);
  return n;
}

// Throws unless the file's `have` data bytes are exactly what the shape needs.
void check_data_size(const NpyArray& a, size_t data_start, uint64_t have) {
  const uint64_t need = element_count(a) * static_cast<uint64_t>(dtype_size(a.dtype));
  if (have < need) {
    throw FormatError(
        fmt::format("{}: truncated: shape {} of {} needs {} data bytes after the "
                    "{}-byte header, the file has {}",
                    a.path, a.shape_str(), dtype_name(a.dtype), need, data_start, have));
  }
  if (have > need) {
    throw FormatError(fmt::format("{}: offset {}: {} unexpected bytes after the data of shape {}", a.path,
                                  data_start + need, have - need, a.shape_str()));
  }
}

// The values from exactly element_count(a) items of little-endian data.
void decode_values(NpyArray& a, const uint8_t* p) {
  const int item = dtype_size(a.dtype);
  a.values.resize(element_count(a));
  for (size_t i = 0; i < a.values.size(); ++i, p += item) {
    const uint64_t u = read_le(p, item);
    switch (a.dtype) {
      case DType::int8:
        a.values[i] = static_cast<int8_t>(u);
        break;
      case DType::uint8:
        a.values[i] = static_cast<uint8_t>(u);
        break;
      case DType::int16:
        a.values[i] = static_cast<int16_t>(u);
        break;
      case DType::int32:
        a.values[i] = static_cast<int32_t>(u);
        break;
      case DType::int64:
        a.values[i] = static_cast<int64_t>(u);
        break;
    }
  }
}

}  // namespace

NpyArray parse_npy(std::span<const std::uint8_t> bytes, const std::string& name) {
  const NpyLayout l = parse_prefix(bytes, bytes.size(), name);
  const std::string_view text(reinterpret_cast<const char*>(bytes.data() + l.header_start), l.header_len);
  NpyArray a = parse_header(text, l.header_start, name);
  check_data_size(a, l.data_start(), bytes.size() - l.data_start());
  decode_values(a, bytes.data() + l.data_start());
  return a;
}

// The prefix, then the header, then (its size checked against the file's) the data: nothing is
// allocated for what the file cannot hold.
NpyArray read_npy(const std::filesystem::path& file) {
  const std::string name = file.string();
  InputFile in(file);
  std::vector<uint8_t> head(10);
  head.resize(in.read(head.data(), head.size()));
  if (head.size() == 10 && head[6] == 2) {  // version 2.0: a 4-byte header length
    head.resize(12);
    head.resize(10 + in.read(head.data() + 10, 2));
  }
  const NpyLayout l = parse_prefix(head, in.size(), name);
  const size_t prefix = head.size();
  head.resize(l.data_start());
  if (in.read(head.data() + prefix, head.size() - prefix) != head.size() - prefix) {
    throw FileError(name, "the file changed while it was read");
  }
  const std::string_view text(reinterpret_cast<const char*>(head.data() + l.header_start), l.header_len);
  NpyArray a = parse_header(text, l.header_start, name);
  check_data_size(a, l.data_start(), in.size() - l.data_start());
  std::vector<uint8_t> data(element_count(a) * static_cast<size_t>(dtype_size(a.dtype)));
  if (in.read(data.data(), data.size()) != data.size()) throw FileError(name, "the file changed while it was read");
  decode_values(a, data.data());
  return a;
}

void write_npy(const std::filesystem::path& file, DType dtype, std::span<const int64_t> shape,
               std::span<const int64_t> values) {
  int64_t count = 1;
  for (int64_t d : shape) count *= d;
  if (count != static_cast<int64_t>(values.size())) {
    throw std::invalid_argument(fmt::format("write_npy {}: shape {} holds {} values, got {}", file.string(),
                                            format_shape(shape), count, values.size()));
  }
  const int item = dtype_size(dtype);
  int64_t lo = 0, hi = 0;
  switch (dtype) {
    case DType::int8:
      lo = INT8_MIN, hi = INT8_MAX;
      break;
    case DType::uint8:
      lo = 0, hi = UINT8_MAX;
      break;
    case DType::int16:
      lo = INT16_MIN, hi = INT16_MAX;
      break;
    case DType::int32:
      lo = INT32_MIN, hi = INT32_MAX;
      break;
    case DType::int64:
      lo = INT64_MIN, hi = INT64_MAX;
      break;
  }
  std::string header =
      fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}", dtype_descr(dtype), format_shape(shape));
  // Pad with spaces so that magic + version + length + header ends on a
  // 64-byte boundary, terminated by '\n', as NumPy does.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::vector<uint8_t> out = {0x93,
                              'N',
                              'U',
                              'M',
                              'P',
                              'Y',
                              1,
                              0,
                              static_cast<uint8_t>(header.size() & 0xff),
                              static_cast<uint8_t>(header.size() >> 8)};
  out.insert(out.end(), header.begin(), header.end());
  for (int64_t v : values) {
    if (v < lo || v > hi) {
      throw std::invalid_argument(
          fmt::format("write_npy {}: value {} does not fit {}", file.string(), v, dtype_name(dtype)));
    }
    uint64_t u = static_cast<uint64_t>(v);
    for (int b = 0; b < item; ++b) out.push_back(static_cast<uint8_t>(u >> (8 * b)));
  }
  std::ofstream f(file, std::ios::binary);
  f.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
  if (!f) throw FileError(fmt::format("{}: cannot write", file.string()));
}

}  // namespace golden
