// Flatten: merges dimensions start_dim..end_dim into one; [N, C, H, W] -> [N, C*H*W] by default.
#pragma once

#include "nn/module.h"

namespace convgrad {

class Flatten : public Module {
 public:
  explicit Flatten(int64_t start_dim = 1, int64_t end_dim = -1) : start_dim_(start_dim), end_dim_(end_dim) {}

  Variable forward(const Variable& x) override { return flatten(x, start_dim_, end_dim_); }
  std::string name() const override { return "Flatten"; }
  std::string extra_repr() const override {
    return str_cat("start_dim=", start_dim_, ", end_dim=", end_dim_);
  }

 private:
  int64_t start_dim_;
  int64_t end_dim_;
};

}  // namespace convgrad
