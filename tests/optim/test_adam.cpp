// Adam and AdamW against PyTorch 1.13 float64 trajectories: parameter, exp_avg and
// exp_avg_sq after each of three steps, to 1e-12 relative.
#include <catch2/catch.hpp>

#include <cmath>

#include "autograd/functions.h"
#include "optim/optim.h"
#include "support/golden_case.h"

using namespace convgrad;
using namespace convgrad::testing;

namespace {

// Every element within 1e-12 relative (1e-300 absolute so exact zeros compare). Returns
// how many elements differ at all: Adam evaluates PyTorch's formula in PyTorch's order with
// its fused multiply-adds, so on these cases there are none.
int check_close(const Tensor& got, const Tensor& want, const std::string& what) {
  CAPTURE(what);
  REQUIRE(got.shape() == want.shape());
  const auto g = got.to_vector(), w = want.to_vector();
  int different = 0;
  for (size_t i = 0; i < g.size(); ++i) {
    CAPTURE(i, g[i], w[i]);
    CHECK(std::abs(g[i] - w[i]) <= 1e-12 * std::abs(w[i]) + 1e-300);
    different += g[i] != w[i];
  }
  return different;
}

void run_golden(const std::string& name, bool decoupled, double weight_decay) {
  const GoldenCase golden(name);
  const std::vector<std::string> names{"p0", "p1", "p2"};
  std::vector<Variable> params;
  for (const auto& p : names) params.emplace_back(golden.param(p), true);
  AdamOptions options;  // PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8
  options.weight_decay = weight_decay;
  std::unique_ptr<Adam> adam;
  if (decoupled) {
    adam = std::make_unique<AdamW>(params, options);
  } else {
    adam = std::make_unique<Adam>(params, options);
  }
  int different = 0;
  for (int t = 1; t <= 3; ++t) {
    const std::string step = "step" + std::to_string(t) + "_";
    for (size_t i = 0; i < params.size(); ++i) params[i].set_grad(golden.extra(step + "grad_" + names[i]));
    adam->step();
    for (size_t i = 0; i < params.size(); ++i) {
      const AdamState& state = adam->state(i);
      CHECK(state.step == t);
      different += check_close(params[i].data(), golden.extra(step + "param_" + names[i]), step + "param_" + names[i]);
      different += check_close(state.exp_avg, golden.extra(step + "exp_avg_" + names[i]), step + "exp_avg_" + names[i]);
      different += check_close(state.exp_avg_sq, golden.extra(step + "exp_avg_sq_" + names[i]),
                               step + "exp_avg_sq_" + names[i]);
    }
  }
  CHECK(different == 0);  // bit-identical to PyTorch 1.13
}

}  // namespace

TEST_CASE("Adam follows PyTorch's trajectory (default options)") { run_golden("adam_default_3steps", false, 0.0); }

TEST_CASE("Adam with L2 weight decay follows PyTorch's trajectory") { run_golden("adam_wd0.1_3steps", false, 0.1); }

TEST_CASE("AdamW with decoupled weight decay follows PyTorch's trajectory") {
  run_golden("adamw_wd0.01_3steps", true, 0.01);
}

TEST_CASE("Adam's first step moves every element by lr against the gradient's sign") {
  // At t = 1: m = (1-β1) g, v = (1-β2) g², so m/(1-β1) / (√v/√(1-β2) + eps) = g / (|g| + eps).
  Variable p(Tensor::from_vector({1.0, -2.0, 0.5}, {3}, DType::Float64), true);
  p.set_grad(Tensor::from_vector({3.0, -0.25, 1e-3}, {3}, DType::Float64));
  Adam adam({p}, AdamOptions{0.1});
  adam.step();
  CHECK(p.data().at({0}) == Approx(0.9).epsilon(1e-8));   // eps shifts it by lr·eps/|g|
  CHECK(p.data().at({1}) == Approx(-1.9).epsilon(1e-8));
  CHECK(p.data().at({2}) == Approx(0.4).epsilon(1e-5));  // 1e-3 / (1e-3 + 1e-8)
  CHECK(adam.state(p).exp_avg.at({0}) == Approx(0.3).epsilon(1e-14));
}

TEST_CASE("Adam works on float32 parameters") {
  Variable p(Tensor::from_vector({1.0, -2.0}, {2}, DType::Float32), true);
  p.set_grad(Tensor::from_vector({1.0, -1.0}, {2}, DType::Float32));
  Adam adam({p});
  adam.step();
  CHECK(p.data().at({0}) == Approx(1.0 - 1e-3).epsilon(1e-6));
  CHECK(adam.state(0).exp_avg.dtype() == DType::Float32);
}

TEST_CASE("Adam skips parameters without a gradient and keeps their step count") {
  Variable a(Tensor::ones({2}, DType::Float64), true);
  Variable b(Tensor::ones({2}, DType::Float64), true);
  Adam adam({a, b});
  a.set_grad(Tensor::ones({2}, DType::Float64));
  adam.step();
  CHECK(adam.state(a).step == 1);
  CHECK(adam.state(b).step == 0);
  CHECK_FALSE(adam.state(b).exp_avg.defined());
  CHECK(b.data().to_vector() == std::vector<double>{1, 1});
  CHECK(a.data().at({0}) < 1.0);
  adam.zero_grad();
  CHECK_FALSE(a.grad().defined());
}

TEST_CASE("AdamW defaults to PyTorch's weight_decay 1e-2") {
  Variable p(Tensor::ones({1}, DType::Float64), true);
  AdamW adamw({p});
  CHECK(adamw.options().weight_decay == 0.01);
  CHECK(Adam({p}).options().weight_decay == 0.0);
  CHECK(std::string(adamw.name()) == "AdamW");
}

TEST_CASE("optimizer arguments are checked") {
  Variable p(Tensor::ones({1}, DType::Float64), true);
  REQUIRE_THROWS_WITH(Adam({}), "Adam: expected at least one parameter, but got an empty list");
  REQUIRE_THROWS_WITH(Adam({p, p}), "Adam: expected each parameter once, but parameter 1 repeats an earlier one");
  REQUIRE_THROWS_WITH(Adam({p * 2.0}), "Adam: expected leaf parameters, but parameter 0 is the output of 'mul'");
  AdamOptions bad;
  bad.betas = {0.9, 1.0};
  REQUIRE_THROWS_WITH(Adam({p}, bad), "Adam: expected 0 <= betas[1] < 1, but got 1");
  REQUIRE_THROWS_WITH(AdamW({p}, AdamOptions{-1.0}), "AdamW: expected lr >= 0, but got -1");
  Adam adam({p});
  REQUIRE_THROWS_WITH(adam.state(Variable(Tensor::ones({1}, DType::Float64))),
                      "Adam.state: expected one of the optimizer's parameters, but got another Variable");
}

TEST_CASE("converting the parameters after the first step is reported, not silently mixed") {
  Variable p(Tensor::ones({2}, DType::Float64), true);
  Adam adam({p});
  p.set_grad(Tensor::ones({2}, DType::Float64));
  adam.step();
  p.zero_grad();
  p.data() = p.data().to(DType::Float32);
  p.set_grad(Tensor::ones({2}, DType::Float32));
  REQUIRE_THROWS_WITH(adam.step(), Catch::Contains("Adam: expected the exp_avg of parameter 0 to be float32 like the "
                                                   "parameter, but got float64"));
}
