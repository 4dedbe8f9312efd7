// analyse_similarity_graph: the Task 2 pipeline, choosing the algorithms by size (graph.h).
#include <chrono>
#include <optional>

#include "graph/graph.h"
#include "tensor/error.h"

namespace convgrad::graph {

namespace {

class Stopwatch {
 public:
  explicit Stopwatch(std::vector<Timing>& timings) : timings_(timings) {}
  void lap(const char* phase) {
    const auto now = std::chrono::steady_clock::now();
    timings_.push_back({phase, std::chrono::duration<double>(now - last_).count()});
    last_ = now;
  }
  double total() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

 private:
  std::vector<Timing>& timings_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_ = start_;
};

std::vector<Edge> upper_edges(const ThresholdGraph& g) {
  std::vector<Edge> edges;
  edges.reserve(static_cast<size_t>(g.n_edges()));
  for (int64_t i = 0; i < g.n; ++i)
    for (int64_t e = g.row_start[i]; e < g.row_start[i + 1]; ++e)
      if (g.neighbour[e] > i) edges.push_back({static_cast<int32_t>(i), g.neighbour[e], g.weight[e]});
  return edges;
}

}  // namespace

Task2Result analyse_similarity_graph(const double* X, int64_t N, int64_t K, const std::vector<int>& treatment,
                                     const AnalysisOptions& options) {
  CONVGRAD_CHECK(N >= 4, "analyse_similarity_graph: expected at least 4 rows (3 eigenvectors), but got ", N);
  check_treatment(treatment, N);
  Task2Result r;
  r.n_samples = N;
  r.n_features = K;
  Stopwatch clock(r.timings);

  const UnitRows rows(X, N, K);
  clock.lap("normalise");

  const bool small = N <= options.dense_limit;
  const bool sorted = options.sweep == SweepMethod::SortedEdges || (options.sweep == SweepMethod::Auto && small);
  SweepResult sweep = sorted ? sweep_sorted_edges(cosine_similarity(rows), options.n_thresholds)
                             : sweep_spanning_tree(rows, options.n_thresholds);
  r.sweep_method = sorted ? "sorted-edges" : "spanning-tree";
  r.thresholds = std::move(sweep.thresholds);
  r.n_components = std::move(sweep.n_components);
  r.n_edges = std::move(sweep.n_edges);
  r.sparsity = std::move(sweep.sparsity);
  r.similarity_min = sweep.similarity_min;
  r.similarity_max = sweep.similarity_max;
  r.delta_star_index = sweep.delta_star_index;
  r.delta_star = sweep.delta_star;
  r.delta_star_exact = sweep.delta_star_exact;
  r.n_edges_at_delta_star = r.n_edges[r.delta_star_index];
  r.sparsity_at_delta_star = r.sparsity[r.delta_star_index];
  clock.lap("sweep");

  // G = G^(δ*): degrees first (O(N) memory), then the CSR if it is small enough to keep.
  DegreeSummary degrees = threshold_degrees(rows, r.delta_star);
  CONVGRAD_CHECK(degrees.n_edges == r.n_edges_at_delta_star, "analyse_similarity_graph: internal error: ",
                 degrees.n_edges, " edges in G but ", r.n_edges_at_delta_star, " in the sweep");
  EigenMethod eigen = options.eigen;
  if (eigen == EigenMethod::Auto) {
    eigen = small ? EigenMethod::Dense
                  : (threshold_graph_bytes(degrees) <= options.max_graph_bytes ? EigenMethod::SparseLanczos
                                                                               : EigenMethod::ImplicitLanczos);
  }
  std::optional<ThresholdGraph> g;
  if (eigen != EigenMethod::ImplicitLanczos) g = build_threshold_graph(rows, r.delta_star, degrees);
  r.edges_complete = g.has_value() && g->n_edges() <= options.max_edges_kept;
  if (r.edges_complete) r.edges = upper_edges(*g);
  clock.lap("graph");

  SpectralLayout layout = eigen == EigenMethod::Dense           ? spectral_layout_dense(*g)
                          : eigen == EigenMethod::SparseLanczos ? spectral_layout_sparse(*g)
                                                                : spectral_layout_implicit(rows, r.delta_star,
                                                                                           degrees.strength);
  g.reset();
  r.eigenvalues = layout.eigenvalues;
  r.spectral_layout = std::move(layout.coordinates);
  r.eigen_method = layout.method;
  r.lanczos_products = layout.matrix_products;
  clock.lap("spectral");

  r.degree = std::move(degrees.degree);
  r.strength = std::move(degrees.strength);
  r.degree_centrality = degree_centrality(r.degree);
  for (int label : treatment) ++(label == 1 ? r.n_treated : r.n_untreated);
  r.mean_degree = group_means(r.degree, treatment);
  r.mean_degree_centrality = group_means(r.degree_centrality, treatment);
  r.mean_strength = group_means(r.strength, treatment);
  clock.lap("centrality");
  r.timings.push_back({"total", clock.total()});
  return r;
}

}  // namespace convgrad::graph
