#include "tensor/parallel_tasks.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "tensor/blas.h"

namespace convgrad {

namespace {

thread_local bool inside_task = false;

// Tasks per job the pool takes (the count must fit in 16 bits of `claims`, below); more run
// one after another on the caller. Evaluation chunks and batch parts are a few dozen.
constexpr int64_t kMaxPooledTasks = 0xffff;

// One step of a spin-wait. First the CPU's pause hint: a thread spinning on a word another
// core is about to write sees it within ~0.1 µs (sched_yield, a system call, made a helper
// notice a new job ~10 µs late on average, with long tails). Past `brief` it yields, so that a
// machine with fewer free cores than threads still runs the thread being waited for.
void spin_pause(bool brief) {
  if (!brief) {
    std::this_thread::yield();
    return;
  }
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Sets this thread's OpenMP threads to 1 while it runs tasks, and marks it as inside one.
class TaskScope {
 public:
  TaskScope() : threads_(omp_get_max_threads()), was_inside_(inside_task) {
    omp_set_num_threads(1);
    inside_task = true;
  }
  ~TaskScope() {
    inside_task = was_inside_;
    omp_set_num_threads(threads_);
  }
  TaskScope(const TaskScope&) = delete;
  TaskScope& operator=(const TaskScope&) = delete;

 private:
  int threads_;
  bool was_inside_;
};

// One job at a time: a second thread that calls run_tasks while a job runs gets its tasks
// run on its own thread (run_tasks below).
// `claims` holds the job's number (high 32 bits), its task count (16 bits) and the next task
// to take (low 16 bits): a helper takes task i of job j by changing (j, n, i) to (j, n, i + 1)
// in one compare-and-swap, and reads j's count from the same word. So a helper that woke late
// for an earlier job can never take a task of the current one, nor judge the earlier job's
// tasks by the current one's count (which once let a task run twice).
class Pool {
 public:
  static Pool& instance() {
    static Pool pool;
    return pool;
  }

  // False when another thread's job is running (nothing was done).
  bool try_run(int64_t count, const std::function<void(int64_t)>& task, int helpers) {
    std::unique_lock<std::mutex> one_job(running_, std::try_to_lock);
    if (!one_job.owns_lock()) return false;
    run(count, task, helpers);
    return true;
  }

  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

 private:
  void run(int64_t count, const std::function<void(int64_t)>& task, int helpers) {
    start_helpers(helpers);
    errors_.assign(static_cast<size_t>(count), nullptr);
    failed_.store(false);
    done_.store(0);
    task_.store(&task, std::memory_order_relaxed);
    helpers_allowed_.store(helpers, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++job_;
      claims_.store(job_ << 32 | static_cast<uint64_t>(count) << 16, std::memory_order_release);
    }
    wake_.notify_all();
    const uint64_t job = job_;
    while (work_on(job)) {
    }
    // Every task is taken now; wait for those a helper is still running.
    const auto pause_until = std::chrono::steady_clock::now() + std::chrono::microseconds(50);
    while (done_.load(std::memory_order_acquire) < count) spin_pause(std::chrono::steady_clock::now() < pause_until);
    for (const std::exception_ptr& e : errors_) {
      if (e) std::rethrow_exception(e);
    }
  }

  void start_helpers(int helpers) {
    while (static_cast<int>(threads_.size()) < helpers) {
      const int index = static_cast<int>(threads_.size());
      threads_.emplace_back([this, index] { helper(index); });
    }
  }

  // Takes and runs one task of `job`; false when none is left (or the job is over).
  bool work_on(uint64_t job) {
    uint64_t claims = claims_.load(std::memory_order_acquire);
    for (;;) {
      if (claims >> 32 != job) return false;
      const int64_t next = static_cast<int64_t>(claims & 0xffff), count = static_cast<int64_t>(claims >> 16 & 0xffff);
      const std::function<void(int64_t)>* task = task_.load(std::memory_order_relaxed);
      if (next >= count) return false;
      if (claims_.compare_exchange_weak(claims, claims + 1, std::memory_order_acq_rel)) {
        if (!failed_.load(std::memory_order_relaxed)) {
          try {
            TaskScope scope;
            (*task)(next);
          } catch (...) {
            errors_[static_cast<size_t>(next)] = std::current_exception();
            failed_.store(true);
          }
        }
        done_.fetch_add(1, std::memory_order_acq_rel);
        return true;
      }
    }
  }

  void helper(int index) {
    omp_set_num_threads(1);
    uint64_t seen = 0;  // the last job this helper looked at
    for (;;) {
      // Spin briefly first: the training loop hands out a batch every few hundred µs, and
      // waking a sleeping thread takes tens of µs.
      uint64_t job = claims_.load(std::memory_order_acquire) >> 32;
      const auto now = std::chrono::steady_clock::now();
      const auto pause_until = now + std::chrono::microseconds(50), spin_until = now + std::chrono::microseconds(500);
      while (job == seen && std::chrono::steady_clock::now() < spin_until) {
        spin_pause(std::chrono::steady_clock::now() < pause_until);
        job = claims_.load(std::memory_order_acquire) >> 32;
      }
      if (job == seen) {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || job_ != seen; });
        if (stop_) return;
        job = job_;
      }
      seen = job;
      if (index < helpers_allowed_.load(std::memory_order_relaxed)) {
        while (work_on(job)) {
        }
      }
      std::lock_guard<std::mutex> lock(mutex_);
      if (stop_) return;
    }
  }

  std::mutex running_;  // held by the thread whose job runs
  std::mutex mutex_;    // guards job_ and stop_ (for the sleeping helpers)
  std::condition_variable wake_;
  uint64_t job_ = 0;
  bool stop_ = false;
  std::atomic<uint64_t> claims_{0};
  std::atomic<const std::function<void(int64_t)>*> task_{nullptr};
  std::atomic<int> helpers_allowed_{0};
  std::atomic<int64_t> done_{0};
  std::atomic<bool> failed_{false};
  std::vector<std::exception_ptr> errors_;  // slot i written only by the thread that took task i
  std::vector<std::thread> threads_;
};

}  // namespace

void run_tasks(int64_t count, const std::function<void(int64_t)>& task) {
  const int helpers = static_cast<int>(std::min<int64_t>(get_num_threads(), count)) - 1;
  if (count <= 0) return;
  if (!inside_task && helpers > 0 && count <= kMaxPooledTasks && Pool::instance().try_run(count, task, helpers)) return;
  TaskScope scope;  // one after another on this thread
  for (int64_t i = 0; i < count; ++i) task(i);
}

}  // namespace convgrad
