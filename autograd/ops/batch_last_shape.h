// The [N, C, H, W] shape that the geometry functions of tensor/conv_kernels.h take, of an image
// batch stored batch-last [C, H, W, N] (tensor/batch_last.h); an error naming the op otherwise.
// And the operand checks the batch-last convolutions share.
#pragma once

#include "autograd/variable.h"
#include "tensor/conv_kernels.h"

namespace convgrad {

inline Shape batch_last_image_shape(const Variable& x, const char* op) {
  CONVGRAD_CHECK(x.dim() == 4, op, ": expected a batch-last input [C, H, W, N], but got ", shape_str(x.shape()));
  return {x.size(3), x.size(0), x.size(1), x.size(2)};
}

// x, weight and bias (if defined) of one dtype, and the bias [C_out]; an error naming the op otherwise.
inline void check_conv_operands(const char* op, const Variable& x, const Variable& weight, const Variable& bias,
                                int64_t C_out) {
  check_same_dtype(x.data(), weight.data(), op);
  if (!bias.defined()) return;
  check_conv_bias(op, bias.shape(), C_out, weight.shape());
  check_same_dtype(x.data(), bias.data(), op);
}

}  // namespace convgrad
