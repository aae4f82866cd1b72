#include <fmt/format.h>

#include <accel/scoreboard.hpp>
#include <algorithm>
#include <golden/partial.hpp>
#include <stdexcept>

namespace accel {

// ------------------------------------------------------------------------------------------------
// Expected values
// ------------------------------------------------------------------------------------------------
GoldenModelValues::GoldenModelValues(const golden::Model& model, std::span<const std::span<const uint8_t>> images,
                                     std::span<const int> image_ids)
    : model_(model) {
  if (!image_ids.empty() && image_ids.size() != images.size())
    throw std::invalid_argument("GoldenModelValues: image_ids and images differ in size");
  for (size_t i = 0; i < images.size(); ++i)
    traces_.emplace(image_ids.empty() ? int(i) : image_ids[i], golden::run_network(model, images[i]));
}

const golden::NetworkTrace& GoldenModelValues::trace(int image) const {
  auto it = traces_.find(image);
  if (it == traces_.end()) throw std::out_of_range(fmt::format("no golden trace of image {}", image));
  return it->second;
}

const golden::Tensor& GoldenModelValues::input(int layer_index, const golden::Layer&, int image) {
  return trace(image).input_of(size_t(layer_index));
}

const golden::Tensor& GoldenModelValues::output(int layer_index, const golden::Layer&, int image) {
  return trace(image).layers.at(size_t(layer_index)).output;
}

GoldenLayerValues::GoldenLayerValues(const golden::Layer& layer, const golden::Precision& prec,
                                     std::span<const golden::Tensor> inputs, std::span<const int> image_ids)
    : layer_(layer), prec_(prec) {
  if (!image_ids.empty() && image_ids.size() != inputs.size())
    throw std::invalid_argument("GoldenLayerValues: image_ids and inputs differ in size");
  for (size_t i = 0; i < inputs.size(); ++i)
    io_.emplace(image_ids.empty() ? int(i) : image_ids[i],
                std::make_pair(inputs[i], golden::apply_layer(layer, prec, inputs[i])));
}

const golden::Tensor& GoldenLayerValues::input(int, const golden::Layer&, int image) {
  auto it = io_.find(image);
  if (it == io_.end()) throw std::out_of_range(fmt::format("layer '{}': no input for image {}", layer_.name, image));
  return it->second.first;
}

const golden::Tensor& GoldenLayerValues::output(int, const golden::Layer&, int image) {
  auto it = io_.find(image);
  if (it == io_.end()) throw std::out_of_range(fmt::format("layer '{}': no output for image {}", layer_.name, image));
  return it->second.second;
}

// ------------------------------------------------------------------------------------------------
// Scoreboard
// ------------------------------------------------------------------------------------------------
namespace {

// A mismatch of `kind` in the layer of s for `image`; the caller fills in the rest of its place.
Mismatch mismatch_in(const Schedule& s, Mismatch::Kind kind, int image) {
  Mismatch m;
  m.kind = kind;
  m.layer_index = s.layer_index;
  m.layer = s.layer_name;
  m.image = image;
  m.strategy = s.strategy;
  return m;
}

// Trace windows, as [first, last) slots: from a few slots before the instruction a row answers
// (its l0_rd or out_rd) to a few after the row is visible. Margins only: the timing is the event's.
constexpr uint64_t kBefore = 8, kOutBefore = 64, kProtocolBefore = 32, kAfter = 8;

std::pair<uint64_t, uint64_t> window(uint64_t issue, uint64_t visible, uint64_t before) {
  return {issue > before ? issue - before : 0, visible + kAfter};
}

// Both windows of the row of event e.
void set_windows(Mismatch& m, const Event& e) {
  const uint64_t before = e.kind == EventKind::Psum ? kBefore : kOutBefore;
  m.schedule_window = window(e.issue(), e.slot, before);
  m.window = window(e.solo_issue(), e.solo, before);
}

// Channels o0 .. o0 + n - 1 of a layer-wide tensor, {O, OH, OW} (conv2d) or {O} (linear), at
// item it, into dst.
void channels_at(const golden::Tensor& e, const Item& it, int o0, int n, int64_t* dst) {
  const bool conv = it.y >= 0;
  const size_t stride = conv ? size_t(e.shape[1]) * e.shape[2] : 1;
  const int64_t* src = e.data.data() + (conv ? (size_t(o0) * e.shape[1] + it.y) * e.shape[2] + it.x : size_t(o0));
  for (int c = 0; c < n; ++c) dst[c] = src[size_t(c) * stride];
}

}  // namespace

Scoreboard::Scoreboard(ExpectedValues& expected, ScoreboardOptions options)
    : expected_(expected), opt_(std::move(options)) {}

// The golden partial sum of one reduction slice for one image over every output channel:
// {O, OH, OW} (conv2d) or {O} (linear).
const golden::Tensor& Scoreboard::expected_slice(const Schedule& s, const Slice& sl, int image) {
  if (s.layer != cache_layer_ || cache_values_ > (size_t{8} << 20)) {
    cache_.clear();
    inputs_.clear();
    cache_values_ = 0;
    cache_layer_ = s.layer;
    last_ = nullptr;
  }
  const SliceKey key{s.strategy, sl.red_tile, sl.ky, sl.kx, image};
  if (last_ && last_key_ == key) return *last_;  // rows of one pass come one after another
  auto it = cache_.find(key);
  if (it != cache_.end()) {
    last_key_ = key;
    return *(last_ = &it->second);
  }
  const golden::Layer& layer = *s.layer;
  auto in = inputs_.find(image);
  if (in == inputs_.end())  // the image's input, checked and padded once for all its slices
    in = inputs_.try_emplace(image, layer, expected_.precision(), expected_.input(s.layer_index, layer, image)).first;
  const golden::LayerPartials& partial = in->second;
  const int outs = layer.outputs();
  golden::Tensor value;
  switch (s.strategy) {
    case Strategy::Linear:
      value = partial(golden::LinearSlice{sl.r0, sl.r1, 0, outs});
      break;
    case Strategy::KernelMajor:
      value = partial(golden::ConvSlice{sl.r0, sl.r1, {{sl.ky, sl.kx}}, 0, outs});
      break;
    case Strategy::Im2col:
      value = partial(golden::im2col_terms(layer.in_channels, layer.kernel, sl.r0, sl.r1), 0, outs);
      break;
  }
  cache_values_ += value.data.size();
  last_key_ = key;
  return *(last_ = &cache_.emplace(key, std::move(value)).first->second);
}

void Scoreboard::on_psum(const Schedule& s, const Event& e, std::span<const int64_t> row) {
  const Pass& pass = s.passes[e.ref];
  const Slice& sl = s.slices[pass.slice];
  const Item& it = s.item_of(e);
  const int image = s.images[it.image];
  const golden::Tensor& exp = expected_slice(s, sl, image);
  const unsigned cols = s.config.cols;
  const int n = sl.o1 - sl.o0;
  row_.assign(cols, 0);  // columns past the layer's outputs carry zero weights: their psums are 0
  channels_at(exp, it, sl.o0, n, row_.data());

  // The place is made only when it is needed (a tamper hook, a mismatch): most rows agree.
  const auto place_of = [&] {
    Mismatch place = mismatch_in(s, Mismatch::Kind::Psum, image);
    place.slice = sl;
    place.y = it.y;
    place.x = it.x;
    place.slot = pass.of_rd_slot(e.vec);
    set_windows(place, e);
    return place;
  };
  if (tamper_psum) tamper_psum(place_of(), row_);
  psum_checked_ += cols;
  if (std::equal(row_.begin(), row_.end(), row.begin())) return;
  const Mismatch place = place_of();
  for (unsigned c = 0; c < cols; ++c) {
    if (row[c] == row_[c]) continue;
    Mismatch m = place;
    m.column = int(c);
    m.channel = int(c) < n ? sl.o0 + int(c) : -1;
    m.device = row[c];
    m.expected = row_[c];
    record(std::move(m), s);
  }
}

void Scoreboard::on_out(const Schedule& s, const Event& e, std::span<const int64_t> row) {
  const OutRead& rd = s.reads[e.ref];
  const Item& it = s.items[rd.item];
  const int image = s.images[it.image];
  const golden::Tensor& exp = expected_.output(s.layer_index, *s.layer, image);
  const int n = rd.o1 - rd.o0;
  row_.assign(size_t(n), 0);
  channels_at(exp, it, rd.o0, n, row_.data());

  const auto place_of = [&] {
    Mismatch place = mismatch_in(s, Mismatch::Kind::Output, image);
    place.slice.out_tile = rd.out_tile;
    place.slice.o0 = rd.o0;
    place.slice.o1 = rd.o1;
    place.y = it.y;
    place.x = it.x;
    place.slot = rd.slot;
    set_windows(place, e);
    return place;
  };
  if (tamper_output) tamper_output(place_of(), row_);
  out_checked_ += uint64_t(n);
  if (std::equal(row_.begin(), row_.end(), row.begin())) return;
  const Mismatch place = place_of();
  for (int c = 0; c < n; ++c) {
    if (row[size_t(c)] == row_[size_t(c)]) continue;
    Mismatch m = place;
    m.column = c;
    m.channel = rd.o0 + c;
    m.device = row[size_t(c)];
    m.expected = row_[size_t(c)];
    record(std::move(m), s);
  }
}

void Scoreboard::on_protocol(const Schedule& s, uint64_t slot, const std::string& what) {
  Mismatch m = mismatch_in(s, Mismatch::Kind::Protocol, s.images.empty() ? 0 : s.images.front());
  m.slot = slot;
  m.what = what;
  m.schedule_window = window(slot, slot, kProtocolBefore);
  // No event to map into the single-image schedule: only a schedule of one image is that schedule.
  if (s.images.size() == 1) m.window = m.schedule_window;
  record(std::move(m), s);
}

void Scoreboard::record(Mismatch m, const Schedule& s) {
  ++mismatches_;
  if (kept_.size() >= opt_.max_keep) return;
  if (m.kind == Mismatch::Kind::Psum) m.tile = s.describe(m.slice);
  kept_.push_back(std::move(m));
}

std::string Scoreboard::format(const Mismatch& m) {
  const std::string pos = m.y >= 0 ? fmt::format(" (y {}, x {})", m.y, m.x) : "";
  switch (m.kind) {
    case Mismatch::Kind::Psum:
      return fmt::format(
          "{} image {} psum: tile {} [{} tile {}, oc tile {}{}], column {}{}, output{}, of_rd slot {}: "
          "device {}, expected {}",
          m.layer, m.image, m.tile,
          m.strategy == Strategy::Im2col ? "row" : (m.strategy == Strategy::Linear ? "in" : "ic"), m.slice.red_tile,
          m.slice.out_tile, m.slice.ky >= 0 ? fmt::format(", kernel position ({},{})", m.slice.ky, m.slice.kx) : "",
          m.column, m.channel >= 0 ? fmt::format(" (channel {})", m.channel) : " (padding column)", pos, m.slot,
          m.device, m.expected);
    case Mismatch::Kind::Output:
      return fmt::format(
          "{} image {} output: channel {}{} [oc tile {}, column {}], out_rd slot {}: device {}, expected {}", m.layer,
          m.image, m.channel, pos, m.slice.out_tile, m.column, m.slot, m.device, m.expected);
    case Mismatch::Kind::Protocol:
      return fmt::format("{} protocol, slot {}: {}", m.layer, m.slot, m.what);
  }
  return {};
}

std::string Scoreboard::report() const {
  std::string s = fmt::format("scoreboard: {} psum values and {} outputs checked, {} mismatches\n", psum_checked_,
                              out_checked_, mismatches_);
  const size_t n = std::min(kept_.size(), opt_.max_print);
  for (size_t i = 0; i < n; ++i) s += "  " + format(kept_[i]) + "\n";
  if (mismatches_ > n) s += fmt::format("  ... and {} more\n", mismatches_ - n);
  return s;
}

}  // namespace accel
