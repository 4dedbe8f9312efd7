// The end of a batch-last convolution (ops/conv2d_batch_last.cpp, ops/conv_transpose2d_batch_last.cpp):
//   y = activation(s + b)    s the convolution's sum, b the bias of y's channel
// The forward kernels apply it as they store y (tensor/batch_last.h); its backward, from y alone:
//   dL/ds    = dL/dy · activation'(s)        ReLU: dL/dy where y > 0 (or NaN), 0 where y ≤ 0
//   dL/db[o] = sum of dL/ds over channel o's pixels and images
#pragma once

#include "tensor/batch_last.h"
#include "tensor/tensor.h"

namespace convgrad {

struct EpilogueGrads {
  Tensor grad_sum;   // dL/ds: grad_y itself when there is no activation
  Tensor grad_bias;  // dL/db, [C]; undefined unless asked for
};

// grad_y and y are [C, H, W, N].
EpilogueGrads epilogue_backward(const Tensor& grad_y, const Tensor& y, Activation activation, bool need_bias);

}  // namespace convgrad
