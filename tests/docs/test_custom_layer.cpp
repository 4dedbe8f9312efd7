// The custom-layer tutorial's example must compile, pass gradcheck, and be shown verbatim
// in docs/custom_layer.md.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "docs/examples/swish.h"
#include "tensor/random.h"

using namespace convgrad;

namespace {
std::string slurp(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}
}  // namespace

TEST_CASE("the tutorial's Swish layer passes gradcheck for x and beta") {
  Generator gen(7);
  Variable x(uniform({3, 4}, -2.0, 2.0, gen, DType::Float64), true);
  Variable beta(Tensor::scalar(0.7, DType::Float64), true);
  auto result = gradcheck([](const std::vector<Variable>& in) { return example::swish(in[0], in[1]); }, {x, beta});
  INFO(result.report());
  CHECK(result.passed);
  CHECK(result.checked == 13);
}

TEST_CASE("the tutorial's Swish module registers its parameter") {
  example::Swish layer(1.5, DType::Float64);
  REQUIRE(layer.named_parameters().size() == 1);
  CHECK(layer.named_parameters()[0].first == "beta");
  // y = x σ(βx) at x = 0 is 0, and at large x approaches x
  Variable y = layer.forward(Variable(Tensor::from_vector({0.0, 20.0}, {2}, DType::Float64)));
  CHECK(y.data().at({0}) == 0.0);
  CHECK(y.data().at({1}) == Approx(20.0));
}

TEST_CASE("docs/custom_layer.md shows the tested example verbatim") {
  const std::string doc = slurp(std::string(CONVGRAD_SOURCE_DIR) + "/docs/custom_layer.md");
  const std::string code = slurp(std::string(CONVGRAD_SOURCE_DIR) + "/docs/examples/swish.h");
  CHECK(doc.find("```cpp\n" + code + "```") != std::string::npos);
}
