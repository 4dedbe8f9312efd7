// matmul (autograd/ops/matmul.cpp): [.., M, K] @ [K, N].
#include <catch2/catch.hpp>

#include "autograd/autograd.h"
#include "support/variables.h"

using namespace convgrad;
using namespace convgrad::testing;

TEST_CASE("matmul forward and backward by hand") {
  // [[1, 2], [3, 4]] @ [[5, 6], [7, 8]] = [[1*5 + 2*7, 1*6 + 2*8], [3*5 + 4*7, 3*6 + 4*8]] = [[19, 22], [43, 50]]
  Variable a(Tensor::from_vector({1, 2, 3, 4}, {2, 2}, DType::Float64), true);
  Variable b(Tensor::from_vector({5, 6, 7, 8}, {2, 2}, DType::Float64), true);
  Variable c = matmul(a, b);
  CHECK(c.data().to_vector() == Values{19, 22, 43, 50});
  // dL/dc = 1: dL/da = 1·bᵀ = each row [5 + 6, 7 + 8] = [11, 15]; dL/db = aᵀ·1 = rows [1 + 3, ..] = [[4, 4], [6, 6]]
  c.backward(Tensor::ones(c.shape(), DType::Float64));
  CHECK(a.grad().to_vector() == Values{11, 15, 11, 15});
  CHECK(b.grad().to_vector() == Values{4, 4, 6, 6});
}

TEST_CASE("matmul gradcheck, 2-d and with leading batch dimensions") {
  const Shape a_shape = GENERATE(Shape{3, 4}, Shape{2, 3, 4}, Shape{1, 4}, Shape{2, 1, 5, 4});
  CAPTURE(a_shape);
  Variable a = random_var(a_shape, 1), b = random_var({4, 6}, 2);
  auto r = gradcheck([](const std::vector<Variable>& in) { return matmul(in[0], in[1]); }, {a, b});
  INFO(r.report());
  REQUIRE(r.passed);
}

TEST_CASE("matmul skips the gradient of an input that does not require grad") {
  Variable a = random_constant({3, 4}, 3), b = random_var({4, 2}, 4);
  Variable c = matmul(a, b);
  c.backward(Tensor::ones(c.shape(), DType::Float64));
  CHECK(b.grad().defined());
  CHECK_FALSE(a.grad().defined());
}

TEST_CASE("matmul error messages name both shapes") {
  auto var = [](const Shape& s) { return Variable(Tensor::zeros(s, DType::Float64)); };
  REQUIRE_THROWS_WITH(matmul(var({2, 3}), var({4, 5})),
                      "matmul: expected the inner sizes to match, but got [2, 3] and [4, 5] (3 vs 4)");
  REQUIRE_THROWS_WITH(matmul(var({2, 3}), var({3, 5, 1})),
                      "matmul: expected a [.., M, K] and a [K, N] tensor, but got [2, 3] and [3, 5, 1]");
}
