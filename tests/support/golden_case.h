// PyTorch golden cases for the tests: one folder per case under fixtures/golden/<name>/,
// a case.json naming the .npy file of every tensor (format: fixtures/golden/README.md),
// and the error measure the tests compare against them with.
//
//   const GoldenCase golden("linear_7to5");
//   Variable x(golden.input("input"), true), w(golden.param("weight"), true);
//   Variable y = linear(x, w);
//   CHECK(max_rel_error(y.data(), golden.output("output")) < 1e-10);
//   y.backward(golden.grad_output());
//   CHECK(max_rel_error(w.grad(), golden.grad("weight")) < 1e-10);
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tensor/conv_kernels.h"
#include "tensor/error.h"
#include "tensor/npy.h"
#include "tensor/tensor.h"

namespace convgrad {
namespace testing {

class GoldenCase {
 public:
  // folder: "golden" (the shipped cases) or "golden_variants" (make_golden_variants.py's).
  explicit GoldenCase(const std::string& name, const std::string& folder = "golden")
      : name_(name), dir_(std::string(CONVGRAD_FIXTURES_DIR) + "/" + folder + "/" + name + "/") {
    std::ifstream in(dir_ + "case.json");
    INFO("golden case " << dir_ << "case.json");
    REQUIRE(in.good());
    meta_ = nlohmann::json::parse(in);
  }

  // One tensor per role, by the role or PyTorch parameter name case.json gives it.
  Tensor input(const std::string& role) const { return file("inputs", role); }
  Tensor param(const std::string& role) const { return file("params", role); }
  Tensor output(const std::string& role) const { return file("outputs", role); }
  Tensor grad(const std::string& role) const { return file("grads", role); }
  Tensor extra(const std::string& role) const { return file("extra", role); }
  // dL/d(output), the upstream gradient the `grads` were computed with.
  Tensor grad_output() const { return read_npy(dir_ + meta_.at("grad_output").get<std::string>()); }

  bool has_param(const std::string& role) const { return meta_.at("params").contains(role); }

  // PyTorch's constructor / functional keyword arguments.
  const nlohmann::json& config() const { return meta_.at("config"); }
  // A (height, width) argument that PyTorch takes as an int or an [h, w] list; `fallback`
  // for both when the case leaves it at PyTorch's default.
  Pair config_pair(const std::string& key, int64_t fallback) const {
    const nlohmann::json& config = this->config();
    if (!config.contains(key)) return {fallback, fallback};
    const nlohmann::json& v = config.at(key);
    return v.is_array() ? Pair{v[0].get<int64_t>(), v[1].get<int64_t>()} : Pair{v.get<int64_t>(), v.get<int64_t>()};
  }

 private:
  Tensor file(const char* section, const std::string& role) const {
    const nlohmann::json& files = meta_.at(section);
    CONVGRAD_CHECK(files.contains(role), "golden case ", name_, ": expected a '", role, "' entry in ", section,
                   ", but got ", files.dump());
    return read_npy(dir_ + files.at(role).get<std::string>());
  }

  std::string name_;
  std::string dir_;  // ends in '/'
  nlohmann::json meta_;
};

// A floor for max_rel_error that makes it a pure relative error: an expected 0 must be met
// exactly.
constexpr double kExactZeros = 1e-300;

// Worst |got - want| / max(floor, |want|) over all elements of two same-shaped tensors.
// The default floor 1 is the `convgrad golden` measure: relative for |want| >= 1, absolute
// below.
inline double max_rel_error(const Tensor& got, const Tensor& want, double floor = 1.0) {
  REQUIRE(got.shape() == want.shape());
  const std::vector<double> g = got.to_vector(), w = want.to_vector();
  double worst = 0.0;
  for (size_t i = 0; i < g.size(); ++i) {
    const double error = std::fabs(g[i] - w[i]) / std::max(floor, std::fabs(w[i]));
    if (std::isnan(error)) return INFINITY;  // a NaN never passes a golden check
    worst = std::max(worst, error);
  }
  return worst;
}

}  // namespace testing
}  // namespace convgrad
