#include "nn/losses.h"

namespace convgrad {

Variable mse_reconstruct(const Variable& xhat, const Variable& x) {
  CONVGRAD_CHECK(xhat.shape() == x.shape(), "mse_reconstruct: expected the target to have the input's shape ",
                 shape_str(xhat.shape()), ", but got ", shape_str(x.shape()));
  CONVGRAD_CHECK(xhat.dim() >= 1 && xhat.size(0) > 0,
                 "mse_reconstruct: expected a batch [N, ...] with N > 0, but got ", shape_str(xhat.shape()));
  // mean_n Σ_i (xhat − x)² = Σ over everything / N
  return squared_error(xhat, x, 1.0 / static_cast<double>(xhat.size(0)), "mse_reconstruct");
}

Variable mse_reconstruct_batch_last(const Variable& xhat, const Variable& x) {
  CONVGRAD_CHECK(xhat.shape() == x.shape(), "mse_reconstruct: expected the target to have the input's shape ",
                 shape_str(xhat.shape()), ", but got ", shape_str(x.shape()));
  CONVGRAD_CHECK(xhat.dim() >= 1 && xhat.size(-1) > 0,
                 "mse_reconstruct: expected a batch-last batch [..., N] with N > 0, but got ", shape_str(xhat.shape()));
  return squared_error(xhat, x, 1.0 / static_cast<double>(xhat.size(-1)), "mse_reconstruct");
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
  return squared_error(reshape(yhat, {n}), reshape(y, {n}), 1.0 / static_cast<double>(n), "mse_regress");
}

}  // namespace convgrad
