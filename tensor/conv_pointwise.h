// The 1×1 convolution (stride 1, no padding, no dilation): at every pixel, a matrix-vector
// product across channels — the U-Net's conv4 (8 → 1 channels).
//
//   y[n][o][l]  = b[o] + sum_c W[o][c] · x[n][c][l]          (l: the H·W pixels)
//   dx[n][c][l] = sum_o W[o][c] · dy[n][o][l]
//   dW[o][c]    = sum_n sum_l dy[n][o][l] · x[n][c][l]
//
// Written as loops over whole planes (the inner loop over l vectorises), where im2col + GEMM
// would first copy x and the gradient into channel-major matrices and back. Used when the
// layer has at most 8 output channels (tensor/conv_direct.h takes the wider ones).
#pragma once

#include "tensor/conv_kernels.h"

namespace convgrad {

bool conv2d_pointwise_applies(const ConvGeometry& g, int64_t C_out);

// y [N, C_out, H, W] (bias may be nullptr)
template <typename T>
void conv2d_pointwise(const T* x, const T* weight, const T* bias, const ConvGeometry& g, int64_t C_out, T* y);
// grad_x [N, C, H, W]
template <typename T>
void conv2d_pointwise_input_grad(const T* grad_y, const T* weight, const ConvGeometry& g, int64_t C_out, T* grad_x);
// grad_weight [C_out, C] (overwritten)
template <typename T>
void conv2d_pointwise_weight_grad(const T* x, const T* grad_y, const ConvGeometry& g, int64_t C_out, T* grad_weight);

}  // namespace convgrad
