// Independent tasks on the program's threads, for work split coarsely — a training batch in
// parts, the chunks of an evaluation — rather than op by op (each op is 10-200 µs on the
// coursework's shapes: too short to split, see blas.h).
//
//   std::vector<double> part(count);
//   run_tasks(count, [&](int64_t i) { part[i] = work(i); });   // then combine part[0], part[1], ...
//
// task(0) … task(count − 1) each run once, on the calling thread and up to
// get_num_threads() − 1 helper threads (started on first use, kept until the program ends).
// Every thread takes the next task nobody has taken, so the caller never waits for a helper
// that has not started: on a busy machine, where a helper may get a core back only
// milliseconds later, the caller just runs more of the tasks itself. It waits only for the
// tasks a helper has begun. Which thread runs a task must not change its result: give each
// task its own output and combine them in task order, and the numbers are the same whatever
// the threads did.
//
// Inside a task, OpenMP regions use one thread, and a nested run_tasks runs its tasks one
// after another. If tasks throw, the tasks not yet begun are skipped and the exception of the
// lowest-numbered one is rethrown in the caller after the begun ones have ended.
#pragma once

#include <cstdint>
#include <functional>

namespace convgrad {

void run_tasks(int64_t count, const std::function<void(int64_t)>& task);

}  // namespace convgrad
