// conv_transpose2d: the gradient of conv2d w.r.t. its input, used as a layer.
//
// With weight [C_in, C_out, K_h, K_w] viewed as W [C_in, C_out*K_h*K_w] and x as the
// channel-major X [C_in, N*H*W] (see tensor/conv_kernels.h):
//   cols = Wᵀ · X                         [C_out*K_h*K_w, N*H*W]   (ONE GEMM for the batch)
//   y    = col2im(cols) + b               [N, C_out, H_out, W_out]
// H_out = (H - 1) s - 2p + d (K - 1) + output_padding + 1. Each input pixel stamps a
// weighted kernel onto the output at stride s; output_padding adds rows/columns at the
// bottom/right that no conv2d output would need (see docs/conv_transpose2d.md).
#include "autograd/functions.h"
#include "tensor/blas.h"
#include "tensor/conv_kernels.h"

namespace convgrad {

Variable conv_transpose2d(const Variable& x, const Variable& weight, const Variable& bias,
                          const ConvTranspose2dOptions& options) {
  const ConvGeometry g = conv_transpose2d_geometry(x.shape(), weight.shape(), options.stride, options.padding,
                                                   options.output_padding, options.dilation);
  check_same_dtype(x.data(), weight.data(), "conv_transpose2d");
  const int64_t C_in = weight.size(0), C_out = g.C;
  if (bias.defined()) {
    check_conv_bias("conv_transpose2d", bias.shape(), C_out, weight.shape());
    check_same_dtype(x.data(), bias.data(), "conv_transpose2d");
  }
  // Here the column matrix has one column per INPUT pixel: L = H * W of x.
  const int64_t rows = g.col_rows(), L = g.positions(), NL = g.col_cols();
  const DType dtype = x.dtype();
  const Tensor w = weight.data();
  Tensor x_cm = Tensor::empty({C_in, NL}, dtype);  // X, channel-major
  Tensor output = Tensor::empty({g.N, C_out, g.H, g.W}, dtype);
  dispatch(dtype, [&](auto zero) {
    using T = decltype(zero);
    batch_to_channel_major<T>(x.data().data<T>(), g.N, C_in, L, x_cm.data<T>());
    Tensor cols = Tensor::empty({rows, NL}, dtype);
    gemm<T>(true, false, rows, NL, C_in, T(1), w.data<T>(), rows, x_cm.data<T>(), NL, T(0), cols.data<T>(), NL);
    col2im<T>(cols.data<T>(), g, output.data<T>());
    if (bias.defined()) add_channel_bias<T>(output.data<T>(), g.N, C_out, g.H * g.W, bias.data().data<T>());
  });

  const bool need_input = x.requires_grad(), need_weight = weight.requires_grad();
  const bool has_bias = bias.defined(), need_bias = has_bias && bias.requires_grad();
  if (!need_weight) x_cm = Tensor();  // only grad_weight reads X
  std::vector<Variable> inputs{x, weight};
  if (has_bias) inputs.push_back(bias);

  // G = im2col(grad_output) [C_out*K_h*K_w, N*H*W]  (the adjoint of col2im):
  // dL/dx = W · G (back to NCHW),   dL/dW = X · Gᵀ,   dL/db[o] = sum of grad_output[:, o]
  return make_result("conv_transpose2d", output, std::move(inputs),
                     [g, w, x_cm, C_in, need_input, need_weight, need_bias, has_bias](const Tensor& grad_output) {
    const int64_t rows = g.col_rows(), L = g.positions(), NL = g.col_cols();
    const DType dtype = grad_output.dtype();
    Tensor grad_input, grad_weight, grad_bias;
    dispatch(dtype, [&](auto zero) {
      using T = decltype(zero);
      if (need_input || need_weight) {
        Tensor G = Tensor::empty({rows, NL}, dtype);
        im2col<T>(grad_output.data<T>(), g, G.data<T>());
        if (need_input) {
          Tensor grad_x_cm = Tensor::empty({C_in, NL}, dtype);
          gemm<T>(false, false, C_in, NL, rows, T(1), w.data<T>(), rows, G.data<T>(), NL, T(0),
                  grad_x_cm.data<T>(), NL);
          grad_input = Tensor::empty({g.N, C_in, g.H_out, g.W_out}, dtype);
          channel_to_batch_major<T>(grad_x_cm.data<T>(), g.N, C_in, L, nullptr, grad_input.data<T>());
        }
        if (need_weight) {
          grad_weight = Tensor::empty(w.shape(), dtype);
          gemm<T>(false, true, C_in, rows, NL, T(1), x_cm.data<T>(), NL, G.data<T>(), NL, T(0),
                  grad_weight.data<T>(), rows);
        }
      }
      if (need_bias) {
        grad_bias = Tensor::empty({g.C}, dtype);
        channel_sums<T>(grad_output.data<T>(), g.N, g.C, g.H * g.W, grad_bias.data<T>());
      }
    });
    Grads grads{grad_input, grad_weight};
    if (has_bias) grads.push_back(grad_bias);
    return grads;
  });
}

}  // namespace convgrad
