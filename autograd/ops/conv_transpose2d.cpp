// conv_transpose2d: the gradient of conv2d w.r.t. its input, used as a layer.
//
// With weight [C_in, C_out, K_h, K_w] viewed as W [C_in, C_out*K_h*K_w] and a chunk of n
// images of x as the channel-major X [C_in, n*H*W] (see tensor/conv_kernels.h):
//   cols = Wᵀ · X                         [C_out*K_h*K_w, n*H*W]   (ONE GEMM per chunk)
//   y    = col2im(cols) + b               [n, C_out, H_out, W_out]
// H_out = (H - 1) s - 2p + d (K - 1) + output_padding + 1. Each input pixel stamps a
// weighted kernel onto the output at stride s; output_padding adds rows/columns at the
// bottom/right that no conv2d output would need (see docs/conv_transpose2d.md).
// Chunks of images are independent: threads take whole chunks (as in conv2d.cpp).
// Small layers (the U-Net's `up`, the autoencoder's `deconv` backward) split into stride-1
// sub-convolutions on the direct kernel instead: tensor/conv_transpose_direct.h.
#include "autograd/functions.h"
#include "autograd/ops/conv_groups.h"
#include "autograd/ops/unbatched.h"
#include "tensor/blas.h"
#include "tensor/conv_kernels.h"
#include "tensor/parallel_for.h"
#include "tensor/conv_transpose_direct.h"

namespace convgrad {

Variable conv_transpose2d(const Variable& x, const Variable& weight, const Variable& bias,
                          const ConvTranspose2dOptions& options) {
  if (is_unbatched_image(x, "conv_transpose2d", "C_in, H, W")) {
    return as_batch_of_one(x, [&](const Variable& batch) { return conv_transpose2d(batch, weight, bias, options); });
  }
  if (options.groups != 1) return conv_transpose2d_by_groups(x, weight, bias, options);
  const ConvGeometry g = conv_transpose2d_geometry(x.shape(), weight.shape(), options.stride, options.padding,
                                                   options.output_padding, options.dilation);
  check_same_dtype(x.data(), weight.data(), "conv_transpose2d");
  const int64_t C_in = weight.size(0), C_out = g.C;
  if (bias.defined()) {
    check_conv_bias("conv_transpose2d", bias.shape(), C_out, weight.shape());
    check_same_dtype(x.data(), bias.data(), "conv_transpose2d");
  }
  // Here the column matrix has one column per INPUT pixel: L = H * W of x.
  const int64_t rows = g.col_rows(), L = g.positions(), out_plane = g.H * g.W;
  const DType dtype = x.dtype();
  const Tensor input = x.data(), w = weight.data();
  Tensor output = Tensor::empty({g.N, C_out, g.H, g.W}, dtype);
  const int64_t per_chunk = images_per_chunk(g.N, rows, L, dtype_size(dtype));
  const int64_t chunks = (g.N + per_chunk - 1) / per_chunk;
  const bool direct = conv_transpose2d_direct_applies(g, C_in);
  dispatch(dtype, [&](auto zero) {
    using T = decltype(zero);
    const T* x_data = input.data<T>();
    const T* w_data = w.data<T>();
    T* y_data = output.data<T>();
    parallel_for(chunks, worth_parallel(C_in * rows * g.col_cols()), [&](int64_t k) {
      const ImageChunk c = image_chunk(g, k, per_chunk);
      if (direct) {
        conv_transpose2d_direct<T>(x_data + c.first * C_in * L, w_data, bias.defined() ? bias.data().data<T>() : nullptr,
                                   c.g, C_in, y_data + c.first * C_out * out_plane);
        return;
      }
      const int64_t NL = c.count * L;
      T* X = scratch_buffer<T>(0, C_in * NL);
      T* cols = scratch_buffer<T>(1, rows * NL);
      batch_to_channel_major<T>(x_data + c.first * C_in * L, c.count, C_in, L, X);
      gemm<T>(true, false, rows, NL, C_in, T(1), w_data, rows, X, NL, T(0), cols, NL);
      T* y = y_data + c.first * C_out * out_plane;
      col2im<T>(cols, c.g, y);
      if (bias.defined()) add_channel_bias<T>(y, c.count, C_out, out_plane, bias.data().data<T>());
    });
  });

  const bool need_input = x.requires_grad(), need_weight = weight.requires_grad();
  const bool has_bias = bias.defined(), need_bias = has_bias && bias.requires_grad();
  std::vector<Variable> inputs{x, weight};
  if (has_bias) inputs.push_back(bias);

  // Per chunk, G = im2col(grad_output[chunk]) [C_out*K_h*K_w, n*H*W]  (the adjoint of col2im):
  // dL/dx = W · G (back to NCHW),   dL/dW = sum over chunks of X · Gᵀ,   dL/db[o] = sum of grad_output[:, o]
  return make_result("conv_transpose2d", output, std::move(inputs),
                     [g, input, w, C_in, per_chunk, chunks, need_input, need_weight, need_bias,
                      has_bias](const Tensor& grad_output) {
    const int64_t rows = g.col_rows(), L = g.positions();
    const DType dtype = grad_output.dtype();
    Tensor grad_input, grad_weight, grad_bias;
    if (need_input) grad_input = Tensor::empty({g.N, C_in, g.H_out, g.W_out}, dtype);
    if (need_weight) grad_weight = Tensor::empty(w.shape(), dtype);
    Tensor weight_parts = need_weight ? Tensor::empty({chunks, C_in, rows}, dtype) : Tensor();
    const bool direct = conv_transpose2d_direct_backward_applies(g, C_in);
    dispatch(dtype, [&](auto zero) {
      using T = decltype(zero);
      const T* g_data = grad_output.data<T>();
      const T* w_data = w.data<T>();
      if (need_input || need_weight) {
        parallel_for(chunks, worth_parallel(2 * C_in * rows * g.col_cols()), [&](int64_t k) {
          const ImageChunk c = image_chunk(g, k, per_chunk);
          if (direct) {  // part k of dL/dW as [C_in, C_out*K_h*K_w], as the GEMM writes it
            conv_transpose2d_direct_backward<T>(input.data<T>() + c.first * C_in * L, g_data + c.first * g.C * g.H * g.W,
                                                w_data, c.g, C_in,
                                                need_input ? grad_input.data<T>() + c.first * C_in * L : nullptr,
                                                need_weight ? weight_parts.data<T>() + k * C_in * rows : nullptr);
            return;
          }
          const int64_t NL = c.count * L;
          T* G = scratch_buffer<T>(0, rows * NL);
          im2col<T>(g_data + c.first * g.C * g.H * g.W, c.g, G);
          if (need_input) {
            T* grad_x = scratch_buffer<T>(1, C_in * NL);
            gemm<T>(false, false, C_in, NL, rows, T(1), w_data, rows, G, NL, T(0), grad_x, NL);
            channel_to_batch_major<T>(grad_x, c.count, C_in, L, nullptr, grad_input.data<T>() + c.first * C_in * L);
          }
          if (need_weight) {
            T* X = scratch_buffer<T>(2, C_in * NL);
            batch_to_channel_major<T>(input.data<T>() + c.first * C_in * L, c.count, C_in, L, X);
            gemm<T>(false, true, C_in, rows, NL, T(1), X, NL, G, NL, T(0), weight_parts.data<T>() + k * C_in * rows,
                    rows);
          }
        });
      }
      if (need_weight) {  // the chunks' parts, summed in chunk order
        const T* parts = weight_parts.data<T>();
        T* gw = grad_weight.data<T>();
        const int64_t size = C_in * rows;
        for (int64_t i = 0; i < size; ++i) {
          T total = parts[i];
          for (int64_t k = 1; k < chunks; ++k) total += parts[k * size + i];
          gw[i] = total;
        }
      }
      if (need_bias) {
        grad_bias = Tensor::empty({g.C}, dtype);
        channel_sums<T>(g_data, g.N, g.C, g.H * g.W, grad_bias.data<T>());
      }
    });
    Grads grads{grad_input, grad_weight};
    if (has_bias) grads.push_back(grad_bias);
    return grads;
  });
}

}  // namespace convgrad
