// SGD with momentum, as torch.optim.SGD (PyTorch 1.13), per parameter θ with gradient g:
//
//   g ← g + weight_decay·θ
//   b ← g                                    at the parameter's first update
//   b ← momentum·b + (1 − dampening)·g       afterwards
//   g ← g + momentum·b  (nesterov)   or   g ← b  (otherwise; only when momentum ≠ 0)
//   θ ← θ − lr·g
#pragma once

#include "optim/optimizer.h"

namespace convgrad {

struct SGDOptions {
  double lr = 1e-2;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;  // needs momentum > 0 and dampening = 0, as in PyTorch
};

class SGD : public Optimizer {
 public:
  explicit SGD(std::vector<Variable> params, SGDOptions options = {});

  void step() override;
  double lr() const override { return options_.lr; }
  void set_lr(double lr) override { options_.lr = lr; }

  const SGDOptions& options() const { return options_; }
  // The momentum buffer b of params()[index]; undefined before its first update or
  // when momentum is 0.
  const Tensor& momentum_buffer(size_t index) const;

 private:
  SGDOptions options_;
  std::vector<Tensor> buffers_;
};

}  // namespace convgrad
