#include "nn/conv_transpose2d.h"

#include "nn/layer_checks.h"

namespace convgrad {

ConvTranspose2d::ConvTranspose2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size,
                                 Size2 stride, Size2 padding, Size2 output_padding, Size2 dilation,
                                 bool bias, DType dtype, Generator& gen)
    : ConvTranspose2d(in_channels, out_channels, kernel_size,
                      ConvTranspose2dOptions{stride, padding, output_padding, dilation, 1}, bias, dtype, gen) {}

ConvTranspose2d::ConvTranspose2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size,
                                 const ConvTranspose2dOptions& options, bool bias, DType dtype, Generator& gen)
    : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size), options_(options) {
  check_positive("ConvTranspose2d", "in_channels", in_channels);
  check_positive("ConvTranspose2d", "out_channels", out_channels);
  check_positive("ConvTranspose2d", "kernel_size", kernel_size_);
  check_positive("ConvTranspose2d", "stride", options.stride);
  check_non_negative("ConvTranspose2d", "padding", options.padding);
  check_non_negative("ConvTranspose2d", "output_padding", options.output_padding);
  check_positive("ConvTranspose2d", "dilation", options.dilation);
  check_groups("ConvTranspose2d", options.groups, in_channels, out_channels);
  for (int d = 0; d < 2; ++d) {
    CONVGRAD_CHECK(options_.output_padding[d] < options_.stride[d] ||
                       options_.output_padding[d] < options_.dilation[d],
                   "ConvTranspose2d: expected output_padding smaller than stride or dilation, but got "
                   "output_padding=", pair_str(options_.output_padding), ", stride=", pair_str(options_.stride),
                   ", dilation=", pair_str(options_.dilation));
  }

  const Shape weight_shape{in_channels, out_channels / options.groups, kernel_size_[0], kernel_size_[1]};
  const double bound = default_init_bound(fan_in_of(weight_shape));  // C_out/groups * K_h * K_w
  weight_ = register_parameter("weight", uniform_init(weight_shape, -bound, bound, gen, dtype));
  if (bias) bias_ = register_parameter("bias", uniform_init({out_channels}, -bound, bound, gen, dtype));
}

Variable ConvTranspose2d::forward(const Variable& x) {
  return conv_transpose2d(x, weight_, bias_, options_);
}

Variable ConvTranspose2d::forward_batch_last(const Variable& x, Activation activation) {
  return conv_transpose2d_batch_last(x, weight_, bias_, options_, activation);
}

std::string ConvTranspose2d::extra_repr() const {
  std::string out = str_cat(in_channels_, ", ", out_channels_, ", kernel_size=", pair_str(kernel_size_),
                            ", stride=", pair_str(options_.stride));
  if (options_.padding != Pair{0, 0}) out += ", padding=" + pair_str(options_.padding);
  if (options_.dilation != Pair{1, 1}) out += ", dilation=" + pair_str(options_.dilation);
  if (options_.output_padding != Pair{0, 0}) out += ", output_padding=" + pair_str(options_.output_padding);
  if (options_.groups != 1) out += str_cat(", groups=", options_.groups);
  if (!bias_.defined()) out += ", bias=False";
  return out;
}

}  // namespace convgrad
