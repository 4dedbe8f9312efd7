// conv2d on batch-last images, x [C_in, H, W, N] (tensor/batch_last.h has the three sums),
// optionally with a ReLU applied as the output is stored (ops/batch_last_epilogue.h):
//   s[o]  = sum_c W[o, c] ⋆ x[c]                        (cross-correlation, as conv2d)
//   y[o]  = activation(s[o] + b[o])
//   dL/ds = dL/dy · activation'(s),  dL/db[o] = sum of dL/ds[o]
//   dL/dx = the adjoint sum: each dL/ds pixel times the taps that read x there
//   dL/dW[o, c, kh, kw] = sum over pixels and images of dL/ds[o] · x[c] shifted by the tap
#include "autograd/functions.h"
#include "autograd/ops/batch_last_epilogue.h"
#include "autograd/ops/batch_last_shape.h"

namespace convgrad {

Variable conv2d_batch_last(const Variable& x, const Variable& weight, const Variable& bias, const Conv2dOptions& options,
                           Activation activation) {
  CONVGRAD_CHECK(options.groups == 1, "conv2d_batch_last: expected groups = 1, but got ", options.groups,
                 " (grouped convolutions take conv2d's [N, C, H, W] path)");
  const ConvGeometry g = conv2d_geometry(batch_last_image_shape(x, "conv2d_batch_last"), weight.shape(), options.stride,
                                         options.padding, options.dilation);
  const int64_t C_out = weight.size(0);
  const bool has_bias = bias.defined();
  check_conv_operands("conv2d_batch_last", x, weight, bias, C_out);
  Tensor output = Tensor::empty({C_out, g.H_out, g.W_out, g.N}, x.dtype());
  dispatch(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    conv2d_batch_last_forward<T>(x.data().data<T>(), weight.data().data<T>(),
                                 has_bias ? bias.data().data<T>() : nullptr, g, C_out, output.data<T>(), activation);
  });
  const Tensor x_data = weight.requires_grad() ? x.data() : Tensor(), w = weight.data();
  return make_conv_result("conv2d_batch_last", output, x, weight, bias, activation,
                          [g, C_out, x_data, w](const Tensor& grad_s, bool need_input, bool need_weight, Grads& grads) {
    dispatch(grad_s.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* ds = grad_s.data<T>();
      if (need_input) {
        grads[0] = Tensor::empty({g.C, g.H, g.W, g.N}, grad_s.dtype());
        conv2d_batch_last_input_grad<T>(ds, w.data<T>(), g, C_out, grads[0].data<T>());
      }
      if (need_weight) {
        grads[1] = Tensor::empty(w.shape(), grad_s.dtype());
        conv2d_batch_last_weight_grad<T>(x_data.data<T>(), ds, g, C_out, grads[1].data<T>());
      }
    });
  });
}

}  // namespace convgrad
