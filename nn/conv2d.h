// Conv2d: y = conv2d(x, weight, bias) with weight [C_out, C_in/groups, K_h, K_w], bias [C_out].
// H_out = floor((H + 2 p - d (K - 1) - 1) / s) + 1. Init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
// fan_in = C_in/groups * K_h * K_w (nn/init.h).
// padding_mode as PyTorch's: zeros (PadMode::Constant), or x padded by p in that mode first
// (pad2d: reflect, replicate, circular) and then convolved without padding.
#pragma once

#include "nn/init.h"
#include "nn/module.h"

namespace convgrad {

class Conv2d : public Module {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size, Size2 stride = 1,
         Size2 padding = 0, Size2 dilation = 1, bool bias = true, DType dtype = DType::Float32,
         Generator& gen = default_generator());
  // All of PyTorch's options, groups included: Conv2d(8, 8, 3, {stride, padding, dilation, groups}).
  Conv2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size, const Conv2dOptions& options,
         bool bias = true, DType dtype = DType::Float32, Generator& gen = default_generator());
  // With a padding_mode: Conv2d(2, 4, 3, Conv2dOptions{{1, 1}, {1, 1}}, PadMode::Reflect) is
  // PyTorch's Conv2d(2, 4, 3, padding=1, padding_mode='reflect').
  Conv2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size, const Conv2dOptions& options,
         PadMode padding_mode, bool bias = true, DType dtype = DType::Float32,
         Generator& gen = default_generator());

  Variable forward(const Variable& x) override;
  // The same layer on batch-last images [C_in, H, W, N] (conv2d_batch_last); padding_mode zeros only.
  // With Activation::relu, relu of the output in the same op.
  Variable forward_batch_last(const Variable& x, Activation activation = Activation::none);
  std::string name() const override { return "Conv2d"; }
  std::string extra_repr() const override;

  const Variable& weight() const { return weight_; }
  const Variable& bias() const { return bias_; }  // undefined when bias = false
  const Conv2dOptions& options() const { return options_; }
  PadMode padding_mode() const { return padding_mode_; }
  int64_t in_channels() const { return in_channels_; }
  int64_t out_channels() const { return out_channels_; }
  Pair kernel_size() const { return kernel_size_; }

 private:
  int64_t in_channels_;
  int64_t out_channels_;
  Pair kernel_size_;
  Conv2dOptions options_;
  PadMode padding_mode_ = PadMode::Constant;
  Variable weight_;
  Variable bias_;
};

}  // namespace convgrad
