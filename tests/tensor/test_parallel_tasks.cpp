// run_tasks (tensor/parallel_tasks.h): every task once, results by task index whatever the
// threads did, exceptions, nesting, and OpenMP inside a task.
#include <catch2/catch.hpp>

#include <omp.h>

#include <atomic>
#include <functional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tensor/blas.h"
#include "tensor/parallel_tasks.h"

using namespace convgrad;

namespace {
// Restores the thread count a test changes.
struct Threads {
  int before = get_num_threads();
  explicit Threads(int n) { set_num_threads(n); }
  ~Threads() { set_num_threads(before); }
};
}  // namespace

TEST_CASE("run_tasks runs every task exactly once, on up to get_num_threads() threads") {
  const int threads = GENERATE(1, 2, 3);
  Threads scope(threads);
  for (int round = 0; round < 50; ++round) {  // many jobs back to back: helpers waking late
    const int64_t count = 1 + round % 9;
    std::vector<std::atomic<int>> runs(static_cast<size_t>(count));
    std::vector<int> omp_threads(static_cast<size_t>(count), 0);
    std::vector<std::thread::id> ran_on(static_cast<size_t>(count));
    run_tasks(count, [&](int64_t i) {
      runs[i].fetch_add(1);
      omp_threads[i] = omp_get_max_threads();
      ran_on[i] = std::this_thread::get_id();
    });
    for (int64_t i = 0; i < count; ++i) {
      CHECK(runs[i].load() == 1);
      CHECK(omp_threads[i] == 1);  // OpenMP regions inside a task use one thread
    }
  }
  CHECK(get_num_threads() == threads);  // the caller's setting is back
}

TEST_CASE("run_tasks: the lowest-numbered task's exception, after the begun tasks end") {
  Threads scope(2);
  std::atomic<int> finished{0};
  try {
    run_tasks(6, [&](int64_t i) {
      if (i == 1 || i == 2) throw std::runtime_error("task " + std::to_string(i));
      finished.fetch_add(1);
    });
    FAIL("expected an exception");
  } catch (const std::runtime_error& e) {
    // Task 2 may not even begin (tasks after a failure are skipped), but when both fail task 1's wins.
    CHECK(std::string(e.what()) == "task 1");
  }
  CHECK(finished.load() <= 4);
  // The pool works on after a failure.
  std::atomic<int> runs{0};
  run_tasks(4, [&](int64_t) { runs.fetch_add(1); });
  CHECK(runs.load() == 4);
}

TEST_CASE("run_tasks: a nested call runs its tasks on the task's own thread") {
  Threads scope(2);
  std::vector<int> inner_same_thread(4, 0);
  run_tasks(4, [&](int64_t i) {
    const std::thread::id me = std::this_thread::get_id();
    bool same = true;
    run_tasks(3, [&](int64_t) { same = same && std::this_thread::get_id() == me; });
    inner_same_thread[i] = same ? 1 : 0;
  });
  for (const int same : inner_same_thread) CHECK(same == 1);
}

TEST_CASE("run_tasks from two threads at once: each job's tasks all run, exactly once") {
  // The pool runs one job at a time; a second caller runs its tasks on its own thread.
  std::vector<std::atomic<int>> runs_a(40), runs_b(40);
  auto caller = [](std::vector<std::atomic<int>>& runs) {
    set_num_threads(2);
    for (int round = 0; round < 20; ++round)
      run_tasks(static_cast<int64_t>(runs.size()), [&](int64_t i) { runs[i].fetch_add(1); });
  };
  std::thread a(caller, std::ref(runs_a)), b(caller, std::ref(runs_b));
  a.join();
  b.join();
  for (size_t i = 0; i < runs_a.size(); ++i) {
    CHECK(runs_a[i].load() == 20);
    CHECK(runs_b[i].load() == 20);
  }
}
