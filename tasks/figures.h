// Every figure the coursework asks for, drawn from results.json alone.
//
//   render_figures(results, "out")   -> out/figures/NAME.svg, NAME.gp, NAME*.dat for each figure
//
// The figures of each section present in results (task1_bsc, task1_msc, task2) are drawn by
// gnuplot; figures_task1.h and figures_task2.h list them, figure_writer.h explains the files,
// docs/figures.md how to restyle them. Call it after results.json is complete: `convgrad task1`,
// `task2` and `all` do, and `all` then writes report.html (report.h), which inlines the SVGs.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tasks/figure_writer.h"

namespace convgrad {

// The figures `results` has data for, in report order (Task 1 BSc, Task 1 MSc, Task 2).
// Throws convgrad::Error naming the key when a present key has the wrong type or size.
std::vector<FigureSpec> coursework_figures(const nlohmann::json& results);

// Writes every figure into OUT/figures and returns the paths of the SVGs drawn. When gnuplot
// is missing, writes the data and scripts, prints kGnuplotInstallHint once to `log` and
// returns an empty list (not an error). Throws convgrad::Error when the folder cannot be
// written or gnuplot fails on a figure (naming the figure, with gnuplot's messages).
std::vector<std::string> render_figures(const nlohmann::json& results, const std::string& out_dir);
std::vector<std::string> render_figures(const nlohmann::json& results, const std::string& out_dir,
                                        const FigureOptions& options, std::ostream& log);

// OUT/figures.
std::string figures_dir(const std::string& out_dir);

}  // namespace convgrad
