// Running the independent phases of a run at the same time, one per thread.
//
// Every Task 1 phase draws from generators of its own (seeded from --seed and the phase's
// name: tasks/task1.h), so the phases that do not read one another's models (the BSc
// chain, the MSc U-Net, the three α searches) can run side by side and give exactly the
// numbers they give one after another. On 2 threads `convgrad all` then keeps both cores
// busy with whole training runs, instead of splitting each 20-400 µs layer over them (which
// costs more in waiting than it gains: tensor/blas.h).
//
// Output: with one worker the jobs run in the order given and print as they go. With more,
// each job's messages are collected and printed together when the job ends (as
// `make --output-sync` does), after a line saying it started; the order of the blocks is
// the order the jobs end in, the contents are the same as one after another.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace convgrad {

struct PhaseJob {
  std::string name;                // e.g. "task1_msc.multitask.alpha_1"
  std::vector<std::string> after;  // names of jobs that must end before this one starts
  // With several workers, of the jobs ready to start the one of highest priority starts
  // first (then the earlier in the list): give the longest and those others wait for the
  // highest, so that the last job to end starts early. One worker ignores it.
  int priority = 0;
  // The work; `out` is where its messages go (nullptr: print nothing). It runs with one
  // OpenMP thread when jobs run side by side.
  std::function<void(std::ostream* out)> run;
};

// Runs every job once, on `workers` threads (1: the calling thread, in the order of `jobs`;
// more: by priority, see above). If a job throws, no new job
// starts, the running ones finish, and the first exception (in the order of `jobs`) is
// rethrown after every finished job's messages have been printed.
// Throws convgrad::Error for an unknown name in `after` or a cycle, before anything runs.
void run_phase_jobs(const std::vector<PhaseJob>& jobs, int workers, std::ostream* out);

}  // namespace convgrad
