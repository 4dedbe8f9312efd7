// conv2d: y[n, o] = b[o] + sum_c W[o, c] ⋆ x[n, c]  (cross-correlation, as in PyTorch).
//
// The whole batch is ONE GEMM (see tensor/conv_kernels.h for im2col):
//   cols = im2col(x)          [C_in*K_h*K_w, N*H_out*W_out]
//   Y    = W · cols           [C_out, N*H_out*W_out]     (W viewed as [C_out, C_in*K_h*K_w])
//   y    = Y as [N, C_out, H_out, W_out] + b              (one pass: reorder and add the bias)
#include "autograd/functions.h"
#include "tensor/blas.h"
#include "tensor/conv_kernels.h"

namespace convgrad {

Variable conv2d(const Variable& x, const Variable& weight, const Variable& bias, const Conv2dOptions& options) {
  const ConvGeometry g = conv2d_geometry(x.shape(), weight.shape(), options.stride, options.padding,
                                         options.dilation);
  check_same_dtype(x.data(), weight.data(), "conv2d");
  const int64_t C_out = weight.size(0);
  if (bias.defined()) {
    check_conv_bias("conv2d", bias.shape(), C_out, weight.shape());
    check_same_dtype(x.data(), bias.data(), "conv2d");
  }
  const int64_t rows = g.col_rows(), L = g.positions(), NL = g.col_cols();
  const DType dtype = x.dtype();
  const Tensor w = weight.data();
  Tensor cols = Tensor::empty({rows, NL}, dtype);
  Tensor output = Tensor::empty({g.N, C_out, g.H_out, g.W_out}, dtype);
  dispatch(dtype, [&](auto zero) {
    using T = decltype(zero);
    im2col<T>(x.data().data<T>(), g, cols.data<T>());
    Tensor y = Tensor::empty({C_out, NL}, dtype);
    gemm<T>(false, false, C_out, NL, rows, T(1), w.data<T>(), rows, cols.data<T>(), NL, T(0), y.data<T>(), NL);
    channel_to_batch_major<T>(y.data<T>(), g.N, C_out, L, bias.defined() ? bias.data().data<T>() : nullptr,
                              output.data<T>());
  });

  const bool need_input = x.requires_grad(), need_weight = weight.requires_grad();
  const bool has_bias = bias.defined(), need_bias = has_bias && bias.requires_grad();
  if (!need_weight) cols = Tensor();  // only grad_weight reads the columns
  std::vector<Variable> inputs{x, weight};
  if (has_bias) inputs.push_back(bias);

  // G = grad_output as [C_out, N*H_out*W_out]:
  // dL/dW = G · colsᵀ,   dL/dx = col2im(Wᵀ · G),   dL/db[o] = sum of G[o, :]
  return make_result("conv2d", output, std::move(inputs),
                     [g, w, cols, C_out, need_input, need_weight, need_bias, has_bias](const Tensor& grad_output) {
    const int64_t rows = g.col_rows(), L = g.positions(), NL = g.col_cols();
    const DType dtype = grad_output.dtype();
    Tensor grad_input, grad_weight, grad_bias;
    dispatch(dtype, [&](auto zero) {
      using T = decltype(zero);
      Tensor G = Tensor::empty({C_out, NL}, dtype);
      batch_to_channel_major<T>(grad_output.data<T>(), g.N, C_out, L, G.data<T>());
      if (need_weight) {
        grad_weight = Tensor::empty(w.shape(), dtype);
        gemm<T>(false, true, C_out, rows, NL, T(1), G.data<T>(), NL, cols.data<T>(), NL, T(0),
                grad_weight.data<T>(), rows);
      }
      if (need_input) {
        Tensor grad_cols = Tensor::empty({rows, NL}, dtype);
        gemm<T>(true, false, rows, NL, C_out, T(1), w.data<T>(), rows, G.data<T>(), NL, T(0),
                grad_cols.data<T>(), NL);
        grad_input = Tensor::empty({g.N, g.C, g.H, g.W}, dtype);
        col2im<T>(grad_cols.data<T>(), g, grad_input.data<T>());
      }
      if (need_bias) {
        grad_bias = Tensor::empty({C_out}, dtype);
        channel_sums<T>(G.data<T>(), 1, C_out, NL, grad_bias.data<T>());
      }
    });
    Grads grads{grad_input, grad_weight};
    if (has_bias) grads.push_back(grad_bias);
    return grads;
  });
}

}  // namespace convgrad
