// linear (autograd/ops/linear.cpp): y = x Wᵀ + b.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "autograd/autograd.h"
#include "tensor/npy.h"
#include "tensor/random.h"

using namespace convgrad;

namespace {
using Values = std::vector<double>;

Variable random_var(const Shape& shape, uint64_t seed, bool requires_grad = true) {
  Generator gen(seed);
  return Variable(uniform(shape, -1.0, 1.0, gen, DType::Float64), requires_grad);
}

// One PyTorch golden case: tests/fixtures/golden/<name>/case.json and its .npy files.
struct Golden {
  std::string dir;
  nlohmann::json spec;
  explicit Golden(const std::string& name) : dir(std::string(CONVGRAD_FIXTURES_DIR) + "/golden/" + name) {
    std::ifstream in(dir + "/case.json");
    REQUIRE(in.good());
    spec = nlohmann::json::parse(in);
  }
  bool has(const char* section, const char* role) const { return spec.at(section).contains(role); }
  Tensor tensor(const char* section, const char* role) const {
    return read_npy(dir + "/" + spec.at(section).at(role).get<std::string>());
  }
  Tensor grad_output() const { return read_npy(dir + "/" + spec.at("grad_output").get<std::string>()); }
};

// Worst |got - want| / max(1, |want|), the `convgrad golden` measure.
double golden_error(const Tensor& got, const Tensor& want) {
  REQUIRE(got.shape() == want.shape());
  const Values g = got.to_vector(), w = want.to_vector();
  double worst = 0.0;
  for (size_t i = 0; i < g.size(); ++i) worst = std::max(worst, std::fabs(g[i] - w[i]) / std::max(1.0, std::fabs(w[i])));
  return worst;
}
}  // namespace

TEST_CASE("linear forward and backward by hand") {
  // x = [[1, 2, 3], [4, 5, 6]], W = [[1, 0, -1], [2, 1, 0]], b = [0.5, -1]:
  //   y[0] = [1 - 3 + 0.5, 2 + 2 - 1] = [-1.5, 3],   y[1] = [4 - 6 + 0.5, 8 + 5 - 1] = [-1.5, 12]
  Variable x(Tensor::from_vector({1, 2, 3, 4, 5, 6}, {2, 3}, DType::Float64), true);
  Variable w(Tensor::from_vector({1, 0, -1, 2, 1, 0}, {2, 3}, DType::Float64), true);
  Variable b(Tensor::from_vector({0.5, -1}, {2}, DType::Float64), true);
  Variable y = linear(x, w, b);
  CHECK(y.data().to_vector() == Values{-1.5, 3, -1.5, 12});
  // dL/dy = 1: dL/dx = 1·W = each row [1 + 2, 0 + 1, -1 + 0] = [3, 1, -1];
  //            dL/dW = 1ᵀ·x = each row [1 + 4, 2 + 5, 3 + 6] = [5, 7, 9];  dL/db = [2, 2]
  y.backward(Tensor::ones(y.shape(), DType::Float64));
  CHECK(x.grad().to_vector() == Values{3, 1, -1, 3, 1, -1});
  CHECK(w.grad().to_vector() == Values{5, 7, 9, 5, 7, 9});
  CHECK(b.grad().to_vector() == Values{2, 2});
}

TEST_CASE("linear matches PyTorch golden cases (forward and every gradient)") {
  const std::string name =
      GENERATE(as<std::string>{}, "linear_7to5", "linear_cw_200to1", "linear_cw_400to1", "linear_nobias_6to4");
  CAPTURE(name);
  const Golden golden(name);
  Variable x(golden.tensor("inputs", "input"), true);
  Variable w(golden.tensor("params", "weight"), true);
  const bool has_bias = golden.has("params", "bias");
  Variable b = has_bias ? Variable(golden.tensor("params", "bias"), true) : Variable();
  Variable y = linear(x, w, b);
  CHECK(golden_error(y.data(), golden.tensor("outputs", "output")) < 1e-10);
  y.backward(golden.grad_output());
  CHECK(golden_error(x.grad(), golden.tensor("grads", "input")) < 1e-10);
  CHECK(golden_error(w.grad(), golden.tensor("grads", "weight")) < 1e-10);
  if (has_bias) CHECK(golden_error(b.grad(), golden.tensor("grads", "bias")) < 1e-10);
}

TEST_CASE("linear gradcheck for 1-d, 2-d and batched inputs, with and without bias") {
  const Shape x_shape = GENERATE(Shape{4}, Shape{3, 4}, Shape{2, 3, 4}, Shape{1, 4});
  const bool with_bias = GENERATE(true, false);
  CAPTURE(x_shape, with_bias);
  Variable x = random_var(x_shape, 1), w = random_var({5, 4}, 2), b = random_var({5}, 3);
  auto fn = [&](const std::vector<Variable>& in) { return linear(in[0], in[1], with_bias ? in[2] : Variable()); };
  auto r = with_bias ? gradcheck(fn, {x, w, b}) : gradcheck(fn, {x, w});
  INFO(r.report());
  REQUIRE(r.passed);
  Shape y_shape = x_shape;
  y_shape.back() = 5;
  CHECK(linear(x, w, b).shape() == y_shape);
}

TEST_CASE("linear skips the gradients of inputs that do not require grad") {
  Variable x = random_var({3, 4}, 4, false), w = random_var({5, 4}, 5), b = random_var({5}, 6, false);
  Variable y = linear(x, w, b);
  y.backward(Tensor::ones(y.shape(), DType::Float64));
  CHECK(w.grad().defined());
  CHECK_FALSE(x.grad().defined());
  CHECK_FALSE(b.grad().defined());
}

TEST_CASE("linear error messages name both shapes") {
  auto var = [](const Shape& s) { return Variable(Tensor::zeros(s, DType::Float64)); };
  REQUIRE_THROWS_WITH(linear(var({3, 6}), var({5, 7}), var({5})),
                      "linear: expected input [3, 6] to have 7 features in its last dimension (weight [5, 7]), "
                      "but got 6");
  REQUIRE_THROWS_WITH(linear(var({3, 7}), var({5, 7}), var({7})),
                      "linear: expected bias of shape [5] (weight [5, 7]), but got [7]");
  REQUIRE_THROWS_WITH(linear(var({3, 7}), var({5, 7, 1}), Variable()),
                      "linear: expected a 2-d weight [out, in], but got [5, 7, 1]");
}
