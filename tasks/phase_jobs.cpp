#include "tasks/phase_jobs.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <iomanip>
#include <map>
#include <mutex>
#include <numeric>
#include <sstream>
#include <thread>

#include "tensor/blas.h"
#include "tensor/error.h"

namespace convgrad {

namespace {

enum class State { Waiting, Running, Done };

// Which jobs may start: all of their `after` jobs are done.
class Schedule {
 public:
  Schedule(const std::vector<PhaseJob>& jobs, bool by_priority)
      : jobs_(jobs), state_(jobs.size(), State::Waiting), order_(jobs.size()) {
    std::iota(order_.begin(), order_.end(), size_t{0});
    if (by_priority) {
      std::stable_sort(order_.begin(), order_.end(),
                       [&jobs](size_t a, size_t b) { return jobs[a].priority > jobs[b].priority; });
    }
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < jobs.size(); ++i) {
      CONVGRAD_CHECK(index.emplace(jobs[i].name, i).second, "run_phase_jobs: expected unique job names, but \"",
                     jobs[i].name, "\" appears twice");
    }
    needs_.resize(jobs.size());
    for (size_t i = 0; i < jobs.size(); ++i) {
      for (const std::string& name : jobs[i].after) {
        const auto found = index.find(name);
        CONVGRAD_CHECK(found != index.end(), "run_phase_jobs: job \"", jobs[i].name, "\" waits for \"", name,
                       "\", which is not a job");
        needs_[i].push_back(found->second);
      }
    }
    check_no_cycle();
  }

  // The first waiting job (in start order) whose prerequisites are done, or -1.
  int next_ready() const {
    for (const size_t i : order_) {
      if (state_[i] != State::Waiting) continue;
      bool ready = true;
      for (const size_t n : needs_[i]) ready = ready && state_[n] == State::Done;
      if (ready) return static_cast<int>(i);
    }
    return -1;
  }
  void set(size_t job, State s) { state_[job] = s; }
  bool any(State s) const {
    for (const State x : state_) {
      if (x == s) return true;
    }
    return false;
  }

 private:
  // Starting every ready job at once until none is left must start them all.
  void check_no_cycle() {
    for (int i = next_ready(); i >= 0; i = next_ready()) state_[static_cast<size_t>(i)] = State::Done;
    for (size_t i = 0; i < jobs_.size(); ++i) {
      CONVGRAD_CHECK(state_[i] == State::Done, "run_phase_jobs: job \"", jobs_[i].name,
                     "\" can never start: its `after` jobs wait for one another");
    }
    std::fill(state_.begin(), state_.end(), State::Waiting);
  }

  const std::vector<PhaseJob>& jobs_;
  std::vector<State> state_;
  std::vector<size_t> order_;  // the order in which ready jobs start
  std::vector<std::vector<size_t>> needs_;
};

void run_in_order(const std::vector<PhaseJob>& jobs, Schedule& schedule, std::ostream* out) {
  for (int i = schedule.next_ready(); i >= 0; i = schedule.next_ready()) {
    jobs[static_cast<size_t>(i)].run(out);
    schedule.set(static_cast<size_t>(i), State::Done);
  }
}

void run_side_by_side(const std::vector<PhaseJob>& jobs, Schedule& schedule, int workers, std::ostream* out) {
  std::mutex mutex;  // guards schedule, errors, failed and *out
  std::condition_variable changed;
  std::vector<std::exception_ptr> errors(jobs.size());
  bool failed = false;
  if (out) {
    *out << "running " << jobs.size() << " phases on " << workers
         << " threads; each phase's messages follow when it ends\n"
         << std::flush;
  }

  auto worker = [&]() {
    set_num_threads(1);  // this thread's OpenMP regions: the jobs already fill the cores
    std::unique_lock<std::mutex> lock(mutex);
    for (;;) {
      int job = -1;
      changed.wait(lock, [&] {
        job = failed ? -1 : schedule.next_ready();
        // Wait while something may still become ready: a job is running and others wait.
        return job >= 0 || failed || !schedule.any(State::Running) || !schedule.any(State::Waiting);
      });
      if (job < 0) return;
      const PhaseJob& j = jobs[static_cast<size_t>(job)];
      schedule.set(static_cast<size_t>(job), State::Running);
      if (out) *out << "started " << j.name << "\n" << std::flush;
      lock.unlock();

      std::ostringstream messages;
      const auto start = std::chrono::steady_clock::now();
      std::exception_ptr error;
      try {
        j.run(out ? &messages : nullptr);
      } catch (...) {
        error = std::current_exception();
      }
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

      lock.lock();
      if (out) {
        *out << messages.str() << "ended " << j.name << " after " << std::fixed << std::setprecision(1) << seconds
             << " s" << std::defaultfloat << (error ? " with an error" : "") << "\n"
             << std::flush;
      }
      errors[static_cast<size_t>(job)] = error;
      failed = failed || error != nullptr;
      schedule.set(static_cast<size_t>(job), State::Done);
      changed.notify_all();
    }
  };

  std::vector<std::thread> threads;
  const size_t count = std::min(jobs.size(), static_cast<size_t>(workers));
  for (size_t t = 0; t < count; ++t) threads.emplace_back(worker);
  for (std::thread& t : threads) t.join();
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace

void run_phase_jobs(const std::vector<PhaseJob>& jobs, int workers, std::ostream* out) {
  const bool side_by_side = workers > 1 && jobs.size() > 1;
  Schedule schedule(jobs, /*by_priority=*/side_by_side);
  if (!side_by_side) {
    run_in_order(jobs, schedule, out);
  } else {
    run_side_by_side(jobs, schedule, workers, out);
  }
}

}  // namespace convgrad
