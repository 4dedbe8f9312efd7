// The figures of Task 2, as FigureSpecs built from results["task2"].
//
//   task2_components_sparsity  n(δ) (top) and s(δ) (bottom) against δ, δ* marked in both
//   task2_spectral_layout      the cells at their spectral coordinates, coloured by treatment,
//                              the edges of G drawn faintly (needs treatment; edges when present)
//   task2_degree_centrality    histograms of degree centrality per treatment group, same bins,
//                              overlaid with transparency, group means marked (needs treatment)
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "tasks/figure_writer.h"
#include "tasks/report_json.h"

namespace convgrad {

// Empty when results has no task2 section.
std::vector<FigureSpec> task2_figures(const nlohmann::json& results);

FigureSpec components_sparsity_figure(const std::string& name, const JsonField& task2);
FigureSpec spectral_layout_figure(const std::string& name, const JsonField& task2);
FigureSpec degree_centrality_figure(const std::string& name, const JsonField& task2);

}  // namespace convgrad
