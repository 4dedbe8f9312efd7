// A custom layer in convgrad: Swish with a learnable slope, y = x * sigmoid(beta * x).
#pragma once

#include <cmath>

#include "autograd/autograd.h"
#include "nn/module.h"
#include "tensor/elementwise.h"

namespace example {
using namespace convgrad;

// The op: forward with Tensors, then the backward handed to make_result.
inline Variable swish(const Variable& x, const Variable& beta) {
  const Tensor xs = x.data();
  const double b = beta.item();
  const Tensor s = map_unary(xs, [b](auto v) { return 1 / (1 + std::exp(-b * v)); });  // σ(βx)
  const Tensor y = mul(xs, s);
  // dy/dx = σ + βxσ(1−σ),   dy/dβ = x²σ(1−σ)
  return make_result("swish", y, {x, beta}, [xs, s, b](const Tensor& grad_output) {
    const Tensor slope = map_binary(xs, s, "swish", [b](auto v, auto sv) { return sv + b * v * sv * (1 - sv); });
    const Tensor dbeta = map_binary(xs, s, "swish", [](auto v, auto sv) { return v * v * sv * (1 - sv); });
    return Grads{mul(grad_output, slope), sum_to_shape(mul(grad_output, dbeta), {})};
  });
}

// The layer: one parameter, registered so optimizers and state dicts see it.
class Swish : public Module {
 public:
  explicit Swish(double beta = 1.0, DType dtype = DType::Float32) {
    beta_ = register_parameter("beta", Tensor::scalar(beta, dtype));
  }
  Variable forward(const Variable& x) override { return swish(x, beta_); }
  std::string name() const override { return "Swish"; }

 private:
  Variable beta_;
};
}  // namespace example
