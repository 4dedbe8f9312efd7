// Layers call the functional ops with their options: output shapes, PyTorch golden
// forwards (weights loaded by name through load_state_dict), constructor checks.
#include <catch2/catch.hpp>

#include "nn/nn.h"
#include "support/golden_case.h"
#include "tensor/elementwise.h"

using namespace convgrad;
using namespace convgrad::testing;

namespace {
// Loads a golden case's weight and bias into `layer`, runs its input through and returns
// the largest |got - want| / max(1, |want|).
double golden_forward_error(Module& layer, const std::string& name, const std::string& folder = "golden") {
  const GoldenCase golden(name, folder);
  StateDict state{{"weight", golden.param("weight")}};
  if (layer.named_parameters().size() == 2) state["bias"] = golden.param("bias");
  load_state_dict(layer, state);
  const Tensor got = layer.forward(Variable(golden.input("input"))).data();
  return max_rel_error(got, golden.output("output"));
}
}  // namespace

TEST_CASE("layers match PyTorch 1.13 forwards in float64") {
  Generator gen(0);
  SECTION("Conv2d(1, 8, 3, padding=1)") {
    Conv2d conv(1, 8, 3, 1, 1, 1, true, DType::Float64, gen);
    CHECK(golden_forward_error(conv, "conv2d_cw_1to8_k3p1") < 1e-12);
  }
  SECTION("ConvTranspose2d(3, 4, 3, stride=2, padding=1)") {
    ConvTranspose2d up(3, 4, 3, 2, 1, 0, 1, true, DType::Float64, gen);
    CHECK(golden_forward_error(up, "convT_k3_s2_p1_op0") < 1e-12);
  }
  SECTION("Conv2d(4, 6, 3, padding=1, groups=2)") {
    Conv2d conv(4, 6, 3, Conv2dOptions{{1, 1}, {1, 1}, {1, 1}, 2}, true, DType::Float64, gen);
    CHECK(conv.weight().shape() == Shape{6, 2, 3, 3});
    CHECK(conv.extra_repr() == "4, 6, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), groups=2");
    CHECK(golden_forward_error(conv, "conv2d_groups2_k3_p1", "golden_variants") < 1e-12);
  }
  SECTION("ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2)") {
    ConvTranspose2d up(4, 6, 3, ConvTranspose2dOptions{{2, 2}, {1, 1}, {1, 1}, {1, 1}, 2}, true, DType::Float64, gen);
    CHECK(up.weight().shape() == Shape{4, 3, 3, 3});
    CHECK(golden_forward_error(up, "convT_groups2_k3_s2_p1_op1", "golden_variants") < 1e-12);
  }
  SECTION("Conv2d with padding_mode reflect, replicate and circular") {
    Conv2d reflect(2, 2, 3, Conv2dOptions{{1, 1}, {1, 1}}, PadMode::Reflect, true, DType::Float64, gen);
    CHECK(reflect.extra_repr() == "2, 2, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), padding_mode=reflect");
    CHECK(golden_forward_error(reflect, "conv2d_reflect_k3_p1", "golden_variants") < 1e-12);
    Conv2d replicate(3, 4, 3, Conv2dOptions{{1, 1}, {2, 1}}, PadMode::Replicate, true, DType::Float64, gen);
    CHECK(golden_forward_error(replicate, "conv2d_replicate_k3_p2x1", "golden_variants") < 1e-12);
    Conv2d circular(2, 3, 3, Conv2dOptions{{2, 2}, {1, 1}}, PadMode::Circular, true, DType::Float64, gen);
    CHECK(golden_forward_error(circular, "conv2d_circular_k3_s2_p1", "golden_variants") < 1e-12);
    // Zeros is the plain convolution; another mode changes the border outputs.
    Conv2d zeros(2, 2, 3, Conv2dOptions{{1, 1}, {1, 1}}, PadMode::Constant, true, DType::Float64, gen);
    CHECK(golden_forward_error(zeros, "conv2d_reflect_k3_p1", "golden_variants") > 1e-3);
  }
  SECTION("Linear(7, 5)") {
    Linear linear(7, 5, true, DType::Float64, gen);
    CHECK(golden_forward_error(linear, "linear_7to5") < 1e-12);
  }
}

TEST_CASE("layer output shapes follow PyTorch's formulas") {
  Generator gen(0);
  Variable x(uniform({2, 1, 10, 10}, -1, 1, gen, DType::Float32));
  Conv2d conv(1, 8, 3, 1, 1, 1, true, DType::Float32, gen);
  Variable h = conv(x);
  CHECK(h.shape() == Shape{2, 8, 10, 10});
  Variable pooled = MaxPool2d(2).forward(h);  // stride defaults to the kernel size
  CHECK(pooled.shape() == Shape{2, 8, 5, 5});
  // (5 - 1) * 2 - 2 * 1 + 1 * (3 - 1) + 1 + 1 = 10
  ConvTranspose2d deconv(8, 1, 3, 2, 1, 1, 1, true, DType::Float32, gen);
  CHECK(deconv(pooled).shape() == Shape{2, 1, 10, 10});
  Variable flat = Flatten().forward(pooled);
  CHECK(flat.shape() == Shape{2, 200});
  CHECK(Linear(200, 1, true, DType::Float32, gen)(flat).shape() == Shape{2, 1});
  CHECK(Flatten(0, 1).forward(pooled).shape() == Shape{16, 5, 5});
  CHECK(MaxPool2d(3, 2, 1, true).forward(h).shape() == Shape{2, 8, 6, 6});  // ceil((10+2-3)/2)+1
}

TEST_CASE("activation modules apply their functions") {
  Variable x(Tensor::from_vector({-1.0, 0.0, 2.0}, {3}, DType::Float64));
  CHECK(ReLU().forward(x).data().to_vector() == std::vector<double>{0, 0, 2});
  CHECK(Sigmoid().forward(x).data().at({1}) == 0.5);
  CHECK(Tanh().forward(x).data().at({2}) == Approx(std::tanh(2.0)));
}

TEST_CASE("Sequential runs its children in order and names them 0, 1, ...") {
  Generator gen(5);
  auto conv = std::make_shared<Conv2d>(1, 2, 3, 1, 1, 1, true, DType::Float64, gen);
  Sequential net({conv, std::make_shared<ReLU>(), std::make_shared<Flatten>()});
  net.push_back(std::make_shared<Linear>(2 * 4 * 4, 1, true, DType::Float64, gen));
  CHECK(net.size() == 4);
  CHECK(net[0] == conv);
  CHECK(net.children()[3].first == "3");
  Variable x(uniform({3, 1, 4, 4}, -1, 1, gen, DType::Float64));
  Variable manual = (*net[3])(flatten(relu((*conv)(x))));
  CHECK(max_abs_diff(net.forward(x).data(), manual.data()) == 0.0);
  REQUIRE_THROWS_WITH(net[4], "Sequential: expected an index below 4, but got 4");
}

TEST_CASE("layer constructors check their arguments") {
  REQUIRE_THROWS_WITH(Conv2d(0, 8, 3), "Conv2d: expected in_channels > 0, but got 0");
  REQUIRE_THROWS_WITH(Conv2d(1, 8, {3, 0}), "Conv2d: expected kernel_size > 0, but got (3, 0)");
  REQUIRE_THROWS_WITH(Conv2d(1, 8, 3, 0), "Conv2d: expected stride > 0, but got (0, 0)");
  REQUIRE_THROWS_WITH(Conv2d(1, 8, 3, 1, -1), "Conv2d: expected padding >= 0, but got (-1, -1)");
  REQUIRE_THROWS_WITH(ConvTranspose2d(8, 1, 3, 2, 1, 2),
                      "ConvTranspose2d: expected output_padding smaller than stride or dilation, but got "
                      "output_padding=(2, 2), stride=(2, 2), dilation=(1, 1)");
  REQUIRE_THROWS_WITH(MaxPool2d(2, 2, 2),
                      "MaxPool2d: expected padding at most half of the effective kernel size, but got "
                      "padding=(2, 2) with kernel_size=(2, 2) and dilation=(1, 1)");
  REQUIRE_THROWS_WITH(Linear(200, 0), "Linear: expected out_features > 0, but got 0");
  REQUIRE_THROWS_WITH(Conv2d(4, 6, 3, Conv2dOptions{{1, 1}, {0, 0}, {1, 1}, 4}),
                      "Conv2d: expected in_channels and out_channels divisible by groups, but got 4, 6 and groups=4");
}
