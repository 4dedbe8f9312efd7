// ReLU: y = max(x, 0), with PyTorch's edge cases: a NaN passes through (forward and backward),
// and −0 stays −0.
#include "autograd/functions.h"
#include "autograd/kink.h"
#include "tensor/elementwise.h"

namespace convgrad {

Variable relu(const Variable& x) {
  const Tensor& input = x.data();
  record_relu_kink(input);
  Tensor output = map_unary(input, [](auto v) { return v < 0 ? decltype(v)(0) : v; });

  // dL/dx = dL/dy * (x > 0), written as "unless x <= 0" so that a NaN's gradient passes too
  // NOTE: at x == 0 the subgradient 0 is used, as in PyTorch.
  return make_result("relu", output, {x}, [input](const Tensor& grad_output) {
    return Grads{map_binary(grad_output, input, "relu_backward",
                            [](auto g, auto v) { return v <= 0 ? decltype(g)(0) : g; })};
  });
}

}  // namespace convgrad
