// The end of a batch-last convolution (ops/conv2d_batch_last.cpp, ops/conv_transpose2d_batch_last.cpp):
//   y = activation(s + b)    s the convolution's sum, b the bias of y's channel
// The forward kernels apply it as they store y (tensor/batch_last.h); its backward, from y alone:
//   dL/ds    = dL/dy · activation'(s)        ReLU: dL/dy where y > 0 (or NaN), 0 where y ≤ 0
//   dL/db[o] = sum of dL/ds over channel o's pixels and images
#pragma once

#include "autograd/kink.h"
#include "autograd/variable.h"
#include "tensor/batch_last.h"
#include "tensor/tensor.h"

namespace convgrad {

struct EpilogueGrads {
  Tensor grad_sum;   // dL/ds: grad_y itself when there is no activation
  Tensor grad_bias;  // dL/db, [C]; undefined unless asked for
};

// grad_y and y are [C, H, W, N].
EpilogueGrads epilogue_backward(const Tensor& grad_y, const Tensor& y, Activation activation, bool need_bias);

// The graph node of a batch-last convolution op with output y = activation(s + b), shared by
// conv2d_batch_last and conv_transpose2d_batch_last: records the ReLU's kink for gradcheck, and
// a backward that turns dL/dy into dL/ds and dL/db (epilogue_backward), then asks
// `sums(grad_s, need_input, need_weight, grads)` for dL/dx (grads[0]) and dL/dW (grads[1]).
template <typename Sums>
Variable make_conv_result(const char* name, const Tensor& output, const Variable& x, const Variable& weight,
                          const Variable& bias, Activation activation, Sums sums) {
  if (activation == Activation::relu) record_relu_kink(output);
  const bool has_bias = bias.defined();
  const bool need_input = x.requires_grad(), need_weight = weight.requires_grad();
  const bool need_bias = has_bias && bias.requires_grad();
  std::vector<Variable> inputs{x, weight};
  if (has_bias) inputs.push_back(bias);
  const Tensor y = activation == Activation::none ? Tensor() : output;
  return make_result(name, output, std::move(inputs),
                     [y, activation, need_input, need_weight, need_bias, has_bias, sums](const Tensor& grad_output) {
    Grads grads(has_bias ? 3 : 2);
    EpilogueGrads epilogue = epilogue_backward(grad_output, y, activation, need_bias);
    if (need_bias) grads[2] = epilogue.grad_bias;
    sums(epilogue.grad_sum, need_input, need_weight, grads);
    return grads;
  });
}

}  // namespace convgrad
