// The sanitized build's canary (docs/sanitizers.md): each mode commits one bug the sanitizers
// must report, so the suite shows that a report in our code fails a test. Built and registered
// only with ACCEL_SANITIZE=ON (make test SANITIZE=1); tests/sanitizers/expect_report.sh runs it.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace {

struct Node {
  int value;
};

// noinline and the command-line argument keep the compiler from proving or removing the bug.
__attribute__((noinline)) int overflow(int x) { return x + std::numeric_limits<int>::max(); }
__attribute__((noinline)) int member(const Node* n) { return n->value; }
__attribute__((noinline)) int* array(int n) { return new int[static_cast<size_t>(n)]; }
__attribute__((noinline)) void leak(int x) {
  void* volatile p = std::malloc(static_cast<size_t>(1000 * x));
  (void)p;
}
__attribute__((noinline)) int* local_address(int x) {
  int local = x;
  int* volatile p = &local;
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  const int one = argc;  // 2 when a mode is given: not a constant the compiler can fold
  if (std::strcmp(mode, "signed-overflow") == 0) {
    std::printf("%d\n", overflow(one));
  } else if (std::strcmp(mode, "null") == 0) {
    const Node* n = one > 100 ? new Node{1} : nullptr;
    std::printf("%d\n", member(n));
  } else if (std::strcmp(mode, "heap-overflow") == 0) {
    int* a = array(4);  // a size the compiler cannot see: ASan reports, not UBSan's object-size
    std::printf("%d\n", a[one + 2]);
    delete[] a;
  } else if (std::strcmp(mode, "use-after-return") == 0) {
    std::printf("%d\n", *local_address(one));
  } else if (std::strcmp(mode, "leak") == 0) {
    leak(one);
  } else {
    std::fprintf(stderr, "error: canary: unknown mode '%s'\n", mode);
    return 2;
  }
  return 0;
}
