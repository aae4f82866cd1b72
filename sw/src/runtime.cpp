#include <fmt/format.h>

#include <accel/runtime.hpp>
#include <algorithm>
#include <optional>
#include <chrono>

namespace accel {

namespace {

golden::Tensor make_tensor(const std::vector<int>& shape) {
  golden::Tensor t;
  t.shape = shape;
  size_t n = 1;
  for (int d : shape) n *= size_t(d);
  t.data.assign(n, 0);
  return t;
}

void check_device(const Schedule& s, const Device& dev) {
  const CoreConfig& cfg = s.config;
  if (!dev.config().same_shape(cfg))
    throw std::invalid_argument(
        fmt::format("schedule for core '{}' played on a '{}' {} device", cfg.name, dev.config().name, dev.name()));
}

// The events name existing passes and reads, lie inside the schedule and are in slot order, at
// most one psum row and one out row per slot.
void check_events(const Schedule& s) {
  uint64_t last[2] = {0, 0};
  bool seen[2] = {false, false};
  for (size_t k = 0; k < s.events.size(); ++k) {
    const Event& e = s.events[k];
    const unsigned kind = e.kind == EventKind::Psum ? 0 : 1;
    const bool known = kind == 0 ? e.ref < s.passes.size() && e.vec < s.passes[e.ref].count : e.ref < s.reads.size();
    const char* what = !known                                   ? "names no pass vector or read"
                       : e.slot >= s.size()                     ? "lies past the schedule's end"
                       : k > 0 && e.slot < s.events[k - 1].slot ? "is out of slot order"
                       : seen[kind] && e.slot <= last[kind]     ? "repeats a slot of its kind"
                                                                : nullptr;
    if (what)
      throw std::invalid_argument(
          fmt::format("layer '{}': schedule event {} (slot {}) {}", s.layer_name, k, e.slot, what));
    last[kind] = e.slot;
    seen[kind] = true;
  }
}

// One play: walks the schedule's events along the steps, hands each row to the observer, checks
// the protocol (a row where none is due, none where one is) and assembles the outputs.
class Player {
 public:
  Player(const Schedule& s, RunObserver* obs, PlayResult& res) : s_(s), obs_(obs), res_(res) {
    for (size_t i = 0; i < s.images.size(); ++i) res.outputs.push_back(make_tensor(s.out_shape));
  }

  // What the device showed after the step of schedule slot t.
  void after_step(uint64_t t, const StepResult& r) {
    const Event* due[2] = {nullptr, nullptr};  // psum, out
    for (; next_ < s_.events.size() && s_.events[next_].slot == t; ++next_)
      due[s_.events[next_].kind == EventKind::Psum ? 0 : 1] = &s_.events[next_];
    psum_row(t, due[0], r.psum);
    out_row(t, due[1], r.out);
  }

 private:
  void protocol(uint64_t t, const std::string& what) {
    ++res_.protocol_errors;
    if (obs_) obs_->on_protocol(s_, t, what);
  }

  void psum_row(uint64_t t, const Event* e, const int64_t* row) {
    if (!e) {
      if (row) protocol(t, fmt::format("psum row after the step of slot {}, where the schedule expects none", t));
    } else if (!row) {
      protocol(t, fmt::format("no psum row after the step of slot {} (of_rd in slot {})", t,
                              s_.passes[e->ref].of_rd_slot(e->vec)));
    } else {
      ++res_.psum_rows;
      if (obs_) obs_->on_psum(s_, *e, {row, s_.config.cols});
    }
  }

  void out_row(uint64_t t, const Event* e, const int64_t* row) {
    if (!e) {
      if (row) protocol(t, fmt::format("out row after the step of slot {}, where the schedule expects none", t));
    } else if (!row) {
      protocol(t, fmt::format("no out row after the step of slot {} (out_rd in slot {})", t, s_.reads[e->ref].slot));
    } else {
      ++res_.out_rows;
      store(s_.reads[e->ref], row);
      if (obs_) obs_->on_out(s_, *e, {row, s_.config.cols});
    }
  }

  // Lanes 0 .. o1 - o0 of an out row into the image's output tensor.
  void store(const OutRead& rd, const int64_t* row) {
    const Item& it = s_.items[rd.item];
    golden::Tensor& o = res_.outputs[it.image];
    const bool conv = s_.out_shape.size() == 3;
    for (int c = 0; c < rd.o1 - rd.o0; ++c) {
      const size_t idx = conv ? (size_t(rd.o0 + c) * o.shape[1] + it.y) * o.shape[2] + it.x : size_t(rd.o0 + c);
      o.data[idx] = row[c];
    }
  }

  const Schedule& s_;
  RunObserver* obs_;
  PlayResult& res_;
  size_t next_ = 0;  // the first event not yet due
};

// The device's counters after the schedule against those its instructions imply, one category per
// slot (CounterTrack): a counter the hardware attributes wrongly is a protocol error of the
// schedule's last slot, like a row shown where none is due.
// want: what the instructions imply (CounterTrack, counted while they were played).
void check_counters(const Schedule& s, const Counters& want, PlayResult& res, RunObserver* observer) {
  std::string diff;
  for (unsigned k = 0; k < kNumCounters; ++k)
    if (want[k] != res.counters[k])
      diff += fmt::format("{}{} {} (device) vs {} (instructions)", diff.empty() ? "" : ", ", kCounterNames[k],
                          res.counters[k], want[k]);
  if (diff.empty()) return;
  ++res.protocol_errors;
  const uint64_t last = s.size() ? s.size() - 1 : 0;
  if (observer) observer->on_protocol(s, last, "performance counters differ from the schedule: " + diff);
}

}  // namespace

PlayResult play(const Schedule& s, Device& dev, RunObserver* observer) {
  check_device(s, dev);
  check_events(s);
  PlayResult res;
  res.slots = s.size();
  Player player(s, observer, res);
  uint64_t t = 0;
  Counters want{};
  CounterTrack track(s.config.rows, s.config.cols);
  const auto start = std::chrono::steady_clock::now();
  try {
    dev.reset();
    Instr clr;
    clr.ctr_clr = true;
    dev.step(clr, {});
    // Counted as played: a second walk over a long schedule cost more than the counting.
    for (const uint64_t n = s.size(); t < n; ++t) {
      const Instr& instr = s.instrs[t];
      track.count(instr, want);
      player.after_step(t, dev.step(instr, s.data_at(t)));
    }
    dev.step(Instr{}, {});
  } catch (const PlayError&) {
    throw;
  } catch (const std::exception& e) {
    const std::string where = t < s.size() ? to_string(s.instrs[t]) : "the closing no-op";
    throw PlayError(fmt::format("layer '{}' on the {} device, schedule slot {} ({}): {}", s.layer_name, dev.name(), t,
                                where, e.what()),
                    t);
  }
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  res.counters = dev.counters();
  check_counters(s, want, res, observer);
  return res;
}

golden::Tensor input_tensor(const golden::Model& model, std::span<const uint8_t> pixels) {
  if (model.input.size() != 3) throw std::invalid_argument("model input is not {C, H, W}");
  golden::Tensor t = make_tensor(model.input);
  if (pixels.size() != t.data.size())
    throw std::invalid_argument(
        fmt::format("image has {} pixels, model '{}' takes {}", pixels.size(), model.name, t.data.size()));
  const int drop = 8 - model.precision.act_bits;
  for (size_t i = 0; i < pixels.size(); ++i) t.data[i] = pixels[i] >> drop;
  return t;
}

golden::Tensor host_maxpool(const golden::Tensor& in, int kernel, int stride) {
  if (in.rank() != 3 || kernel < 1 || stride < 1 || in.shape[1] < kernel || in.shape[2] < kernel)
    throw std::invalid_argument("host_maxpool: needs a {C, H, W} input at least kernel x kernel");
  const int C = in.shape[0], H = in.shape[1], W = in.shape[2];
  const int OH = (H - kernel) / stride + 1, OW = (W - kernel) / stride + 1;
  golden::Tensor out = make_tensor({C, OH, OW});
  for (int c = 0; c < C; ++c)
    for (int y = 0; y < OH; ++y)
      for (int x = 0; x < OW; ++x) {
        int64_t m = in.at(c, y * stride, x * stride);
        for (int ky = 0; ky < kernel; ++ky)
          for (int kx = 0; kx < kernel; ++kx) m = std::max(m, in.at(c, y * stride + ky, x * stride + kx));
        out.at(c, y, x) = m;
      }
  return out;
}

golden::Tensor host_flatten(const golden::Tensor& in) {
  golden::Tensor out;
  out.shape = {static_cast<int>(in.data.size())};
  out.data = in.data;  // C order {C, H, W} is already index c*H*W + y*W + x
  return out;
}

double ModelRun::utilization() const {
  double macs = 0, denom = 0;
  for (const LayerReport& l : layers) {
    if (l.device == "host") continue;
    macs += double(l.macs);
    denom += double(l.peak_macs()) * double(l.total());
  }
  return denom > 0 ? macs / denom : 0.0;
}

uint64_t ModelRun::total_cycles() const {
  uint64_t t = 0;
  for (const LayerReport& l : layers) t += l.total();
  return t;
}

namespace {

// Max-pool or flatten of every image's activations, on the host.
void run_host_layer(const golden::Layer& layer, std::vector<golden::Tensor>& acts) {
  for (auto& a : acts) {
    switch (layer.type) {
      case golden::LayerType::maxpool2d:
        a = host_maxpool(a, layer.kernel, layer.stride);
        break;
      case golden::LayerType::flatten:
        a = host_flatten(a);
        break;
      case golden::LayerType::conv2d:
      case golden::LayerType::linear:
        throw std::logic_error(
            fmt::format("layer '{}': a {} does not run on the host", layer.name, golden::layer_type_name(layer.type)));
    }
  }
}

// Images per schedule: conv layers are tiled image after image (their cost does not depend on the
// batch), linear layers take the batch.
int images_per_schedule(const golden::Layer& layer, const RunOptions& options, size_t images) {
  switch (layer.type) {
    case golden::LayerType::conv2d:
      return std::max(1, options.conv_images_per_schedule);
    case golden::LayerType::linear:
      return options.linear_images_per_schedule > 0 ? options.linear_images_per_schedule : int(images);
    case golden::LayerType::maxpool2d:
    case golden::LayerType::flatten:
      throw std::logic_error(
          fmt::format("layer '{}': a {} is not tiled", layer.name, golden::layer_type_name(layer.type)));
  }
  golden::throw_bad_layer_type(layer);
}

// A conv2d/linear layer on `dev`, schedule after schedule; acts become the layer's outputs.
void run_device_layer(const golden::Model& model, int li, Device& dev, std::vector<golden::Tensor>& acts,
                      std::span<const int> ids, RunObserver* observer, const RunOptions& options, LayerReport& rep,
                      ModelRun& run) {
  const golden::Layer& layer = model.layers[size_t(li)];
  rep.device = std::string(dev.name());
  rep.rows = dev.config().rows;
  rep.cols = dev.config().cols;
  rep.estimates = estimate_layer(dev.config(), layer, int(acts.size()), options.tiler.simd);
  const size_t per = size_t(images_per_schedule(layer, options, acts.size()));
  std::vector<golden::Tensor> next(acts.size());
  // Schedules of the same number of images differ in their activations only: the first is tiled,
  // the next ones are retiled from it.
  std::optional<Schedule> sched;
  for (size_t i0 = 0; i0 < acts.size(); i0 += per) {
    const size_t n = std::min(acts.size() - i0, per);
    const std::span<const golden::Tensor> in = std::span(acts).subspan(i0, n);
    if (sched && sched->images.size() == n)
      retile(*sched, in, ids.subspan(i0, n));
    else
      sched = tile_layer(dev.config(), layer, model.precision, in, ids.subspan(i0, n), li, options.tiler);
    const Schedule& s = *sched;
    PlayResult pr = play(s, dev, observer);
    rep.dataflow = s.dataflow;
    rep.strategy = s.strategy;
    rep.lanes = lanes(s.simd);
    rep.schedules += 1;
    rep.macs += s.macs;
    for (unsigned k = 0; k < kNumCounters; ++k) rep.counters[k] += pr.counters[k];
    rep.psum_rows += pr.psum_rows;
    rep.out_rows += pr.out_rows;
    rep.seconds += pr.seconds;
    run.protocol_errors += pr.protocol_errors;
    for (size_t k = 0; k < n; ++k) next[i0 + k] = std::move(pr.outputs[k]);
  }
  acts = std::move(next);
}

}  // namespace

ModelRun run_model(const golden::Model& model, std::span<const std::span<const uint8_t>> images,
                   const DeviceFor& device_for, RunObserver* observer, const RunOptions& options,
                   std::span<const int> image_ids) {
  if (!image_ids.empty() && image_ids.size() != images.size())
    throw std::invalid_argument("run_model: image_ids and images differ in size");
  std::vector<int> ids(images.size());
  for (size_t i = 0; i < images.size(); ++i) ids[i] = image_ids.empty() ? int(i) : image_ids[i];

  std::vector<golden::Tensor> acts;
  acts.reserve(images.size());
  for (auto px : images) acts.push_back(input_tensor(model, px));

  ModelRun run;
  for (size_t li = 0; li < model.layers.size(); ++li) {
    const golden::Layer& layer = model.layers[li];
    LayerReport rep;
    rep.index = int(li);
    rep.name = layer.name;
    rep.describe = layer.describe();
    rep.images = int(images.size());
    if (layer.has_weights()) {
      if (options.layer_input)
        for (size_t k = 0; k < acts.size(); ++k) acts[k] = options.layer_input(int(li), ids[k]);
      run_device_layer(model, int(li), device_for(layer, int(li)), acts, ids, observer, options, rep, run);
    } else {
      rep.device = "host";
      run_host_layer(layer, acts);
    }
    run.layers.push_back(std::move(rep));
  }
  for (auto& a : acts) {
    int best = 0;
    for (size_t c = 1; c < a.data.size(); ++c)
      if (a.data[c] > a.data[size_t(best)]) best = int(c);  // strict: the lowest index wins ties
    run.predicted.push_back(best);
    run.logits.push_back(std::move(a.data));
  }
  return run;
}

}  // namespace accel
