// The networks' batch-last losses: reconstruction_loss(x) is MSE_reconstruct(forward(x), x)
// summed over the batch-last tensors, so it must give the same value and the same gradient of
// every parameter (float64, to rounding).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "nn/losses.h"
#include "tasks/models.h"
#include "tensor/random.h"

using namespace convgrad;

namespace {

double max_relative(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  const std::vector<double> x = a.to_vector(), y = b.to_vector();
  double worst = 0.0;
  for (size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::abs(x[i] - y[i]) / std::max(std::abs(y[i]), 1e-12));
  return worst;
}

// Value and every parameter's gradient of loss_a(x) and loss_b(x) agree.
template <typename Model>
void check_same_loss(Model& model, const Variable& x) {
  const auto gradients_of = [&](const Variable& loss) {
    for (Variable p : model.parameters()) p.zero_grad();
    loss.backward();
    std::vector<Tensor> grads;
    for (const Variable& p : model.parameters()) grads.push_back(p.grad().clone());
    return grads;
  };
  const Variable fused = model.reconstruction_loss(x), plain = mse_reconstruct(model.forward(x), x);
  CHECK(fused.item() == Approx(plain.item()).epsilon(1e-13));
  const std::vector<Tensor> a = gradients_of(fused), b = gradients_of(plain);
  for (size_t i = 0; i < a.size(); ++i) {
    CAPTURE(i);
    CHECK(max_relative(a[i], b[i]) < 1e-10);
  }
}

}  // namespace

TEST_CASE("reconstruction_loss is MSE_reconstruct of the reconstruction, value and gradients") {
  Generator gen(3);
  const Variable x(uniform({37, 1, 10, 10}, 0.0, 2.0, gen, DType::Float64));  // 2 vectors + a partial one
  SECTION("autoencoder") {
    Autoencoder ae(DType::Float64, gen);
    check_same_loss(ae, x);
    const Autoencoder::Trace t = ae.trace(x);
    CHECK(max_relative(from_batch_last(t.xhat_batch_last).data(), t.xhat.data()) == 0.0);
    CHECK_FALSE(ae.trace_batch_last(x).xhat.defined());
  }
  SECTION("U-Net") {
    UNet net(false, DType::Float64, gen);
    check_same_loss(net, x);
  }
}

TEST_CASE("mse_reconstruct_batch_last divides by the last size and names a shape mismatch") {
  // two images of 3 values, batch last [3, 2]: errors (1, 0, 2) and (0, 3, 0) -> (5 + 9) / 2
  Variable xhat(Tensor::from_vector({1, 0, 0, 3, 2, 0}, {3, 2}, DType::Float64), true);
  const Variable x(Tensor::zeros({3, 2}, DType::Float64));
  CHECK(mse_reconstruct_batch_last(xhat, x).item() == 7.0);
  REQUIRE_THROWS_WITH(mse_reconstruct_batch_last(xhat, Variable(Tensor::zeros({2, 3}, DType::Float64))),
                      "mse_reconstruct: expected the target to have the input's shape [3, 2], but got [2, 3]");
  REQUIRE_THROWS_WITH(mse_reconstruct_batch_last(Variable(Tensor::zeros({3, 0}, DType::Float64)),
                                                 Variable(Tensor::zeros({3, 0}, DType::Float64))),
                      Catch::Contains("with N > 0, but got [3, 0]"));
}
