// The autograd graph.
//
// A Variable is a Tensor plus what reverse-mode differentiation needs: whether it
// requires a gradient, the gradient accumulated into it (leaves only), and the Node that
// made it (grad_fn). A Node remembers its input Variables and a backward function that
// maps dL/d(output) to dL/d(each input). `make_result` creates both, so an op is written
// as its forward computation followed, a few lines below, by its backward:
//
//   Variable relu(const Variable& x) {
//     Tensor y = map_unary(x.data(), [](auto v) { return v > 0 ? v : decltype(v)(0); });
//     // dL/dx = dL/dy * (x > 0)
//     return make_result("relu", y, {x}, [x = x.data()](const Tensor& grad_output) {
//       return Grads{map_binary(grad_output, x, "relu", [](auto g, auto v) { return v > 0 ? g : 0; })};
//     });
//   }
//
// Calling `loss.backward()` sorts the graph topologically and runs the backward functions
// in reverse order, summing gradients where a Variable feeds several ops.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace convgrad {

struct Node;
struct VariableImpl;

class Variable {
 public:
  Variable() = default;  // undefined
  explicit Variable(Tensor data, bool requires_grad = false);

  bool defined() const { return impl_ != nullptr; }
  const Tensor& data() const;
  Tensor& data();  // for in-place updates by optimizers; never while a graph needs it
  const Shape& shape() const { return data().shape(); }
  int64_t dim() const { return data().dim(); }
  int64_t size(int64_t d) const { return data().size(d); }
  int64_t numel() const { return data().numel(); }
  DType dtype() const { return data().dtype(); }
  double item() const { return data().item(); }

  bool requires_grad() const;
  // Only leaves (variables no op made) may have this changed, as in PyTorch.
  Variable& set_requires_grad(bool requires_grad);
  bool is_leaf() const;
  const std::shared_ptr<Node>& grad_fn() const;

  // The gradient accumulated by backward() into a leaf; undefined before the first one.
  const Tensor& grad() const;
  void set_grad(const Tensor& grad);
  void zero_grad();  // drops the gradient (PyTorch's set_to_none)

  // The same values, cut from the graph.
  Variable detach() const;

  // Backpropagates from a one-element Variable (dL/dL = 1) ...
  void backward() const;
  // ... or from any Variable with an explicit upstream gradient of its shape.
  void backward(const Tensor& grad_output) const;

  // Identity: two Variables are the same when they share their implementation.
  const VariableImpl* id() const { return impl_.get(); }

 private:
  friend Variable make_result(const char*, Tensor, std::vector<Variable>,
                              std::function<std::vector<Tensor>(const Tensor&)>);
  std::shared_ptr<VariableImpl> impl_;
};

// One gradient per input of an op, in input order; an undefined Tensor means "none".
using Grads = std::vector<Tensor>;
using BackwardFn = std::function<Grads(const Tensor& grad_output)>;

struct Node {
  std::string name;              // the op, e.g. "conv2d"
  std::vector<Variable> inputs;  // the Variables the op read
  BackwardFn backward;           // dL/d(output) -> {dL/d(input_i)}
};

struct VariableImpl {
  Tensor data;
  Tensor grad;
  bool requires_grad = false;
  std::shared_ptr<Node> grad_fn;
};

// Wraps an op's result. When grad mode is on and any input requires a gradient, the result
// gets a Node holding `inputs` and `backward`; otherwise `backward` is dropped and the
// result is a plain constant. This is also the public API for custom functions: write the
// forward with Tensors, then hand make_result the backward as a lambda.
Variable make_result(const char* name, Tensor value, std::vector<Variable> inputs, BackwardFn backward);

// d(output)/d(inputs[i]), weighted by grad_output (of output's shape), as torch.autograd.grad:
// the same sweep as output.backward(grad_output), but the gradients are returned (undefined
// for an input the output does not depend on) and no leaf's .grad changes. Graphs built on
// different threads may share leaves (a model's parameters): each thread gets its own
// gradients, and the caller adds them up in an order of its choosing (tasks/training.cpp).
std::vector<Tensor> gradients(const Variable& output, const std::vector<Variable>& inputs, const Tensor& grad_output);

// Grad mode: whether ops record the graph. Thread-local, on by default.
bool is_grad_enabled();
void set_grad_enabled(bool enabled);

// RAII guard: no graph is recorded while it lives (evaluation, optimizer steps).
class NoGradGuard {
 public:
  NoGradGuard() : previous_(is_grad_enabled()) { set_grad_enabled(false); }
  ~NoGradGuard() { set_grad_enabled(previous_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace convgrad
