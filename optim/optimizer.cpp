#include "optim/optimizer.h"

#include <set>

namespace convgrad {

Optimizer::Optimizer(std::vector<Variable> params, const char* name) : params_(std::move(params)), name_(name) {
  CONVGRAD_CHECK(!params_.empty(), name_, ": expected at least one parameter, but got an empty list");
  std::set<const VariableImpl*> seen;
  for (size_t i = 0; i < params_.size(); ++i) {
    const Variable& param = params_[i];
    CONVGRAD_CHECK(param.defined(), name_, ": expected defined parameters, but parameter ", i, " is undefined");
    CONVGRAD_CHECK(param.is_leaf(), name_, ": expected leaf parameters, but parameter ", i,
                   " is the output of '", param.grad_fn()->name, "'");
    CONVGRAD_CHECK(seen.insert(param.id()).second, name_, ": expected each parameter once, but parameter ", i,
                   " repeats an earlier one");
  }
}

void Optimizer::zero_grad() {
  for (auto& param : params_) param.zero_grad();
}

void Optimizer::check_state_dtype(size_t index, const Tensor& state, const char* state_name) const {
  const Variable& param = params_[index];
  CONVGRAD_CHECK(!state.defined() || state.dtype() == param.dtype(), name_, ": expected the ", state_name,
                 " of parameter ", index, " to be ", dtype_name(param.dtype()), " like the parameter, but got ",
                 dtype_name(state.dtype()), " (was the model converted with to() after the optimizer was made?)");
}

}  // namespace convgrad
