#include "nn/conv2d.h"

#include "nn/layer_checks.h"

namespace convgrad {

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size, Size2 stride,
               Size2 padding, Size2 dilation, bool bias, DType dtype, Generator& gen)
    : Conv2d(in_channels, out_channels, kernel_size, Conv2dOptions{stride, padding, dilation, 1}, bias, dtype, gen) {}

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size, const Conv2dOptions& options,
               bool bias, DType dtype, Generator& gen)
    : Conv2d(in_channels, out_channels, kernel_size, options, PadMode::Constant, bias, dtype, gen) {}

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size, const Conv2dOptions& options,
               PadMode padding_mode, bool bias, DType dtype, Generator& gen)
    : in_channels_(in_channels),
      out_channels_(out_channels),
      kernel_size_(kernel_size),
      options_(options),
      padding_mode_(padding_mode) {
  check_positive("Conv2d", "in_channels", in_channels);
  check_positive("Conv2d", "out_channels", out_channels);
  check_positive("Conv2d", "kernel_size", kernel_size_);
  check_positive("Conv2d", "stride", options.stride);
  check_non_negative("Conv2d", "padding", options.padding);
  check_positive("Conv2d", "dilation", options.dilation);
  check_groups("Conv2d", options.groups, in_channels, out_channels);

  const Shape weight_shape{out_channels, in_channels / options.groups, kernel_size_[0], kernel_size_[1]};
  const double bound = default_init_bound(fan_in_of(weight_shape));
  weight_ = register_parameter("weight", uniform_init(weight_shape, -bound, bound, gen, dtype));
  if (bias) bias_ = register_parameter("bias", uniform_init({out_channels}, -bound, bound, gen, dtype));
}

Variable Conv2d::forward(const Variable& x) {
  if (padding_mode_ == PadMode::Constant) return conv2d(x, weight_, bias_, options_);
  // As PyTorch's _conv_forward: F.pad(x, (p_w, p_w, p_h, p_h), mode), then no padding.
  Pad2d pad;
  pad.left = pad.right = options_.padding[1];
  pad.top = pad.bottom = options_.padding[0];
  Conv2dOptions unpadded = options_;
  unpadded.padding = {0, 0};
  return conv2d(pad2d(x, pad, padding_mode_), weight_, bias_, unpadded);
}

Variable Conv2d::forward_batch_last(const Variable& x, Activation activation) {
  CONVGRAD_CHECK(padding_mode_ == PadMode::Constant, "Conv2d::forward_batch_last: expected padding_mode zeros, but got ",
                 pad_mode_name(padding_mode_), " (use forward, on [N, C, H, W])");
  return conv2d_batch_last(x, weight_, bias_, options_, activation);
}

std::string Conv2d::extra_repr() const {
  // The fields PyTorch's _ConvNd.extra_repr prints, skipping defaults the same way.
  std::string out = str_cat(in_channels_, ", ", out_channels_, ", kernel_size=", pair_str(kernel_size_),
                            ", stride=", pair_str(options_.stride));
  if (options_.padding != Pair{0, 0}) out += ", padding=" + pair_str(options_.padding);
  if (options_.dilation != Pair{1, 1}) out += ", dilation=" + pair_str(options_.dilation);
  if (options_.groups != 1) out += str_cat(", groups=", options_.groups);
  if (!bias_.defined()) out += ", bias=False";
  if (padding_mode_ != PadMode::Constant) out += str_cat(", padding_mode=", pad_mode_name(padding_mode_));
  return out;
}

}  // namespace convgrad
