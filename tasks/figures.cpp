#include "tasks/figures.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <system_error>
#include <iostream>
#include <thread>

#include "tasks/figures_task1.h"
#include "tasks/figures_task2.h"

namespace convgrad {

std::vector<FigureSpec> coursework_figures(const nlohmann::json& results) {
  std::vector<FigureSpec> figures = task1_figures(results, "bsc");
  std::vector<FigureSpec> msc = task1_figures(results, "msc");
  std::vector<FigureSpec> task2 = task2_figures(results);
  figures.insert(figures.end(), msc.begin(), msc.end());
  figures.insert(figures.end(), task2.begin(), task2.end());
  return figures;
}

std::string figures_dir(const std::string& out_dir) { return (out_dir.empty() ? "." : out_dir) + "/figures"; }

std::vector<std::string> render_figures(const nlohmann::json& results, const std::string& out_dir) {
  return render_figures(results, out_dir, FigureOptions::from_environment(), std::cerr);
}

std::vector<std::string> render_figures(const nlohmann::json& results, const std::string& out_dir,
                                        const FigureOptions& options, std::ostream& log) {
  // Build every spec first: a malformed results.json fails before any file is written.
  const std::vector<FigureSpec> figures = coursework_figures(results);
  const FigureWriter writer(figures_dir(out_dir), options);
  if (!writer.gnuplot_available() && !figures.empty()) log << kGnuplotInstallHint << "\n";
  // Each figure is its own gnuplot process, so several are drawn side by side, two per core (a
  // figure takes ~20 ms, most of it gnuplot starting). Every file is still whole or absent; the
  // error thrown is that of the first failing figure in report order.
  std::vector<std::string> drawn(figures.size());
  std::vector<std::exception_ptr> failures(figures.size());
  std::atomic<size_t> next{0};
  const auto draw_remaining = [&] {
    for (size_t i = next++; i < figures.size(); i = next++) {
      try {
        drawn[i] = writer.write(figures[i]);
      } catch (...) {
        failures[i] = std::current_exception();
      }
    }
  };
  const size_t workers = std::min<size_t>(figures.size(), 2 * std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> helpers;
  try {
    for (size_t k = 1; k < workers; ++k) helpers.emplace_back(draw_remaining);
  } catch (const std::system_error&) {  // no more threads: the ones started (and this one) draw the rest
  }
  draw_remaining();
  for (std::thread& helper : helpers) helper.join();
  for (const std::exception_ptr& failure : failures)
    if (failure) std::rethrow_exception(failure);
  std::vector<std::string> paths;
  for (const std::string& path : drawn)
    if (!path.empty()) paths.push_back(path);
  return paths;
}

}  // namespace convgrad
