// conv2d, conv_transpose2d and max_pool2d take one unbatched image [C, H, W], as PyTorch's
// layers do: the result is the batch-of-one result without its batch axis, and so are the
// gradients (checked against central differences).
#include <catch2/catch.hpp>

#include "autograd/autograd.h"
#include "support/variables.h"

using namespace convgrad;
using namespace convgrad::testing;

namespace {

using Op = std::function<Variable(const Variable&)>;

// op on x [C, H, W] equals op on x as [1, C, H, W] with the batch axis dropped, and its
// gradient w.r.t. x passes gradcheck.
void check_unbatched(const Op& op, const Shape& image) {
  const Variable x = random_var(image, 11);
  const Variable y = op(x);
  const Variable batched = op(Variable(x.data().reshape({1, image[0], image[1], image[2]}), false));
  REQUIRE(y.dim() == 3);
  REQUIRE(batched.shape() == Shape{1, y.size(0), y.size(1), y.size(2)});
  CHECK(y.data().to_vector() == batched.data().to_vector());
  const GradcheckResult r = gradcheck([&](const std::vector<Variable>& in) { return op(in[0]); }, {x});
  INFO(r.report());
  CHECK(r.passed);
}

}  // namespace

TEST_CASE("conv2d, conv_transpose2d and max_pool2d take an unbatched [C, H, W] image as a batch of one") {
  const Variable w = random_var({4, 3, 3, 3}, 12), b = random_var({4}, 13);
  SECTION("conv2d") {
    check_unbatched([&](const Variable& x) { return conv2d(x, w, b, Conv2dOptions{{2, 1}, {1, 1}}); }, {3, 7, 6});
  }
  SECTION("conv_transpose2d") {
    ConvTranspose2dOptions options;
    options.stride = {2, 2};
    options.padding = {1, 1};
    options.output_padding = {1, 1};
    const Variable wt = random_var({3, 4, 3, 3}, 14);
    check_unbatched([&](const Variable& x) { return conv_transpose2d(x, wt, b, options); }, {3, 4, 5});
  }
  SECTION("max_pool2d, with its indices") {
    MaxPool2dOptions options;
    options.kernel_size = {2, 2};
    check_unbatched([&](const Variable& x) { return max_pool2d(x, options); }, {3, 6, 4});
    const Variable x = random_var({3, 6, 4}, 15);
    const MaxPool2dResult unbatched = max_pool2d_with_indices(x, options);
    const MaxPool2dResult batched = max_pool2d_with_indices(Variable(x.data().reshape({1, 3, 6, 4}), false), options);
    CHECK(unbatched.output.shape() == Shape{3, 3, 2});
    CHECK(unbatched.indices == batched.indices);
  }
}

TEST_CASE("conv2d, conv_transpose2d and max_pool2d name the 3-d and 4-d layouts for an input of another rank") {
  const Variable w = random_var({4, 3, 3, 3}, 12);
  REQUIRE_THROWS_WITH(conv2d(random_var({3, 10}, 1), w, Variable()),
                      "conv2d: expected a 4-d input [N, C_in, H, W] or a 3-d unbatched one [C_in, H, W], but got "
                      "[3, 10]");
  REQUIRE_THROWS_WITH(conv_transpose2d(random_var({1, 1, 3, 5, 5}, 1), random_var({3, 4, 3, 3}, 2), Variable()),
                      "conv_transpose2d: expected a 4-d input [N, C_in, H, W] or a 3-d unbatched one [C_in, H, W], "
                      "but got [1, 1, 3, 5, 5]");
  REQUIRE_THROWS_WITH(max_pool2d(random_var({10, 10}, 1), MaxPool2dOptions{}),
                      "max_pool2d: expected a 4-d input [N, C, H, W] or a 3-d unbatched one [C, H, W], but got [10, 10]");
}
