// SGD against hand-computed values: plain, momentum (first step buf = g), dampening,
// Nesterov, weight decay.
#include <catch2/catch.hpp>

#include "optim/sgd.h"

using namespace convgrad;

namespace {
Variable scalar_param(double value) { return Variable(Tensor::from_vector({value}, {1}, DType::Float64), true); }

// Feeds the gradients one step at a time and returns θ after each step.
std::vector<double> trajectory(SGDOptions options, double theta, const std::vector<double>& grads) {
  Variable p = scalar_param(theta);
  SGD sgd({p}, options);
  std::vector<double> out;
  for (double g : grads) {
    p.set_grad(Tensor::from_vector({g}, {1}, DType::Float64));
    sgd.step();
    out.push_back(p.item());
  }
  return out;
}
}  // namespace

TEST_CASE("plain SGD: θ ← θ − lr·g") {
  const auto got = trajectory(SGDOptions{0.1}, 1.0, {2.0, -1.0});
  CHECK(got[0] == Approx(0.8).epsilon(1e-15));  // 1 - 0.1 * 2
  CHECK(got[1] == Approx(0.9).epsilon(1e-15));  // 0.8 + 0.1 * 1
}

TEST_CASE("momentum: the first buffer is the gradient itself") {
  SGDOptions o;
  o.lr = 0.1;
  o.momentum = 0.9;
  // b1 = g1 = 1              θ1 = 1 - 0.1 * 1 = 0.9
  // b2 = 0.9 * 1 + 2 = 2.9   θ2 = 0.9 - 0.29 = 0.61
  // b3 = 0.9 * 2.9 - 1 = 1.61  θ3 = 0.61 - 0.161 = 0.449
  const auto got = trajectory(o, 1.0, {1.0, 2.0, -1.0});
  CHECK(got[0] == Approx(0.9).epsilon(1e-15));
  CHECK(got[1] == Approx(0.61).epsilon(1e-14));
  CHECK(got[2] == Approx(0.449).epsilon(1e-14));
}

TEST_CASE("momentum with dampening damps from the second step on") {
  SGDOptions o;
  o.lr = 0.1;
  o.momentum = 0.5;
  o.dampening = 0.5;
  // b1 = 2 (no dampening at first)  θ1 = 1 - 0.2 = 0.8
  // b2 = 0.5 * 2 + 0.5 * 2 = 2      θ2 = 0.8 - 0.2 = 0.6
  const auto got = trajectory(o, 1.0, {2.0, 2.0});
  CHECK(got[0] == Approx(0.8).epsilon(1e-15));
  CHECK(got[1] == Approx(0.6).epsilon(1e-15));
}

TEST_CASE("Nesterov uses g + momentum·b") {
  SGDOptions o;
  o.lr = 0.1;
  o.momentum = 0.9;
  o.nesterov = true;
  // b1 = 1, d1 = 1 + 0.9 = 1.9         θ1 = 1 - 0.19 = 0.81
  // b2 = 0.9 + 1 = 1.9, d2 = 1 + 1.71 = 2.71  θ2 = 0.81 - 0.271 = 0.539
  const auto got = trajectory(o, 1.0, {1.0, 1.0});
  CHECK(got[0] == Approx(0.81).epsilon(1e-15));
  CHECK(got[1] == Approx(0.539).epsilon(1e-14));
}

TEST_CASE("weight decay adds wd·θ to the gradient before the momentum") {
  SGDOptions o;
  o.lr = 0.1;
  o.momentum = 0.9;
  o.weight_decay = 0.5;
  // d1 = 1 + 0.5 * 2 = 2, b1 = 2         θ1 = 2 - 0.2 = 1.8
  // d2 = 1 + 0.9 = 1.9, b2 = 1.8 + 1.9 = 3.7  θ2 = 1.8 - 0.37 = 1.43
  Variable p = scalar_param(2.0);
  SGD sgd({p}, o);
  p.set_grad(Tensor::from_vector({1.0}, {1}, DType::Float64));
  sgd.step();
  CHECK(p.item() == Approx(1.8).epsilon(1e-15));
  CHECK(sgd.momentum_buffer(0).item() == Approx(2.0).epsilon(1e-15));
  sgd.step();  // the same gradient again
  CHECK(p.item() == Approx(1.43).epsilon(1e-14));
  CHECK(sgd.momentum_buffer(0).item() == Approx(3.7).epsilon(1e-14));
}

TEST_CASE("SGD checks its options") {
  Variable p = scalar_param(1.0);
  SGDOptions o;
  o.nesterov = true;
  REQUIRE_THROWS_WITH(SGD({p}, o), "SGD: expected momentum > 0 and dampening = 0 for nesterov, but got momentum=0, "
                                   "dampening=0");
  REQUIRE_THROWS_WITH(SGD({p}, SGDOptions{-0.1}), "SGD: expected lr >= 0, but got -0.1");
  SGD sgd({p});
  CHECK_FALSE(sgd.momentum_buffer(0).defined());
  sgd.set_lr(0.5);
  CHECK(sgd.lr() == 0.5);
}
