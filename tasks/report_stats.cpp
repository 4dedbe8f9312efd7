#include "tasks/report_stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace convgrad {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Pairs where both values are finite.
template <typename Visit>
size_t for_pairs(const std::vector<double>& x, const std::vector<double>& y, Visit visit) {
  size_t n = 0;
  for (size_t i = 0; i < std::min(x.size(), y.size()); ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(y[i])) continue;
    visit(x[i], y[i]);
    ++n;
  }
  return n;
}

}  // namespace

double mean_of(const std::vector<double>& values) {
  double sum = 0.0;
  size_t n = 0;
  for (double v : values)
    if (std::isfinite(v)) sum += v, ++n;
  return n ? sum / n : kNaN;
}

double variance_of(const std::vector<double>& values) {
  const double mean = mean_of(values);
  double sum = 0.0;
  size_t n = 0;
  for (double v : values)
    if (std::isfinite(v)) sum += (v - mean) * (v - mean), ++n;
  return n ? sum / n : kNaN;
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  double sx = 0, sy = 0;
  const size_t n = for_pairs(x, y, [&](double a, double b) { sx += a, sy += b; });
  if (n < 2) return kNaN;
  const double mx = sx / n, my = sy / n;
  double sxy = 0, sxx = 0, syy = 0;
  for_pairs(x, y, [&](double a, double b) {
    sxy += (a - mx) * (b - my);
    sxx += (a - mx) * (a - mx);
    syy += (b - my) * (b - my);
  });
  return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : kNaN;
}

double slope_of(const std::vector<double>& x, const std::vector<double>& y) {
  double sx = 0, sy = 0;
  const size_t n = for_pairs(x, y, [&](double a, double b) { sx += a, sy += b; });
  if (n < 2) return kNaN;
  const double mx = sx / n, my = sy / n;
  double sxy = 0, sxx = 0;
  for_pairs(x, y, [&](double a, double b) {
    sxy += (a - mx) * (b - my);
    sxx += (a - mx) * (a - mx);
  });
  return sxx > 0 ? sxy / sxx : kNaN;
}

double r2_of(const std::vector<double>& truth, const std::vector<double>& predicted) {
  double st = 0;
  const size_t n = for_pairs(truth, predicted, [&](double t, double) { st += t; });
  if (n < 2) return kNaN;
  const double mean = st / n;
  double ss_res = 0, ss_tot = 0;
  for_pairs(truth, predicted, [&](double t, double p) {
    ss_res += (t - p) * (t - p);
    ss_tot += (t - mean) * (t - mean);
  });
  return ss_tot > 0 ? 1.0 - ss_res / ss_tot : kNaN;
}

HeatmapSummary summarise_heatmap(const std::vector<double>& mse) {
  HeatmapSummary s;
  std::vector<size_t> order;
  for (size_t p = 0; p < mse.size(); ++p)
    if (std::isfinite(mse[p])) order.push_back(p);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return mse[a] > mse[b]; });
  for (size_t k = 0; k < std::min<size_t>(5, order.size()); ++k) {
    s.highest.push_back(order[k]);
    s.lowest.push_back(order[order.size() - 1 - k]);
  }
  s.row_mean.assign(10, kNaN);
  s.col_mean.assign(10, kNaN);
  if (mse.size() != 100) return s;
  // In ConvTranspose2d(k=3, s=2, p=1) output index o = 2i - 1 + k: even o (and the last, 9)
  // get one kernel tap per axis, odd o < 9 two.
  auto single = [](size_t o) { return o % 2 == 0 || o == 9; };
  std::vector<double> single_tap, multi_tap;
  for (size_t r = 0; r < 10; ++r) {
    std::vector<double> row(mse.begin() + 10 * r, mse.begin() + 10 * r + 10), col;
    for (size_t i = 0; i < 10; ++i) col.push_back(mse[10 * i + r]);
    s.row_mean[r] = mean_of(row);
    s.col_mean[r] = mean_of(col);
    for (size_t c = 0; c < 10; ++c) (single(r) && single(c) ? single_tap : multi_tap).push_back(mse[10 * r + c]);
  }
  s.total = std::accumulate(mse.begin(), mse.end(), 0.0);
  s.single_tap_mean = mean_of(single_tap);
  s.multi_tap_mean = mean_of(multi_tap);
  return s;
}

SplitResult best_split(const std::vector<double>& coordinate, const std::vector<int>& labels) {
  std::vector<size_t> order;
  size_t ones = 0;
  for (size_t i = 0; i < std::min(coordinate.size(), labels.size()); ++i) {
    if (!std::isfinite(coordinate[i])) continue;
    order.push_back(i);
    ones += labels[i] == 1;
  }
  SplitResult best;
  const size_t n = order.size();
  if (n == 0) return best;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return coordinate[a] < coordinate[b]; });
  // Cut after position k: below = order[0..k). Count label 1 below.
  size_t ones_below = 0;
  for (size_t k = 0; k <= n; ++k) {
    if (k > 0) ones_below += labels[order[k - 1]] == 1;
    if (k > 0 && k < n && coordinate[order[k - 1]] == coordinate[order[k]]) continue;
    const size_t zeros_below = k - ones_below, ones_above = ones - ones_below;
    const double above = static_cast<double>(ones_above + zeros_below) / n;  // label 1 above the cut
    const double cut = k == 0 ? coordinate[order[0]] : k == n ? coordinate[order[n - 1]]
                                                              : 0.5 * (coordinate[order[k - 1]] + coordinate[order[k]]);
    if (above > best.accuracy) best = {above, cut, true};
    if (1.0 - above > best.accuracy) best = {1.0 - above, cut, false};
  }
  return best;
}

double EdgeMix::density_treated() const {
  return n_treated > 1 ? within_treated / (0.5 * n_treated * (n_treated - 1.0)) : kNaN;
}
double EdgeMix::density_untreated() const {
  return n_untreated > 1 ? within_untreated / (0.5 * n_untreated * (n_untreated - 1.0)) : kNaN;
}
double EdgeMix::within_fraction() const {
  const size_t total = within_treated + within_untreated + between;
  return total ? static_cast<double>(within_treated + within_untreated) / total : kNaN;
}

EdgeMix edge_mix(const std::vector<std::vector<double>>& edges, const std::vector<int>& labels) {
  EdgeMix mix;
  for (int label : labels) (label == 1 ? mix.n_treated : mix.n_untreated) += 1;
  for (const auto& edge : edges) {
    const size_t a = static_cast<size_t>(edge[0]), b = static_cast<size_t>(edge[1]);
    if (a >= labels.size() || b >= labels.size()) continue;
    if (labels[a] != labels[b]) ++mix.between;
    else (labels[a] == 1 ? mix.within_treated : mix.within_untreated) += 1;
  }
  const double n = static_cast<double>(labels.size());
  if (n > 1) {
    const double t = mix.n_treated, u = mix.n_untreated;
    mix.expected_within_fraction = (t * (t - 1) + u * (u - 1)) / (n * (n - 1));
  }
  return mix;
}

}  // namespace convgrad
