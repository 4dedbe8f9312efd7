// parallel_for: an OpenMP loop that only enters OpenMP when it splits the work.
//
// `#pragma omp parallel for if (false)` still calls into libgomp, which allocates and frees a
// one-thread team on every call (memalign + free, ~1 µs, with malloc consolidating its free
// lists): 3-5% of a training step that runs a dozen such regions per batch, all of them on one
// thread. Here the loop runs plainly on this thread unless it is split.
#pragma once

#include <cstdint>

namespace convgrad {

// body(i) for i in [0, count), over the OpenMP threads when `split` (see worth_parallel).
template <typename Body>
void parallel_for(int64_t count, bool split, const Body& body) {
  if (split && count > 1) {
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < count; ++i) body(i);
  } else {
    for (int64_t i = 0; i < count; ++i) body(i);
  }
}

}  // namespace convgrad
