// Grouped convolutions (PyTorch's `groups`), for conv2d and conv_transpose2d.
//
// With G groups the C_in input channels are cut into G equal blocks; block k is convolved
// with its own filters only, and the G outputs are concatenated along the channels:
//   y[:, k-th block of C_out/G] = conv(x[:, k-th block of C_in/G], weight[k-th block], bias[k-th block])
// (weight is cut along dim 0: C_out/G rows for conv2d, C_in/G rows for conv_transpose2d).
// Built from slice, the ungrouped op and cat, so the gradient comes with them. G = C_in is a
// depthwise convolution.
#pragma once

#include "autograd/functions.h"

namespace convgrad {

// conv2d and conv_transpose2d with options.groups > 1 (they call these, which call them back
// with groups = 1 for each block). Kept out of line: the ungrouped ops stay as they were.
Variable conv2d_by_groups(const Variable& x, const Variable& weight, const Variable& bias, const Conv2dOptions& options);
Variable conv_transpose2d_by_groups(const Variable& x, const Variable& weight, const Variable& bias,
                                    const ConvTranspose2dOptions& options);

}  // namespace convgrad
