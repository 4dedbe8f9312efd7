// A frozen module gets no gradient, and an optimizer step leaves its weights as they were,
// while the rest of the model trains.
#include <catch2/catch.hpp>

#include "nn/nn.h"
#include "optim/optim.h"

using namespace convgrad;

TEST_CASE("a frozen encoder is unchanged by training steps on the whole model") {
  Generator gen(11);
  auto encoder = std::make_shared<Conv2d>(1, 2, 3, 1, 1, 1, true, DType::Float64, gen);
  auto head = std::make_shared<Linear>(2 * 4 * 4, 1, true, DType::Float64, gen);
  Sequential model({encoder, std::make_shared<ReLU>(), std::make_shared<Flatten>(), head});
  Variable x(uniform({5, 1, 4, 4}, -1, 1, gen, DType::Float64));
  Variable y(uniform({5}, -1, 1, gen, DType::Float64));

  // A first step with gradients everywhere, so the encoder has a stale gradient and state.
  Adam adam(model.parameters(), AdamOptions{1e-2});
  mse_regress(model.forward(x), y).backward();
  adam.step();

  encoder->freeze();
  const auto encoder_before = encoder->weight().data().to_vector();
  const auto bias_before = encoder->bias().data().to_vector();
  const auto head_before = head->weight().data().to_vector();
  for (int step = 0; step < 3; ++step) {
    adam.zero_grad();
    mse_regress(model.forward(x), y).backward();
    CHECK_FALSE(encoder->weight().grad().defined());
    CHECK_FALSE(encoder->bias().grad().defined());
    CHECK(head->weight().grad().defined());
    adam.step();
  }
  CHECK(encoder->weight().data().to_vector() == encoder_before);
  CHECK(encoder->bias().data().to_vector() == bias_before);
  CHECK(head->weight().data().to_vector() != head_before);
  CHECK(adam.state(encoder->weight()).step == 1);
  CHECK(adam.state(head->weight()).step == 4);

  encoder->unfreeze();
  adam.zero_grad();
  mse_regress(model.forward(x), y).backward();
  adam.step();
  CHECK(encoder->weight().data().to_vector() != encoder_before);
}

TEST_CASE("training reduces the loss (Adam and SGD on a small regression)") {
  for (int which = 0; which < 2; ++which) {
    CAPTURE(which);
    Generator gen(12);
    Linear model(3, 1, true, DType::Float64, gen);
    Variable x(uniform({32, 3}, -1, 1, gen, DType::Float64));
    Tensor w = Tensor::from_vector({1.0, -2.0, 0.5}, {3, 1}, DType::Float64);
    Variable y(reshape(matmul(x, Variable(w)), {-1}).data());
    std::unique_ptr<Optimizer> optimizer;
    if (which == 0) {
      optimizer = std::make_unique<Adam>(model.parameters(), AdamOptions{0.05});
    } else {
      SGDOptions o;
      o.lr = 0.1;
      o.momentum = 0.9;
      optimizer = std::make_unique<SGD>(model.parameters(), o);
    }
    const double first = mse_regress(model.forward(x), y).item();
    for (int step = 0; step < 200; ++step) {
      optimizer->zero_grad();
      mse_regress(model.forward(x), y).backward();
      optimizer->step();
    }
    const double last = mse_regress(model.forward(x), y).item();
    CHECK(last < 1e-3 * first);
  }
}
