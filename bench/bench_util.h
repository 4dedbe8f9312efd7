// bench/ — timings of convgrad on the coursework's own shapes (convgrad-bench), and a
// side-by-side comparison with PyTorch (compare_torch.py, dev-only).
//
// Plain std::chrono timers. Every item is warmed up first, then measured `repeats` times;
// each measurement (a "sample") runs the item enough times to last a few milliseconds and
// records the time per run. The report gives the minimum and the median of the samples:
// the machine is shared, so the minimum is the best guess of the real cost and the median
// says how noisy the run was.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

namespace convgrad::bench {

struct Stats {
  double min = 0.0;     // seconds per run
  double median = 0.0;
  int samples = 0;
  int runs_per_sample = 1;
};

// The clock: wall time (what a user waits), or with --cpu-time the CPU time of the whole
// process (all its threads). On a machine shared with other work, CPU time leaves out the
// time the benchmark spent waiting for a core, so single-thread comparisons stay stable.
inline bool& use_cpu_time() {
  static bool cpu = false;
  return cpu;
}

inline double now_seconds() {
  if (use_cpu_time()) {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Times fn: one warm-up call (plus calibration for fast items), then `repeats` samples of
// max(1, round(sample_seconds / time per call)) calls each.
inline Stats measure(const std::function<void()>& fn, int repeats, double sample_seconds) {
  double start = now_seconds();
  fn();  // warm-up: first-touch allocations, OpenBLAS buffers, thread start-up
  int calibration = 1;
  while (now_seconds() - start < 2 * sample_seconds && calibration < 1000) {
    fn();
    ++calibration;
  }
  const double per_call = (now_seconds() - start) / calibration;
  Stats s;
  s.runs_per_sample = std::max(1, static_cast<int>(std::lround(sample_seconds / std::max(per_call, 1e-9))));
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    start = now_seconds();
    for (int k = 0; k < s.runs_per_sample; ++k) fn();
    times.push_back((now_seconds() - start) / s.runs_per_sample);
  }
  std::sort(times.begin(), times.end());
  s.samples = static_cast<int>(times.size());
  s.min = times.front();
  s.median = times.size() % 2 ? times[times.size() / 2] : 0.5 * (times[times.size() / 2 - 1] + times[times.size() / 2]);
  return s;
}

// One benchmarked item: a name, the unit it is reported in, and what to run.
struct Item {
  std::string group;  // "layer_us", "epoch_ms", "epoch_eval_ms", "task2_sweep_ms"
  std::string name;   // "conv1", "unet", ... (empty for a group that is one number)
  std::function<void()> run;
  double sample_seconds = 0.005;  // how long one sample lasts (at least one run)
};

// Items defined in bench_layers.cpp and bench_training.cpp.
std::vector<Item> layer_items();
std::vector<Item> training_items();

}  // namespace convgrad::bench
