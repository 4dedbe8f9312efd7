#include <catch2/catch.hpp>

#include "autograd/autograd.h"
#include "support/variables.h"
#include "tensor/elementwise.h"

using namespace convgrad;
using namespace convgrad::testing;

namespace {
// y = x * x with a deliberately wrong backward: element 5's gradient is off by +1.
Variable broken_square(const Variable& x) {
  const Tensor input = x.data();
  return make_result("broken_square", mul(input, input), {x}, [input](const Tensor& g) {
    Tensor grad = scale(mul(g, input), 2.0);
    grad.data<double>()[5] += 1.0;  // the bug
    return Grads{grad};
  });
}
}  // namespace

TEST_CASE("gradcheck passes a correct backward") {
  Variable a = random_var({3, 4}, 1), b = random_var({4}, 2);
  auto result = gradcheck([](const std::vector<Variable>& in) { return in[0] * in[1] + in[0]; }, {a, b});
  INFO(result.report());
  CHECK(result.passed);
  CHECK(result.checked == 16);
  CHECK(result.failures == 0);
}

TEST_CASE("gradcheck catches a wrong backward and names the element") {
  Variable x = random_var({2, 4}, 3);
  GradcheckOptions options;
  options.input_names = {"x"};
  auto result = gradcheck([](const std::vector<Variable>& in) { return broken_square(in[0]); }, {x}, options);
  INFO(result.report());
  REQUIRE_FALSE(result.passed);
  REQUIRE(result.failures == 1);
  CHECK(result.worst_failures[0].input == 0);
  CHECK(result.worst_failures[0].index == 5);
  CHECK(result.worst_failures[0].position == Shape{1, 1});
  CHECK(result.report().find("x [2, 4], element 5 at [1, 1]") != std::string::npos);
}

TEST_CASE("gradcheck reports ReLU kinks instead of failing on them") {
  // x[0] = 0 exactly: relu's mask flips under ±eps, so the element is at a kink.
  Variable x(Tensor::from_vector({0.0, 0.5, -0.5, 2.0}, {4}, DType::Float64), true);
  auto result = gradcheck([](const std::vector<Variable>& in) { return relu(in[0]); }, {x});
  INFO(result.report());
  CHECK(result.passed);
  CHECK(result.kinks == 1);
  CHECK(result.kink_elements[0].index == 0);
  CHECK(result.checked == 3);
}

TEST_CASE("gradcheck's float32 quick mode and element sampling") {
  Variable x = random_var({50}, 4);
  GradcheckOptions quick;
  quick.float32_quick = true;
  quick.max_elements_per_input = 10;
  auto result = gradcheck([](const std::vector<Variable>& in) { return in[0] * in[0]; }, {x}, quick);
  INFO(result.report());
  CHECK(result.passed);
  CHECK(result.checked == 10);
  CHECK(x.data().dtype() == DType::Float64);  // the caller's input is untouched
}
