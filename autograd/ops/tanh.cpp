// Tanh: y = (e^x - e^-x) / (e^x + e^-x).
#include <cmath>

#include "autograd/functions.h"
#include "tensor/elementwise.h"

namespace convgrad {

Variable tanh(const Variable& x) {
  Tensor output = map_unary(x.data(), [](auto v) { return std::tanh(v); });

  // dL/dx = g * (1 - y^2), from the saved output
  return make_result("tanh", output, {x}, [output](const Tensor& grad_output) {
    return Grads{map_binary(grad_output, output, "tanh_backward",
                            [](auto g, auto y) { return g * (decltype(y)(1) - y * y); })};
  });
}

}  // namespace convgrad
