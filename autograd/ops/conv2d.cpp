// conv2d: y[n, o] = b[o] + sum_c W[o, c] ⋆ x[n, c]  (cross-correlation, as in PyTorch).
//
// A chunk of images is ONE GEMM (see tensor/conv_kernels.h for im2col and the chunks):
//   cols = im2col(x[chunk])   [C_in*K_h*K_w, n*H_out*W_out]
//   Y    = W · cols           [C_out, n*H_out*W_out]     (W viewed as [C_out, C_in*K_h*K_w])
//   y    = Y as [n, C_out, H_out, W_out] + b              (one pass: reorder and add the bias)
// A training batch of the coursework is 1 to 4 chunks; chunks are independent, so threads
// take whole chunks, and the results do not depend on the number of threads.
// Small stride-1 layers (the coursework's conv1-conv3) take the same sums in another order,
// without the column matrix: conv2d_direct and conv2d_direct_weight_grad (tensor/conv_direct.h);
// narrow 1×1 layers (conv4) are plain loops over planes (tensor/conv_pointwise.h); strided
// layers whose stride divides the kernel become stride-1 ones (ops/conv_phases.h).
#include "autograd/functions.h"
#include "autograd/ops/conv_groups.h"
#include "autograd/ops/conv_phases.h"
#include "autograd/ops/unbatched.h"
#include "tensor/blas.h"
#include "tensor/conv_direct.h"
#include "tensor/conv_kernels.h"
#include "tensor/parallel_for.h"
#include "tensor/conv_pointwise.h"

namespace convgrad {

Variable conv2d(const Variable& x, const Variable& weight, const Variable& bias, const Conv2dOptions& options) {
  if (is_unbatched_image(x, "conv2d", "C_in, H, W")) {
    return as_batch_of_one(x, [&](const Variable& batch) { return conv2d(batch, weight, bias, options); });
  }
  if (options.groups != 1) return conv2d_by_groups(x, weight, bias, options);
  const ConvGeometry g = conv2d_geometry(x.shape(), weight.shape(), options.stride, options.padding,
                                         options.dilation);
  check_same_dtype(x.data(), weight.data(), "conv2d");
  const int64_t C_out = weight.size(0);
  if (bias.defined()) {
    check_conv_bias("conv2d", bias.shape(), C_out, weight.shape());
    check_same_dtype(x.data(), bias.data(), "conv2d");
  }
  // Strided layers whose stride divides the kernel (the VAE's k4 s2) as a stride-1 conv of phases.
  if (conv2d_by_phases_applies(g, C_out)) return conv2d_by_phases(x, weight, bias, options);
  const int64_t rows = g.col_rows(), L = g.positions();
  const DType dtype = x.dtype();
  const Tensor input = x.data(), w = weight.data();
  Tensor output = Tensor::empty({g.N, C_out, g.H_out, g.W_out}, dtype);
  const int64_t per_chunk = images_per_chunk(g.N, rows, L, dtype_size(dtype));
  const int64_t chunks = (g.N + per_chunk - 1) / per_chunk;
  // Small stride-1 layers (the coursework's conv1-conv3) skip the column matrix: tensor/conv_direct.h.
  const bool direct = conv2d_direct_applies(g, C_out);
  const bool pointwise = !direct && conv2d_pointwise_applies(g, C_out);
  // dL/dW by a kernel that reads x (part k as [C_out, C_in*K_h*K_w]) rather than by a GEMM of the columns
  const bool direct_grad_weight = pointwise || conv2d_direct_weight_grad_applies(g, C_out);
  // The columns are kept for dL/dW when it will be needed (chunk k at offset rows * first * L);
  // on the direct path, x's stacked planes are (chunk k at plane_offsets[k]).
  const bool will_need_weight = is_grad_enabled() && weight.requires_grad();
  const bool keep_cols = !direct && !pointwise && will_need_weight;
  const bool keep_planes = direct && direct_grad_weight && will_need_weight;
  Tensor kept_cols = keep_cols ? Tensor::empty({rows * g.col_cols()}, dtype) : Tensor();
  Tensor kept_planes;
  std::vector<int64_t> plane_offsets(static_cast<size_t>(chunks) + 1, 0);
  dispatch(dtype, [&](auto zero) {
    using T = decltype(zero);
    if (keep_planes) {
      for (int64_t k = 0; k < chunks; ++k)
        plane_offsets[k + 1] = plane_offsets[k] + conv2d_direct_planes_size<T>(image_chunk(g, k, per_chunk).g);
      kept_planes = Tensor::empty({plane_offsets[chunks]}, dtype);
    }
    const T* x_data = input.data<T>();
    const T* w_data = w.data<T>();
    const T* b_data = bias.defined() ? bias.data().data<T>() : nullptr;
    T* y_data = output.data<T>();
    parallel_for(chunks, worth_parallel(C_out * rows * g.col_cols()), [&](int64_t k) {
      const ImageChunk c = image_chunk(g, k, per_chunk);
      const T* x_chunk = x_data + c.first * g.C * g.H * g.W;
      T* y_chunk = y_data + c.first * C_out * L;
      if (direct && keep_planes) {
        T* planes = kept_planes.data<T>() + plane_offsets[k];
        conv2d_direct_stack<T>(x_chunk, c.g, planes);
        conv2d_direct_from_planes<T>(planes, w_data, b_data, c.g, C_out, y_chunk);
        return;
      }
      if (direct) {
        conv2d_direct<T>(x_chunk, w_data, b_data, c.g, C_out, y_chunk);
        return;
      }
      if (pointwise) {
        conv2d_pointwise<T>(x_chunk, w_data, b_data, c.g, C_out, y_chunk);
        return;
      }
      T* cols = keep_cols ? kept_cols.data<T>() + rows * c.first * L : scratch_buffer<T>(0, rows * c.count * L);
      T* Y = scratch_buffer<T>(1, C_out * c.count * L);
      im2col<T>(x_chunk, c.g, cols);
      gemm<T>(false, false, C_out, c.count * L, rows, T(1), w_data, rows, cols, c.count * L, T(0), Y, c.count * L);
      channel_to_batch_major<T>(Y, c.count, C_out, L, b_data, y_chunk);
    });
  });

  const bool need_input = x.requires_grad(), need_weight = weight.requires_grad();
  const bool has_bias = bias.defined(), need_bias = has_bias && bias.requires_grad();
  std::vector<Variable> inputs{x, weight};
  if (has_bias) inputs.push_back(bias);

  // Per chunk, G = grad_output[chunk] as [C_out, n*H_out*W_out]:
  // dL/dW = sum over chunks of G · colsᵀ,   dL/dx = col2im(Wᵀ · G),   dL/db[o] = sum of G[o, :]
  // NOTE: the forward's columns are kept for dL/dW (K_h*K_w times the size of x) rather than
  // recomputed: measured 5-8% faster on a training epoch, and only while a graph is recorded.
  // The direct path keeps x's stacked planes for its dL/dW kernel, or x to build the columns again;
  // the 1×1 path keeps x.
  const Tensor x_data = ((direct && !keep_planes) || pointwise) && need_weight ? input : Tensor();
  return make_result("conv2d", output, std::move(inputs),
                     [g, pointwise, direct_grad_weight, kept_cols, kept_planes, plane_offsets, x_data, w, C_out,
                      per_chunk, chunks, need_input, need_weight, need_bias, has_bias](const Tensor& grad_output) {
    const int64_t rows = g.col_rows(), L = g.positions();
    const DType dtype = grad_output.dtype();
    Tensor grad_input, grad_weight, grad_bias;
    if (need_input) grad_input = Tensor::empty({g.N, g.C, g.H, g.W}, dtype);
    if (need_weight) grad_weight = Tensor::empty(w.shape(), dtype);
    // Each chunk's dL/dW (from the GEMM transposed, [C_in*K_h*K_w, C_out]: the faster GEMM for
    // thin C_out), summed in chunk order below.
    Tensor weight_parts = need_weight ? Tensor::empty({chunks, rows, C_out}, dtype) : Tensor();
    // NOTE: with stride 1, dL/dx is itself a convolution: of dL/dy with the kernel flipped and
    // its channel axes swapped, W'[c, o, kh, kw] = W[o, c, K_h-1-kh, K_w-1-kw], padding
    // d (K - 1) - p. It needs no col2im: computed directly (tensor/conv_direct.h) when small,
    // else by im2col + GEMM when C_out < C_in (its column matrix is then the smaller of the two).
    const bool flippable = need_input && !pointwise && g.stride == Pair{1, 1} &&
                           g.padding[0] <= g.dilation[0] * (g.K_h - 1) &&
                           g.padding[1] <= g.dilation[1] * (g.K_w - 1);
    ConvGeometry g_flipped;
    Tensor w_flipped;
    if (flippable) {
      const Pair padding{g.dilation[0] * (g.K_h - 1) - g.padding[0], g.dilation[1] * (g.K_w - 1) - g.padding[1]};
      g_flipped = conv2d_geometry({g.N, C_out, g.H_out, g.W_out}, {g.C, C_out, g.K_h, g.K_w}, {1, 1}, padding,
                                  g.dilation);
      w_flipped = Tensor::empty({g.C, C_out * g.K_h * g.K_w}, dtype);
    }
    const bool direct_grad_x = flippable && conv2d_direct_applies(g_flipped, g.C);
    const bool flipped_path = flippable && (direct_grad_x || C_out < g.C);
    dispatch(dtype, [&](auto zero) {
      using T = decltype(zero);
      const T* g_data = grad_output.data<T>();
      const T* w_data = w.data<T>();
      if (flipped_path) {  // W'[c, o, tap] = W[o, c, K_h K_w - 1 - tap]: tap (kh, kw) read backwards
        T* wf = w_flipped.data<T>();
        const int64_t taps = g.K_h * g.K_w;
        for (int64_t o = 0; o < C_out; ++o)
          for (int64_t c = 0; c < g.C; ++c)
            for (int64_t tap = 0; tap < taps; ++tap)
              wf[(c * C_out + o) * taps + taps - 1 - tap] = w_data[(o * g.C + c) * taps + tap];
      }
      parallel_for(chunks, worth_parallel(2 * C_out * rows * g.col_cols()), [&](int64_t k) {
        const ImageChunk c = image_chunk(g, k, per_chunk);
        const int64_t NL = c.count * L;
        T* G = scratch_buffer<T>(0, C_out * NL);  // read by dL/dW and by the col2im path
        if ((need_weight && !direct_grad_weight) || (need_input && !pointwise && !flipped_path)) {
          batch_to_channel_major<T>(g_data + c.first * C_out * L, c.count, C_out, L, G);
        }
        // dL/dx first: its direct path stacks dL/dy, and dL/dW reads that stack too.
        T* grad_x = need_input ? grad_input.data<T>() + c.first * g.C * g.H * g.W : nullptr;
        const T* dy_planes = nullptr;  // dL/dy at the output positions of x's stack, when stacked
        int64_t dy_stride = 0;
        if (need_input && pointwise) {
          conv2d_pointwise_input_grad<T>(g_data + c.first * C_out * L, w_data, c.g, C_out, grad_x);
        } else if (direct_grad_x) {  // dL/dx = conv2d(dL/dy, W')
          const ConvGeometry gf = image_chunk(g_flipped, k, per_chunk).g;
          const int64_t size = conv2d_direct_planes_size<T>(gf);
          T* planes = scratch_buffer<T>(4, size);
          conv2d_direct_stack<T>(g_data + c.first * C_out * L, gf, planes);
          conv2d_direct_from_planes<T>(planes, w_flipped.data<T>(), nullptr, gf, g.C, grad_x);
          const int64_t shift = conv2d_direct_gradient_shift(c.g, gf);
          if (shift >= 0) {
            dy_planes = planes + shift;
            dy_stride = size / C_out;
          }
        } else if (flipped_path) {  // dL/dx = W' · im2col(dL/dy), reordered to NCHW
          const ConvGeometry gf = image_chunk(g_flipped, k, per_chunk).g;
          T* cols = scratch_buffer<T>(2, gf.col_rows() * gf.col_cols());
          T* Y = scratch_buffer<T>(3, g.C * gf.col_cols());
          im2col<T>(g_data + c.first * C_out * L, gf, cols);
          gemm<T>(false, false, g.C, gf.col_cols(), gf.col_rows(), T(1), w_flipped.data<T>(), gf.col_rows(), cols,
                  gf.col_cols(), T(0), Y, gf.col_cols());
          channel_to_batch_major<T>(Y, c.count, g.C, g.H * g.W, nullptr, grad_x);
        } else if (need_input) {  // dL/dx = col2im(Wᵀ · G)
          T* grad_cols = scratch_buffer<T>(2, rows * NL);
          gemm<T>(true, false, rows, NL, C_out, T(1), w_data, rows, G, NL, T(0), grad_cols, NL);
          col2im<T>(grad_cols, c.g, grad_x);
        }
        if (need_weight && pointwise) {  // part k as [C_out, C_in]
          conv2d_pointwise_weight_grad<T>(x_data.data<T>() + c.first * g.C * g.H * g.W, g_data + c.first * C_out * L,
                                          c.g, C_out, weight_parts.data<T>() + k * rows * C_out);
        } else if (need_weight && direct_grad_weight) {  // part k as [C_out, C_in*K_h*K_w]
          conv2d_direct_weight_grad_from_planes<T>(kept_planes.data<T>() + plane_offsets[k],
                                                   g_data + c.first * C_out * L, dy_planes, dy_stride, c.g, C_out,
                                                   weight_parts.data<T>() + k * rows * C_out);
        } else if (need_weight) {  // part k as [C_in*K_h*K_w, C_out]
          const T* cols = kept_cols.defined() ? kept_cols.data<T>() + rows * c.first * L : nullptr;
          if (cols == nullptr) {  // the forward went the direct way: columns built here
            T* rebuilt = scratch_buffer<T>(1, rows * NL);
            im2col<T>(x_data.data<T>() + c.first * g.C * g.H * g.W, c.g, rebuilt);
            cols = rebuilt;
          }
          gemm<T>(false, true, rows, C_out, NL, T(1), cols, NL, G, NL, T(0),
                  weight_parts.data<T>() + k * rows * C_out, C_out);
        }
      });
      if (need_weight) {  // grad_weight[o][r] = sum over chunks of part k's (o, r)
        const T* parts = weight_parts.data<T>();
        T* gw = grad_weight.data<T>();
        for (int64_t o = 0; o < C_out; ++o)
          for (int64_t r = 0; r < rows; ++r) {
            const int64_t at = direct_grad_weight ? o * rows + r : r * C_out + o;
            T total = parts[at];
            for (int64_t k = 1; k < chunks; ++k) total += parts[k * rows * C_out + at];
            gw[o * rows + r] = total;
          }
      }
      if (need_bias) {
        grad_bias = Tensor::empty({C_out}, dtype);
        channel_sums<T>(g_data, g.N, C_out, L, grad_bias.data<T>());
      }
    });
    Grads grads{grad_input, grad_weight};
    if (has_bias) grads.push_back(grad_bias);
    return grads;
  });
}

}  // namespace convgrad
