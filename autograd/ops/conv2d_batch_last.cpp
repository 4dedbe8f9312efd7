// conv2d on batch-last images, x [C_in, H, W, N] (tensor/batch_last.h has the three sums),
// optionally with a ReLU applied as the output is stored (ops/batch_last_epilogue.h):
//   s[o]  = sum_c W[o, c] ⋆ x[c]                        (cross-correlation, as conv2d)
//   y[o]  = activation(s[o] + b[o])
//   dL/ds = dL/dy · activation'(s),  dL/db[o] = sum of dL/ds[o]
//   dL/dx = the adjoint sum: each dL/ds pixel times the taps that read x there
//   dL/dW[o, c, kh, kw] = sum over pixels and images of dL/ds[o] · x[c] shifted by the tap
#include "autograd/functions.h"
#include "autograd/kink.h"
#include "autograd/ops/batch_last_epilogue.h"
#include "autograd/ops/batch_last_shape.h"

namespace convgrad {

Variable conv2d_batch_last(const Variable& x, const Variable& weight, const Variable& bias, const Conv2dOptions& options,
                           Activation activation) {
  CONVGRAD_CHECK(options.groups == 1, "conv2d_batch_last: expected groups = 1, but got ", options.groups,
                 " (grouped convolutions take conv2d's [N, C, H, W] path)");
  const ConvGeometry g = conv2d_geometry(batch_last_image_shape(x, "conv2d_batch_last"), weight.shape(), options.stride,
                                         options.padding, options.dilation);
  check_same_dtype(x.data(), weight.data(), "conv2d_batch_last");
  const int64_t C_out = weight.size(0);
  const bool has_bias = bias.defined();
  if (has_bias) {
    check_conv_bias("conv2d_batch_last", bias.shape(), C_out, weight.shape());
    check_same_dtype(x.data(), bias.data(), "conv2d_batch_last");
  }
  Tensor output = Tensor::empty({C_out, g.H_out, g.W_out, g.N}, x.dtype());
  dispatch(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    conv2d_batch_last_forward<T>(x.data().data<T>(), weight.data().data<T>(),
                                 has_bias ? bias.data().data<T>() : nullptr, g, C_out, output.data<T>(), activation);
  });
  if (activation == Activation::relu) record_relu_kink(output);

  const bool need_input = x.requires_grad(), need_weight = weight.requires_grad();
  const bool need_bias = has_bias && bias.requires_grad();
  std::vector<Variable> inputs{x, weight};
  if (has_bias) inputs.push_back(bias);
  const Tensor x_data = need_weight ? x.data() : Tensor(), w = weight.data();
  const Tensor y = activation == Activation::none ? Tensor() : output;
  return make_result("conv2d_batch_last", output, std::move(inputs),
                     [g, C_out, x_data, w, y, activation, need_input, need_weight, need_bias, has_bias](const Tensor& grad_output) {
    Grads grads(has_bias ? 3 : 2);
    EpilogueGrads epilogue = epilogue_backward(grad_output, y, activation, need_bias);
    if (need_bias) grads[2] = epilogue.grad_bias;
    dispatch(grad_output.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* dy = epilogue.grad_sum.data<T>();
      if (need_input) {
        grads[0] = Tensor::empty({g.C, g.H, g.W, g.N}, grad_output.dtype());
        conv2d_batch_last_input_grad<T>(dy, w.data<T>(), g, C_out, grads[0].data<T>());
      }
      if (need_weight) {
        grads[1] = Tensor::empty(w.shape(), grad_output.dtype());
        conv2d_batch_last_weight_grad<T>(x_data.data<T>(), dy, g, C_out, grads[1].data<T>());
      }
    });
    return grads;
  });
}

}  // namespace convgrad
