#include "nn/losses.h"

#include <numeric>

namespace convgrad {

Variable mse_reconstruct(const Variable& xhat, const Variable& x) {
  CONVGRAD_CHECK(xhat.shape() == x.shape(), "mse_reconstruct: expected the target to have the input's shape ",
                 shape_str(xhat.shape()), ", but got ", shape_str(x.shape()));
  CONVGRAD_CHECK(xhat.dim() >= 1 && xhat.size(0) > 0,
                 "mse_reconstruct: expected a batch [N, ...] with N > 0, but got ", shape_str(xhat.shape()));
  Variable squared = square(xhat - x);
  if (xhat.dim() == 1) return mean(squared);  // one scalar per sample: nothing to sum
  std::vector<int64_t> sample_dims(static_cast<size_t>(xhat.dim() - 1));
  std::iota(sample_dims.begin(), sample_dims.end(), 1);
  return mean(sum(squared, sample_dims));
}

namespace {
bool is_column(const Shape& shape) { return shape.size() == 1 || (shape.size() == 2 && shape[1] == 1); }
}  // namespace

Variable mse_regress(const Variable& yhat, const Variable& y) {
  CONVGRAD_CHECK(is_column(yhat.shape()) && is_column(y.shape()),
                 "mse_regress: expected predictions and targets of shape [N] or [N, 1], but got ",
                 shape_str(yhat.shape()), " and ", shape_str(y.shape()));
  CONVGRAD_CHECK(yhat.size(0) == y.size(0) && y.size(0) > 0,
                 "mse_regress: expected predictions and targets with the same number N > 0 of samples, but got ",
                 shape_str(yhat.shape()), " and ", shape_str(y.shape()));
  const int64_t n = y.size(0);
  Variable diff = reshape(yhat, {n}) - reshape(y, {n});
  return mean(square(diff));
}

}  // namespace convgrad
