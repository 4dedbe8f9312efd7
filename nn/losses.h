// The coursework's losses: squared errors (autograd's squared_error, one op with its backward).
#pragma once

#include "autograd/functions.h"

namespace convgrad {

// MSE_reconstruct: the squared error summed over every non-batch element, averaged over
// the batch: mean_n sum_{c,h,w} (xhat - x)^2 = sum / N (= 100 x MSELoss for 10x10 images).
// PyTorch writes it ((xhat - x)^2).sum(dim=(1, ...)).mean(); here one sum over everything,
// in double, divided by N. Shapes must match.
Variable mse_reconstruct(const Variable& xhat, const Variable& x);
// The same loss of batch-last tensors [..., N] (autograd/functions.h, "the batch as the last
// axis"): the same sum, divided by the last size instead of the first.
Variable mse_reconstruct_batch_last(const Variable& xhat, const Variable& x);

// MSE_regress: mean_n (yhat_n - y_n)^2. yhat and y are each [N] or [N, 1] (never broadcast
// against each other into [N, N], PyTorch's classic trap); the N must agree.
Variable mse_regress(const Variable& yhat, const Variable& y);

}  // namespace convgrad
