// Small statistics the report computes from results.json to describe what the figures show
// (which genes are hardest to reconstruct, how strongly a latent element follows MAP7, how
// well the spectral layout separates the treatment groups). Pure functions, NaNs skipped.
#pragma once

#include <string>
#include <vector>

namespace convgrad {

double mean_of(const std::vector<double>& values);
double variance_of(const std::vector<double>& values);  // population variance
double pearson(const std::vector<double>& x, const std::vector<double>& y);
// Least-squares slope of y on x.
double slope_of(const std::vector<double>& x, const std::vector<double>& y);
// 1 - SS_res / SS_tot, the coursework's R^2.
double r2_of(const std::vector<double>& truth, const std::vector<double>& predicted);

// The 10x10 per-feature MSE, summarised.
struct HeatmapSummary {
  std::vector<size_t> highest, lowest;  // feature indices (0-based), 5 each, worst / best first
  std::vector<double> row_mean, col_mean;
  double total = 0.0;
  // Pixels of the 10x10 output that a stride-2, 3x3, padding-1 transposed convolution builds
  // from ONE latent row and ONE latent column (rows/cols 0, 2, 4, 6, 8, 9) vs the others.
  double single_tap_mean = 0.0, multi_tap_mean = 0.0;
};
HeatmapSummary summarise_heatmap(const std::vector<double>& mse);

// Best accuracy of a single cut of `coordinate` at separating label 1 from label 0 (either
// side), and the cut.
struct SplitResult {
  double accuracy = 0.0;
  double cut = 0.0;
  bool label1_above = true;
};
SplitResult best_split(const std::vector<double>& coordinate, const std::vector<int>& labels);

// Edges of G by the treatment labels of their ends.
struct EdgeMix {
  size_t within_treated = 0, within_untreated = 0, between = 0;
  size_t n_treated = 0, n_untreated = 0;
  double expected_within_fraction = 0.0;  // if labels were assigned at random
  double density_treated() const;         // within-group edges / possible pairs in the group
  double density_untreated() const;
  double within_fraction() const;
};
EdgeMix edge_mix(const std::vector<std::vector<double>>& edges, const std::vector<int>& labels);

}  // namespace convgrad
