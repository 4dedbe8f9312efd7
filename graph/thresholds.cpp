#include "graph/thresholds.h"

#include <cmath>

#include "tensor/error.h"

namespace convgrad::graph {

ThresholdGrid::ThresholdGrid(double lo, double hi, int count) : lo_(lo) {
  CONVGRAD_CHECK(count >= 2, "thresholds: expected at least 2 thresholds, but got ", count);
  CONVGRAD_CHECK(std::isfinite(lo) && std::isfinite(hi) && lo <= hi,
                 "thresholds: expected finite lo <= hi, but got lo = ", lo, ", hi = ", hi);
  const double step = (hi - lo) / (count - 1);
  // NOTE: with no usable step (all thresholds equal, or 1/step overflows) bucket() falls back
  // to walking the grid from the top; still exact, just O(count).
  inv_step_ = step > 0.0 && std::isfinite(1.0 / step) ? 1.0 / step : 0.0;
  values_.resize(static_cast<size_t>(count));
  for (int k = 0; k < count; ++k) values_[k] = static_cast<double>(k) * step + lo;  // numpy's order
  values_[count - 1] = hi;
}

}  // namespace convgrad::graph
