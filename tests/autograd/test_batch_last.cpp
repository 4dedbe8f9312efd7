// The batch-last ops (functions.h, "the batch as the last axis"): each equals its [N, C, H, W]
// op with the layout moved around it, values and every gradient, and its backward passes
// gradcheck (float64, central differences), on batches that fill no, one and two-plus-a-part
// vectors, with strides, paddings, dilations and output_padding.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "autograd/autograd.h"
#include "support/variables.h"

using namespace convgrad;
using namespace convgrad::testing;

namespace {

using Inputs = std::vector<Variable>;
using Op = std::function<Variable(const Inputs&)>;

double max_difference(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  const std::vector<double> x = a.to_vector(), y = b.to_vector();
  double d = 0.0;
  for (size_t i = 0; i < x.size(); ++i) d = std::max(d, std::abs(x[i] - y[i]));
  return d;
}

// batch_last(in) == to_batch_last(nchw(in)) with in[0] moved to batch-last, and the gradients
// of every input from the same upstream gradient agree; then gradcheck of batch_last.
void check_against_nchw(const Op& nchw, const Op& batch_last, const Inputs& in) {
  const Variable y = nchw(in);
  Inputs moved = in;
  moved[0] = Variable(to_batch_last(Variable(in[0].data())).data(), true);
  const Variable y_bl = batch_last(moved);
  CHECK(max_difference(y_bl.data(), to_batch_last(y).data()) < 1e-12);

  const Variable upstream = random_constant(y.shape(), 99);
  for (Variable v : in) v.zero_grad();
  sum(y * upstream).backward();
  std::vector<Tensor> want;
  for (const Variable& v : in) want.push_back(v.grad().clone());
  for (Variable v : moved) v.zero_grad();
  sum(y_bl * to_batch_last(upstream)).backward();
  CHECK(max_difference(from_batch_last(Variable(moved[0].grad())).data(), want[0]) < 1e-12);
  for (size_t i = 1; i < in.size(); ++i) CHECK(max_difference(moved[i].grad(), want[i]) < 1e-12);

  const GradcheckResult r = gradcheck(batch_last, moved);
  INFO(r.report());
  CHECK(r.passed);
}

}  // namespace

TEST_CASE("to_batch_last and from_batch_last move the batch axis and undo each other") {
  const Variable x = random_var({3, 2, 4, 5}, 1);
  const Variable moved = to_batch_last(x);
  CHECK(moved.shape() == Shape{2, 4, 5, 3});
  CHECK(moved.data().to_vector()[((1 * 4 + 2) * 5 + 3) * 3 + 2] == x.data().to_vector()[((2 * 2 + 1) * 4 + 2) * 5 + 3]);
  CHECK(from_batch_last(moved).data().to_vector() == x.data().to_vector());
  const GradcheckResult r = gradcheck([](const Inputs& in) { return from_batch_last(to_batch_last(in[0]) * 2.0); }, {x});
  CHECK(r.passed);
  CHECK(to_batch_last(random_var({0, 3}, 2)).shape() == Shape{3, 0});
}

TEST_CASE("conv2d_batch_last is conv2d on batch-last images") {
  struct Case {
    Shape x, w;
    Conv2dOptions options;
  };
  const Case c = GENERATE(Case{{3, 4, 5, 5}, {6, 4, 3, 3}, {{1, 1}, {1, 1}, {1, 1}, 1}},
                          Case{{19, 2, 7, 6}, {9, 2, 3, 2}, {{2, 1}, {1, 0}, {1, 2}, 1}},
                          Case{{37, 3, 4, 4}, {4, 3, 1, 1}, {{1, 1}, {0, 0}, {1, 1}, 1}});
  const Inputs in{random_var(c.x, 1), random_var(c.w, 2), random_var({c.w[0]}, 3)};
  check_against_nchw([&](const Inputs& v) { return conv2d(v[0], v[1], v[2], c.options); },
                     [&](const Inputs& v) { return conv2d_batch_last(v[0], v[1], v[2], c.options); }, in);
}

TEST_CASE("conv_transpose2d_batch_last is conv_transpose2d on batch-last images") {
  struct Case {
    Shape x, w;
    ConvTranspose2dOptions options;
  };
  const Case c = GENERATE(Case{{3, 4, 3, 3}, {4, 6, 3, 3}, {{2, 2}, {1, 1}, {1, 1}, {1, 1}, 1}},  // the U-Net's up
                          Case{{18, 2, 4, 3}, {2, 3, 4, 3}, {{2, 3}, {1, 0}, {0, 2}, {1, 1}, 1}},
                          Case{{5, 3, 3, 4}, {3, 2, 2, 3}, {{1, 2}, {0, 1}, {0, 1}, {2, 1}, 1}});
  const Inputs in{random_var(c.x, 4), random_var(c.w, 5), random_var({c.w[1]}, 6)};
  check_against_nchw([&](const Inputs& v) { return conv_transpose2d(v[0], v[1], v[2], c.options); },
                     [&](const Inputs& v) { return conv_transpose2d_batch_last(v[0], v[1], v[2], c.options); }, in);
}

TEST_CASE("max_pool2d_batch_last is max_pool2d on batch-last images") {
  MaxPool2dOptions options;
  options.kernel_size = {2, 2};
  SECTION("the coursework's 2x2 pool") {
    check_against_nchw([&](const Inputs& v) { return max_pool2d(v[0], options); },
                       [&](const Inputs& v) { return max_pool2d_batch_last(v[0], options); }, {random_var({21, 3, 6, 4}, 7)});
  }
  SECTION("overlapping, padded, dilated windows") {
    options.kernel_size = {3, 2};
    options.stride = {2, 1};
    options.padding = {1, 1};
    options.dilation = {1, 2};
    options.ceil_mode = true;
    check_against_nchw([&](const Inputs& v) { return max_pool2d(v[0], options); },
                       [&](const Inputs& v) { return max_pool2d_batch_last(v[0], options); }, {random_var({5, 2, 7, 6}, 8)});
  }
}

TEST_CASE("the batch-last ops name a wrong rank or groups") {
  const Variable w = random_var({4, 3, 3, 3}, 1);
  REQUIRE_THROWS_WITH(conv2d_batch_last(random_var({3, 5, 5}, 2), w, Variable()),
                      "conv2d_batch_last: expected a batch-last input [C, H, W, N], but got [3, 5, 5]");
  Conv2dOptions grouped;
  grouped.groups = 3;
  REQUIRE_THROWS_WITH(conv2d_batch_last(random_var({3, 5, 5, 2}, 2), w, Variable(), grouped),
                      Catch::Contains("expected groups = 1, but got 3"));
}

namespace {

// The same bits, NaNs included.
bool same_bits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && a.dtype() == b.dtype() &&
         std::memcmp(a.raw_data(), b.raw_data(), static_cast<size_t>(a.numel()) * dtype_size(a.dtype())) == 0;
}

// fused(in) == relu(plain(in)) bit for bit, and so are the gradients of every input: the fused
// op masks dL/dy where relu's backward would, and sums the bias gradient in the same order.
// Output channel 0's weights (those with index 0 on the weight's axis `out_axis`) and bias are
// zeroed, so its outputs are exactly 0 (the kink, where the gradient must be 0); one input value
// is NaN, which must pass through forward and backward.
void check_fused_relu(const Op& plain, const Op& fused, Inputs in, int out_axis) {
  for (Variable& v : in) v = Variable(v.data().to(DType::Float32), true);
  const Shape& ws = in[1].shape();
  const int64_t inner = ws[2] * ws[3] * (out_axis == 0 ? ws[1] : 1);
  float* w = in[1].data().data<float>();
  for (int64_t i = 0; i < in[1].numel(); ++i)
    if ((out_axis == 0 ? i / inner : i / inner % ws[1]) == 0) w[i] = 0.0f;
  in[2].data().data<float>()[0] = 0.0f;
  in[0].data().data<float>()[in[0].numel() / 2] = std::nanf("");

  const Variable want = relu(plain(in)), got = fused(in);
  CHECK(same_bits(got.data(), want.data()));
  const Variable upstream = random_constant(want.shape(), 98, DType::Float32);
  std::vector<Tensor> grads[2];
  const Op unfused = [&](const Inputs& v) { return relu(plain(v)); };
  for (int k = 0; k < 2; ++k) {
    for (Variable v : in) v.zero_grad();
    sum((k == 0 ? unfused : fused)(in) * upstream).backward();
    for (const Variable& v : in) grads[k].push_back(v.grad().clone());
  }
  for (size_t i = 0; i < in.size(); ++i) {
    INFO("input " << i);
    CHECK(same_bits(grads[1][i], grads[0][i]));
  }
}

}  // namespace

TEST_CASE("a convolution with its ReLU fused is relu of the convolution, values and gradients to the bit") {
  SECTION("conv2d_batch_last") {
    Conv2dOptions o;
    o.padding = {1, 1};
    check_fused_relu([&](const Inputs& v) { return conv2d_batch_last(v[0], v[1], v[2], o); },
                     [&](const Inputs& v) { return conv2d_batch_last(v[0], v[1], v[2], o, Activation::relu); },
                     {random_var({3, 6, 5, 37}, 11), random_var({8, 3, 3, 3}, 12), random_var({8}, 13)}, 0);
  }
  SECTION("conv_transpose2d_batch_last") {
    ConvTranspose2dOptions o;
    o.stride = {2, 2};
    o.padding = {1, 1};
    o.output_padding = {1, 1};
    check_fused_relu([&](const Inputs& v) { return conv_transpose2d_batch_last(v[0], v[1], v[2], o); },
                     [&](const Inputs& v) { return conv_transpose2d_batch_last(v[0], v[1], v[2], o, Activation::relu); },
                     {random_var({8, 5, 5, 21}, 14), random_var({8, 3, 3, 3}, 15), random_var({3}, 16)}, 1);
  }
}
