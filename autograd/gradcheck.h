// gradcheck: proves an op's backward against central finite differences.
//
//   auto result = gradcheck([](const std::vector<Variable>& in) { return conv2d(in[0], in[1], in[2]); },
//                           {x, w, b});
//   if (!result.passed) std::cerr << result.report();
//
// Method (PyTorch's fast mode): pick random weights r of the output's shape and check the
// gradient of L(x) = sum(r * f(x)). The analytic gradient is one backward pass with upstream
// gradient r; the numeric one is, for every element x_i of every input that requires grad,
//   dL/dx_i ≈ (L(x + eps e_i) − L(x − eps e_i)) / (2 eps).
// An element passes when |analytic − numeric| ≤ atol + rtol · |numeric| (PyTorch's defaults:
// float64, eps 1e-6, atol 1e-5, rtol 1e-3). A wrong backward shows up as the exact input and
// element whose gradient is off.
//
// Kinks: ReLU and max-pool have derivatives that jump. If the ±eps step changes a ReLU mask or
// a max-pool argmax (ops report this through autograd/kink.h), the difference quotient is
// meaningless there, so the element is reported as "at a kink" — listed, never counted as a
// pass or a failure.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "autograd/variable.h"

namespace convgrad {

struct GradcheckOptions {
  double eps = 1e-6;
  double atol = 1e-5;
  double rtol = 1e-3;
  // Quick mode: run in float32 with eps 1e-2 and tolerances atol = rtol = 1e-2 (see gradcheck.cpp).
  bool float32_quick = false;
  // Check at most this many elements per input (a seeded sample); 0 = every element.
  int64_t max_elements_per_input = 0;
  uint64_t seed = 0;
  // Names for the report ("x", "weight", ...); defaults to "input 0", "input 1", ...
  std::vector<std::string> input_names;
  int report_limit = 5;  // how many of the worst elements the report lists
};

struct GradcheckElement {
  size_t input = 0;       // which input
  int64_t index = 0;      // flat (row-major) element index
  Shape position;         // the same, as a multi-index
  double analytic = 0.0;  // from backward
  double numeric = 0.0;   // from central differences
  double abs_error = 0.0;
  double rel_error = 0.0;  // abs_error / max(|numeric|, tiny)
  bool at_kink = false;
};

struct GradcheckResult {
  bool passed = false;
  int64_t checked = 0;   // elements compared (kinks excluded)
  int64_t failures = 0;  // elements outside the tolerance
  int64_t kinks = 0;     // elements whose perturbation crossed a kink
  std::vector<GradcheckElement> worst_failures;  // up to report_limit, worst first
  std::vector<GradcheckElement> kink_elements;   // up to report_limit
  double max_abs_error = 0.0;                    // over all checked elements
  std::vector<std::string> input_names;
  std::vector<Shape> input_shapes;
  GradcheckOptions options;
  std::string report() const;
};

using GradcheckFn = std::function<Variable(const std::vector<Variable>&)>;

// Checks every input with requires_grad. Inputs are copied (and converted to float64, or to
// float32 in quick mode); the caller's tensors are never modified.
GradcheckResult gradcheck(const GradcheckFn& fn, const std::vector<Variable>& inputs,
                          const GradcheckOptions& options = {});

}  // namespace convgrad
