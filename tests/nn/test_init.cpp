// PyTorch-default init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias, seeded.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "nn/nn.h"

using namespace convgrad;

namespace {
// Every value lies in [-bound, bound], and the extremes come close to it (so the bound is
// not, say, half as wide as it should be).
void check_uniform_bound(const Tensor& t, double bound) {
  CAPTURE(shape_str(t.shape()), bound);
  const std::vector<double> v = t.to_vector();
  const double lo = *std::min_element(v.begin(), v.end());
  const double hi = *std::max_element(v.begin(), v.end());
  CHECK(lo >= -bound);
  CHECK(hi <= bound);
  if (v.size() >= 200) {  // with 200+ draws the extremes are within 5% of the bound
    CHECK(hi > 0.95 * bound);
    CHECK(lo < -0.95 * bound);
  }
}
}  // namespace

TEST_CASE("fan_in is weight.size(1) * K_h * K_w") {
  CHECK(fan_in_of({8, 1, 3, 3}) == 9);      // Conv2d(1, 8, 3): C_in * 9
  CHECK(fan_in_of({8, 16, 3, 3}) == 144);   // ConvTranspose2d(8, 16, 3): C_out * 9, not C_in * 9
  CHECK(fan_in_of({1, 200}) == 200);        // Linear(200, 1)
  REQUIRE_THROWS_WITH(fan_in_of({5}), "fan_in_of: expected a weight with at least 2 dimensions, but got [5]");
}

TEST_CASE("the kaiming bound with a = sqrt(5) is 1/sqrt(fan_in)") {
  CHECK(kaiming_uniform_bound(9, std::sqrt(5.0)) == Approx(1.0 / 3.0).epsilon(1e-15));
  CHECK(kaiming_uniform_bound(200, 0.0) == Approx(std::sqrt(6.0 / 200)).epsilon(1e-15));
  CHECK(default_init_bound(144) == 1.0 / 12.0);
  CHECK(default_init_bound(0) == 0.0);
}

TEST_CASE("Conv2d weights and bias are U(-1/sqrt(C_in K_h K_w), +)") {
  Generator gen(1);
  Conv2d conv(16, 8, 3, 1, 1, 1, true, DType::Float64, gen);
  CHECK(conv.weight().shape() == Shape{8, 16, 3, 3});
  CHECK(conv.bias().shape() == Shape{8});
  check_uniform_bound(conv.weight().data(), 1.0 / 12.0);  // fan_in = 16 * 9
  check_uniform_bound(conv.bias().data(), 1.0 / 12.0);
}

TEST_CASE("with groups the fan_in counts one group's channels (weight.size(1))") {
  Generator gen(4);
  // Conv2d(64, 32, 3, groups=4): weight [32, 16, 3, 3], fan_in = 16 * 9 = 144, bound 1/12.
  Conv2d conv(64, 32, 3, Conv2dOptions{{1, 1}, {1, 1}, {1, 1}, 4}, true, DType::Float64, gen);
  CHECK(conv.weight().shape() == Shape{32, 16, 3, 3});
  check_uniform_bound(conv.weight().data(), 1.0 / 12.0);
  // ConvTranspose2d(4, 32, 3, groups=2): weight [4, 16, 3, 3], fan_in = 16 * 9 = 144.
  ConvTranspose2d up(4, 32, 3, ConvTranspose2dOptions{{2, 2}, {1, 1}, {1, 1}, {1, 1}, 2}, true, DType::Float64, gen);
  CHECK(up.weight().shape() == Shape{4, 16, 3, 3});
  check_uniform_bound(up.weight().data(), 1.0 / 12.0);
}

TEST_CASE("ConvTranspose2d's fan_in is C_out * K_h * K_w (weight.size(1))") {
  Generator gen(2);
  // weight [C_in = 4, C_out = 16, 3, 3]: fan_in = 16 * 9 = 144, bound 1/12. With C_in the
  // bound would be 1/6 and many values would fall outside 1/12.
  ConvTranspose2d up(4, 16, 3, 2, 1, 1, 1, true, DType::Float64, gen);
  CHECK(up.weight().shape() == Shape{4, 16, 3, 3});
  CHECK(up.bias().shape() == Shape{16});
  check_uniform_bound(up.weight().data(), 1.0 / 12.0);
  check_uniform_bound(up.bias().data(), 1.0 / 12.0);

  // The other way round: C_in = 16, C_out = 1 gives fan_in 9 and a wide bound 1/3.
  ConvTranspose2d deconv(16, 1, 3, 2, 1, 1, 1, true, DType::Float64, gen);
  check_uniform_bound(deconv.weight().data(), 1.0 / 3.0);
}

TEST_CASE("Linear weights and bias are U(-1/sqrt(in_features), +)") {
  Generator gen(3);
  Linear head(400, 1, true, DType::Float64, gen);
  CHECK(head.weight().shape() == Shape{1, 400});
  check_uniform_bound(head.weight().data(), 0.05);
  check_uniform_bound(head.bias().data(), 0.05);
}

TEST_CASE("the same seed gives the same weights; another seed different ones") {
  Generator a(42), b(42), c(43);
  Conv2d first(1, 8, 3, 1, 1, 1, true, DType::Float64, a);
  Conv2d second(1, 8, 3, 1, 1, 1, true, DType::Float64, b);
  Conv2d third(1, 8, 3, 1, 1, 1, true, DType::Float64, c);
  CHECK(first.weight().data().to_vector() == second.weight().data().to_vector());
  CHECK(first.bias().data().to_vector() == second.bias().data().to_vector());
  CHECK(first.weight().data().to_vector() != third.weight().data().to_vector());

  // float32 weights are the float64 ones rounded: the dtype does not change the draws.
  Generator d(42);
  Conv2d single(1, 8, 3, 1, 1, 1, true, DType::Float32, d);
  const auto w64 = first.weight().data().to_vector();
  const auto w32 = single.weight().data().to_vector();
  for (size_t i = 0; i < w64.size(); ++i) CHECK(w32[i] == static_cast<double>(static_cast<float>(w64[i])));

  // The weight is drawn before the bias, so a layer without bias has the same weight.
  Generator e(42);
  Conv2d no_bias(1, 8, 3, 1, 1, 1, false, DType::Float64, e);
  CHECK(no_bias.weight().data().to_vector() == w64);
  CHECK_FALSE(no_bias.bias().defined());
  CHECK(no_bias.named_parameters().size() == 1);
}

TEST_CASE("manual_seed resets the default generator") {
  manual_seed(7);
  Linear a(5, 3);
  manual_seed(7);
  Linear b(5, 3);
  CHECK(a.weight().data().to_vector() == b.weight().data().to_vector());
  CHECK(a.weight().dtype() == DType::Float32);
}
