// run_phase_jobs: order, prerequisites, priorities, output blocks and errors, on one and
// on several workers.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tasks/phase_jobs.h"
#include "tensor/blas.h"
#include "tensor/error.h"

using namespace convgrad;

namespace {

// What the jobs did, in the order they did it.
struct Journal {
  std::mutex mutex;
  std::vector<std::string> events;
  void add(const std::string& e) {
    const std::lock_guard<std::mutex> lock(mutex);
    events.push_back(e);
  }
  bool has(const std::string& e) {
    const std::lock_guard<std::mutex> lock(mutex);
    return std::find(events.begin(), events.end(), e) != events.end();
  }
  size_t position(const std::string& e) {
    const std::lock_guard<std::mutex> lock(mutex);
    const auto it = std::find(events.begin(), events.end(), e);
    return it == events.end() ? events.size() : static_cast<size_t>(it - events.begin());
  }
};

PhaseJob job(Journal& journal, const std::string& name, std::vector<std::string> after = {}, int priority = 0,
             int sleep_ms = 0) {
  return PhaseJob{name, std::move(after), priority, [&journal, name, sleep_ms](std::ostream* out) {
                    journal.add("start " + name);
                    if (out) *out << name << " line 1\n";
                    std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
                    if (out) *out << name << " line 2\n";
                    journal.add("end " + name);
                  }};
}

}  // namespace

TEST_CASE("run_phase_jobs on one worker runs the jobs in list order, after their prerequisites") {
  Journal journal;
  std::ostringstream out;
  // c waits for a, listed after it; b waits for d, listed after it: b runs after d.
  run_phase_jobs({job(journal, "a"), job(journal, "b", {"d"}), job(journal, "c", {"a"}), job(journal, "d")}, 1, &out);
  CHECK(journal.events == std::vector<std::string>{"start a", "end a", "start c", "end c", "start d", "end d",
                                                   "start b", "end b"});
  CHECK(out.str() == "a line 1\na line 2\nc line 1\nc line 2\nd line 1\nd line 2\nb line 1\nb line 2\n");
}

TEST_CASE("run_phase_jobs on two workers: each job once, after its prerequisites, highest priority first") {
  Journal journal;
  std::ostringstream out;
  std::vector<PhaseJob> jobs = {job(journal, "low", {}, 0, 5),     job(journal, "high", {}, 9, 40),
                                job(journal, "middle", {}, 5, 40), job(journal, "last", {"high", "middle"}, 20, 5),
                                job(journal, "after_low", {"low"}, 0, 5)};
  run_phase_jobs(jobs, 2, &out);
  REQUIRE(journal.events.size() == 2 * jobs.size());
  for (const PhaseJob& j : jobs) {
    CAPTURE(j.name);
    CHECK(std::count(journal.events.begin(), journal.events.end(), "start " + j.name) == 1);
    for (const std::string& before : j.after) CHECK(journal.position("end " + before) < journal.position("start " + j.name));
  }
  // The two highest priorities take the two workers; "low" waits for one of them.
  CHECK(journal.position("start high") < journal.position("start low"));
  CHECK(journal.position("start middle") < journal.position("start low"));
  // Each job's messages come together, between its "started" line and its "ended" line.
  const std::string text = out.str();
  CHECK_THAT(text, Catch::StartsWith("running 5 phases on 2 threads"));
  for (const PhaseJob& j : jobs) {
    CAPTURE(j.name, text);
    const std::string block = j.name + " line 1\n" + j.name + " line 2\nended " + j.name + " after ";
    CHECK(text.find(block) != std::string::npos);
    CHECK(text.find("started " + j.name + "\n") < text.find(block));
  }
}

TEST_CASE("run_phase_jobs side by side gives each job one OpenMP thread") {
  std::atomic<int> most{0};
  auto record = [&most](std::ostream*) { most = std::max(most.load(), get_num_threads()); };
  run_phase_jobs({PhaseJob{"a", {}, 0, record}, PhaseJob{"b", {}, 0, record}}, 2, nullptr);
  CHECK(most == 1);
}

TEST_CASE("run_phase_jobs rethrows a job's error after the running jobs end; its dependants never start") {
  const int workers = GENERATE(1, 2);
  CAPTURE(workers);
  Journal journal;
  std::vector<PhaseJob> jobs = {
      PhaseJob{"fails", {}, 5, [&journal, workers](std::ostream* out) {
                 // Side by side, fail only once "slow" has started on the other worker.
                 for (int i = 0; workers == 2 && i < 2000 && !journal.has("start slow"); ++i)
                   std::this_thread::sleep_for(std::chrono::milliseconds(1));
                 if (out) *out << "about to fail\n";
                 throw Error("task: expected something, but got nothing");
               }},
      job(journal, "slow", {}, 4, 30), job(journal, "dependant", {"fails"}, 9)};
  std::ostringstream out;
  REQUIRE_THROWS_WITH(run_phase_jobs(jobs, workers, &out), "task: expected something, but got nothing");
  CHECK_FALSE(journal.has("start dependant"));
  if (workers == 2) {  // "slow" started next to "fails" and was let finish; the failed job's messages are shown
    CHECK(journal.has("end slow"));
    CHECK_THAT(out.str(), Catch::Contains("about to fail\nended fails after") && Catch::Contains("with an error"));
  }
}

TEST_CASE("run_phase_jobs refuses unknown prerequisites, cycles and repeated names before running anything") {
  Journal journal;
  REQUIRE_THROWS_WITH(run_phase_jobs({job(journal, "a", {"missing"})}, 2, nullptr),
                      "run_phase_jobs: job \"a\" waits for \"missing\", which is not a job");
  REQUIRE_THROWS_WITH(run_phase_jobs({job(journal, "a", {"b"}), job(journal, "b", {"a"}), job(journal, "c")}, 1, nullptr),
                      Catch::StartsWith("run_phase_jobs: job \"a\" can never start"));
  REQUIRE_THROWS_WITH(run_phase_jobs({job(journal, "a"), job(journal, "a")}, 2, nullptr),
                      "run_phase_jobs: expected unique job names, but \"a\" appears twice");
  CHECK(journal.events.empty());
}
