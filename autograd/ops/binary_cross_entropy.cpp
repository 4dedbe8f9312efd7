// Binary cross-entropy on probabilities: l = -(t log x + (1 - t) log(1 - x)), then the
// mean (or sum) over all elements. Inputs come from a sigmoid, targets are in [0, 1].
#include <algorithm>
#include <cmath>

#include "autograd/functions.h"
#include "tensor/elementwise.h"
#include "tensor/reduce.h"

namespace convgrad {

namespace {
// Throws unless every element of x lies in [0, 1] (NaN fails too).
void check_probabilities(const Tensor& x, const char* role) {
  dispatch(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* p = x.data<T>();
    for (int64_t i = 0; i < x.numel(); ++i)
      CONVGRAD_CHECK(p[i] >= T(0) && p[i] <= T(1), "binary_cross_entropy: expected ", role,
                     " values in [0, 1], but got ", p[i], " at flat index ", i, " of shape ", shape_str(x.shape()));
  });
}
}  // namespace

Variable binary_cross_entropy(const Variable& input, const Variable& target, Reduction reduction) {
  CONVGRAD_CHECK(input.shape() == target.shape(),
                 "binary_cross_entropy: expected input and target of the same shape, but got input ",
                 shape_str(input.shape()), " and target ", shape_str(target.shape()));
  check_same_dtype(input.data(), target.data(), "binary_cross_entropy");
  const Tensor x = input.data(), t = target.data();
  check_probabilities(x, "input");
  check_probabilities(t, "target");
  // NOTE: each log is clamped at -100, as in PyTorch, so x = 0 or 1 gives a large finite loss.
  Tensor losses = map_binary(x, t, "binary_cross_entropy", [](auto xv, auto tv) {
    using T = decltype(xv);
    return (tv - T(1)) * std::max(T(std::log1p(-xv)), T(-100)) - tv * std::max(T(std::log(xv)), T(-100));
  });
  Tensor output = reduction == Reduction::Mean ? mean(losses) : sum(losses);

  // dL/dx = g * (x - t) / (x (1 - x)),   dL/dt = g * (log(1 - x) - log x)   (÷ numel for Mean)
  // NOTE: x (1 - x) is floored at 1e-12 as in PyTorch, so x = 0 or 1 gives a finite gradient.
  const double count = reduction == Reduction::Mean ? static_cast<double>(x.numel()) : 1.0;
  const bool need_x = input.requires_grad(), need_t = target.requires_grad();
  auto backward = [x, t, count, need_x, need_t](const Tensor& grad_output) {
    const double g = grad_output.item();
    Tensor grad_input, grad_target;
    if (need_x)
      grad_input = map_binary(x, t, "binary_cross_entropy_backward", [g, count](auto xv, auto tv) {
        using T = decltype(xv);
        return T(g) * (xv - tv) / std::max((T(1) - xv) * xv, T(1e-12)) / T(count);
      });
    if (need_t)
      grad_target = map_unary(x, [g, count](auto xv) {
        using T = decltype(xv);
        return (std::max(T(std::log1p(-xv)), T(-100)) - std::max(T(std::log(xv)), T(-100))) * T(g) / T(count);
      });
    return Grads{grad_input, grad_target};
  };
  return make_result("binary_cross_entropy", output, {input, target}, backward);
}

}  // namespace convgrad
