// The transposed convolution as s_h × s_w stride-1 convolutions (sub-pixel decomposition),
// each on the direct kernel of tensor/conv_direct.h.
//
//   y[oh] = b + sum over (ih, kh) with ih·s − p + kh = oh of x[ih] · W[kh]     (one axis shown)
//
// Output rows whose (oh + p) mod s equal the same r — one "phase" — use only the taps
// kh = r, r + s, r + 2s, … (J_r of them), and with t = (oh + p − r) / s and kh = r + j·s they read
// ih = t − j. So phase r is a stride-1 correlation of x, padded by J_r − 1, with the kernel
// W'[j'] = W[r + (J_r − 1 − j')·s]:
//
//   y[s·t + r − p] = b + sum_{j'} xpad[t + j'] · W'[j']        (t where 0 ≤ s·t + r − p < H_out)
//
// Every phase's rows t beyond the correlation's output (only with output_padding or a large
// padding) receive no input: they are the bias. With stride 2 and a 3×3 kernel, the phases have
// 1×1, 1×2, 2×1 and 2×2 kernels: the 9 taps once, with no zeros inserted and no col2im.
// All phases read ONE stack of x (tensor/direct_kernels.h) padded for phase 0, the one with the
// most taps; a phase with fewer taps reads it with its kernel moved down and right.
#pragma once

#include "tensor/conv_kernels.h"

namespace convgrad {

// Whether conv_transpose2d_direct computes geometry g (conv_transpose2d_geometry's; g.C is
// C_out): dilation 1, and phase 0's convolution one that conv2d_direct takes (4 to 64 output
// channels, so not the autoencoder's deconv to 1 channel).
bool conv_transpose2d_direct_applies(const ConvGeometry& g, int64_t C_in);

// y [N, C_out, H, W] = conv_transpose2d(x [N, C_in, g.H_out, g.W_out], weight [C_in, C_out, K_h, K_w]) + bias
// (bias may be nullptr). Uses scratch slots 1, 4 and 5.
template <typename T>
void conv_transpose2d_direct(const T* x, const T* weight, const T* bias, const ConvGeometry& g, int64_t C_in, T* y);

// The backward, by the same split read the other way: dL/dy's phases
//   dy_r[t] = grad_y[s·t + r − p]   (0 outside grad_y)
// give dL/dx[ih] = sum_r sum_j dy_r[ih + j] · W[r + j·s], a stride-1 convolution of the phases
// (their channels side by side, each phase with its own taps), and
// dL/dW[c][o][r + j·s] = sum_n sum_ih x[n][c][ih] · dy_r[n][o][ih + j], conv2d_direct_weight_grad's
// sum with x in the role of the gradient. Both read one stack of the phases.
bool conv_transpose2d_direct_backward_applies(const ConvGeometry& g, int64_t C_in);

// grad_x [N, C_in, g.H_out, g.W_out] and grad_weight [C_in, C_out, K_h, K_w] (either may be
// nullptr: not computed) from grad_y [N, C_out, H, W]. Uses scratch slots 1, 4 and 5.
template <typename T>
void conv_transpose2d_direct_backward(const T* x, const T* grad_y, const T* weight, const ConvGeometry& g,
                                      int64_t C_in, T* grad_x, T* grad_weight);

}  // namespace convgrad
