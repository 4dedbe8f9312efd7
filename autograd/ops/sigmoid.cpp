// Sigmoid: y = 1 / (1 + e^-x).
#include <cmath>

#include "autograd/functions.h"
#include "tensor/elementwise.h"

namespace convgrad {

Variable sigmoid(const Variable& x) {
  // NOTE: for x < 0 this evaluates e^x / (1 + e^x), the same value written so that e^-x
  // cannot overflow to inf for very negative x.
  Tensor output = map_unary(x.data(), [](auto v) {
    using T = decltype(v);
    if (v >= T(0)) return T(1) / (T(1) + std::exp(-v));
    const T e = std::exp(v);
    return e / (T(1) + e);
  });

  // dL/dx = g * (1 - y) * y, from the saved output
  return make_result("sigmoid", output, {x}, [output](const Tensor& grad_output) {
    return Grads{map_binary(grad_output, output, "sigmoid_backward",
                            [](auto g, auto y) { return g * (decltype(y)(1) - y) * y; })};
  });
}

}  // namespace convgrad
