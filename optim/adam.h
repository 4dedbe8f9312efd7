// Adam, exactly as torch.optim.Adam (PyTorch 1.13), per parameter θ with gradient g at
// step t (t counts this parameter's updates, starting at 1):
//
//   g ← −g                                      (only with maximize: ascend instead)
//   g ← g + weight_decay·θ                      (L2 penalty through the gradient)
//   m ← β1·m + (1 − β1)·g                       exp_avg
//   v ← β2·v + (1 − β2)·g²                      exp_avg_sq
//   v̂ ← max(v̂, v), and v̂ replaces v below      (only with amsgrad: max_exp_avg_sq)
//   θ ← θ − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + eps)
//
// Each line is evaluated in PyTorch's operation order, fused multiply-adds included
// (adam.cpp), so float64 trajectories match PyTorch's bit for bit on the golden cases
// (tests/optim/test_adam.cpp: three steps, checked to 1e-12 relative and for identity).
// AdamW (adamw.h) decouples the weight decay instead.
#pragma once

#include <array>

#include "optim/optimizer.h"

namespace convgrad {

struct AdamOptions {
  double lr = 1e-3;
  std::array<double, 2> betas{0.9, 0.999};  // (β1, β2)
  double eps = 1e-8;
  double weight_decay = 0.0;
  bool amsgrad = false;   // divide by the largest v so far (AMSGrad)
  bool maximize = false;  // follow +g, to maximise the objective
};

// Per-parameter state, created at the parameter's first update (undefined before).
struct AdamState {
  int64_t step = 0;
  Tensor exp_avg;     // m
  Tensor exp_avg_sq;  // v
  Tensor max_exp_avg_sq;  // v̂, the running maximum of v (only with amsgrad)
};

class Adam : public Optimizer {
 public:
  explicit Adam(std::vector<Variable> params, AdamOptions options = {});

  void step() override;
  double lr() const override { return options_.lr; }
  void set_lr(double lr) override { options_.lr = lr; }

  const AdamOptions& options() const { return options_; }
  // The state of params()[index], or of a parameter given by identity.
  const AdamState& state(size_t index) const;
  const AdamState& state(const Variable& param) const;

 protected:
  // AdamW: θ ← θ·(1 − lr·weight_decay) before the update, and no decay in the gradient.
  Adam(std::vector<Variable> params, AdamOptions options, bool decoupled_weight_decay, const char* name);

 private:
  AdamOptions options_;
  bool decoupled_weight_decay_;
  std::vector<AdamState> states_;
};

}  // namespace convgrad
