#include "tasks/figures.h"

#include <iostream>

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
  std::vector<std::string> paths;
  for (const FigureSpec& spec : figures) {
    const std::string path = writer.write(spec);
    if (!path.empty()) paths.push_back(path);
  }
  return paths;
}

}  // namespace convgrad
