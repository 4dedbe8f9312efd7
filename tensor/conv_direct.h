// Direct convolution: the coursework's small stride-1 layers without a column matrix.
//
// For stride 1 and dilation 1, stack a chunk's images, channel by channel, into one plane with
// rows Wp = W + gap_w wide and gap_h zero rows after each image (gap = max(p, 2p − K + 1)):
// image n's pixel (h, w) lies at row p_h + n · (H + gap_h) + h, column p_w + w, and zeros
// everywhere else. The zeros between two rows are the right padding of one and the left padding
// of the next, so they are paid for once (a 5×5 image with padding 1: 6 × 6 values, not 7 × 7).
// Every output pixel (n, oh, ow) then reads the window whose corner is q = (n · (H + gap_h) + oh)
// · Wp + ow, and if the output is computed at EVERY position q of the stack (the ones between
// images and past W_out are thrown away), tap (kh, kw) reads the plane shifted by kh · Wp + kw:
//
//   out'[o][q] = sum_c sum_{kh,kw} w[o][c][kh][kw] · xpad[c][q + kh·Wp + kw]
//
// — for a fixed tap, a contiguous run of q is one contiguous run of input: vector loads, no
// index arithmetic, no bounds tests. The kernel keeps the outputs of 8 channels × one vector
// of positions in registers and, for each (c, tap), loads the input vector once and adds it,
// times 8 broadcast weights, to the 8 sums: 8 multiply-adds per load, where im2col + GEMM
// first writes and then reads a matrix K_h·K_w times the input's size.
//
// The same kernel computes dL/dx of a stride-1 conv2d (a convolution of dL/dy with the
// flipped kernel: autograd/ops/conv2d.cpp). conv2d_reference (tensor/conv_kernels.h) is its
// test oracle.
#pragma once

#include <cstdint>

#include "tensor/conv_kernels.h"

namespace convgrad {

// Whether conv2d_direct computes geometry g: stride 1, dilation 1, and layers small enough
// that it is faster than im2col + GEMM (measured: bench/ layer_us.*): 4 to 64 output
// channels, at most 1152 = 128 · 3 · 3 values per output pixel. With fewer output channels
// each input load feeds too few multiply-adds (the U-Net's 1×1 conv4, 8 → 1: 27 instead of 21 µs).
bool conv2d_direct_applies(const ConvGeometry& g, int64_t C_out);
// Whether conv2d_direct_weight_grad computes it too: also at least 65% of the stack's
// positions must be outputs. The 10×10 "same" layers keep 100 of 121 and the 5×5 ones 25 of 36
// (measured: the U-Net's conv2 fwd+bwd 71 µs, 82 with the GEMM for dL/dW); with separate,
// unshared padding the 5×5 ones kept only 25 of 48, and the GEMM was faster.
bool conv2d_direct_weight_grad_applies(const ConvGeometry& g, int64_t C_out);

// y [N, C_out, H_out, W_out] = conv2d(x [N, C, H, W], weight [C_out, C, K_h, K_w]) + bias
// (bias may be nullptr). g from conv2d_geometry; uses scratch_buffer slots 4, 5 and 6.
template <typename T>
void conv2d_direct(const T* x, const T* weight, const T* bias, const ConvGeometry& g, int64_t C_out, T* y);

// dL/dW of that convolution, for a chunk of images:
//   grad_weight[o][c][kh][kw] = sum_n sum_{oh,ow} grad_y[n][o][oh][ow] · xpad[n][c][oh + kh][ow + kw]
// In the stacked layout (grad_y's thrown-away positions set to 0) each weight is one dot
// product over q of grad_y'[o][q] and the plane shifted by its tap; the kernel keeps 8 output
// channels × 3 taps of one kernel row in registers, so that each loaded vector feeds 3 or 8
// multiply-adds. grad_weight [C_out, C, K_h, K_w] is overwritten. Uses scratch slots 4 and 5.
template <typename T>
void conv2d_direct_weight_grad(const T* x, const T* grad_y, const ConvGeometry& g, int64_t C_out, T* grad_weight);

// ---- the same in steps, for an op that keeps the stacked planes between forward and backward ----
// Values in x's stacked planes (the layout above) for geometry g.
template <typename T>
int64_t conv2d_direct_planes_size(const ConvGeometry& g);
// planes [conv2d_direct_planes_size(g)] = x [N, C, H, W] stacked (padding zeroed).
template <typename T>
void conv2d_direct_stack(const T* x, const ConvGeometry& g, T* planes);
// conv2d_direct from planes already stacked (uses scratch slots 5 and 6).
template <typename T>
void conv2d_direct_from_planes(const T* planes, const T* weight, const T* bias, const ConvGeometry& g, int64_t C_out,
                               T* y);
// conv2d_direct_weight_grad from x's planes. dL/dy comes either as grad_y [N, C_out, H_out, W_out]
// (grad_y_planes == nullptr; stacked here, in scratch slot 5) or already at the stack's output
// positions: grad_y_planes[o * grad_y_stride + q], zero at the thrown-away positions.
template <typename T>
void conv2d_direct_weight_grad_from_planes(const T* x_planes, const T* grad_y, const T* grad_y_planes,
                                           int64_t grad_y_stride, const ConvGeometry& g, int64_t C_out,
                                           T* grad_weight);
// dL/dx of a stride-1 convolution is conv2d_direct of dL/dy with the flipped kernel (geometry
// g_flipped, padding K - 1 - p). dL/dy's stacked planes for that have rows as wide as x's stack
// and as many per image (W_out + gap' = W + p = W + gap when p <= K - 1), so dL/dy sits in them
// at x's output positions shifted by this many values, zero elsewhere: the planes serve dL/dW
// too. -1 if the layouts differ (they do not for any g_flipped that conv2d builds).
int64_t conv2d_direct_gradient_shift(const ConvGeometry& g, const ConvGeometry& g_flipped);

}  // namespace convgrad
