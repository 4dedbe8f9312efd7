// The backward engine: topological sort, then one reverse sweep.
//
// Each Variable's total gradient is the sum of what every consumer sends it
// (dL/dx = sum over ops y that read x of dL/dy * dy/dx), so a Variable is processed only
// after all its consumers — the reverse of a topological order.
#include <unordered_map>
#include <unordered_set>

#include "autograd/variable.h"
#include "tensor/elementwise.h"

namespace convgrad {

namespace {

// Post-order depth-first search from the root: inputs come before the ops that read them.
// Iterative, so deep graphs cannot overflow the stack.
std::vector<Variable> topological_order(const Variable& root) {
  std::vector<Variable> order;
  std::unordered_set<const VariableImpl*> visited;
  std::vector<std::pair<Variable, size_t>> stack;  // (variable, next input to visit)
  stack.emplace_back(root, 0);
  visited.insert(root.id());
  while (!stack.empty()) {
    auto& [var, next] = stack.back();
    const auto& fn = var.grad_fn();
    if (fn && next < fn->inputs.size()) {
      const Variable& input = fn->inputs[next++];
      if (input.requires_grad() && visited.insert(input.id()).second) stack.emplace_back(input, 0);
      continue;
    }
    order.push_back(var);
    stack.pop_back();
  }
  return order;
}

void accumulate(std::unordered_map<const VariableImpl*, Tensor>& grads, const Variable& var,
                const Tensor& grad) {
  auto [it, inserted] = grads.emplace(var.id(), grad);
  if (!inserted) it->second = add(it->second, grad);
}

// The reverse sweep from `root` (seeded with grad_output). `on_total(var, grad)` receives each
// Variable's total gradient once it is complete (all its consumers done); leaves end there.
template <typename OnTotal>
void reverse_sweep(const Variable& root, const Tensor& grad_output, OnTotal on_total) {
  CONVGRAD_CHECK(root.requires_grad(), "backward: expected an output that requires grad, but got one that does not "
                 "(no input requires grad, or it was made under NoGradGuard)");
  CONVGRAD_CHECK(grad_output.shape() == root.shape(), "backward: expected a gradient of shape ",
                 shape_str(root.shape()), ", but got ", shape_str(grad_output.shape()));
  check_same_dtype(root.data(), grad_output, "backward");
  NoGradGuard no_grad;  // backward functions compute with Tensors; record nothing

  const std::vector<Variable> order = topological_order(root);
  std::unordered_map<const VariableImpl*, Tensor> grads;
  grads.emplace(root.id(), grad_output);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const Variable& var = *it;
    auto found = grads.find(var.id());
    if (found == grads.end()) continue;
    const Tensor grad = found->second;
    grads.erase(found);
    on_total(var, grad);
    const auto& fn = var.grad_fn();
    if (!fn) continue;  // a leaf
    const Grads input_grads = fn->backward(grad);
    CONVGRAD_CHECK(input_grads.size() == fn->inputs.size(), fn->name, ": backward returned ",
                   input_grads.size(), " gradients, but the op has ", fn->inputs.size(), " inputs");
    for (size_t i = 0; i < input_grads.size(); ++i) {
      const Variable& input = fn->inputs[i];
      if (!input.requires_grad() || !input_grads[i].defined()) continue;
      CONVGRAD_CHECK(input_grads[i].shape() == input.shape(), fn->name, ": backward gave input ", i,
                     " a gradient of shape ", shape_str(input_grads[i].shape()), ", but the input has shape ",
                     shape_str(input.shape()));
      accumulate(grads, input, input_grads[i]);
    }
  }
}

}  // namespace

void Variable::backward() const {
  CONVGRAD_CHECK(numel() == 1, "backward: expected a one-element output (or an explicit gradient), but got shape ",
                 shape_str(shape()));
  backward(Tensor::ones(shape(), dtype()));
}

void Variable::backward(const Tensor& grad_output) const {
  reverse_sweep(*this, grad_output, [](const Variable& var, const Tensor& grad) {
    if (var.grad_fn()) return;
    // a leaf: accumulate into .grad
    Tensor total = var.grad().defined() ? add(var.grad(), grad) : grad.clone();
    const_cast<Variable&>(var).set_grad(total);
  });
}

std::vector<Tensor> gradients(const Variable& output, const std::vector<Variable>& inputs, const Tensor& grad_output) {
  std::unordered_map<const VariableImpl*, size_t> wanted;
  for (size_t i = 0; i < inputs.size(); ++i) wanted.emplace(inputs[i].id(), i);
  std::vector<Tensor> result(inputs.size());
  reverse_sweep(output, grad_output, [&](const Variable& var, const Tensor& grad) {
    const auto found = wanted.find(var.id());
    if (found != wanted.end()) result[found->second] = grad;
  });
  // An input listed twice gets its gradient in both places.
  for (size_t i = 0; i < inputs.size(); ++i) result[i] = result[wanted.at(inputs[i].id())];
  return result;
}

}  // namespace convgrad
