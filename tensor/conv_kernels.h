// Raw kernels for convolution and pooling: output sizes (with the user-facing shape
// checks), im2col / col2im, max-pool, and the small layout helpers around them.
// Templated over float / double; no gradients here (autograd/ops/conv2d.cpp and friends
// wire them into the graph).
//
// The idea (im2col): every output pixel of a convolution is a dot product of the weight
// with one kernel-sized patch of the input. Lay all patches of the whole batch out as the
// columns of one matrix
//
//   cols [C * K_h * K_w, N * H_out * W_out],
//   cols[(c * K_h + kh) * K_w + kw][(n * H_out + oh) * W_out + ow]
//       = x[n][c][oh * s_h - p_h + kh * d_h][ow * s_w - p_w + kw * d_w]   (0 outside x)
//
// and the convolution of the whole batch is ONE matrix product W[C_out, C*K_h*K_w] · cols.
// (The ops take the batch a cache-sized chunk of images at a time: see "working memory".)
// col2im is the adjoint of im2col: it adds every column entry back onto the pixel it came
// from (overlapping patches accumulate), which is what the gradient w.r.t. x needs and what
// a transposed convolution is.
#pragma once

#include <array>
#include <cstdint>

#include "tensor/shape.h"

namespace convgrad {

using Pair = std::array<int64_t, 2>;  // (height, width); also the ops' options in autograd/functions.h

// The sliding-window geometry shared by conv2d, conv_transpose2d, im2col/col2im and pooling.
// The "image" is [N, C, H, W]; the kernel [K_h, K_w] visits H_out x W_out positions.
// For conv2d and max_pool2d the image is the input; for conv_transpose2d it is the output.
struct ConvGeometry {
  int64_t N = 0, C = 0, H = 0, W = 0;
  int64_t K_h = 1, K_w = 1;
  Pair stride{1, 1}, padding{0, 0}, dilation{1, 1};
  int64_t H_out = 0, W_out = 0;

  int64_t col_rows() const { return C * K_h * K_w; }       // rows of the column matrix
  int64_t positions() const { return H_out * W_out; }      // kernel positions per image
  int64_t col_cols() const { return N * H_out * W_out; }   // columns of the column matrix
};

// ---- output sizes (plain formulas, no checks; PyTorch's definitions) ----
// floor((H + 2p - d (K - 1) - 1) / s) + 1
int64_t conv_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t padding, int64_t dilation);
// (H - 1) s - 2p + d (K - 1) + output_padding + 1
int64_t conv_transpose_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t padding,
                                   int64_t output_padding, int64_t dilation);
// As conv_output_size; with ceil_mode the division rounds up, but the last window must start
// inside the input or the left padding (else it is dropped).
int64_t pool_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t padding, int64_t dilation,
                         bool ceil_mode);

// The input pixel h · W + w that tap (kh, kw) of output position (oh, ow) reads, or −1 where it
// reads the padding: h = oh · s − p + kh · d, and across.
inline int64_t tap_source(const ConvGeometry& g, int64_t oh, int64_t ow, int64_t kh, int64_t kw) {
  const int64_t h = oh * g.stride[0] - g.padding[0] + kh * g.dilation[0];
  const int64_t w = ow * g.stride[1] - g.padding[1] + kw * g.dilation[1];
  return h >= 0 && h < g.H && w >= 0 && w < g.W ? h * g.W + w : -1;
}

// ---- geometries with the user-facing checks (convgrad::Error before anything is allocated) ----
// input [N, C_in, H, W], weight [C_out, C_in, K_h, K_w]; the image is the input.
ConvGeometry conv2d_geometry(const Shape& input, const Shape& weight, Pair stride, Pair padding,
                             Pair dilation);
// input [N, C_in, H, W], weight [C_in, C_out, K_h, K_w]; the image is the output
// [N, C_out, H_out, W_out], and the kernel positions (H_out, W_out fields) are the input's H x W.
ConvGeometry conv_transpose2d_geometry(const Shape& input, const Shape& weight, Pair stride, Pair padding,
                                       Pair output_padding, Pair dilation);
// input [N, C, H, W]; stride 0 means "= kernel". The image is the input.
ConvGeometry max_pool2d_geometry(const Shape& input, Pair kernel, Pair stride, Pair padding, Pair dilation,
                                 bool ceil_mode);
// bias must be [C_out] (weight is named in the message).
void check_conv_bias(const char* op, const Shape& bias, int64_t C_out, const Shape& weight);

// ---- im2col / col2im over g.N images ----
// cols [g.col_rows(), g.col_cols()] from image [N, C, H, W] (see the top of this file).
// NOTE: two ways through, both giving exactly the values of im2col_reference below
// (tests/tensor/test_conv_kernels.cpp): stride 1 with an output as wide as the input (the
// coursework's 3×3, padding-1 layers) is one shifted, vectorised copy per image and tap;
// any other geometry reads through a per-tap table of source pixels. col2im likewise.
template <typename T>
void im2col(const T* image, const ConvGeometry& g, T* cols);
// image [N, C, H, W] = the sum of every column entry onto its pixel (image is overwritten).
template <typename T>
void col2im(const T* cols, const ConvGeometry& g, T* image);

// ---- working memory of the conv ops ----
// The ops take a batch a chunk of images at a time, so that one chunk's column matrix
// stays in the CPU's L2 cache while it is written, multiplied and read back, and an
// evaluation pass over 512 images needs no 30 MB matrix. Chunks are independent: threads
// take whole chunks, and the chunking depends only on the shapes, so results do not
// depend on the number of threads.
inline constexpr int64_t kColumnBudgetBytes = 512 * 1024;
// Images per chunk: as many as fit the budget (at least 1, at most N).
int64_t images_per_chunk(int64_t N, int64_t col_rows, int64_t positions, size_t element_size);
// Chunk `index` of a batch cut into chunks of `per_chunk` images: images [first, first + count),
// and the geometry of those images alone (g.N = count).
struct ImageChunk {
  int64_t first, count;
  ConvGeometry g;
};
ImageChunk image_chunk(const ConvGeometry& batch, int64_t index, int64_t per_chunk);
// A per-thread buffer of at least `count` values, reused from call to call (grown when
// needed, never freed), so that the training step allocates no column matrices after its
// first batch. `slot` tells apart the buffers that one op uses at the same time.
inline constexpr int kScratchSlots = 7;  // 4, 5 and 6: conv2d_direct (tensor/conv_direct.h)
template <typename T>
T* scratch_buffer(int slot, int64_t count);

// ---- layout helpers: batch-major [N, C, L] <-> channel-major [C, N * L] ----
// The GEMMs produce and consume channel-major matrices (one row per channel, the whole
// batch along the row); tensors are batch-major (NCHW).
template <typename T>
void batch_to_channel_major(const T* x, int64_t N, int64_t C, int64_t L, T* out);
// out[n][c][l] = x[c][n * L + l] + bias[c]  (bias may be nullptr)
template <typename T>
void channel_to_batch_major(const T* x, int64_t N, int64_t C, int64_t L, const T* bias, T* out);
// x[n][c][l] += bias[c]
template <typename T>
void add_channel_bias(T* x, int64_t N, int64_t C, int64_t L, const T* bias);
// out[c] = sum over n, l of x[n][c][l]  (the gradient of a per-channel bias)
template <typename T>
void channel_sums(const T* x, int64_t N, int64_t C, int64_t L, T* out);

// ---- max pooling ----
// out [N, C, H_out, W_out]; indices: each output's argmax as h * W + w in its plane.
// NOTE: ties go to the first maximum in row-major window order; NaN counts as a maximum
// (a later NaN replaces an earlier one, as PyTorch's CPU kernel does); padding is -inf.
template <typename T>
void max_pool2d_forward(const T* image, const ConvGeometry& g, T* out, int64_t* indices);
// grad_input [N, C, H, W] (overwritten) = grad_output scattered to the argmax, accumulating.
template <typename T>
void max_pool2d_backward(const T* grad_output, const int64_t* indices, const ConvGeometry& g, T* grad_input);

// ---- test oracle only (never on the training path) ----
// The textbook seven-deep loop: out[n][o][i][j] = bias[o] + sum_{c,kh,kw} w[o][c][kh][kw] * x[..].
// bias may be nullptr; g is conv2d_geometry's; out is [N, C_out, H_out, W_out].
template <typename T>
void conv2d_reference(const T* x, const T* weight, const T* bias, const ConvGeometry& g, int64_t C_out, T* out);
// im2col and col2im as their definitions read: one loop nest, a bounds test per entry.
template <typename T>
void im2col_reference(const T* image, const ConvGeometry& g, T* cols);
template <typename T>
void col2im_reference(const T* cols, const ConvGeometry& g, T* image);

}  // namespace convgrad
