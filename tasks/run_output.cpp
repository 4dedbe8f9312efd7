#include "tasks/run_output.h"

#include <chrono>
#include <filesystem>
#include <iostream>

#include "tasks/figures.h"
#include "tasks/report.h"
#include "tasks/task1.h"
#include "tensor/atomic_file.h"

namespace convgrad {

namespace {
double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}
}  // namespace

void write_run_outputs(const nlohmann::json& results, const CommonOptions& options, bool with_report) {
  const std::string path = (std::filesystem::path(options.out) / "results.json").string();
  write_file_atomically(path, results.dump(1) + "\n");
  std::ostream& log = std::cout;
  if (!options.quiet) log << "wrote " << path << "\n";
  const auto figures = render_figures(results, options.out, FigureOptions{}, log);
  if (!options.quiet && !figures.empty())
    log << "wrote " << figures.size() << " figures to " << figures_dir(options.out) << "/\n";
  if (with_report) {
    write_report(results, options.out);
    // The report's path ends the run's output, so a user finds it at once.
    log << "report: " << (std::filesystem::path(options.out) / "report.html").string() << "\n";
  }
}

nlohmann::json run_task2_command(const CommonOptions& options, const Task2Options& task2) {
  ensure_writable_dir(options.out, "--out");
  const int threads = apply_threads(options);
  const auto start = std::chrono::steady_clock::now();
  const Dataset data = load_dataset(options);
  nlohmann::json doc = run_metadata(options, data, threads);
  Task2Options t = task2;
  t.quiet = options.quiet;
  doc["task2"] = run_task2(data, t, std::cout);
  doc["timings_s"]["task2.total"] = seconds_since(start);
  write_run_outputs(doc, options, /*with_report=*/false);
  return doc;
}

nlohmann::json run_all_command(const CommonOptions& options) {
  ensure_writable_dir(options.out, "--out");  // before any training
  if (!options.save_models.empty()) ensure_writable_dir(options.save_models, "--save-models");
  const int threads = apply_threads(options);
  const auto start = std::chrono::steady_clock::now();
  const Dataset data = load_dataset(options);
  nlohmann::json doc = run_metadata(options, data, threads);

  Task2Options task2;
  task2.quiet = options.quiet;
  check_task2_input(data, task2);  // now, not after minutes of Task 1
  Task1Context ctx(options, data);
  // Both variants' phases as one set of jobs: side by side on several threads (tasks/phase_jobs.h).
  if (!options.quiet) {
    std::cout << "== Task 1, BSc variant (CNN autoencoder, then regression on its latent space) and MSc variant "
              << "(U-Net, then multi-task learning)\n";
  }
  auto phase_start = std::chrono::steady_clock::now();
  const Task1Jobs bsc = task1_bsc_jobs(ctx), msc = task1_msc_jobs(ctx);
  std::vector<PhaseJob> jobs = bsc.jobs;
  jobs.insert(jobs.end(), msc.jobs.begin(), msc.jobs.end());
  run_phase_jobs(jobs, threads, ctx.info());
  doc["task1_bsc"] = bsc.result();
  doc["task1_msc"] = msc.result();
  ctx.record_seconds("task1.total", seconds_since(phase_start));

  if (!options.quiet) std::cout << "== Task 2: cosine-similarity graph\n";
  phase_start = std::chrono::steady_clock::now();
  doc["task2"] = run_task2(data, task2, std::cout);
  ctx.record_seconds("task2.total", seconds_since(phase_start));
  ctx.record_seconds("all.total", seconds_since(start));
  doc["timings_s"] = ctx.timings();

  write_run_outputs(doc, options, /*with_report=*/true);
  return doc;
}

}  // namespace convgrad
