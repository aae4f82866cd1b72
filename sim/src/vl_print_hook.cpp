// Captures Verilator's runtime messages (see vl_print_hook.h).
#include "vl_print_hook.h"

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <string>

namespace {
// Per thread: a model runs on its caller's thread (cosim --jobs runs one model per worker thread),
// so the messages of one model's eval are taken by the same thread.
thread_local std::string g_messages;  // since the last take, capped
std::atomic<bool> g_echo{true};
constexpr std::size_t kMaxKept = 1 << 16;
}  // namespace

int accel_vl_printf(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  va_list ap2;
  va_copy(ap2, ap);
  const int n = std::vsnprintf(nullptr, 0, fmt, ap);
  va_end(ap);
  std::string s(n > 0 ? static_cast<std::size_t>(n) : 0u, '\0');
  if (n > 0) std::vsnprintf(s.data(), s.size() + 1, fmt, ap2);
  va_end(ap2);
  if (g_echo) {
    std::fputs(s.c_str(), stdout);
    std::fflush(stdout);
  }
  if (g_messages.size() < kMaxKept) g_messages += s;
  return n;
}

namespace accel::sim::detail {
std::string take_vl_messages() {
  std::string s;
  s.swap(g_messages);
  return s;
}
void set_vl_echo(bool on) { g_echo = on; }
}  // namespace accel::sim::detail
