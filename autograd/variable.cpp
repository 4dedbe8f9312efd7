#include "autograd/variable.h"

namespace convgrad {

namespace {
thread_local bool grad_enabled = true;
}

bool is_grad_enabled() { return grad_enabled; }
void set_grad_enabled(bool enabled) { grad_enabled = enabled; }

Variable::Variable(Tensor data, bool requires_grad) : impl_(std::make_shared<VariableImpl>()) {
  CONVGRAD_CHECK(data.defined(), "Variable: expected a defined tensor, but got an undefined one");
  impl_->data = std::move(data);
  impl_->requires_grad = requires_grad;
}

const Tensor& Variable::data() const {
  CONVGRAD_CHECK(impl_, "Variable: expected a defined variable, but got an undefined one");
  return impl_->data;
}

Tensor& Variable::data() {
  CONVGRAD_CHECK(impl_, "Variable: expected a defined variable, but got an undefined one");
  return impl_->data;
}

bool Variable::requires_grad() const { return impl_ && impl_->requires_grad; }

Variable& Variable::set_requires_grad(bool requires_grad) {
  CONVGRAD_CHECK(impl_, "set_requires_grad: expected a defined variable, but got an undefined one");
  CONVGRAD_CHECK(is_leaf(), "set_requires_grad: expected a leaf variable, but got the output of '",
                 impl_->grad_fn->name, "' (use detach() first)");
  impl_->requires_grad = requires_grad;
  return *this;
}

bool Variable::is_leaf() const { return !impl_ || impl_->grad_fn == nullptr; }

const std::shared_ptr<Node>& Variable::grad_fn() const {
  static const std::shared_ptr<Node> none;
  return impl_ ? impl_->grad_fn : none;
}

const Tensor& Variable::grad() const {
  static const Tensor none;
  return impl_ ? impl_->grad : none;
}

void Variable::set_grad(const Tensor& grad) {
  CONVGRAD_CHECK(impl_, "set_grad: expected a defined variable, but got an undefined one");
  if (grad.defined()) check_same_shape(impl_->data, grad, "set_grad");
  impl_->grad = grad;
}

void Variable::zero_grad() {
  if (impl_) impl_->grad = Tensor();
}

Variable Variable::detach() const { return Variable(data(), false); }

Variable make_result(const char* name, Tensor value, std::vector<Variable> inputs, BackwardFn backward) {
  Variable out(std::move(value));
  if (!is_grad_enabled()) return out;
  bool any_requires_grad = false;
  for (const auto& input : inputs) any_requires_grad = any_requires_grad || input.requires_grad();
  if (!any_requires_grad) return out;
  out.impl_->requires_grad = true;
  out.impl_->grad_fn = std::make_shared<Node>(Node{name, std::move(inputs), std::move(backward)});
  return out;
}

}  // namespace convgrad
