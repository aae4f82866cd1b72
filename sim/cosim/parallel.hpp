// Independent tasks on worker threads, results in task order: what makes a run's report the same
// for any number of threads. Each worker owns its state (its own Verilated models, each with its
// own VerilatedContext; its own golden values and scoreboard), so nothing is shared but the task
// counter.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace accel::cosim {

// The number of worker threads for --jobs N: N, or the machine's core count for 0; never more
// than there are tasks, at least 1.
inline int worker_count(int jobs, int tasks) {
  const int cores = std::max(1, int(std::thread::hardware_concurrency()));
  return std::max(1, std::min(jobs > 0 ? jobs : cores, tasks));
}

// task(worker, i) for every i in [0, n) on `workers` threads (worker w in [0, workers) is only
// ever called from one thread), handed out in order as workers become free. The calling thread
// waits and calls tick() after each task (one worker: it runs the tasks itself) or about every
// `every` and once at the end (several). If tasks throw, no new task starts and the exception of the lowest-numbered
// failed task is rethrown once all threads have stopped, so the error does not depend on timing.
template <class R>
std::vector<R> parallel_map(int n, int workers, const std::function<R(int worker, int task)>& task,
                            const std::function<void()>& tick,
                            std::chrono::milliseconds every = std::chrono::milliseconds(500)) {
  std::vector<std::optional<R>> out(size_t(std::max(n, 0)));
  std::vector<std::exception_ptr> errors(out.size());
  if (workers <= 1) {
    for (int i = 0; i < n; ++i) {
      out[size_t(i)] = task(0, i);
      tick();
    }
  } else {
    std::atomic<int> next{0};
    std::atomic<bool> failed{false};
    std::mutex m;
    std::condition_variable cv;
    int running = workers;
    const auto work = [&](int w) {
      for (int i; !failed && (i = next++) < n;) {
        try {
          out[size_t(i)] = task(w, i);
        } catch (...) {
          errors[size_t(i)] = std::current_exception();
          failed = true;
        }
      }
      const std::lock_guard<std::mutex> lock(m);
      --running;
      cv.notify_all();
    };
    std::vector<std::thread> threads;
    for (int w = 0; w < workers; ++w) threads.emplace_back(work, w);
    for (std::unique_lock<std::mutex> lock(m); !cv.wait_for(lock, every, [&] { return running == 0; });) {
      lock.unlock();
      tick();
      lock.lock();
    }
    for (std::thread& t : threads) t.join();
    tick();  // the last one, once every task is done
  }
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
  std::vector<R> results;
  results.reserve(out.size());
  for (std::optional<R>& r : out) results.push_back(std::move(*r));
  return results;
}

}  // namespace accel::cosim
