#include <fmt/format.h>

#include <accel/runtime.hpp>
#include <algorithm>
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

std::string instr_str(const Instr& in) {
  std::string s;
  auto add = [&](std::string_view f) {
    if (!s.empty()) s += ' ';
    s += f;
  };
  if (in.xmem_wr) add(fmt::format("xmem_wr {}", in.xmem_wr_addr));
  if (in.xmem_rd) add(fmt::format("xmem_rd {}", in.xmem_rd_addr));
  if (in.w_load) add("w_load");
  if (in.w_commit) add(fmt::format("w_commit {}", in.w_buf));
  if (in.l0_rd) add(fmt::format("l0_rd wsel {}", in.l0_wsel));
  if (in.of_rd) add(fmt::format("of_rd {} {}", in.of_acc ? "acc" : "set", in.of_addr));
  if (in.out_rd) add(fmt::format("out_rd {}{}{}", in.out_addr, in.out_raw ? " raw" : "", in.out_relu ? " relu" : ""));
  if (in.par_wr) add(fmt::format("par_wr col {} sel {}", in.par_col, static_cast<unsigned>(in.par_sel)));
  if (in.ctr_clr) add("ctr_clr");
  return s.empty() ? "no-op" : s;
}

}  // namespace

PlayResult play(const Schedule& s, Device& dev, RunObserver* obs) {
  const CoreConfig& cfg = s.config;
  if (dev.config().rows != cfg.rows || dev.config().cols != cfg.cols || dev.config().act_bits != cfg.act_bits ||
      dev.config().weight_bits != cfg.weight_bits || dev.config().psum_bits != cfg.psum_bits ||
      dev.config().xmem_depth != cfg.xmem_depth || dev.config().pmem_depth != cfg.pmem_depth)
    throw std::invalid_argument(
        fmt::format("schedule for core '{}' played on a '{}' {} device", cfg.name, dev.config().name, dev.name()));
  PlayResult res;
  res.slots = s.size();
  for (size_t i = 0; i < s.images.size(); ++i) res.outputs.push_back(make_tensor(s.out_shape));
  const unsigned cols = cfg.cols;
  const uint64_t rc = lat::l0rd_to_ofrd(cfg);
  const bool conv = s.out_shape.size() == 3;

  // Cursors on the next psum row and out row due, as "visible after the step of slot" numbers.
  constexpr uint64_t kNone = ~uint64_t{0};
  size_t pi = 0, ri = 0;
  uint32_t vi = 0;
  auto next_psum = [&]() -> uint64_t {
    while (pi < s.passes.size() && vi >= s.passes[pi].count) {
      ++pi;
      vi = 0;
    }
    return pi < s.passes.size() ? s.passes[pi].first_l0rd + vi + rc + lat::kOfRdToPsumOut : kNone;
  };
  auto next_out = [&]() -> uint64_t { return ri < s.reads.size() ? s.reads[ri].slot + lat::kOutRdToOut : kNone; };
  uint64_t due_psum = next_psum(), due_out = next_out();

  auto protocol = [&](uint64_t t, const std::string& what) {
    ++res.protocol_errors;
    if (obs) obs->on_protocol(s, t, what);
  };

  uint64_t t = 0;
  const auto start = std::chrono::steady_clock::now();
  try {
    dev.reset();
    Instr clr;
    clr.ctr_clr = true;
    dev.step(clr, {});
    const uint64_t n = s.size();
    for (; t < n; ++t) {
      const StepResult r = dev.step(s.instrs[t], s.data_at(t));
      if (t == due_psum) {
        if (!r.psum) {
          protocol(t, fmt::format("no psum row after the step of slot {} (of_rd in slot {})", t, t - 1));
        } else {
          ++res.psum_rows;
          if (obs) obs->on_psum(s, s.passes[pi], vi, {r.psum, cols});
        }
        ++vi;
        due_psum = next_psum();
      } else if (r.psum) {
        protocol(t, fmt::format("psum row after the step of slot {}, but slot {} has no of_rd", t, t - 1));
      }
      if (t == due_out) {
        const OutRead& rd = s.reads[ri];
        if (!r.out) {
          protocol(t, fmt::format("no out row after the step of slot {} (out_rd in slot {})", t, rd.slot));
        } else {
          ++res.out_rows;
          golden::Tensor& o = res.outputs[s.items[rd.item].image];
          const Item& it = s.items[rd.item];
          for (int c = 0; c < rd.o1 - rd.o0; ++c) {
            const size_t idx = conv ? (size_t(rd.o0 + c) * o.shape[1] + it.y) * o.shape[2] + it.x : size_t(rd.o0 + c);
            o.data[idx] = r.out[c];
          }
          if (obs) obs->on_out(s, rd, {r.out, cols});
        }
        ++ri;
        due_out = next_out();
      } else if (r.out) {
        protocol(t, fmt::format("out row after the step of slot {}, but slot {} has no out_rd", t, t - 2));
      }
    }
    dev.step(Instr{}, {});
  } catch (const PlayError&) {
    throw;
  } catch (const std::exception& e) {
    const std::string where = t < s.size() ? instr_str(s.instrs[t]) : "the closing no-op";
    throw PlayError(fmt::format("layer '{}' on the {} device, schedule slot {} ({}): {}", s.layer_name, dev.name(), t,
                                where, e.what()),
                    t);
  }
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  res.counters = dev.counters();
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
    denom += double(l.rows) * l.cols * double(l.total());
  }
  return denom > 0 ? macs / denom : 0.0;
}

uint64_t ModelRun::total_cycles() const {
  uint64_t t = 0;
  for (const LayerReport& l : layers) t += l.total();
  return t;
}

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
    if (!layer.has_weights()) {
      rep.device = "host";
      for (auto& a : acts)
        a = layer.type == golden::LayerType::maxpool2d ? host_maxpool(a, layer.kernel, layer.stride) : host_flatten(a);
      run.layers.push_back(std::move(rep));
      continue;
    }
    Device& dev = device_for(layer, int(li));
    rep.device = std::string(dev.name());
    rep.rows = dev.config().rows;
    rep.cols = dev.config().cols;
    rep.estimates = estimate_layer(dev.config(), layer, int(images.size()));
    const int per =
        layer.type == golden::LayerType::conv2d
            ? std::max(1, options.conv_images_per_schedule)
            : (options.linear_images_per_schedule > 0 ? options.linear_images_per_schedule : int(images.size()));
    std::vector<golden::Tensor> next(acts.size());
    for (size_t i0 = 0; i0 < acts.size(); i0 += size_t(per)) {
      const size_t n = std::min(acts.size() - i0, size_t(per));
      const Schedule s = tile_layer(dev.config(), layer, model.precision, std::span(acts).subspan(i0, n),
                                    std::span<const int>(ids).subspan(i0, n), int(li), options.tiler);
      PlayResult pr = play(s, dev, observer);
      rep.strategy = s.strategy;
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
