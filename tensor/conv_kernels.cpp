#include "tensor/conv_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "tensor/error.h"

namespace convgrad {

namespace {

// Below this many elements touched, an OpenMP region costs more than it saves.
constexpr int64_t kParallelWork = 1 << 15;

std::string pair_str(Pair p) { return str_cat("(", p[0], ", ", p[1], ")"); }

// floor(a / b) for b > 0, also for negative a (C++ division truncates toward zero).
int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// The kernel positions o in [0, count) whose tap o * stride + offset lies inside [0, size):
// returns [first, last). From 0 <= o * stride + offset <= size - 1:
//   o >= ceil(-offset / stride)   and   o <= floor((size - 1 - offset) / stride).
struct Range {
  int64_t first, last;
};
Range valid_positions(int64_t offset, int64_t stride, int64_t size, int64_t count) {
  if (offset >= 0 && offset + (count - 1) * stride < size) return {0, count};  // all inside: no division
  int64_t first = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  int64_t last = size - 1 - offset < 0 ? 0 : (size - 1 - offset) / stride + 1;
  first = std::min(first, count);
  last = std::max(first, std::min(last, count));
  return {first, last};
}

void check_window_options(const char* op, Pair stride, Pair padding, Pair dilation) {
  CONVGRAD_CHECK(stride[0] > 0 && stride[1] > 0, op, ": expected a positive stride, but got ", pair_str(stride));
  CONVGRAD_CHECK(padding[0] >= 0 && padding[1] >= 0, op, ": expected a non-negative padding, but got ",
                 pair_str(padding));
  CONVGRAD_CHECK(dilation[0] > 0 && dilation[1] > 0, op, ": expected a positive dilation, but got ",
                 pair_str(dilation));
}

void check_4d(const char* op, const char* what, const char* layout, const Shape& shape) {
  CONVGRAD_CHECK(shape.size() == 4, op, ": expected a 4-d ", what, " ", layout, ", but got ", shape_str(shape));
}

}  // namespace

int64_t conv_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t padding, int64_t dilation) {
  return floor_div(in + 2 * padding - dilation * (kernel - 1) - 1, stride) + 1;
}

int64_t conv_transpose_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t padding,
                                   int64_t output_padding, int64_t dilation) {
  return (in - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1;
}

int64_t pool_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t padding, int64_t dilation,
                         bool ceil_mode) {
  const int64_t span = in + 2 * padding - dilation * (kernel - 1) - 1;
  int64_t out = floor_div(span + (ceil_mode ? stride - 1 : 0), stride) + 1;
  // ceil_mode: the last window must start inside the input or the left padding.
  if (ceil_mode && (out - 1) * stride >= in + padding) --out;
  return out;
}

ConvGeometry conv2d_geometry(const Shape& input, const Shape& weight, Pair stride, Pair padding, Pair dilation) {
  check_4d("conv2d", "input", "[N, C_in, H, W]", input);
  check_4d("conv2d", "weight", "[C_out, C_in, K_h, K_w]", weight);
  CONVGRAD_CHECK(input[1] == weight[1], "conv2d: expected input ", shape_str(input), " to have ", weight[1],
                 " channels (weight ", shape_str(weight), "), but got ", input[1], " channels");
  check_window_options("conv2d", stride, padding, dilation);
  ConvGeometry g;
  g.N = input[0], g.C = input[1], g.H = input[2], g.W = input[3];
  g.K_h = weight[2], g.K_w = weight[3];
  g.stride = stride, g.padding = padding, g.dilation = dilation;
  const int64_t span_h = dilation[0] * (g.K_h - 1) + 1, span_w = dilation[1] * (g.K_w - 1) + 1;
  CONVGRAD_CHECK(span_h <= g.H + 2 * padding[0] && span_w <= g.W + 2 * padding[1],
                 "conv2d: expected a kernel no larger than the padded input, but got input ", shape_str(input),
                 " with padding ", pair_str(padding), " and kernel (", g.K_h, ", ", g.K_w, ") dilated by ",
                 pair_str(dilation), ": ", span_h, "x", span_w, " > padded ", g.H + 2 * padding[0], "x",
                 g.W + 2 * padding[1]);
  g.H_out = conv_output_size(g.H, g.K_h, stride[0], padding[0], dilation[0]);
  g.W_out = conv_output_size(g.W, g.K_w, stride[1], padding[1], dilation[1]);
  return g;
}

ConvGeometry conv_transpose2d_geometry(const Shape& input, const Shape& weight, Pair stride, Pair padding,
                                       Pair output_padding, Pair dilation) {
  check_4d("conv_transpose2d", "input", "[N, C_in, H, W]", input);
  check_4d("conv_transpose2d", "weight", "[C_in, C_out, K_h, K_w]", weight);
  CONVGRAD_CHECK(input[1] == weight[0], "conv_transpose2d: expected input ", shape_str(input), " to have ",
                 weight[0], " channels (weight ", shape_str(weight), "), but got ", input[1], " channels");
  check_window_options("conv_transpose2d", stride, padding, dilation);
  for (int d = 0; d < 2; ++d) {
    // PyTorch's rule: output_padding only picks among the sizes that a stride (or a
    // dilation) makes ambiguous, so it must be smaller than one of them.
    CONVGRAD_CHECK(output_padding[d] >= 0 && (output_padding[d] < stride[d] || output_padding[d] < dilation[d]),
                   "conv_transpose2d: expected output_padding smaller than stride or dilation, but got "
                   "output_padding ", pair_str(output_padding), " with stride ", pair_str(stride),
                   " and dilation ", pair_str(dilation));
  }
  ConvGeometry g;  // the image is the output; the kernel positions are the input pixels
  g.N = input[0], g.C = weight[1];
  g.K_h = weight[2], g.K_w = weight[3];
  g.stride = stride, g.padding = padding, g.dilation = dilation;
  g.H_out = input[2], g.W_out = input[3];
  g.H = conv_transpose_output_size(input[2], g.K_h, stride[0], padding[0], output_padding[0], dilation[0]);
  g.W = conv_transpose_output_size(input[3], g.K_w, stride[1], padding[1], output_padding[1], dilation[1]);
  CONVGRAD_CHECK(g.H > 0 && g.W > 0, "conv_transpose2d: expected a positive output size, but got ", g.H, "x",
                 g.W, " from input ", shape_str(input), " with kernel (", g.K_h, ", ", g.K_w, "), stride ",
                 pair_str(stride), ", padding ", pair_str(padding), ", output_padding ", pair_str(output_padding),
                 " and dilation ", pair_str(dilation));
  return g;
}

ConvGeometry max_pool2d_geometry(const Shape& input, Pair kernel, Pair stride, Pair padding, Pair dilation,
                                 bool ceil_mode) {
  check_4d("max_pool2d", "input", "[N, C, H, W]", input);
  CONVGRAD_CHECK(kernel[0] > 0 && kernel[1] > 0, "max_pool2d: expected a positive kernel_size, but got ",
                 pair_str(kernel));
  if (stride[0] == 0 && stride[1] == 0) stride = kernel;  // PyTorch's default
  check_window_options("max_pool2d", stride, padding, dilation);
  CONVGRAD_CHECK(padding[0] <= kernel[0] / 2 && padding[1] <= kernel[1] / 2,
                 "max_pool2d: expected padding at most half the kernel size, but got padding ", pair_str(padding),
                 " with kernel_size ", pair_str(kernel));
  ConvGeometry g;
  g.N = input[0], g.C = input[1], g.H = input[2], g.W = input[3];
  g.K_h = kernel[0], g.K_w = kernel[1];
  g.stride = stride, g.padding = padding, g.dilation = dilation;
  g.H_out = pool_output_size(g.H, g.K_h, stride[0], padding[0], dilation[0], ceil_mode);
  g.W_out = pool_output_size(g.W, g.K_w, stride[1], padding[1], dilation[1], ceil_mode);
  CONVGRAD_CHECK(g.H_out >= 1 && g.W_out >= 1,
                 "max_pool2d: expected a kernel no larger than the padded input, but got input ", shape_str(input),
                 " with padding ", pair_str(padding), " and kernel_size ", pair_str(kernel), " dilated by ",
                 pair_str(dilation), " (output ", g.H_out, "x", g.W_out, ")");
  return g;
}

void check_conv_bias(const char* op, const Shape& bias, int64_t C_out, const Shape& weight) {
  CONVGRAD_CHECK(bias.size() == 1 && bias[0] == C_out, op, ": expected bias of shape [", C_out, "] (weight ",
                 shape_str(weight), "), but got ", shape_str(bias));
}

template <typename T>
void im2col(const T* image, const ConvGeometry& g, T* cols) {
  const int64_t rows = g.col_rows(), L = g.positions(), row_size = g.N * L;
  // One row per (c, kh, kw); rows are independent, so they are split across threads.
#pragma omp parallel for schedule(static) if (rows * row_size > kParallelWork)
  for (int64_t row = 0; row < rows; ++row) {
    const int64_t c = row / (g.K_h * g.K_w), kh = (row / g.K_w) % g.K_h, kw = row % g.K_w;
    // This tap reads x[.., oh * s_h + off_h, ow * s_w + off_w].
    const int64_t off_h = kh * g.dilation[0] - g.padding[0], off_w = kw * g.dilation[1] - g.padding[1];
    const Range oh_ok = valid_positions(off_h, g.stride[0], g.H, g.H_out);
    const Range ow_ok = valid_positions(off_w, g.stride[1], g.W, g.W_out);
    const bool reads_padding = oh_ok.first > 0 || oh_ok.last < g.H_out || ow_ok.first > 0 || ow_ok.last < g.W_out;
    for (int64_t n = 0; n < g.N; ++n) {
      const T* plane = image + (n * g.C + c) * g.H * g.W;
      T* block = cols + row * row_size + n * L;  // this tap at every position of image n
      if (reads_padding) std::fill(block, block + L, T(0));  // taps in the padding read 0
      for (int64_t oh = oh_ok.first; oh < oh_ok.last; ++oh) {
        const T* src = plane + (oh * g.stride[0] + off_h) * g.W;  // the input row of this tap
        T* dst = block + oh * g.W_out;
        if (g.stride[1] == 1) {  // contiguous: the compiler vectorises this copy
          for (int64_t ow = ow_ok.first; ow < ow_ok.last; ++ow) dst[ow] = src[ow + off_w];
        } else {
          for (int64_t ow = ow_ok.first; ow < ow_ok.last; ++ow) dst[ow] = src[ow * g.stride[1] + off_w];
        }
      }
    }
  }
}

template <typename T>
void col2im(const T* cols, const ConvGeometry& g, T* image) {
  const int64_t L = g.positions(), row_size = g.N * L, plane_size = g.H * g.W;
  // One (n, c) plane per iteration: planes are disjoint, so no two threads add to one pixel.
#pragma omp parallel for schedule(static) if (g.col_rows() * row_size > kParallelWork)
  for (int64_t nc = 0; nc < g.N * g.C; ++nc) {
    const int64_t n = nc / g.C, c = nc % g.C;
    T* plane = image + nc * plane_size;
    std::fill(plane, plane + plane_size, T(0));
    for (int64_t kh = 0; kh < g.K_h; ++kh) {
      for (int64_t kw = 0; kw < g.K_w; ++kw) {
        const int64_t row = (c * g.K_h + kh) * g.K_w + kw;
        const int64_t off_h = kh * g.dilation[0] - g.padding[0], off_w = kw * g.dilation[1] - g.padding[1];
        const Range oh_ok = valid_positions(off_h, g.stride[0], g.H, g.H_out);
        const Range ow_ok = valid_positions(off_w, g.stride[1], g.W, g.W_out);
        const T* src = cols + row * row_size + n * L;
        for (int64_t oh = oh_ok.first; oh < oh_ok.last; ++oh) {
          T* dst = plane + (oh * g.stride[0] + off_h) * g.W;  // the image row of this tap
          const T* s = src + oh * g.W_out;
          if (g.stride[1] == 1) {
            for (int64_t ow = ow_ok.first; ow < ow_ok.last; ++ow) dst[ow + off_w] += s[ow];
          } else {
            for (int64_t ow = ow_ok.first; ow < ow_ok.last; ++ow) dst[ow * g.stride[1] + off_w] += s[ow];
          }
        }
      }
    }
  }
}

template <typename T>
void batch_to_channel_major(const T* x, int64_t N, int64_t C, int64_t L, T* out) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) std::memcpy(out + (c * N + n) * L, x + (n * C + c) * L, L * sizeof(T));
}

template <typename T>
void channel_to_batch_major(const T* x, int64_t N, int64_t C, int64_t L, const T* bias, T* out) {
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t c = 0; c < C; ++c) {
      const T* src = x + (c * N + n) * L;
      T* dst = out + (n * C + c) * L;
      const T b = bias ? bias[c] : T(0);
      for (int64_t l = 0; l < L; ++l) dst[l] = src[l] + b;
    }
  }
}

template <typename T>
void add_channel_bias(T* x, int64_t N, int64_t C, int64_t L, const T* bias) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      T* p = x + (n * C + c) * L;
      for (int64_t l = 0; l < L; ++l) p[l] += bias[c];
    }
}

template <typename T>
void channel_sums(const T* x, int64_t N, int64_t C, int64_t L, T* out) {
  std::fill(out, out + C, T(0));
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      const T* p = x + (n * C + c) * L;
      T total = 0;
      for (int64_t l = 0; l < L; ++l) total += p[l];
      out[c] += total;
    }
}

template <typename T>
void max_pool2d_forward(const T* image, const ConvGeometry& g, T* out, int64_t* indices) {
  const int64_t L = g.positions(), plane_size = g.H * g.W;
#pragma omp parallel for schedule(static) if (g.N * g.C * L * g.K_h * g.K_w > kParallelWork)
  for (int64_t nc = 0; nc < g.N * g.C; ++nc) {
    const T* plane = image + nc * plane_size;
    for (int64_t oh = 0; oh < g.H_out; ++oh) {
      // Window taps: row h0 + kh * d_h, column w0 + kw * d_w; only those inside the plane count.
      const int64_t h0 = oh * g.stride[0] - g.padding[0];
      const Range kh_ok = valid_positions(h0, g.dilation[0], g.H, g.K_h);
      for (int64_t ow = 0; ow < g.W_out; ++ow) {
        const int64_t w0 = ow * g.stride[1] - g.padding[1];
        const Range kw_ok = valid_positions(w0, g.dilation[1], g.W, g.K_w);
        // Start from the first tap inside the plane (-1 and -inf for a window with none).
        const bool any = kh_ok.first < kh_ok.last && kw_ok.first < kw_ok.last;
        int64_t best_index = any ? (h0 + kh_ok.first * g.dilation[0]) * g.W + w0 + kw_ok.first * g.dilation[1] : -1;
        T best = any ? plane[best_index] : -std::numeric_limits<T>::infinity();
        for (int64_t kh = kh_ok.first; kh < kh_ok.last; ++kh) {
          const int64_t h = h0 + kh * g.dilation[0];
          for (int64_t kw = kw_ok.first; kw < kw_ok.last; ++kw) {
            const int64_t index = h * g.W + w0 + kw * g.dilation[1];
            const T v = plane[index];
            // Strict '>' keeps the first of equal maxima; a NaN always takes over. Selects,
            // not branches ('|', not '||'): on real data the comparison is unpredictable.
            const bool take = (v > best) | std::isnan(v);
            best = take ? v : best;
            best_index = take ? index : best_index;
          }
        }
        out[nc * L + oh * g.W_out + ow] = best;
        indices[nc * L + oh * g.W_out + ow] = best_index;
      }
    }
  }
}

template <typename T>
void max_pool2d_backward(const T* grad_output, const int64_t* indices, const ConvGeometry& g, T* grad_input) {
  const int64_t L = g.positions(), plane_size = g.H * g.W;
#pragma omp parallel for schedule(static) if (g.N * g.C * (L + plane_size) > kParallelWork)
  for (int64_t nc = 0; nc < g.N * g.C; ++nc) {
    T* plane = grad_input + nc * plane_size;
    std::fill(plane, plane + plane_size, T(0));
    for (int64_t o = 0; o < L; ++o) {
      const int64_t index = indices[nc * L + o];
      if (index >= 0) plane[index] += grad_output[nc * L + o];  // overlapping windows accumulate
    }
  }
}

template <typename T>
void conv2d_reference(const T* x, const T* weight, const T* bias, const ConvGeometry& g, int64_t C_out, T* out) {
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t o = 0; o < C_out; ++o)
      for (int64_t i = 0; i < g.H_out; ++i)
        for (int64_t j = 0; j < g.W_out; ++j) {
          T total = bias ? bias[o] : T(0);
          for (int64_t c = 0; c < g.C; ++c)
            for (int64_t kh = 0; kh < g.K_h; ++kh)
              for (int64_t kw = 0; kw < g.K_w; ++kw) {
                const int64_t h = i * g.stride[0] - g.padding[0] + kh * g.dilation[0];
                const int64_t w = j * g.stride[1] - g.padding[1] + kw * g.dilation[1];
                if (h < 0 || h >= g.H || w < 0 || w >= g.W) continue;
                total += weight[((o * g.C + c) * g.K_h + kh) * g.K_w + kw] * x[((n * g.C + c) * g.H + h) * g.W + w];
              }
          out[((n * C_out + o) * g.H_out + i) * g.W_out + j] = total;
        }
}

#define CONVGRAD_INSTANTIATE_CONV_KERNELS(T)                                                          \
  template void im2col<T>(const T*, const ConvGeometry&, T*);                                         \
  template void col2im<T>(const T*, const ConvGeometry&, T*);                                         \
  template void batch_to_channel_major<T>(const T*, int64_t, int64_t, int64_t, T*);                  \
  template void channel_to_batch_major<T>(const T*, int64_t, int64_t, int64_t, const T*, T*);        \
  template void add_channel_bias<T>(T*, int64_t, int64_t, int64_t, const T*);                        \
  template void channel_sums<T>(const T*, int64_t, int64_t, int64_t, T*);                            \
  template void max_pool2d_forward<T>(const T*, const ConvGeometry&, T*, int64_t*);                   \
  template void max_pool2d_backward<T>(const T*, const int64_t*, const ConvGeometry&, T*);            \
  template void conv2d_reference<T>(const T*, const T*, const T*, const ConvGeometry&, int64_t, T*);
CONVGRAD_INSTANTIATE_CONV_KERNELS(float)
CONVGRAD_INSTANTIATE_CONV_KERNELS(double)
#undef CONVGRAD_INSTANTIATE_CONV_KERNELS

}  // namespace convgrad
