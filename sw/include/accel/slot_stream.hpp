// The core's input, slot by slot: one instruction per slot and the data_i word of the slots that
// use it. The one stream type of the project: the tiler emits it (a Schedule is a SlotStream with
// the metadata of its rows), tests and tools build it by hand (at(n), set_data(n, ...)), and the
// runtime and the harness play it.
#pragma once

#include <accel/device.hpp>
#include <accel/isa.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace accel {

inline constexpr uint32_t kNoData = std::numeric_limits<uint32_t>::max();

struct SlotStream {
  CoreConfig config{};
  // The data word of slot t is data[data_of[t] * data_words(config) ...].
  std::vector<Instr> instrs;
  std::vector<uint32_t> data_of;  // per slot, kNoData when the slot does not use data_i
  std::vector<uint32_t> data;     // data_words(config) uint32 per entry

  SlotStream() = default;
  explicit SlotStream(const CoreConfig& c) : config(c) {}

  size_t size() const { return instrs.size(); }
  DataSpan data_at(size_t slot) const {
    const uint32_t i = slot < data_of.size() ? data_of[slot] : kNoData;
    if (i == kNoData) return {};
    const unsigned w = data_words(config);
    return {data.data() + size_t(i) * w, w};
  }
  bool has_data(size_t slot) const { return slot < data_of.size() && data_of[slot] != kNoData; }

  // The instruction of slot n; the stream grows with no-ops as needed.
  Instr& at(size_t n) {
    grow(n);
    return instrs[n];
  }
  // data_i of slot n (low words first; missing words are zero). data_i is one word per slot:
  // std::logic_error if slot n already has one.
  void set_data(size_t n, std::span<const uint32_t> words) {
    grow(n);
    if (data_of[n] != kNoData) throw std::logic_error("slot " + std::to_string(n) + " already uses data_i");
    const unsigned w = data_words(config);
    data_of[n] = uint32_t(data.size() / w);
    const size_t at = data.size();
    data.resize(at + w, 0u);
    std::copy_n(words.begin(), std::min<size_t>(w, words.size()), data.begin() + at);
  }
  void set_data(size_t n, const BitVec& d) { set_data(n, std::span<const uint32_t>(d.words())); }

 private:
  void grow(size_t n) {
    if (n >= instrs.size()) instrs.resize(n + 1);
    if (n >= data_of.size()) data_of.resize(instrs.size(), kNoData);
  }
};

}  // namespace accel
