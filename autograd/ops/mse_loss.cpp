// Mean squared error: mean (or sum) over every element of (input - target)^2.
// The coursework's MSE_reconstruct (a per-sample sum averaged over samples) is
// 100 x mse_loss(Mean) for 10x10 images; docs/losses.md.
#include "autograd/functions.h"
#include "tensor/elementwise.h"
#include "tensor/reduce.h"

namespace convgrad {

Variable mse_loss(const Variable& input, const Variable& target, Reduction reduction) {
  CONVGRAD_CHECK(input.shape() == target.shape(), "mse_loss: expected input and target of the same shape, but got input ",
                 shape_str(input.shape()), " and target ", shape_str(target.shape()));
  check_same_dtype(input.data(), target.data(), "mse_loss");
  const Tensor x = input.data(), t = target.data();
  Tensor squared = map_binary(x, t, "mse_loss", [](auto a, auto b) { return (a - b) * (a - b); });
  Tensor output = reduction == Reduction::Mean ? mean(squared) : sum(squared);

  // dL/dx = g * norm * (x - t),  dL/dt = -dL/dx,  norm = 2 / numel (Mean) or 2 (Sum)
  const double norm = reduction == Reduction::Mean ? 2.0 / static_cast<double>(x.numel()) : 2.0;
  return make_result("mse_loss", output, {input, target}, [x, t, norm](const Tensor& grad_output) {
    const Tensor g = grad_output;  // a one-element tensor
    Tensor grad_input = map_binary(x, t, "mse_loss_backward", [norm, gv = g.item()](auto a, auto b) {
      using T = decltype(a);
      return static_cast<T>(norm) * (a - b) * static_cast<T>(gv);
    });
    return Grads{grad_input, scale(grad_input, -1.0)};
  });
}

}  // namespace convgrad
