#include <catch2/catch.hpp>

#include "tensor/elementwise.h"
#include "tensor/index_kernels.h"
#include "tensor/random.h"
#include "tensor/reduce.h"
#include "tensor/blas.h"

using namespace convgrad;

TEST_CASE("reshape shares storage and infers -1") {
  Tensor x = Tensor::arange(6, DType::Float64);
  Tensor y = x.reshape({2, -1});
  CHECK(y.shape() == Shape{2, 3});
  CHECK(y.shares_storage_with(x));
  y.data<double>()[4] = 40.0;
  CHECK(x.at({4}) == 40.0);
  REQUIRE_THROWS_WITH(x.reshape({4, 2}), "reshape: cannot reshape [6] (6 elements) into [4, 2]");
}

TEST_CASE("broadcasting add follows NumPy") {
  // [2,1] + [3] -> [2,3]: rows 0,10 plus columns 1,2,3
  Tensor a = Tensor::from_vector({0, 10}, {2, 1}, DType::Float64);
  Tensor b = Tensor::from_vector({1, 2, 3}, {3}, DType::Float64);
  Tensor c = add(a, b);
  CHECK(c.shape() == Shape{2, 3});
  CHECK(c.to_vector() == std::vector<double>{1, 2, 3, 11, 12, 13});
  REQUIRE_THROWS_WITH(add(Tensor::zeros({2, 3}, DType::Float64), Tensor::zeros({4}, DType::Float64)),
                      Catch::Contains("add: cannot broadcast shapes [2, 3] and [4]"));
}

TEST_CASE("broadcast_to repeats along every broadcast dimension, leading, inner or trailing") {
  // out[i0, i1, i2, i3] = x[each index where x's size is 1 taken as 0], against a plain loop
  const Shape to{2, 3, 4, 5};
  for (const Shape& from : std::vector<Shape>{{2, 1, 1, 1}, {2, 3, 1, 1}, {1, 3, 1, 5}, {2, 1, 4, 1}, {5}, {4, 1},
                                              {1}, {2, 3, 4, 5}}) {
    CAPTURE(shape_str(from));
    int64_t count = 1;
    for (int64_t size : from) count *= size;
    const Tensor x = Tensor::arange(count, DType::Float64).reshape(from);
    const std::vector<double> got = broadcast_to(x, to).to_vector(), values = x.to_vector();
    REQUIRE(got.size() == 120u);
    const Shape padded = [&] {
      Shape p(4 - from.size(), 1);
      p.insert(p.end(), from.begin(), from.end());
      return p;
    }();
    size_t i = 0;
    for (int64_t a = 0; a < 2; ++a)
      for (int64_t b = 0; b < 3; ++b)
        for (int64_t c = 0; c < 4; ++c)
          for (int64_t d = 0; d < 5; ++d, ++i) {
            const int64_t ia = padded[0] == 1 ? 0 : a, ib = padded[1] == 1 ? 0 : b;
            const int64_t ic = padded[2] == 1 ? 0 : c, id = padded[3] == 1 ? 0 : d;
            CHECK(got[i] == values[((ia * padded[1] + ib) * padded[2] + ic) * padded[3] + id]);
          }
  }
}

TEST_CASE("sum_to_shape undoes broadcasting") {
  Tensor g = Tensor::ones({4, 2, 3}, DType::Float64);
  CHECK(sum_to_shape(g, {2, 1}).to_vector() == std::vector<double>{12, 12});
  CHECK(sum_to_shape(g, {3}).to_vector() == std::vector<double>{8, 8, 8});
  CHECK(sum_to_shape(g, {}).item() == 24.0);
}

TEST_CASE("sum and mean over dims") {
  // [[0,1,2],[3,4,5]]
  Tensor x = Tensor::arange(6, DType::Float32).reshape({2, 3});
  CHECK(sum(x, {0}).to_vector() == std::vector<double>{3, 5, 7});
  CHECK(sum(x, {-1}, true).shape() == Shape{2, 1});
  CHECK(sum(x, {1}).to_vector() == std::vector<double>{3, 12});
  CHECK(mean(x).item() == Approx(2.5));
}

TEST_CASE("matmul through BLAS and its shape error") {
  // [[1,2],[3,4]] @ [[5],[6]] = [[17],[39]]
  Tensor a = Tensor::from_vector({1, 2, 3, 4}, {2, 2}, DType::Float64);
  Tensor b = Tensor::from_vector({5, 6}, {2, 1}, DType::Float64);
  CHECK(matmul(a, b).to_vector() == std::vector<double>{17, 39});
  REQUIRE_THROWS_WITH(matmul(Tensor::zeros({2, 3}, DType::Float64), Tensor::zeros({4, 5}, DType::Float64)),
                      "matmul: expected the inner sizes to match, but got [2, 3] and [4, 5] (3 vs 4)");
}

TEST_CASE("transpose2d moves every element, in whole 8 x 8 tiles and the edges around them") {
  const auto [R, C] = GENERATE(table<int64_t, int64_t>({{1, 1}, {8, 8}, {32, 100}, {100, 32}, {13, 21}, {16, 7}, {7, 16}}));
  const DType dtype = GENERATE(DType::Float32, DType::Float64);
  CAPTURE(R, C, dtype == DType::Float32);
  std::vector<double> values(static_cast<size_t>(R * C));
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<double>(i) + 0.5;
  const Tensor x = Tensor::from_vector(values, {R, C}, dtype);
  const Tensor t = transpose2d(x);
  REQUIRE(t.shape() == Shape{C, R});
  const std::vector<double> got = t.to_vector();
  for (int64_t r = 0; r < R; ++r)
    for (int64_t c = 0; c < C; ++c) {
      CAPTURE(r, c);
      CHECK(got[static_cast<size_t>(c * R + r)] == values[static_cast<size_t>(r * C + c)]);
    }
}

TEST_CASE("the generator is reproducible") {
  Generator g1(42), g2(42), g3(43);
  Tensor a = uniform({100}, -1, 1, g1, DType::Float64), b = uniform({100}, -1, 1, g2, DType::Float64);
  CHECK(a.to_vector() == b.to_vector());
  CHECK(uniform({100}, -1, 1, g3, DType::Float64).to_vector() != a.to_vector());
  for (double v : a.to_vector()) CHECK((v >= -1 && v < 1));
}
