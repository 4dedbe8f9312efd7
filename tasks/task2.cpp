#include "tasks/task2.h"

#include <algorithm>
#include <cstdio>

#include "graph/graph.h"
#include "tensor/error.h"

namespace convgrad {

namespace {

// The first `rows` × `features` block of the feature matrix (Feature 1..K are stored in
// feature-number order, so these are the columns "Feature 1" ... "Feature K" by name).
std::vector<double> leading_block(const Dataset& data, int64_t rows, int64_t features) {
  std::vector<double> X(static_cast<size_t>(rows * features));
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t k = 0; k < features; ++k) X[i * features + k] = data.features[i * data.n_features() + k];
  return X;
}

nlohmann::json group_means(const graph::GroupMeans& m) { return {{"treated", m.treated}, {"untreated", m.untreated}}; }

}  // namespace

int64_t task2_rows(const Dataset& data, const Task2Options& options) {
  return options.rows_required ? options.rows : std::min(options.rows, data.rows);
}

void check_task2_input(const Dataset& data, const Task2Options& options) {
  const int64_t rows = task2_rows(data, options);
  CONVGRAD_CHECK(rows >= 4 && data.rows >= rows, "task2: expected at least ", rows, " rows in ", data.source,
                 options.rows_required ? " (--rows)" : " (a graph of fewer than 4 cells has no spectral layout)",
                 ", but it has ", data.rows);
  CONVGRAD_CHECK(options.features >= 1 && data.n_features() >= options.features, "task2: expected at least ",
                 options.features, " feature columns in ", data.source, " (--features), but it has ",
                 data.n_features());
  // A cell whose Features 1..K are all 0 has no direction: its cosine similarity is 0 / 0.
  for (int64_t row = 0; row < rows; ++row) {
    const double* x = data.features.data() + row * data.n_features();
    const bool all_zero = std::all_of(x, x + options.features, [](double v) { return v == 0.0; });
    CONVGRAD_CHECK(!all_zero, "task2: ", data.row_location(row), ": expected a cell with some non-zero value among ",
                   data.feature_names[0], " ... ", data.feature_names[options.features - 1],
                   ", but all are 0, so its cosine similarity to any other cell is 0 / 0 (undefined)");
  }
}

nlohmann::json run_task2(const Dataset& data, const Task2Options& options, std::ostream& log) {
  check_task2_input(data, options);
  const int64_t rows = task2_rows(data, options);
  if (rows < options.rows && !options.quiet) {
    log << "Task 2: " << data.source << " has " << data.rows << " rows, fewer than the " << options.rows
        << " the task asks for: using all " << rows << " (pass --rows to `convgrad task2` to require them)\n";
  }
  const std::vector<double> X = leading_block(data, rows, options.features);
  const std::vector<int> treatment(data.treatment.begin(), data.treatment.begin() + rows);
  const graph::Task2Result r = graph::analyse_similarity_graph(X.data(), rows, options.features, treatment);

  nlohmann::json out;
  out["n_samples"] = r.n_samples;
  out["n_features"] = r.n_features;
  out["feature_names"] = std::vector<std::string>(data.feature_names.begin(),
                                                  data.feature_names.begin() + options.features);
  out["similarity_min"] = r.similarity_min;
  out["similarity_max"] = r.similarity_max;
  out["thresholds"] = r.thresholds;
  out["n_components"] = r.n_components;
  out["n_edges"] = r.n_edges;
  out["sparsity"] = r.sparsity;
  out["delta_star"] = r.delta_star;
  out["delta_star_index"] = r.delta_star_index;
  out["delta_star_exact"] = r.delta_star_exact;
  out["n_edges_at_delta_star"] = r.n_edges_at_delta_star;
  out["sparsity_at_delta_star"] = r.sparsity_at_delta_star;
  out["degree"] = r.degree;
  out["degree_centrality"] = r.degree_centrality;
  out["strength"] = r.strength;
  out["treatment"] = treatment;
  out["n_treated"] = r.n_treated;
  out["n_untreated"] = r.n_untreated;
  out["mean_degree"] = group_means(r.mean_degree);
  out["mean_degree_centrality"] = group_means(r.mean_degree_centrality);
  out["mean_strength"] = group_means(r.mean_strength);
  out["eigenvalues"] = r.eigenvalues;
  out["spectral_layout"] = r.spectral_layout;
  nlohmann::json edges = nlohmann::json::array();
  for (const auto& e : r.edges) edges.push_back({e.source, e.target});
  out["edges"] = edges;
  out["edges_complete"] = r.edges_complete;
  out["sweep_method"] = r.sweep_method;
  out["eigen_method"] = r.eigen_method;
  nlohmann::json timings;
  for (const auto& t : r.timings) timings[t.phase] = t.seconds;
  out["timings_s"] = timings;

  if (!options.quiet) {
    char line[256];
    log << "Task 2.1: cosine similarities of " << r.n_samples << " cells over Features 1-" << r.n_features << "\n";
    std::snprintf(line, sizeof line, "  S ranges over [%.6f, %.6f]; 200 equidistant thresholds\n", r.similarity_min,
                  r.similarity_max);
    log << line;
    std::snprintf(line, sizeof line,
                  "  delta* = %.6f (threshold %d of 200; exact bottleneck %.9f): the largest threshold whose graph is "
                  "connected\n",
                  r.delta_star, r.delta_star_index + 1, r.delta_star_exact);
    log << line;
    std::snprintf(line, sizeof line, "  G = G(delta*): %lld edges, sparsity s(delta*) = %.4f\n",
                  static_cast<long long>(r.n_edges_at_delta_star), r.sparsity_at_delta_star);
    log << line;
    std::snprintf(line, sizeof line, "  spectral layout: eigenvalues %.3g, %.6f, %.6f (%s)\n", r.eigenvalues[0],
                  r.eigenvalues[1], r.eigenvalues[2], r.eigen_method.c_str());
    log << line;
    log << "Task 2.2: degree centrality = degree / (N - 1)\n";
    const auto group_line = [&](const char* label, int64_t cells, double degree, double centrality) {
      if (cells == 0) {
        std::snprintf(line, sizeof line, "  %s (0 cells): no mean (none among these cells)\n", label);
      } else {
        std::snprintf(line, sizeof line, "  %s (%lld cells): mean degree %.2f, mean centrality %.4f\n", label,
                      static_cast<long long>(cells), degree, centrality);
      }
      log << line;
    };
    group_line("treated  ", r.n_treated, r.mean_degree.treated, r.mean_degree_centrality.treated);
    group_line("untreated", r.n_untreated, r.mean_degree.untreated, r.mean_degree_centrality.untreated);
    log << "  timings:";
    for (const auto& t : r.timings) {
      std::snprintf(line, sizeof line, " %s %.3f s;", t.phase.c_str(), t.seconds);
      log << line;
    }
    log << "\n";
  }
  return out;
}

}  // namespace convgrad
