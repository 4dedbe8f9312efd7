#include "tensor/blas_core.h"

#include <cblas.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace convgrad {

namespace {

// SkylakeX's kernels need AVX-512 F, BW, DQ and VL (all of them on Zen 4 and on Intel since Skylake-SP).
bool cpu_has_avx512_for_skylakex() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
#else
  return false;
#endif
}

// The names under which OpenBLAS 0.3.21 runs AVX2 kernels on an AVX-512 CPU it does not know.
bool is_avx2_core(const char* name) { return std::strcmp(name, "Haswell") == 0 || std::strcmp(name, "Zen") == 0; }

}  // namespace

const char* blas_core_name() { return openblas_get_corename(); }

void use_best_blas_kernels(char** argv) {
  bool start_again = false;
  const char* threads = std::getenv("OPENBLAS_NUM_THREADS");
  if (threads == nullptr || std::strcmp(threads, "1") != 0) {  // without OpenBLAS's worker threads
    ::setenv("OPENBLAS_NUM_THREADS", "1", 1);
    start_again = true;
  }
  // Unless the user chose, or OpenBLAS's own choice is already the best it has.
  if (std::getenv("OPENBLAS_CORETYPE") == nullptr && is_avx2_core(blas_core_name()) &&
      cpu_has_avx512_for_skylakex()) {
    ::setenv("OPENBLAS_CORETYPE", "SKYLAKEX", 1);
    start_again = true;
  }
  if (start_again) ::execv("/proc/self/exe", argv);  // returns only on failure: run on as loaded
}

}  // namespace convgrad
