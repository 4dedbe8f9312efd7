// Optimizer: the base of Adam, AdamW and SGD. It holds the parameters (Variables share
// their values with the module, so updating param.data() in place updates the model).
//
//   Adam optimizer(model->parameters());
//   optimizer.zero_grad();
//   mse_regress(model->forward(x), y).backward();
//   optimizer.step();
//
// As in PyTorch, step() skips parameters without a gradient (frozen ones, or ones the loss
// does not reach), and updates run under NoGradGuard: they are never part of a graph.
#pragma once

#include <vector>

#include "autograd/variable.h"

namespace convgrad {

class Optimizer {
 public:
  // Parameters must be defined leaf Variables, each listed once.
  explicit Optimizer(std::vector<Variable> params, const char* name = "Optimizer");
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter that has a gradient.
  virtual void step() = 0;
  // Drops every parameter's gradient (PyTorch's set_to_none=True, the 2.0 default).
  void zero_grad();

  // The learning rate, for schedules.
  virtual double lr() const = 0;
  virtual void set_lr(double lr) = 0;

  const std::vector<Variable>& params() const { return params_; }
  const char* name() const { return name_; }

 protected:
  // Checks that a gradient and any existing state tensor match the parameter's dtype
  // (they do not after module.to(dtype) was called on a model with optimizer state).
  void check_state_dtype(size_t index, const Tensor& state, const char* state_name) const;

  std::vector<Variable> params_;
  const char* name_;
};

}  // namespace convgrad
