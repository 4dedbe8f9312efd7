// The [N, C, H, W] shape that the geometry functions of tensor/conv_kernels.h take, of an image
// batch stored batch-last [C, H, W, N] (tensor/batch_last.h); an error naming the op otherwise.
#pragma once

#include "autograd/variable.h"

namespace convgrad {

inline Shape batch_last_image_shape(const Variable& x, const char* op) {
  CONVGRAD_CHECK(x.dim() == 4, op, ": expected a batch-last input [C, H, W, N], but got ", shape_str(x.shape()));
  return {x.size(3), x.size(0), x.size(1), x.size(2)};
}

}  // namespace convgrad
