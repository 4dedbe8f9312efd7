// Strided convolutions as stride-1 convolutions of phase images ("space to depth").
//
// With stride (s_h, s_w), output pixel (i, j) reads xpad[s_h·i + kh][s_w·j + kw]. Split every
// padded plane into its s_h·s_w phases and the kernel likewise,
//   x_ph[c, ph][a][b]     = xpad[c][s_h·a + ph_h][s_w·b + ph_w]          ph = (ph_h, ph_w)
//   w_ph[o][c, ph][a][b]  = w[o][c][s_h·a + ph_h][s_w·b + ph_w]
// and, since kh = s_h·a + ph_h runs over every tap once,
//   y[o][i][j] = Σ_c Σ_ph Σ_{a,b} w_ph[o][c, ph][a][b] · x_ph[c, ph][i + a][j + b]:
// a stride-1 convolution with C·s_h·s_w channels and a (K_h/s_h)×(K_w/s_w) kernel, which the
// direct kernels (tensor/conv_direct.h) compute without a column matrix. The VAE's k4 s2 p1
// layer (1 → 32 channels) becomes a k2 conv of 4 channels. phase_split is differentiable (each
// output value is one input value or a zero), so the backward is the stride-1 op's, split back.
#pragma once

#include "autograd/functions.h"

namespace convgrad {

// y [N, C·s_h·s_w, H_ph, W_ph] with channel c·s_h·s_w + ph_h·s_w + ph_w, pixel (a, b) =
// x[n][c][s_h·a + ph_h − top][s_w·b + ph_w − left], or 0 outside x (PyTorch's pixel_unshuffle
// of x padded by (top, left), cropped or zero-filled to s_h·H_ph × s_w·W_ph).
Variable phase_split(const Variable& x, Pair stride, int64_t top, int64_t left, int64_t H_ph, int64_t W_ph);

// Whether conv2d takes this path: a stride above 1 that divides the kernel, dilation 1, and a
// stride-1 layer that the direct kernels compute.
bool conv2d_by_phases_applies(const ConvGeometry& g, int64_t C_out);
// conv2d (groups = 1) for such a geometry.
Variable conv2d_by_phases(const Variable& x, const Variable& weight, const Variable& bias, const Conv2dOptions& options);

}  // namespace convgrad
