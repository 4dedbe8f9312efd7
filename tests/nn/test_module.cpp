// Module: dotted parameter names, children, train/eval, freeze, to(dtype), repr.
#include <catch2/catch.hpp>

#include "nn/nn.h"

using namespace convgrad;

namespace {
// A model with its own parameter, a child layer and a child container, to check the order
// PyTorch uses: own parameters first, then each child's, depth first.
class TwoStage : public Module {
 public:
  explicit TwoStage(Generator& gen) {
    scale_ = register_parameter("scale", Tensor::ones({1}, DType::Float64));
    encoder_ = register_module("encoder", std::make_shared<Sequential>(std::vector<std::shared_ptr<Module>>{
                                              std::make_shared<Conv2d>(1, 2, 3, 1, 1, 1, true, DType::Float64, gen),
                                              std::make_shared<ReLU>(),
                                              std::make_shared<Conv2d>(2, 2, 1, 1, 0, 1, false, DType::Float64, gen)}));
    head_ = register_module("head", std::make_shared<Linear>(4, 3, true, DType::Float64, gen));
  }
  std::string name() const override { return "TwoStage"; }

  Variable scale_;
  std::shared_ptr<Sequential> encoder_;
  std::shared_ptr<Linear> head_;
};

std::vector<std::string> names_of(const Module& module) {
  std::vector<std::string> names;
  for (const auto& entry : module.named_parameters()) names.push_back(entry.first);
  return names;
}
}  // namespace

TEST_CASE("named_parameters uses PyTorch's dotted names in registration order") {
  Generator gen(0);
  TwoStage model(gen);
  CHECK(names_of(model) == std::vector<std::string>{"scale", "encoder.0.weight", "encoder.0.bias",
                                                    "encoder.2.weight", "head.weight", "head.bias"});
  REQUIRE(model.children().size() == 2);
  CHECK(model.children()[0].first == "encoder");
  CHECK(model.children()[1].first == "head");
  // 1 + (2*1*3*3 + 2) + 2*2*1*1 + (3*4 + 3)
  CHECK(model.parameter_count() == 1 + 20 + 4 + 15);
  CHECK(model.parameters().size() == 6);
  for (const auto& param : model.parameters()) {
    CHECK(param.requires_grad());
    CHECK(param.is_leaf());
  }
  // The Variables are the layers' own (same identity), not copies.
  CHECK(model.named_parameters()[5].second.id() == model.head_->bias().id());
}

TEST_CASE("a parameter shared by two children is listed once") {
  class Shared : public Module {
   public:
    Shared() {
      auto layer = std::make_shared<Linear>(2, 2, true, DType::Float64);
      register_module("a", layer);
      register_module("b", layer);
    }
  } model;
  CHECK(names_of(model) == std::vector<std::string>{"a.weight", "a.bias"});
  CHECK(model.parameter_count() == 6);
}

TEST_CASE("registering a duplicate or dotted name is an error") {
  class Bad : public Module {
   public:
    void add(const std::string& name) { register_parameter(name, Tensor::zeros({1}, DType::Float32)); }
    void add_module(const std::string& name) { register_module(name, std::make_shared<ReLU>()); }
  } bad;
  bad.add("w");
  REQUIRE_THROWS_WITH(bad.add("w"), "Module.register_parameter: expected a new name, but 'w' is already a parameter");
  REQUIRE_THROWS_WITH(bad.add_module("w"), "Module.register_module: expected a new name, but 'w' is already a parameter");
  REQUIRE_THROWS_WITH(bad.add("a.b"), "Module.register_parameter: expected a non-empty name without '.', but got 'a.b'");
  REQUIRE_THROWS_WITH(bad.forward(Variable(Tensor::zeros({1}, DType::Float32))),
                      "Module.forward: expected a module with a one-input forward(), but Module does not define one");
}

TEST_CASE("train and eval propagate to children") {
  Generator gen(0);
  TwoStage model(gen);
  CHECK(model.is_training());
  model.eval();
  CHECK_FALSE(model.is_training());
  CHECK_FALSE(model.encoder_->is_training());
  CHECK_FALSE((*model.encoder_)[1]->is_training());
  model.train();
  CHECK(model.head_->is_training());
}

TEST_CASE("freeze turns requires_grad off for every parameter and drops gradients") {
  Generator gen(0);
  TwoStage model(gen);
  Variable x(uniform({2, 4}, -1, 1, gen, DType::Float64));
  sum(model.head_->forward(x)).backward();
  CHECK(model.head_->weight().grad().defined());

  model.head_->freeze();
  CHECK_FALSE(model.head_->weight().requires_grad());
  CHECK_FALSE(model.head_->weight().grad().defined());
  CHECK(model.encoder_->parameters()[0].requires_grad());  // only the frozen subtree
  CHECK_FALSE(model.head_->forward(x).requires_grad());    // nothing to differentiate

  model.head_->unfreeze();
  CHECK(model.head_->bias().requires_grad());
  CHECK(model.head_->forward(x).requires_grad());
}

TEST_CASE("zero_grad drops every gradient") {
  Generator gen(0);
  Linear layer(3, 2, true, DType::Float64, gen);
  sum(layer.forward(Variable(Tensor::ones({1, 3}, DType::Float64)))).backward();
  CHECK(layer.weight().grad().defined());
  layer.zero_grad();
  CHECK_FALSE(layer.weight().grad().defined());
  CHECK_FALSE(layer.bias().grad().defined());
}

TEST_CASE("to(dtype) converts parameters in place and keeps their identity") {
  Generator gen(3);
  Linear layer(3, 2, true, DType::Float64, gen);
  const Variable weight = layer.weight();
  const std::vector<double> before = weight.data().to_vector();
  sum(layer.forward(Variable(Tensor::ones({1, 3}, DType::Float64)))).backward();

  layer.to(DType::Float32);
  CHECK(layer.weight().id() == weight.id());  // the same Variable: optimizers still see it
  CHECK(weight.dtype() == DType::Float32);
  CHECK(weight.grad().dtype() == DType::Float32);
  CHECK(layer.bias().dtype() == DType::Float32);
  const std::vector<double> after = weight.data().to_vector();
  for (size_t i = 0; i < before.size(); ++i) CHECK(after[i] == static_cast<double>(static_cast<float>(before[i])));
  CHECK(layer.forward(Variable(Tensor::ones({1, 3}, DType::Float32))).dtype() == DType::Float32);
}

TEST_CASE("describe prints PyTorch's repr") {
  Generator gen(0);
  CHECK(Conv2d(1, 8, 3, 1, 1).describe() == "Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))");
  CHECK(Conv2d(8, 1, 1, 1, 0, 1, false).describe() == "Conv2d(8, 1, kernel_size=(1, 1), stride=(1, 1), bias=False)");
  CHECK(Conv2d(2, 4, {2, 3}, 2, {1, 0}, {2, 1}).describe() ==
        "Conv2d(2, 4, kernel_size=(2, 3), stride=(2, 2), padding=(1, 0), dilation=(2, 1))");
  CHECK(ConvTranspose2d(16, 8, 3, 2, 1, 1).describe() ==
        "ConvTranspose2d(16, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1))");
  CHECK(MaxPool2d(2).describe() == "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");
  CHECK(MaxPool2d(3, 1, 1, true).describe() ==
        "MaxPool2d(kernel_size=3, stride=1, padding=1, dilation=1, ceil_mode=True)");
  CHECK(Linear(200, 1).describe() == "Linear(in_features=200, out_features=1, bias=True)");
  CHECK(ReLU().describe() == "ReLU()");
  CHECK(Sigmoid().describe() == "Sigmoid()");
  CHECK(Tanh().describe() == "Tanh()");
  CHECK(Flatten().describe() == "Flatten(start_dim=1, end_dim=-1)");

  TwoStage model(gen);
  CHECK(model.describe() ==
        "TwoStage(\n"
        "  (encoder): Sequential(\n"
        "    (0): Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n"
        "    (1): ReLU()\n"
        "    (2): Conv2d(2, 2, kernel_size=(1, 1), stride=(1, 1), bias=False)\n"
        "  )\n"
        "  (head): Linear(in_features=4, out_features=3, bias=True)\n"
        ")");
}
