// Forward + backward of every coursework layer at its coursework shape (float32, batch 32,
// 10×10 images) on the batch-last ops the networks run (tasks/models.h), and the conv / conv-T
// pair of a small VAE (batch 128, 28×28, 1↔32 channels, k4 s2 p1) on the [N, C, H, W] ops as a
// larger reference point. compare_torch.py times the same
// items in PyTorch: keep the names and shapes in step with it.
#include <memory>

#include "autograd/functions.h"
#include "bench/bench_util.h"
#include "tensor/random.h"

namespace convgrad::bench {

namespace {

constexpr DType kF32 = DType::Float32;

Variable random_variable(const Shape& shape, Generator& gen, bool requires_grad) {
  return Variable(uniform(shape, -1.0, 1.0, gen, kF32), requires_grad);
}

// An op applied to fixed inputs, then backward from a fixed random upstream gradient.
// The leaves' gradients are dropped before each run (as zero_grad(set_to_none) does), so
// every run does the same work.
struct LayerCase {
  std::vector<Variable> leaves;
  std::function<Variable()> forward;
  Tensor grad_output;

  void run() {
    for (Variable& leaf : leaves) leaf.zero_grad();
    const Variable y = forward();
    y.backward(grad_output);
  }
};

Item layer(const std::string& name, std::vector<Variable> leaves, std::function<Variable()> forward, Generator& gen) {
  auto c = std::make_shared<LayerCase>();
  c->leaves = std::move(leaves);
  c->forward = std::move(forward);
  c->grad_output = uniform(c->forward().shape(), -1.0, 1.0, gen, kF32);
  return Item{"layer_us", name, [c] { c->run(); }};
}

// x [N, C, H, W] as the shape of batch-last images [C, H, W, N]
Shape batch_last_shape(const Shape& nchw) { return {nchw[1], nchw[2], nchw[3], nchw[0]}; }

// Conv2d(C_in → C_out, k, stride s, padding p) on x [N, C_in, H, W] (batch-last when
// `batch_last`); the first layer's input (the data) needs no gradient.
Item conv(const std::string& name, Shape x_shape, int64_t C_out, int64_t k, int64_t s, int64_t p, bool input_grad,
          Generator& gen, bool batch_last = true) {
  const Variable x = random_variable(batch_last ? batch_last_shape(x_shape) : x_shape, gen, input_grad);
  const Variable w = random_variable({C_out, x_shape[1], k, k}, gen, true);
  const Variable b = random_variable({C_out}, gen, true);
  Conv2dOptions o;
  o.stride = {s, s};
  o.padding = {p, p};
  if (batch_last) return layer(name, {x, w, b}, [=] { return conv2d_batch_last(x, w, b, o); }, gen);
  return layer(name, {x, w, b}, [=] { return conv2d(x, w, b, o); }, gen);
}

Item conv_t(const std::string& name, Shape x_shape, int64_t C_out, int64_t k, int64_t s, int64_t p, int64_t op,
            Generator& gen, bool batch_last = true) {
  const Variable x = random_variable(batch_last ? batch_last_shape(x_shape) : x_shape, gen, true);
  const Variable w = random_variable({x_shape[1], C_out, k, k}, gen, true);
  const Variable b = random_variable({C_out}, gen, true);
  ConvTranspose2dOptions o;
  o.stride = {s, s};
  o.padding = {p, p};
  o.output_padding = {op, op};
  if (batch_last) return layer(name, {x, w, b}, [=] { return conv_transpose2d_batch_last(x, w, b, o); }, gen);
  return layer(name, {x, w, b}, [=] { return conv_transpose2d(x, w, b, o); }, gen);
}

Item dense(const std::string& name, int64_t in, Generator& gen) {
  const Variable x = random_variable({32, in}, gen, true);
  const Variable w = random_variable({1, in}, gen, true);
  const Variable b = random_variable({1}, gen, true);
  return layer(name, {x, w, b}, [=] { return linear(x, w, b); }, gen);
}

}  // namespace

std::vector<Item> layer_items() {
  Generator gen(0);
  std::vector<Item> items;
  // Autoencoder and U-Net, batch 32.
  items.push_back(conv("conv1", {32, 1, 10, 10}, 8, 3, 1, 1, false, gen));
  items.push_back(conv("conv2_ae", {32, 8, 5, 5}, 8, 3, 1, 1, true, gen));
  items.push_back(conv("conv2_unet", {32, 8, 5, 5}, 16, 3, 1, 1, true, gen));
  items.push_back(conv_t("deconv", {32, 8, 5, 5}, 1, 3, 2, 1, 1, gen));
  items.push_back(conv_t("up", {32, 16, 5, 5}, 8, 3, 2, 1, 1, gen));
  items.push_back(conv("conv3", {32, 16, 10, 10}, 8, 3, 1, 1, true, gen));
  items.push_back(conv("conv4", {32, 8, 10, 10}, 1, 1, 1, 0, true, gen));
  {
    const Variable x = random_variable({8, 10, 10, 32}, gen, true);
    MaxPool2dOptions o;
    o.kernel_size = {2, 2};
    items.push_back(layer("maxpool", {x}, [=] { return max_pool2d_batch_last(x, o); }, gen));
    items.push_back(layer("relu", {x}, [=] { return relu(x); }, gen));
  }
  items.push_back(dense("linear200", 200, gen));
  items.push_back(dense("linear400", 400, gen));
  {
    const Variable a = random_variable({8, 10, 10, 32}, gen, true);
    const Variable b = random_variable({8, 10, 10, 32}, gen, true);
    items.push_back(layer("cat", {a, b}, [=] { return cat({a, b}, 0); }, gen));
  }
  // A small VAE's encoder / decoder convolutions, batch 128.
  items.push_back(conv("vae_conv", {128, 1, 28, 28}, 32, 4, 2, 1, false, gen, false));
  items.push_back(conv_t("vae_convT", {128, 32, 14, 14}, 1, 4, 2, 1, 0, gen, false));
  return items;
}

}  // namespace convgrad::bench
