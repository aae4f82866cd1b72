// .npy reader: dtypes, shapes, versions, and every malformed-file message.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "golden/error.hpp"
#include "golden/npy.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using Catch::Matchers::Message;
using test_support::TempDir;

namespace {

// A .npy image built by hand, independent of golden::write_npy: magic,
// version, little-endian header length, the dict padded with spaces and '\n'
// to a 64-byte boundary, then `body`.
std::vector<uint8_t> npy_bytes(int major, std::string dict, const std::vector<uint8_t>& body) {
  const size_t prefix = major == 1 ? 10 : 12;
  const size_t total = prefix + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<uint8_t>(major), 0};
  const size_t len = dict.size();
  out.push_back(len & 0xff);
  out.push_back((len >> 8) & 0xff);
  if (major != 1) {
    out.push_back((len >> 16) & 0xff);
    out.push_back((len >> 24) & 0xff);
  }
  out.insert(out.end(), dict.begin(), dict.end());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

void write_bytes(const fs::path& p, const std::vector<uint8_t>& b) {
  std::ofstream f(p, std::ios::binary);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

}  // namespace

TEST_CASE("npy: int8 2x3 version 1.0 parses shape and values", "[golden][io]") {
  // Bytes 0x01 0xfe 0x03 0x80 0x7f 0x00 as int8: 1, -2, 3, -128, 127, 0.
  auto b =
      npy_bytes(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (2, 3), }", {0x01, 0xfe, 0x03, 0x80, 0x7f, 0x00});
  golden::NpyArray a = golden::parse_npy(b, "t.npy");
  CHECK(a.dtype == golden::DType::int8);
  CHECK(a.shape == std::vector<int64_t>{2, 3});
  CHECK(a.values == std::vector<int64_t>{1, -2, 3, -128, 127, 0});
  CHECK(a.shape_str() == "(2, 3)");
  CHECK(a.index_str(4) == "(1, 1)");  // flat 4 = 1*3 + 1
}

TEST_CASE("npy: int32 version 2.0 is little-endian", "[golden][io]") {
  // 04 03 02 01 -> 0x01020304 = 16909060; ff ff ff ff -> -1; 00 00 00 80 -> -2^31.
  auto b = npy_bytes(2, "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }",
                     {0x04, 0x03, 0x02, 0x01, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x80});
  golden::NpyArray a = golden::parse_npy(b, "t.npy");
  CHECK(a.dtype == golden::DType::int32);
  CHECK(a.shape == std::vector<int64_t>{3});
  CHECK(a.values == std::vector<int64_t>{16909060, -1, -2147483648LL});
}

TEST_CASE("npy: uint8 int16 and int64 dtypes widen correctly", "[golden][io]") {
  // uint8 0xff = 255 (not -1).
  auto u8 = golden::parse_npy(npy_bytes(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", {0xff, 0x07}),
                              "u.npy");
  CHECK(u8.dtype == golden::DType::uint8);
  CHECK(u8.values == std::vector<int64_t>{255, 7});
  // int16: 0x8000 = -32768, 0x0102 = 258.
  auto i16 = golden::parse_npy(
      npy_bytes(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }", {0x00, 0x80, 0x02, 0x01}), "s.npy");
  CHECK(i16.values == std::vector<int64_t>{-32768, 258});
  // int64: 0xfffffffffffffffe = -2; 2^40 = 0x0000010000000000.
  auto i64 = golden::parse_npy(npy_bytes(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (1, 2), }",
                                         {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  //
                                          0, 0, 0, 0, 0, 1, 0, 0}),
                               "l.npy");
  CHECK(i64.dtype == golden::DType::int64);
  CHECK(i64.values == std::vector<int64_t>{-2, 1099511627776LL});
}

TEST_CASE("npy: scalar and empty shapes and key order", "[golden][io]") {
  // shape () holds one element; keys may come in any order, double quotes ok.
  auto s =
      golden::parse_npy(npy_bytes(1, "{\"shape\": (), 'fortran_order': False, 'descr': '<i4'}", {5, 0, 0, 0}), "s.npy");
  CHECK(s.shape.empty());
  CHECK(s.values == std::vector<int64_t>{5});
  auto e = golden::parse_npy(npy_bytes(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (0, 4), }", {}), "e.npy");
  CHECK(e.size() == 0);
}

TEST_CASE("npy: write then read round trip", "[golden][io]") {
  TempDir tmp;
  const fs::path p = tmp.path / "w.npy";
  std::vector<int64_t> shape = {2, 2}, values = {-2147483648LL, 0, 7, 2147483647};
  golden::write_npy(p, golden::DType::int32, shape, values);
  golden::NpyArray a = golden::read_npy(p);
  CHECK(a.dtype == golden::DType::int32);
  CHECK(a.shape == shape);
  CHECK(a.values == values);
  // Dict of 59 characters: 10 + 59 + '\n' = 70, padded to 128; then 4 x 4 data bytes.
  CHECK(fs::file_size(p) == 144);
}

TEST_CASE("npy: missing file names the file", "[golden][io][bad_input]") {
  REQUIRE_THROWS_MATCHES(golden::read_npy("no/such/file.npy"), golden::FileError,
                         Message("no/such/file.npy: cannot open: No such file or directory"));
}

TEST_CASE("npy: fortran order is rejected", "[golden][io][bad_input]") {
  auto b = npy_bytes(1, "{'descr': '|i1', 'fortran_order': True, 'shape': (2, 2), }", {1, 2, 3, 4});
  REQUIRE_THROWS_MATCHES(golden::parse_npy(b, "f.npy"), golden::FormatError,
                         Message("f.npy: header: fortran_order is True, need C order"));
}

TEST_CASE("npy: unsupported dtypes are rejected", "[golden][io][bad_input]") {
  auto be = npy_bytes(1, "{'descr': '>i4', 'fortran_order': False, 'shape': (1,), }", {0, 0, 0, 1});
  REQUIRE_THROWS_MATCHES(golden::parse_npy(be, "b.npy"), golden::FormatError,
                         Message("b.npy: header: big-endian dtype '>i4' is not supported (need little-endian)"));
  auto fl = npy_bytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", {0, 0, 0, 0});
  REQUIRE_THROWS_MATCHES(
      golden::parse_npy(fl, "f.npy"), golden::FormatError,
      Message("f.npy: header: dtype '<f4' is not supported (need int8, uint8, int16, int32 or int64)"));
}

TEST_CASE("npy: truncated data reports needed and present bytes", "[golden][io][bad_input]") {
  // (2, 3) int8 needs 6 bytes after the header; 5 are present. The dict is 59
  // characters: 10 + 59 + '\n' = 70, padded to 128.
  auto b = npy_bytes(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (2, 3), }", {1, 2, 3, 4, 5});
  REQUIRE_THROWS_MATCHES(golden::parse_npy(b, "t.npy"), golden::FormatError,
                         Message("t.npy: truncated: shape (2, 3) of int8 needs 6 data bytes after the 128-byte "
                                 "header, the file has 5"));
}

TEST_CASE("npy: truncated header and file shorter than the prefix", "[golden][io][bad_input]") {
  auto b = npy_bytes(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (2,), }", {1, 2});
  // The dict is 57 characters: 10 + 57 + '\n' = 68, padded to 128, so the
  // header length field says 118; only 20 header bytes remain.
  b.resize(30);
  REQUIRE_THROWS_MATCHES(golden::parse_npy(b, "h.npy"), golden::FormatError,
                         Message("h.npy: truncated: header length 118 runs past the end of the file (30 bytes)"));
  std::vector<uint8_t> tiny = {0x93, 'N', 'U'};
  REQUIRE_THROWS_MATCHES(golden::parse_npy(tiny, "x.npy"), golden::FormatError,
                         Message("x.npy: truncated: 3 bytes, a .npy header needs at least 10"));
}

TEST_CASE("npy: bad magic and unsupported version", "[golden][io][bad_input]") {
  std::vector<uint8_t> text(20, 'a');
  REQUIRE_THROWS_MATCHES(golden::parse_npy(text, "m.npy"), golden::FormatError,
                         Message("m.npy: offset 0: bad magic, not a .npy file"));
  auto b = npy_bytes(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (1,), }", {1});
  b[6] = 3;  // version 3.0
  REQUIRE_THROWS_MATCHES(golden::parse_npy(b, "v.npy"), golden::FormatError,
                         Message("v.npy: offset 6: format version 3.0 is not supported (need 1.0 or 2.0)"));
}

TEST_CASE("npy: malformed header dict names the byte offset", "[golden][io][bad_input]") {
  // The dict starts at byte 10; "{'descr' " is 9 characters, so the missing ':' is at offset 19.
  auto b = npy_bytes(1, "{'descr' '|i1', 'fortran_order': False, 'shape': (1,), }", {1});
  REQUIRE_THROWS_MATCHES(golden::parse_npy(b, "d.npy"), golden::FormatError,
                         Message("d.npy: offset 19: header: expected ':' after key 'descr'"));
  auto missing = npy_bytes(1, "{'descr': '|i1', 'fortran_order': False}", {1});
  REQUIRE_THROWS_MATCHES(golden::parse_npy(missing, "k.npy"), golden::FormatError,
                         Message("k.npy: header: key 'shape' is missing"));
  // "{'descr': '|i1', 'fortran_order': False, 'shape': (1, x" : 'x' is character 54, offset 64.
  auto bad_dim = npy_bytes(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (1, x), }", {1});
  REQUIRE_THROWS_MATCHES(golden::parse_npy(bad_dim, "s.npy"), golden::FormatError,
                         Message("s.npy: offset 64: header: expected a non-negative integer in 'shape'"));
}

TEST_CASE("npy: bytes after the data are rejected", "[golden][io][bad_input]") {
  auto b = npy_bytes(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (2,), }", {1, 2, 3});
  // Header 10 + 57 + 1 = 68 padded to 128: data is bytes 128..129, the stray byte at 130.
  REQUIRE_THROWS_MATCHES(golden::parse_npy(b, "x.npy"), golden::FormatError,
                         Message("x.npy: offset 130: 1 unexpected bytes after the data of shape (2,)"));
}

TEST_CASE("npy: read_npy reports the path given", "[golden][io][bad_input]") {
  TempDir tmp;
  const fs::path p = tmp.path / "short.npy";
  write_bytes(p, npy_bytes(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", {1, 0, 0, 0}));
  REQUIRE_THROWS_WITH(golden::read_npy(p), Contains(p.string() + ": truncated: shape (2,) of int32 needs 8"));
}

// ---------------------------------------------------------------------------------------------
// Hostile input: what is not a regular file, headers and shapes beyond the limits or the file.

TEST_CASE("npy: a FIFO, a device or a directory is refused without blocking", "[golden][io][bad_input]") {
  TempDir tmp;
  const fs::path fifo = tmp.path / "w.npy";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  REQUIRE_THROWS_MATCHES(golden::read_npy(fifo), golden::FileError,
                         Message(fifo.string() + ": cannot read: is a FIFO, not a regular file"));
  REQUIRE_THROWS_MATCHES(golden::read_npy("/dev/zero"), golden::FileError,
                         Message("/dev/zero: cannot read: is a character device, not a regular file"));
  REQUIRE_THROWS_MATCHES(golden::read_npy(tmp.path), golden::FileError,
                         Message(tmp.path.string() + ": cannot read: is a directory"));
}

TEST_CASE("npy: header length and shape are checked against the limits and the file", "[golden][io][bad_input]") {
  TempDir tmp;
  // Version 2.0 with a 2 GiB header length in a 12-byte file.
  const fs::path h = tmp.path / "h.npy";
  write_bytes(h, {0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 0, 0, 0, 0x80});
  REQUIRE_THROWS_MATCHES(golden::read_npy(h), golden::FormatError,
                         Message(h.string() + ": offset 8: header length 2147483648 is more than the limit of 65536"));
  // A shape of 2^40 values: refused from the header alone.
  const fs::path big = tmp.path / "big.npy";
  write_bytes(big, npy_bytes(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (1048576, 1048576), }", {}));
  REQUIRE_THROWS_MATCHES(golden::read_npy(big), golden::FormatError,
                         Message(big.string() + ": header: shape (1048576, 1048576) has more than the limit of "
                                                "67108864 elements"));
  // Within the limit, but the file holds 4 of the 32 MiB the shape needs: refused before the data is read.
  const fs::path cut = tmp.path / "cut.npy";
  write_bytes(cut, npy_bytes(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (4194304,), }", {1, 2, 3, 4}));
  REQUIRE_THROWS_MATCHES(golden::read_npy(cut), golden::FormatError,
                         Message(cut.string() + ": truncated: shape (4194304,) of int64 needs 33554432 data bytes "
                                                "after the 128-byte header, the file has 4"));
}

TEST_CASE("npy: control characters from the header are escaped in the message", "[golden][io][bad_input]") {
  auto b = npy_bytes(1, "{'descr': '<f\x1b[2J\n', 'fortran_order': False, 'shape': (1,), }", {0, 0, 0, 0});
  REQUIRE_THROWS_MATCHES(golden::parse_npy(b, "c.npy"), golden::FormatError,
                         Message("c.npy: header: dtype '<f\\x1b[2J\\x0a' is not supported (need int8, uint8, int16, "
                                 "int32 or int64)"));
  auto k = npy_bytes(1, "{'desc\r': '<i4', 'fortran_order': False, 'shape': (1,), }", {0, 0, 0, 0});
  REQUIRE_THROWS_MATCHES(golden::parse_npy(k, "k.npy"), golden::FormatError,
                         Message("k.npy: offset 11: header: unexpected key 'desc\\x0d'"));
}

// Found by fuzz/fuzz_npy.cpp: the key was echoed raw when the ':' after it was missing.
TEST_CASE("npy: a key without ':' is escaped in the message", "[golden][io][bad_input]") {
  auto b = npy_bytes(1, "{'de\nscr' '<i4', 'fortran_order': False, 'shape': (1,), }", {0, 0, 0, 0});
  REQUIRE_THROWS_MATCHES(golden::parse_npy(b, "k.npy"), golden::FormatError,
                         Message("k.npy: offset 20: header: expected ':' after key 'de\\x0ascr'"));
}
