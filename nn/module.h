// Module: the base of every layer and model. A module owns named parameters (leaf
// Variables that require grad) and named child modules, and PyTorch's conventions follow
// from that: `named_parameters()` walks its own parameters in registration order, then each
// child's with the child's name as a dotted prefix ("conv1.weight", "0.bias", ...).
//
//   class Autoencoder : public Module {
//    public:
//     Autoencoder(Generator& gen) {
//       conv1_ = register_module("conv1", std::make_shared<Conv2d>(1, 8, 3, 1, 1, 1, true,
//                                                                  DType::Float32, gen));
//     }
//     Variable forward(const Variable& x) override { return relu(conv1_->forward(x)); }
//     std::string name() const override { return "Autoencoder"; }
//    private:
//     std::shared_ptr<Conv2d> conv1_;
//   };
//
// Modules are held by std::shared_ptr and cannot be copied (a copy would silently share or
// duplicate parameters).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "autograd/functions.h"

namespace convgrad {

// A (height, width) pair that also accepts one number for both, as PyTorch does:
// Conv2d(1, 8, 3) and Conv2d(1, 8, {3, 5}) and Conv2d(1, 8, Pair{3, 5}).
struct Size2 {
  Pair value;
  Size2(int64_t both) : value{both, both} {}  // NOLINT: implicit on purpose
  Size2(int64_t height, int64_t width) : value{height, width} {}
  Size2(Pair pair) : value(pair) {}  // NOLINT: implicit on purpose
  operator Pair() const { return value; }  // NOLINT
};

// "(3, 3)": how PyTorch prints a pair in a module's repr.
std::string pair_str(const Pair& pair);

class Module {
 public:
  using NamedParameter = std::pair<std::string, Variable>;
  using NamedModule = std::pair<std::string, std::shared_ptr<Module>>;

  Module() = default;
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // The computation. The default throws: a module with several inputs or outputs (a
  // multi-task model) defines its own methods instead.
  virtual Variable forward(const Variable& x);
  Variable operator()(const Variable& x) { return forward(x); }

  // The class name, as PyTorch prints it: "Conv2d", "Sequential".
  virtual std::string name() const { return "Module"; }
  // What goes between the parentheses of the repr: "1, 8, kernel_size=(3, 3), ...".
  virtual std::string extra_repr() const { return ""; }
  // PyTorch's repr: "Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))", and
  // for a module with children one line per child, "(name): <child's repr>", indented.
  std::string describe() const;

  // Every parameter, own first, then each child's (recursively), with dotted names. A
  // Variable registered twice (shared weights) is listed once, under its first name.
  std::vector<NamedParameter> named_parameters() const;
  std::vector<Variable> parameters() const;
  // Own parameters only, without prefixes.
  const std::vector<NamedParameter>& own_parameters() const { return parameters_; }
  // Direct children in registration order.
  const std::vector<NamedModule>& children() const { return children_; }
  // Total number of scalars in all parameters.
  int64_t parameter_count() const;

  // Training mode (set recursively). None of the built-in layers behaves differently in
  // eval mode, but models and training loops may ask.
  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // requires_grad off (freeze) or on (unfreeze) for every parameter, recursively. freeze()
  // also drops existing gradients, so an optimizer (which skips parameters without a
  // gradient, as in PyTorch) leaves frozen weights exactly as they are.
  void freeze();
  void unfreeze();
  // Drops every parameter's gradient (PyTorch's zero_grad(set_to_none=True)).
  void zero_grad();
  // Converts every parameter (and its gradient, if any) to `dtype` in place: each Variable
  // keeps its identity, so optimizers built over parameters() still see them. Optimizer
  // state already created in the old dtype is not converted (the optimizer reports it).
  void to(DType dtype);

 protected:
  // Registers a leaf parameter (requires_grad = true) under `name` and returns it.
  Variable register_parameter(const std::string& name, Tensor value);
  // Registers a child module under `name` and returns it, typed.
  template <typename M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }

 private:
  void add_child(const std::string& name, std::shared_ptr<Module> module);
  void check_new_name(const std::string& name, const char* what) const;
  void collect_parameters(const std::string& prefix, std::vector<NamedParameter>& out) const;

  std::vector<NamedParameter> parameters_;
  std::vector<NamedModule> children_;
  bool training_ = true;
};

}  // namespace convgrad
