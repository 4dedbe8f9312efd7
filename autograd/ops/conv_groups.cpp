#include "autograd/ops/conv_groups.h"

#include <functional>

#include "tensor/conv_kernels.h"

namespace convgrad {

namespace {

using UngroupedConv = std::function<Variable(const Variable& x, const Variable& weight, const Variable& bias)>;

// op names the caller in errors; transposed says which weight layout is given. Checks that
// the channels divide into the groups; `conv` is the op with groups = 1.
Variable conv_by_groups(const char* op, const Variable& x, const Variable& weight, const Variable& bias,
                        int64_t groups, bool transposed, const UngroupedConv& conv) {
  CONVGRAD_CHECK(groups >= 1, op, ": expected groups >= 1, but got ", groups);
  CONVGRAD_CHECK(x.dim() == 4, op, ": expected input [N, C, H, W], but got shape ", shape_str(x.shape()));
  CONVGRAD_CHECK(weight.dim() == 4, op, ": expected a 4-d weight, but got shape ", shape_str(weight.shape()));
  const int64_t C_in = x.size(1);
  // conv2d: weight [C_out, C_in/G, K_h, K_w];  conv_transpose2d: weight [C_in, C_out/G, K_h, K_w]
  const int64_t C_out = transposed ? weight.size(1) * groups : weight.size(0);
  CONVGRAD_CHECK(C_in % groups == 0, op, ": expected input channels divisible by groups, but got ", C_in,
                 " channels and groups=", groups);
  CONVGRAD_CHECK(C_out % groups == 0, op, ": expected output channels divisible by groups, but got ", C_out,
                 " channels (weight ", shape_str(weight.shape()), ") and groups=", groups);
  const int64_t in_block = C_in / groups, out_block = C_out / groups;
  if (transposed) {
    CONVGRAD_CHECK(weight.size(0) == C_in, op, ": expected weight [C_in=", C_in, ", C_out/groups, K_h, K_w], but got ",
                   shape_str(weight.shape()));
  } else {
    CONVGRAD_CHECK(weight.size(1) == in_block, op, ": expected weight [C_out, C_in/groups=", in_block,
                   ", K_h, K_w], but got ", shape_str(weight.shape()));
  }
  if (bias.defined()) check_conv_bias(op, bias.shape(), C_out, weight.shape());
  const int64_t weight_block = transposed ? in_block : out_block;
  std::vector<Variable> outputs;
  for (int64_t k = 0; k < groups; ++k) {
    const Variable x_k = slice(x, 1, k * in_block, (k + 1) * in_block);
    const Variable w_k = slice(weight, 0, k * weight_block, (k + 1) * weight_block);
    const Variable b_k = bias.defined() ? slice(bias, 0, k * out_block, (k + 1) * out_block) : Variable();
    outputs.push_back(conv(x_k, w_k, b_k));
  }
  return cat(outputs, 1);
}

}  // namespace

Variable conv2d_by_groups(const Variable& x, const Variable& weight, const Variable& bias, const Conv2dOptions& options) {
  Conv2dOptions ungrouped = options;
  ungrouped.groups = 1;
  return conv_by_groups("conv2d", x, weight, bias, options.groups, false,
                        [&](const Variable& x_k, const Variable& w_k, const Variable& b_k) {
                          return conv2d(x_k, w_k, b_k, ungrouped);
                        });
}

Variable conv_transpose2d_by_groups(const Variable& x, const Variable& weight, const Variable& bias,
                                    const ConvTranspose2dOptions& options) {
  ConvTranspose2dOptions ungrouped = options;
  ungrouped.groups = 1;
  return conv_by_groups("conv_transpose2d", x, weight, bias, options.groups, true,
                        [&](const Variable& x_k, const Variable& w_k, const Variable& b_k) {
                          return conv_transpose2d(x_k, w_k, b_k, ungrouped);
                        });
}

}  // namespace convgrad
