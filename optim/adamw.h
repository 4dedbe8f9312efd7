// AdamW, as torch.optim.AdamW (PyTorch 1.13): the weight decay is decoupled from the
// gradient. Per parameter, before the Adam update of adam.h (without its L2 term):
//
//   θ ← θ·(1 − lr·weight_decay)
//
// It takes AdamOptions; when none are given, PyTorch's AdamW defaults apply, which differ
// from Adam's in weight_decay = 1e-2.
#pragma once

#include "optim/adam.h"

namespace convgrad {

// lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 1e-2.
AdamOptions adamw_default_options();

class AdamW : public Adam {
 public:
  explicit AdamW(std::vector<Variable> params, AdamOptions options = adamw_default_options());
};

}  // namespace convgrad
