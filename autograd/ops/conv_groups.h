// Grouped convolutions (PyTorch's `groups`), for conv2d and conv_transpose2d.
//
// With G groups the C_in input channels are cut into G equal blocks; block k is convolved
// with its own filters only, and the G outputs are concatenated along the channels:
//   y[:, k-th block of C_out/G] = conv(x[:, k-th block of C_in/G], weight[k-th block], bias[k-th block])
// (weight is cut along dim 0: C_out/G rows for conv2d, C_in/G rows for conv_transpose2d).
// Built from slice, the ungrouped op and cat, so the gradient comes with them. G = C_in is a
// depthwise convolution.
#pragma once

#include <functional>

#include "autograd/functions.h"

namespace convgrad {

using UngroupedConv = std::function<Variable(const Variable& x, const Variable& weight, const Variable& bias)>;

// op names the caller in errors; transposed says which weight layout is given. Checks that
// the channels divide into the groups; `conv` is the op with groups = 1.
Variable conv_by_groups(const char* op, const Variable& x, const Variable& weight, const Variable& bias,
                        int64_t groups, bool transposed, const UngroupedConv& conv);

}  // namespace convgrad
