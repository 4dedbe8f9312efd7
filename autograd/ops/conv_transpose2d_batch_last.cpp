// conv_transpose2d on batch-last images, x [C_in, H, W, N]: the adjoint of conv2d with the same
// weight [C_in, C_out, K_h, K_w] read as a conv2d weight [C_in, C_out, ...] from C_out channels
// to C_in, on the geometry whose "image" is this op's output (conv_transpose2d_geometry). So
// tensor/batch_last.h's three sums serve it with their roles swapped, s being the sum before
// the bias and the optional ReLU (ops/batch_last_epilogue.h: y = activation(s + b)):
//   s     = conv2d's dL/dx of "dL/dy" = x
//   dL/dx = conv2d's forward of dL/ds
//   dL/dW = conv2d's dL/dW with dL/ds as its input and x as its output's gradient
#include "autograd/functions.h"
#include "autograd/ops/batch_last_epilogue.h"
#include "autograd/ops/batch_last_shape.h"

namespace convgrad {

Variable conv_transpose2d_batch_last(const Variable& x, const Variable& weight, const Variable& bias,
                                     const ConvTranspose2dOptions& options, Activation activation) {
  CONVGRAD_CHECK(options.groups == 1, "conv_transpose2d_batch_last: expected groups = 1, but got ", options.groups,
                 " (grouped convolutions take conv_transpose2d's [N, C, H, W] path)");
  const ConvGeometry g = conv_transpose2d_geometry(batch_last_image_shape(x, "conv_transpose2d_batch_last"),
                                                   weight.shape(), options.stride, options.padding,
                                                   options.output_padding, options.dilation);
  const int64_t C_in = weight.size(0), C_out = g.C;
  const bool has_bias = bias.defined();
  check_conv_operands("conv_transpose2d_batch_last", x, weight, bias, C_out);
  Tensor output = Tensor::empty({C_out, g.H, g.W, g.N}, x.dtype());
  dispatch(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    T* y = output.data<T>();
    conv2d_batch_last_input_grad<T>(x.data().data<T>(), weight.data().data<T>(), g, C_in, y);
    bias_and_activation_batch_last<T>(y, has_bias ? bias.data().data<T>() : nullptr, C_out, g.H * g.W * g.N, activation);
  });
  const Tensor x_data = weight.requires_grad() ? x.data() : Tensor(), w = weight.data();
  return make_conv_result("conv_transpose2d_batch_last", output, x, weight, bias, activation,
                          [g, C_in, x_data, w](const Tensor& grad_s, bool need_input, bool need_weight, Grads& grads) {
    dispatch(grad_s.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* ds = grad_s.data<T>();
      if (need_input) {
        grads[0] = Tensor::empty({C_in, g.H_out, g.W_out, g.N}, grad_s.dtype());
        conv2d_batch_last_forward<T>(ds, w.data<T>(), nullptr, g, C_in, grads[0].data<T>());
      }
      if (need_weight) {
        grads[1] = Tensor::empty(w.shape(), grad_s.dtype());
        conv2d_batch_last_weight_grad<T>(ds, x_data.data<T>(), g, C_in, grads[1].data<T>());
      }
    });
  });
}

}  // namespace convgrad
