// mse_loss, binary_cross_entropy, cross_entropy (autograd/ops/mse_loss.cpp,
// binary_cross_entropy.cpp, cross_entropy.cpp).
#include <catch2/catch.hpp>

#include <cmath>

#include "autograd/autograd.h"
#include "support/golden_case.h"
#include "support/variables.h"
#include "tensor/elementwise.h"

using namespace convgrad;
using namespace convgrad::testing;

// ---- mse_loss ----

TEST_CASE("mse_loss forward and backward by hand") {
  // input [1, 2, 3], target [1, 0, 0]: differences [0, 2, 3], squares [0, 4, 9]
  Variable input = values({1, 2, 3}, {3}), target = values({1, 0, 0}, {3});
  SECTION("Mean = 13 / 3; dL/dinput = 2 (x - t) / 3 = [0, 4/3, 2]; dL/dtarget = minus that") {
    Variable loss = mse_loss(input, target);
    CHECK(loss.shape() == Shape{});
    CHECK(loss.item() == Approx(13.0 / 3.0));
    loss.backward();
    CHECK(input.grad().at({0}) == 0.0);
    CHECK(input.grad().at({1}) == Approx(4.0 / 3.0));
    CHECK(input.grad().at({2}) == Approx(2.0));
    CHECK(target.grad().at({2}) == Approx(-2.0));
  }
  SECTION("Sum = 13; dL/dinput = 2 (x - t) = [0, 4, 6]") {
    Variable loss = mse_loss(input, target, Reduction::Sum);
    CHECK(loss.item() == 13.0);
    loss.backward();
    CHECK(input.grad().to_vector() == Values{0, 4, 6});
    CHECK(target.grad().to_vector() == Values{0, -4, -6});
  }
}

TEST_CASE("mse_loss matches PyTorch (golden mse cases)") {
  const std::string name =
      GENERATE(std::string("mse_mean_images"), std::string("mse_sum_images"), std::string("mse_reconstruct_cw"),
               std::string("mse_regress_cw"));
  CAPTURE(name);
  GoldenCase golden(name);
  const std::string kind = golden.config().at("kind").get<std::string>();
  Variable input(golden.input("input"), true), target(golden.input("target"), true);
  Variable loss;
  if (kind == "mean" || kind == "regress") loss = mse_loss(input, target, Reduction::Mean);
  if (kind == "sum") loss = mse_loss(input, target, Reduction::Sum);
  // The coursework's MSE_reconstruct: ((input - target)^2).sum(dim=(1, 2, 3)).mean()
  if (kind == "reconstruct") loss = mean(sum(square(input - target), {1, 2, 3}));
  REQUIRE(loss.defined());
  loss.backward(golden.grad_output());
  CHECK(max_rel_error(loss.data(), golden.output("loss"), kExactZeros) <= 1e-10);
  CHECK(max_rel_error(input.grad(), golden.grad("input"), kExactZeros) <= 1e-10);
  CHECK(max_rel_error(target.grad(), golden.grad("target"), kExactZeros) <= 1e-10);
}

TEST_CASE("MSE_reconstruct of 10x10 images is 100 x mse_loss(Mean)") {
  GoldenCase golden("mse_reconstruct_cw");
  Variable input(golden.input("input"), true), target(golden.input("target"), true);
  Variable loss = mse_loss(input, target) * 100.0;
  loss.backward(golden.grad_output());
  CHECK(max_rel_error(loss.data(), golden.output("loss"), kExactZeros) <= 1e-10);
  CHECK(max_rel_error(input.grad(), golden.grad("input"), kExactZeros) <= 1e-10);
}

TEST_CASE("mse_loss gradcheck") {
  const Shape shape = GENERATE(Shape{}, Shape{7}, Shape{2, 1, 4, 4});
  const auto reduction = GENERATE(Reduction::Mean, Reduction::Sum);
  CAPTURE(shape, reduction == Reduction::Mean);
  Variable input = random_var(shape, 71), target = random_var(shape, 72);
  auto r = gradcheck([reduction](const std::vector<Variable>& in) { return mse_loss(in[0], in[1], reduction); },
                     {input, target});
  INFO(r.report());
  REQUIRE(r.passed);
}

TEST_CASE("mse_loss errors name both shapes") {
  REQUIRE_THROWS_WITH(mse_loss(random_var({4, 1, 10, 10}, 1), random_var({4, 100}, 2)),
                      "mse_loss: expected input and target of the same shape, but got input [4, 1, 10, 10] and "
                      "target [4, 100]");
  REQUIRE_THROWS_WITH(mse_loss(random_var({3}, 1), Variable(Tensor::zeros({3}, DType::Float32))),
                      "mse_loss: expected tensors of one dtype, but got float64 and float32");
}

// ---- binary_cross_entropy ----

TEST_CASE("binary_cross_entropy forward and backward by hand") {
  // x = [0.5, 0.8], t = [1, 0]: losses [-ln 0.5, -ln 0.2] = [ln 2, ln 5]; Mean = ln(10) / 2
  // dL/dx = (x - t) / (x (1 - x)) / 2 = [-0.5 / 0.25 / 2, 0.8 / 0.16 / 2] = [-1, 2.5]
  // dL/dt = (ln(1 - x) - ln x) / 2 = [0, (ln 0.2 - ln 0.8) / 2] = [0, -ln 2]
  Variable x = values({0.5, 0.8}, {2}), t = values({1, 0}, {2});
  Variable loss = binary_cross_entropy(x, t);
  CHECK(loss.item() == Approx(std::log(10.0) / 2.0));
  loss.backward();
  CHECK(x.grad().at({0}) == Approx(-1.0));
  CHECK(x.grad().at({1}) == Approx(2.5));
  CHECK(t.grad().at({0}) == 0.0);
  CHECK(t.grad().at({1}) == Approx(-std::log(2.0)));

  Variable sum_loss = binary_cross_entropy(x.detach(), t.detach(), Reduction::Sum);
  CHECK(sum_loss.item() == Approx(std::log(10.0)));
}

TEST_CASE("binary_cross_entropy clamps log at -100 at the edges of [0, 1]") {
  // x = 0 with t = 1: -log(0) = inf, clamped to 100. x = 1 with t = 1: loss 0.
  Variable x = values({0, 1}, {2}), t = values({1, 1}, {2});
  Variable loss = binary_cross_entropy(x, t, Reduction::Sum);
  CHECK(loss.item() == 100.0);
  loss.backward();
  CHECK(all_finite(x.grad()));
  CHECK(x.grad().at({0}) == -1e12);  // (0 - 1) / max(0, 1e-12)
  CHECK(x.grad().at({1}) == 0.0);
}

TEST_CASE("binary_cross_entropy gradcheck") {
  const Shape shape = GENERATE(Shape{6}, Shape{2, 1, 3, 3});
  const auto reduction = GENERATE(Reduction::Mean, Reduction::Sum);
  CAPTURE(shape, reduction == Reduction::Mean);
  // Probabilities away from 0 and 1 (where log is steep); soft targets anywhere in [0, 1].
  Variable input = random_var(shape, 81, 0.05, 0.95), target = random_var(shape, 82, 0.0, 1.0);
  auto r = gradcheck(
      [reduction](const std::vector<Variable>& in) { return binary_cross_entropy(in[0], in[1], reduction); },
      {input, target});
  INFO(r.report());
  REQUIRE(r.passed);
  // Through a sigmoid, as the networks use it.
  Variable logits = random_var(shape, 83, -3.0, 3.0);
  auto s = gradcheck(
      [reduction](const std::vector<Variable>& in) { return binary_cross_entropy(sigmoid(in[0]), in[1], reduction); },
      {logits, target});
  INFO(s.report());
  REQUIRE(s.passed);
}

TEST_CASE("binary_cross_entropy errors") {
  Variable x = values({0.5, 1.5}, {2}), t = values({0, 1}, {2});
  REQUIRE_THROWS_WITH(binary_cross_entropy(x, t),
                      "binary_cross_entropy: expected input values in [0, 1], but got 1.5 at flat index 1 of shape [2]");
  REQUIRE_THROWS_WITH(binary_cross_entropy(t, values({0, -1}, {2})),
                      "binary_cross_entropy: expected target values in [0, 1], but got -1 at flat index 1 of shape [2]");
  REQUIRE_THROWS_WITH(binary_cross_entropy(t, values({0, 1, 1}, {3})),
                      "binary_cross_entropy: expected input and target of the same shape, but got input [2] and "
                      "target [3]");
}

// ---- cross_entropy ----

TEST_CASE("cross_entropy forward and backward by hand") {
  // Row 0: logits [0, 0], class 0: softmax [1/2, 1/2], loss ln 2.
  // Row 1: logits [0, ln 3], class 1: softmax [1/4, 3/4], loss -ln(3/4) = ln(4/3).
  // Mean = (ln 2 + ln(4/3)) / 2 = ln(8/3) / 2.
  // dL/dz = (softmax - onehot) / 2 = [[-1/4, 1/4], [1/8, -1/8]]
  Variable z = values({0, 0, 0, std::log(3.0)}, {2, 2});
  Variable loss = cross_entropy(z, {0, 1});
  CHECK(loss.item() == Approx(std::log(8.0 / 3.0) / 2.0));
  loss.backward();
  CHECK(z.grad().at({0, 0}) == -0.25);
  CHECK(z.grad().at({0, 1}) == 0.25);
  CHECK(z.grad().at({1, 0}) == Approx(0.125));
  CHECK(z.grad().at({1, 1}) == Approx(-0.125));
  CHECK(cross_entropy(z.detach(), {0, 1}, Reduction::Sum).item() == Approx(std::log(8.0 / 3.0)));
}

TEST_CASE("cross_entropy is stable for huge logits") {
  // logits [1000, 0], class 1: loss = 1000 exactly in real arithmetic; exp(1000) would overflow.
  Variable z = values({1000, 0}, {1, 2});
  Variable loss = cross_entropy(z, {1});
  CHECK(loss.item() == 1000.0);
  loss.backward();
  CHECK(z.grad().to_vector() == Values{1, -1});
}

TEST_CASE("cross_entropy gradcheck") {
  auto [N, C] = GENERATE(table<int64_t, int64_t>({{1, 1}, {1, 4}, {5, 3}, {8, 10}}));
  const auto reduction = GENERATE(Reduction::Mean, Reduction::Sum);
  CAPTURE(N, C, reduction == Reduction::Mean);
  Generator gen(91);
  std::vector<int64_t> targets;
  for (int64_t n = 0; n < N; ++n) targets.push_back(gen.randint(C));
  Variable logits = random_var({N, C}, 92, -3.0, 3.0);
  auto r = gradcheck(
      [&targets, reduction](const std::vector<Variable>& in) { return cross_entropy(in[0], targets, reduction); },
      {logits});
  INFO(r.report());
  REQUIRE(r.passed);
}

TEST_CASE("cross_entropy errors") {
  Variable z = random_var({4, 3}, 1);
  REQUIRE_THROWS_WITH(cross_entropy(random_var({4, 3, 2}, 1), {0, 1, 2, 0}),
                      "cross_entropy: expected logits of shape [N, C], but got [4, 3, 2]");
  REQUIRE_THROWS_WITH(cross_entropy(z, {0, 1, 2}),
                      "cross_entropy: expected 4 targets (one per row of logits [4, 3]), but got 3");
  REQUIRE_THROWS_WITH(cross_entropy(z, {0, 1, 3, 0}),
                      "cross_entropy: expected target classes in [0, 3), but got 3 at position 2");
}
