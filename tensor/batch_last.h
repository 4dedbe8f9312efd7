// Convolution and pooling kernels for images stored with the batch as the LAST axis:
//
//   x [C, H, W, N]   — x[c][h][w][n] at ((c · H + h) · W + w) · N + n
//
// Every pixel is then a row of N values, one per image, and a vector register holds 16 (float)
// or 8 (double) images of one pixel. A convolution becomes, per output pixel, a sum over the
// channels and the taps that land inside the input, each tap a vector multiply-add:
//
//   y[o][oh][ow][:] = b[o] + sum_c sum_{kh,kw inside} W[o][c][kh][kw] · x[c][oh·s − p + kh·d][ow·s − p + kw·d][:]
//
// Nothing is computed for the padding (a tap outside the image is skipped, not multiplied by a
// stored zero), no image is copied into a padded layout first, and a 5×5 or 10×10 image wastes
// no vector lanes: the NCHW kernels of conv_direct.h compute 36 positions for a 5×5 image's 25.
// The same three sums serve conv2d and conv_transpose2d (the transposed convolution is the
// adjoint of conv2d: its forward is conv2d's dL/dx and its dL/dx is conv2d's forward).
//
// The geometry g is conv2d_geometry's (g.N = the images, N): for conv_transpose2d, the one
// conv_transpose2d_geometry returns, whose "image" is the transposed convolution's output.
// Results are the same on any number of threads: every output is summed by one thread, in
// the order written here. Test oracle: conv2d_reference on the same values in NCHW.
#pragma once

#include <cstdint>

#include "tensor/activation.h"
#include "tensor/conv_kernels.h"

namespace convgrad {

// y [C_out, H_out, W_out, N] = activation(conv2d(x [C, H, W, N], weight [C_out, C, K_h, K_w]) + bias)
// (bias may be nullptr).
template <typename T>
void conv2d_batch_last_forward(const T* x, const T* weight, const T* bias, const ConvGeometry& g, int64_t C_out, T* y,
                               Activation activation = Activation::none);

// y[c][...] = activation(y[c][...] + bias[c]) in place, y holding C channels of `per_channel`
// values (bias may be nullptr): conv_transpose2d's epilogue, whose sum is conv2d's dL/dx.
template <typename T>
void bias_and_activation_batch_last(T* y, const T* bias, int64_t C, int64_t per_channel, Activation activation);

// dL/dx of that convolution:
//   grad_x[c][ih][iw][:] = sum_o sum_{kh,kw} W[o][c][kh][kw] · grad_y[o][oh][ow][:]
// over the taps and output pixels with oh·s − p + kh·d = ih (and the same across); grad_x
// [C, H, W, N] is overwritten.
template <typename T>
void conv2d_batch_last_input_grad(const T* grad_y, const T* weight, const ConvGeometry& g, int64_t C_out, T* grad_x);

// dL/dW of that convolution:
//   grad_weight[o][c][kh][kw] = sum_{oh,ow} sum_n grad_y[o][oh][ow][n] · x[c][oh·s − p + kh·d][ow·s − p + kw·d][n]
// (taps outside x count 0); grad_weight [C_out, C, K_h, K_w] is overwritten.
template <typename T>
void conv2d_batch_last_weight_grad(const T* x, const T* grad_y, const ConvGeometry& g, int64_t C_out,
                                   T* grad_weight);

// grad_bias[o] = sum of grad_y[o][...] over its pixels and images (overwritten).
template <typename T>
void channel_sums_batch_last(const T* grad_y, int64_t C, int64_t values_per_channel, T* grad_bias);

// The backward of y = activation(z), given y (the forward's output): grad_z = grad_y · relu'(z),
// that is grad_y where y > 0 or y is NaN and 0 elsewhere (y ≤ 0 exactly where z ≤ 0; at 0 the
// subgradient 0, as relu()), or grad_y itself for none. With grad_bias (may be nullptr), the
// channel sums of grad_z as channel_sums_batch_last adds them, in the same pass.
template <typename T>
void activation_grad_batch_last(const T* grad_y, const T* y, int64_t C, int64_t values_per_channel,
                                Activation activation, T* grad_z, T* grad_bias);

// y [C, H_out, W_out, N] = max over each window of x [C, H, W, N] (g from max_pool2d_geometry);
// window[c][oh][ow][n] = the winning tap kh · K_w + kw (−1 where a window has no tap inside x),
// stored in x's type so that it shares the vector lanes of the values.
// As max_pool2d_forward: the first maximum in row-major window order wins, a NaN wins over
// everything, and padding acts as −inf.
template <typename T>
void max_pool2d_batch_last_forward(const T* x, const ConvGeometry& g, T* y, T* window);

// grad_x [C, H, W, N] (overwritten): each output's gradient added to its winning input.
template <typename T>
void max_pool2d_batch_last_backward(const T* grad_y, const T* window, const ConvGeometry& g, T* grad_x);

}  // namespace convgrad
