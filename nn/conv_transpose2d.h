// ConvTranspose2d: the gradient of Conv2d w.r.t. its input, as a layer. Weight
// [C_in, C_out/groups, K_h, K_w] (PyTorch's layout), bias [C_out].
// H_out = (H - 1) s - 2 p + d (K - 1) + output_padding + 1.
// Init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = weight.size(1) * K_h * K_w
// = C_out/groups * K_h * K_w — PyTorch's rule applied to this layout, not C_in.
#pragma once

#include "nn/init.h"
#include "nn/module.h"

namespace convgrad {

class ConvTranspose2d : public Module {
 public:
  // output_padding must be smaller than stride or than dilation, in each dimension.
  ConvTranspose2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size, Size2 stride = 1,
                  Size2 padding = 0, Size2 output_padding = 0, Size2 dilation = 1, bool bias = true,
                  DType dtype = DType::Float32, Generator& gen = default_generator());
  // All of PyTorch's options, groups included.
  ConvTranspose2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size, const ConvTranspose2dOptions& options,
                  bool bias = true, DType dtype = DType::Float32, Generator& gen = default_generator());

  Variable forward(const Variable& x) override;
  // The same layer on batch-last images [C_in, H, W, N] (conv_transpose2d_batch_last).
  // With Activation::relu, relu of the output in the same op.
  Variable forward_batch_last(const Variable& x, Activation activation = Activation::none);
  std::string name() const override { return "ConvTranspose2d"; }
  std::string extra_repr() const override;

  const Variable& weight() const { return weight_; }
  const Variable& bias() const { return bias_; }  // undefined when bias = false
  const ConvTranspose2dOptions& options() const { return options_; }
  int64_t in_channels() const { return in_channels_; }
  int64_t out_channels() const { return out_channels_; }
  Pair kernel_size() const { return kernel_size_; }

 private:
  int64_t in_channels_;
  int64_t out_channels_;
  Pair kernel_size_;
  ConvTranspose2dOptions options_;
  Variable weight_;
  Variable bias_;
};

}  // namespace convgrad
