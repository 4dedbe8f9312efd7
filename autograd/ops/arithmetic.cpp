// Add, subtract, multiply, divide (with NumPy broadcasting) and negate.
// When an input was broadcast, its gradient is summed back to its own shape.
#include "autograd/functions.h"
#include "tensor/elementwise.h"

namespace convgrad {

Variable add(const Variable& a, const Variable& b) {
  // dL/da = g, dL/db = g (each summed back to its shape)
  return make_result("add", add(a.data(), b.data()), {a, b},
                     [sa = a.shape(), sb = b.shape()](const Tensor& g) {
                       return Grads{sum_to_shape(g, sa), sum_to_shape(g, sb)};
                     });
}

Variable sub(const Variable& a, const Variable& b) {
  // dL/da = g, dL/db = -g
  return make_result("sub", sub(a.data(), b.data()), {a, b},
                     [sa = a.shape(), sb = b.shape()](const Tensor& g) {
                       return Grads{sum_to_shape(g, sa), scale(sum_to_shape(g, sb), -1.0)};
                     });
}

Variable mul(const Variable& a, const Variable& b) {
  // dL/da = g * b, dL/db = g * a
  const Tensor ta = a.data(), tb = b.data();
  const bool need_a = a.requires_grad(), need_b = b.requires_grad();
  return make_result("mul", mul(ta, tb), {a, b}, [ta, tb, need_a, need_b](const Tensor& g) {
    return Grads{need_a ? sum_to_shape(mul(g, tb), ta.shape()) : Tensor(),
                 need_b ? sum_to_shape(mul(g, ta), tb.shape()) : Tensor()};
  });
}

Variable div(const Variable& a, const Variable& b) {
  // y = a / b:  dL/da = g / b,  dL/db = -g * a / b^2
  const Tensor ta = a.data(), tb = b.data();
  const bool need_a = a.requires_grad(), need_b = b.requires_grad();
  return make_result("div", div(ta, tb), {a, b}, [ta, tb, need_a, need_b](const Tensor& g) {
    Tensor grad_a, grad_b;
    if (need_a) grad_a = sum_to_shape(div(g, tb), ta.shape());
    if (need_b) {
      Tensor ga = map_binary(g, ta, "div_backward", [](auto gv, auto av) { return -gv * av; });
      grad_b = sum_to_shape(map_binary(ga, tb, "div_backward", [](auto num, auto bv) { return num / (bv * bv); }),
                            tb.shape());
    }
    return Grads{grad_a, grad_b};
  });
}

Variable neg(const Variable& x) {
  // dL/dx = -g
  return make_result("neg", scale(x.data(), -1.0), {x},
                     [](const Tensor& g) { return Grads{scale(g, -1.0)}; });
}

}  // namespace convgrad
