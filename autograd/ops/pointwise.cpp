// Pointwise math: pow, square, exp, log, sqrt. Each backward multiplies the upstream
// gradient by the local derivative, computed from the saved input or output.
#include <cmath>

#include "autograd/functions.h"
#include "tensor/elementwise.h"

namespace convgrad {

Variable pow(const Variable& x, double exponent) {
  const Tensor input = x.data();
  Tensor output = map_unary(input, [exponent](auto v) { return std::pow(v, static_cast<decltype(v)>(exponent)); });

  // dL/dx = g * p * x^(p-1)
  // NOTE: for p == 0 the gradient is exactly 0 (not 0 * x^-1, which is NaN at x == 0), as in PyTorch.
  return make_result("pow", output, {x}, [input, exponent](const Tensor& grad_output) {
    if (exponent == 0.0) return Grads{Tensor::zeros(input.shape(), input.dtype())};
    return Grads{map_binary(grad_output, input, "pow_backward", [exponent](auto g, auto v) {
      using T = decltype(v);
      return g * (static_cast<T>(exponent) * std::pow(v, static_cast<T>(exponent - 1.0)));
    })};
  });
}

Variable square(const Variable& x) {
  const Tensor input = x.data();
  Tensor output = map_unary(input, [](auto v) { return v * v; });

  // dL/dx = g * 2x
  return make_result("square", output, {x}, [input](const Tensor& grad_output) {
    return Grads{map_binary(grad_output, input, "square_backward",
                            [](auto g, auto v) { return g * (decltype(v)(2) * v); })};
  });
}

Variable exp(const Variable& x) {
  Tensor output = map_unary(x.data(), [](auto v) { return std::exp(v); });

  // dL/dx = g * exp(x) = g * y
  return make_result("exp", output, {x}, [output](const Tensor& grad_output) {
    return Grads{mul(grad_output, output)};
  });
}

Variable log(const Variable& x) {
  const Tensor input = x.data();
  Tensor output = map_unary(input, [](auto v) { return std::log(v); });

  // dL/dx = g / x
  return make_result("log", output, {x}, [input](const Tensor& grad_output) {
    return Grads{div(grad_output, input)};
  });
}

Variable sqrt(const Variable& x) {
  Tensor output = map_unary(x.data(), [](auto v) { return std::sqrt(v); });

  // dL/dx = g / (2 sqrt(x)) = g / (2y)
  return make_result("sqrt", output, {x}, [output](const Tensor& grad_output) {
    return Grads{map_binary(grad_output, output, "sqrt_backward",
                            [](auto g, auto y) { return g / (decltype(y)(2) * y); })};
  });
}

}  // namespace convgrad
