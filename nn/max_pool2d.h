// MaxPool2d: the maximum over each K_h x K_w window. stride 0 means "= kernel_size"
// (PyTorch's default); padding acts as -inf; ties go to the first maximum in row-major
// window order. No parameters.
#pragma once

#include "nn/module.h"

namespace convgrad {

class MaxPool2d : public Module {
 public:
  MaxPool2d(Size2 kernel_size, Size2 stride = 0, Size2 padding = 0, bool ceil_mode = false,
            Size2 dilation = 1);

  Variable forward(const Variable& x) override;
  // The same pooling on batch-last images [C, H, W, N] (max_pool2d_batch_last).
  Variable forward_batch_last(const Variable& x) { return max_pool2d_batch_last(x, options_); }
  std::string name() const override { return "MaxPool2d"; }
  std::string extra_repr() const override;

  const MaxPool2dOptions& options() const { return options_; }

 private:
  MaxPool2dOptions options_;
};

}  // namespace convgrad
