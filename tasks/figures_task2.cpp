#include "tasks/figures_task2.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "tasks/figures_task1.h"  // figure_style
#include "tensor/error.h"

namespace convgrad {

namespace {

using namespace figure_style;

std::string fixed(double value, int digits) {
  if (!std::isfinite(value)) return "n/a";
  char buffer[48];
  std::snprintf(buffer, sizeof(buffer), "%.*f", digits, value);
  return buffer;
}

// Treatment labels as 0/1, or empty when results has none.
std::vector<int> treatment_labels(const JsonField& task2, size_t n) {
  if (!task2["treatment"].present()) return {};
  const std::vector<double> raw = require_numbers(task2["treatment"], static_cast<long long>(n));
  std::vector<int> labels;
  for (size_t i = 0; i < raw.size(); ++i) {
    CONVGRAD_CHECK(raw[i] == 0.0 || raw[i] == 1.0, task2.where, ".treatment[", i, "]: expected 0 or 1, but got ",
                   raw[i]);
    labels.push_back(static_cast<int>(raw[i]));
  }
  return labels;
}

const char* group_title(int label) {
  return label ? "treated (Treatment = 1)" : "untreated (Treatment = 0)";
}

}  // namespace

FigureSpec components_sparsity_figure(const std::string& name, const JsonField& task2) {
  const std::vector<double> thresholds = require_numbers(task2["thresholds"]);
  const long long n = static_cast<long long>(thresholds.size());
  const std::vector<double> components = require_numbers(task2["n_components"], n);
  const std::vector<double> sparsity = require_numbers(task2["sparsity"], n);
  const double delta_star = require_number(task2["delta_star"]);
  const double exact = number_or_nan(task2["delta_star_exact"]);
  const double s_star = number_or_nan(task2["sparsity_at_delta_star"]);
  std::ostringstream table;
  table << "# threshold delta, connected components n(delta), sparsity s(delta)\n";
  for (long long k = 0; k < n; ++k)
    table << gp_number(thresholds[k]) << ' ' << gp_number(components[k]) << ' ' << gp_number(sparsity[k]) << '\n';

  FigureSpec spec;
  spec.name = name;
  spec.caption = str_cat("Task 2.1: number of connected components n(δ) and sparsity s(δ) of G^{(δ)} for ", n,
                         " thresholds from min(S) to max(S); δ* = ", fixed(delta_star, 4),
                         " is the largest threshold that keeps the graph connected.");
  spec.width = 820;
  spec.height = 820;
  spec.data.push_back({name + ".dat", table.str()});
  std::string s;
  s += "delta_star = " + gp_number(delta_star) + "\n";
  s += "set multiplot layout 2,1 title " +
       gp_quote(str_cat("Sparsifying the cosine-similarity graph: G^{(δ)} for ", n, " thresholds δ")) +
       " font ',15'\n";
  s += "set xlabel 'similarity threshold δ'\nset grid lc rgb '#DDDDDD'\nset xrange [" +
       gp_number(thresholds.front()) + ":" + gp_number(thresholds.back()) + "]\n";
  s += "set arrow 1 from delta_star, graph 0 to delta_star, graph 1 nohead lw 2 dt 2 lc rgb '" +
       std::string(kVermillion) + "' front\n";
  const std::string star_title =
      gp_quote(str_cat("δ* = ", fixed(delta_star, 4), std::isfinite(exact) ? " (exact " + fixed(exact, 5) + ")" : "",
                       ": the largest δ with n(δ) = 1"));
  s += "set title 'Connected components'\nset ylabel 'connected components n(δ)  (log scale)'\n";
  s += "set logscale y\nset key below Left reverse height 1\n";
  s += "plot '" + name + ".dat' using 1:2 with steps lw 2.2 lc rgb '" + kBlue + "' title 'n(δ)', \\\n";
  s += "     NaN with lines lw 2 dt 2 lc rgb '" + std::string(kVermillion) + "' title " + star_title + "\n";
  s += "unset logscale y\nset title 'Sparsity'\nset ylabel 's(δ) = edges / maximal number of edges'\n";
  s += "set yrange [0:1.05]\n";
  s += "plot '" + name + ".dat' using 1:3 with lines lw 2.2 lc rgb '" + kGreen + "' title 's(δ)', \\\n";
  if (std::isfinite(s_star)) {
    s += "     '+' using (delta_star):(" + gp_number(s_star) + ") every ::0::0 with points pt 7 ps 1.5 lc rgb '" +
         std::string(kVermillion) + "' title " + gp_quote("s(δ*) = " + fixed(s_star, 4)) + ", \\\n";
  }
  s += "     NaN with lines lw 2 dt 2 lc rgb '" + std::string(kVermillion) + "' title " + star_title + "\n";
  s += "unset multiplot\n";
  spec.script = s;
  return spec;
}

FigureSpec spectral_layout_figure(const std::string& name, const JsonField& task2) {
  const std::vector<std::vector<double>> layout = require_rows(task2["spectral_layout"], 2);
  const std::vector<int> labels = treatment_labels(task2, layout.size());
  std::ostringstream nodes;
  nodes << "# second eigenvector, third eigenvector, treatment (-1: unknown)\n";
  for (size_t i = 0; i < layout.size(); ++i)
    nodes << gp_number(layout[i][0]) << ' ' << gp_number(layout[i][1]) << ' ' << (labels.empty() ? -1 : labels[i])
          << '\n';
  std::ostringstream edges;
  size_t n_edges = 0;
  edges << "# x, y of one end and dx, dy to the other, one edge of G per line\n";
  if (task2["edges"].present()) {
    for (const auto& edge : require_rows(task2["edges"], 2)) {
      const double a = edge[0], b = edge[1];
      CONVGRAD_CHECK(a >= 0 && b >= 0 && a < layout.size() && b < layout.size() && a == std::floor(a) &&
                         b == std::floor(b),
                     task2.where, ".edges[", n_edges, "]: expected two node indices in [0, ", layout.size(),
                     "), but got [", a, ", ", b, "]");
      const auto& p = layout[static_cast<size_t>(a)];
      const auto& q = layout[static_cast<size_t>(b)];
      edges << gp_number(p[0]) << ' ' << gp_number(p[1]) << ' ' << gp_number(q[0] - p[0]) << ' '
            << gp_number(q[1] - p[1]) << '\n';
      ++n_edges;
    }
  }
  const double delta_star = number_or_nan(task2["delta_star"]);
  FigureSpec spec;
  spec.name = name;
  spec.caption = str_cat("Task 2.1: spectral layout of G = G^{(δ*)} (second and third eigenvectors of the symmetric "
                         "normalised Laplacian), ", layout.size(), " cells coloured by treatment",
                         n_edges ? str_cat(", its ", n_edges, " edges drawn faintly") : "", ".");
  spec.width = 860;
  spec.height = 720;
  spec.data.push_back({name + "_nodes.dat", nodes.str()});
  if (n_edges) spec.data.push_back({name + "_edges.dat", edges.str()});
  std::string s;
  s += "set title " + gp_quote(str_cat("Spectral layout of G (δ* = ", fixed(delta_star, 4), "): ", layout.size(),
                                       " cells", n_edges ? str_cat(", ", n_edges, " edges") : "")) + "\n";
  s += "set xlabel 'second eigenvector of the normalised Laplacian'\n";
  s += "set ylabel 'third eigenvector of the normalised Laplacian'\n";
  s += "set key above horizontal Left reverse\nset offsets graph 0.04, graph 0.04, graph 0.04, graph 0.04\n";
  s += "# Edges: ARGB colour, AA = transparency (00 opaque .. FF invisible).\nplot ";
  if (n_edges) {
    // Faint enough that thousands of edges read as a haze: opacity 8/sqrt(edges), at most 25%.
    const double opacity = std::clamp(8.0 / std::sqrt(static_cast<double>(n_edges)), 0.02, 0.25);
    char colour[16];
    std::snprintf(colour, sizeof(colour), "#%02XA0A0A0", static_cast<int>(std::lround(255 * (1.0 - opacity))));
    s += "'" + name + "_edges.dat' using 1:2:3:4 with vectors nohead lw 0.5 lc rgb '" + colour + "' notitle, \\\n";
    s += "     NaN with lines lw 1 lc rgb '#A0A0A0' title 'edge of G (S_{ij} ≥ δ*)', \\\n     ";
  }
  if (labels.empty()) {
    s += "'" + name + "_nodes.dat' using 1:2 with points pt 7 ps 0.8 lc rgb '" + kBlue + "' title 'cell'\n";
  } else {
    s += "'" + name + "_nodes.dat' using 1:($3 == 0 ? $2 : NaN) with points pt 7 ps 0.85 lc rgb '" + kBlue +
         "' title '" + group_title(0) + "', \\\n";
    s += "     '' using 1:($3 == 1 ? $2 : NaN) with points pt 9 ps 1.0 lc rgb '" + std::string(kVermillion) +
         "' title '" + group_title(1) + "'\n";
  }
  spec.script = s;
  return spec;
}

FigureSpec degree_centrality_figure(const std::string& name, const JsonField& task2) {
  const std::vector<double> centrality = require_numbers(task2["degree_centrality"]);
  const std::vector<int> labels = treatment_labels(task2, centrality.size());
  CONVGRAD_CHECK(!labels.empty(), task2.where, ": expected the key treatment for the per-group histograms");
  const double n_minus_1 = static_cast<double>(centrality.size()) - 1.0;
  CONVGRAD_CHECK(n_minus_1 >= 1.0, task2.where, ".degree_centrality: expected at least 2 nodes, but got ",
                 centrality.size());
  // Bins hold whole degrees (centrality = degree / (N - 1)), at most ~30 bins.
  long long d_min = 0, d_max = 0;
  bool first = true;
  size_t count[2] = {0, 0};
  double sum[2] = {0.0, 0.0};
  std::ostringstream table;
  table << "# degree centrality, treatment, degree\n";
  for (size_t i = 0; i < centrality.size(); ++i) {
    const long long degree = std::llround(centrality[i] * n_minus_1);
    d_min = first ? degree : std::min(d_min, degree);
    d_max = first ? degree : std::max(d_max, degree);
    first = false;
    count[labels[i]] += 1;
    sum[labels[i]] += centrality[i];
    table << gp_number(centrality[i]) << ' ' << labels[i] << ' ' << degree << '\n';
  }
  const long long per_bin = std::max<long long>(1, (d_max - d_min + 1 + 29) / 30);
  const double mean[2] = {count[0] ? sum[0] / count[0] : NAN, count[1] ? sum[1] / count[1] : NAN};

  FigureSpec spec;
  spec.name = name;
  spec.caption = str_cat("Task 2.2: histograms of the degree centrality of the ", centrality.size(),
                         " cells in G, one per treatment group (same bins, overlaid), group means dashed.");
  spec.width = 860;
  spec.height = 560;
  spec.data.push_back({name + ".dat", table.str()});
  std::string s;
  s += "n_minus_1 = " + gp_number(n_minus_1) + ".0\n";
  s += str_cat("degrees_per_bin = ", per_bin, "   # change to re-bin; bins stay aligned with whole degrees\n");
  s += str_cat("lo = (", d_min, " - 0.5) / n_minus_1\n");
  s += "width = degrees_per_bin / n_minus_1\nbin(x) = lo + width * (floor((x - lo) / width) + 0.5)\n";
  s += "set boxwidth width absolute\nset style fill transparent solid 0.45 border\n";
  s += "set title " + gp_quote(str_cat("Degree centrality of the ", centrality.size(), " cells in G, by treatment")) +
       "\n";
  s += "set xlabel 'degree centrality  (degree / (N - 1))'\nset ylabel 'number of cells'\n";
  s += "set grid ytics lc rgb '#DDDDDD'\nset key below horizontal maxcols 2 Left reverse height 1\nset yrange [0:*]\n";
  s += "set offsets 0, 0, graph 0.08, 0\n";
  s += str_cat("set xrange [lo - width : lo + width * (floor(", d_max - d_min + 1,
               " / degrees_per_bin) + 2)]\n");
  const std::string colours[2] = {kBlue, kVermillion};
  for (int g = 0; g < 2; ++g) {
    if (!std::isfinite(mean[g])) continue;
    s += str_cat("set arrow from ", gp_number(mean[g]), ", graph 0 to ", gp_number(mean[g]),
                 ", graph 1 nohead lw 2 dt 2 lc rgb '", colours[g], "' front\n");
  }
  s += "plot ";
  for (int g = 0; g < 2; ++g) {
    s += str_cat(g ? ", \\\n     '" : "'", name, ".dat' using (bin($1)):($2 == ", g,
                 " ? 1 : 0) smooth frequency with boxes lc rgb '", colours[g], "' title ",
                 gp_quote(str_cat(group_title(g), ", ", count[g], " cells")));
  }
  for (int g = 0; g < 2; ++g) {
    if (!std::isfinite(mean[g])) continue;
    s += str_cat(", \\\n     NaN with lines lw 2 dt 2 lc rgb '", colours[g], "' title ",
                 gp_quote(str_cat("mean, ", g ? "treated" : "untreated", " = ", fixed(mean[g], 4))));
  }
  spec.script = s + "\n";
  return spec;
}

std::vector<FigureSpec> task2_figures(const nlohmann::json& results) {
  const JsonField task2 = json_root(results)["task2"];
  if (!task2.present()) return {};
  std::vector<FigureSpec> figures;
  if (task2["thresholds"].present()) figures.push_back(components_sparsity_figure("task2_components_sparsity", task2));
  if (task2["spectral_layout"].present()) figures.push_back(spectral_layout_figure("task2_spectral_layout", task2));
  if (task2["degree_centrality"].present() && task2["treatment"].present())
    figures.push_back(degree_centrality_figure("task2_degree_centrality", task2));
  return figures;
}

}  // namespace convgrad
