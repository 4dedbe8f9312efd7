// The threshold grid: `count` values equidistant from lo = min(S) to hi = max(S), computed
// exactly as numpy.linspace(lo, hi, count) does (t_k = lo + k·step, step = (hi − lo)/(count − 1),
// last value set to hi), so the grid matches a NumPy reference bit for bit.
#pragma once

#include <vector>

namespace convgrad::graph {

class ThresholdGrid {
 public:
  ThresholdGrid(double lo, double hi, int count);

  int size() const { return static_cast<int>(values_.size()); }
  double operator[](int k) const { return values_[k]; }
  const std::vector<double>& values() const { return values_; }

  // The largest k with t_k ≤ w (−1 when w < t_0): the edge of weight w is in G^(t_k) exactly
  // for k = 0..bucket(w). O(1): a guess from (w − lo)/step, corrected by exact comparisons.
  int bucket(double w) const {
    const int last = size() - 1;
    int k = last;
    if (inv_step_ > 0.0) {
      const double guess = (w - lo_) * inv_step_;
      k = guess < 0.0 ? -1 : (guess >= last ? last : static_cast<int>(guess));
    }
    // NOTE: the guess may be off by one next to a grid value; the exact comparisons decide, so
    // a tie (w == t_k) always counts as "in" (S_ij ≥ δ).
    while (k < last && values_[k + 1] <= w) ++k;
    while (k >= 0 && values_[k] > w) --k;
    return k;
  }

 private:
  std::vector<double> values_;
  double lo_ = 0.0;
  double inv_step_ = 0.0;  // 1 / step, 0 when all thresholds are equal
};

}  // namespace convgrad::graph
