#include "nn/max_pool2d.h"

#include "nn/layer_checks.h"

namespace convgrad {

MaxPool2d::MaxPool2d(Size2 kernel_size, Size2 stride, Size2 padding, bool ceil_mode, Size2 dilation) {
  options_.kernel_size = kernel_size;
  options_.stride = stride;
  if (options_.stride == Pair{0, 0}) options_.stride = options_.kernel_size;
  options_.padding = padding;
  options_.dilation = dilation;
  options_.ceil_mode = ceil_mode;
  check_positive("MaxPool2d", "kernel_size", options_.kernel_size);
  check_positive("MaxPool2d", "stride", options_.stride);
  check_non_negative("MaxPool2d", "padding", options_.padding);
  check_positive("MaxPool2d", "dilation", options_.dilation);
  for (int d = 0; d < 2; ++d) {
    const int64_t effective_kernel = (options_.kernel_size[d] - 1) * options_.dilation[d] + 1;
    CONVGRAD_CHECK(options_.padding[d] <= effective_kernel / 2,
                   "MaxPool2d: expected padding at most half of the effective kernel size, but got padding=",
                   pair_str(options_.padding), " with kernel_size=", pair_str(options_.kernel_size),
                   " and dilation=", pair_str(options_.dilation));
  }
}

Variable MaxPool2d::forward(const Variable& x) { return max_pool2d(x, options_); }

namespace {
// PyTorch prints what was passed: "2" for a square window, "(2, 3)" otherwise.
std::string int_or_pair(const Pair& pair) {
  return pair[0] == pair[1] ? std::to_string(pair[0]) : pair_str(pair);
}
}  // namespace

std::string MaxPool2d::extra_repr() const {
  return str_cat("kernel_size=", int_or_pair(options_.kernel_size), ", stride=", int_or_pair(options_.stride),
                 ", padding=", int_or_pair(options_.padding), ", dilation=", int_or_pair(options_.dilation),
                 ", ceil_mode=", options_.ceil_mode ? "True" : "False");
}

}  // namespace convgrad
