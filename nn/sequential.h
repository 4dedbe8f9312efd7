// Sequential: applies its children in order. Children are named "0", "1", ... as in
// PyTorch, so parameters are "0.weight", "0.bias", "2.weight", ...
//
//   auto net = std::make_shared<Sequential>(std::vector<std::shared_ptr<Module>>{
//       std::make_shared<Conv2d>(1, 8, 3, 1, 1), std::make_shared<ReLU>()});
#pragma once

#include <memory>
#include <vector>

#include "nn/module.h"

namespace convgrad {

class Sequential : public Module {
 public:
  Sequential() = default;
  explicit Sequential(const std::vector<std::shared_ptr<Module>>& modules);

  // Appends a module under the next index; returns *this for chaining.
  Sequential& push_back(std::shared_ptr<Module> module);

  Variable forward(const Variable& x) override;
  std::string name() const override { return "Sequential"; }

  size_t size() const { return children().size(); }
  // The i-th module (bounds-checked).
  const std::shared_ptr<Module>& operator[](size_t index) const;
};

}  // namespace convgrad
