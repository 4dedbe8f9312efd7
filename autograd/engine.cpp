// The backward engine: topological sort, then one reverse sweep.
//
// Each Variable's total gradient is the sum of what every consumer sends it
// (dL/dx = sum over ops y that read x of dL/dy * dy/dx), so a Variable is processed only
// after all its consumers — the reverse of a topological order.
#include <cstdint>
#include <unordered_map>

#include "autograd/variable.h"
#include "tensor/elementwise.h"

namespace convgrad {

namespace {

// The variables of one sweep, numbered in the order they are first met: a flat open-addressing
// table from VariableImpl* to that number (a graph has tens of variables, and std::unordered_map
// would allocate a node for each, every batch).
class VariableNumbers {
 public:
  explicit VariableNumbers(size_t expected) {
    size_t capacity = 16;
    while (capacity < 2 * expected) capacity *= 2;
    keys_.assign(capacity, nullptr);
    numbers_.resize(capacity);
  }
  // The number of v, and whether it was new (then it gets the next number).
  std::pair<size_t, bool> insert(const VariableImpl* v) {
    if (2 * (count_ + 1) > keys_.size()) grow();
    size_t at = slot(v);
    if (keys_[at] == v) return {numbers_[at], false};
    keys_[at] = v;
    numbers_[at] = count_;
    return {count_++, true};
  }
  // The number of v; v must have been inserted.
  size_t at(const VariableImpl* v) const { return numbers_[slot(v)]; }

 private:
  size_t slot(const VariableImpl* v) const {
    const size_t mask = keys_.size() - 1;
    size_t at = (reinterpret_cast<uintptr_t>(v) >> 4) * 0x9E3779B97F4A7C15ULL >> 20 & mask;
    while (keys_[at] != nullptr && keys_[at] != v) at = (at + 1) & mask;
    return at;
  }
  void grow() {
    std::vector<const VariableImpl*> keys = std::move(keys_);
    std::vector<size_t> numbers = std::move(numbers_);
    keys_.assign(2 * keys.size(), nullptr);
    numbers_.resize(keys_.size());
    for (size_t i = 0; i < keys.size(); ++i)
      if (keys[i] != nullptr) {
        const size_t at = slot(keys[i]);
        keys_[at] = keys[i];
        numbers_[at] = numbers[i];
      }
  }
  std::vector<const VariableImpl*> keys_;
  std::vector<size_t> numbers_;
  size_t count_ = 0;
};

// Post-order depth-first search from the root: inputs come before the ops that read them.
// Iterative, so deep graphs cannot overflow the stack. Each variable is numbered in `numbers`;
// the pointers are into the graph, which the root keeps alive.
std::vector<const Variable*> topological_order(const Variable& root, VariableNumbers& numbers) {
  std::vector<const Variable*> order;
  std::vector<std::pair<const Variable*, size_t>> stack;  // (variable, next input to visit)
  order.reserve(32);
  stack.reserve(32);
  stack.emplace_back(&root, 0);
  numbers.insert(root.id());
  while (!stack.empty()) {
    auto& [var, next] = stack.back();
    const auto& fn = var->grad_fn();
    if (fn && next < fn->inputs.size()) {
      const Variable& input = fn->inputs[next++];
      if (input.requires_grad() && numbers.insert(input.id()).second) stack.emplace_back(&input, 0);
      continue;
    }
    order.push_back(var);
    stack.pop_back();
  }
  return order;
}

// The reverse sweep from `root` (seeded with grad_output). `on_total(var, grad)` receives each
// Variable's total gradient once it is complete (all its consumers done); leaves end there.
// For a leaf, on_total may take `grad` (move from it): the sweep keeps no other reference.
template <typename OnTotal>
void reverse_sweep(const Variable& root, const Tensor& grad_output, OnTotal on_total) {
  CONVGRAD_CHECK(root.requires_grad(), "backward: expected an output that requires grad, but got one that does not "
                 "(no input requires grad, or it was made under NoGradGuard)");
  CONVGRAD_CHECK(grad_output.shape() == root.shape(), "backward: expected a gradient of shape ",
                 shape_str(root.shape()), ", but got ", shape_str(grad_output.shape()));
  check_same_dtype(root.data(), grad_output, "backward");
  NoGradGuard no_grad;  // backward functions compute with Tensors; record nothing

  VariableNumbers numbers(32);
  const std::vector<const Variable*> order = topological_order(root, numbers);
  std::vector<Tensor> grads(order.size());  // by number: the sum so far of what consumers sent
  grads[numbers.at(root.id())] = grad_output;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const Variable& var = **it;
    Tensor grad = std::move(grads[numbers.at(var.id())]);
    if (!grad.defined()) continue;
    on_total(var, grad);
    const auto& fn = var.grad_fn();
    if (!fn) continue;  // a leaf
    Grads input_grads = fn->backward(grad);
    grad = Tensor();
    CONVGRAD_CHECK(input_grads.size() == fn->inputs.size(), fn->name, ": backward returned ",
                   input_grads.size(), " gradients, but the op has ", fn->inputs.size(), " inputs");
    for (size_t i = 0; i < input_grads.size(); ++i) {
      const Variable& input = fn->inputs[i];
      if (!input.requires_grad() || !input_grads[i].defined()) continue;
      CONVGRAD_CHECK(input_grads[i].shape() == input.shape(), fn->name, ": backward gave input ", i,
                     " a gradient of shape ", shape_str(input_grads[i].shape()), ", but the input has shape ",
                     shape_str(input.shape()));
      // dL/dx = the sum over x's consumers
      Tensor& total = grads[numbers.at(input.id())];
      total = total.defined() ? add(total, input_grads[i]) : std::move(input_grads[i]);
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
  reverse_sweep(*this, grad_output, [](const Variable& var, Tensor& grad) {
    if (var.grad_fn()) return;
    // A leaf: accumulate into .grad. A gradient tensor nothing else holds (the usual case: an
    // op's backward made it) becomes .grad itself; one shared with anything (grad_output, a
    // tensor an op's backward also keeps) is copied, so that .grad aliases nothing.
    Tensor total = var.grad().defined() ? add(var.grad(), grad) : grad.sole_owner() ? std::move(grad) : grad.clone();
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
