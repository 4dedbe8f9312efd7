// Elementwise activations as modules (no parameters): ReLU, Sigmoid, Tanh.
#pragma once

#include "nn/module.h"

namespace convgrad {

// y = max(x, 0)
class ReLU : public Module {
 public:
  Variable forward(const Variable& x) override { return relu(x); }
  std::string name() const override { return "ReLU"; }
};

// y = 1 / (1 + exp(-x))
class Sigmoid : public Module {
 public:
  Variable forward(const Variable& x) override { return sigmoid(x); }
  std::string name() const override { return "Sigmoid"; }
};

// y = tanh(x)
class Tanh : public Module {
 public:
  Variable forward(const Variable& x) override { return tanh(x); }
  std::string name() const override { return "Tanh"; }
};

}  // namespace convgrad
