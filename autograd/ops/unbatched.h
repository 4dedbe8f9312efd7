// One unbatched image [C, H, W], as PyTorch's Conv2d, ConvTranspose2d and MaxPool2d accept it
// beside a batch [N, C, H, W]: the op runs on it as a batch of one, [1, C, H, W], and the batch
// axis is dropped from the result. Both steps are views (reshape), so gradients flow through.
#pragma once

#include "autograd/functions.h"

namespace convgrad {

// Checks that x is 3-d or 4-d, naming `op` and the layout otherwise; true when it is unbatched.
inline bool is_unbatched_image(const Variable& x, const char* op, const char* layout) {
  CONVGRAD_CHECK(x.dim() == 3 || x.dim() == 4, op, ": expected a 4-d input [N, ", layout, "] or a 3-d unbatched one [",
                 layout, "], but got ", shape_str(x.shape()));
  return x.dim() == 3;
}

// op(x as [1, C, H, W]) as [C', H', W'].
template <typename Op>
Variable as_batch_of_one(const Variable& x, const Op& op) {
  const Shape& s = x.shape();
  const Variable y = op(reshape(x, {1, s[0], s[1], s[2]}));
  return reshape(y, {y.size(1), y.size(2), y.size(3)});
}

}  // namespace convgrad
