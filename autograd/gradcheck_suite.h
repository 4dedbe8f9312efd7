// The built-in gradcheck suite behind `convgrad gradcheck`: every differentiable op is
// checked in float64 on many randomised configurations (strides 1-3, paddings 0-2,
// dilations 1-2, every valid output_padding, odd sizes, rectangular kernels, pooling ties,
// broadcasting shapes, negative dims).
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "autograd/gradcheck.h"
#include "tensor/random.h"

namespace convgrad {

struct GradcheckCase {
  std::string config;  // e.g. "x [2, 3, 7, 5], k (2, 3), s (2, 1), p (1, 0), d (1, 2)"
  GradcheckFn fn;
  std::vector<Variable> inputs;
  std::vector<std::string> input_names;
};

struct GradcheckSuiteRow {
  std::string op;
  int configs = 0;
  int passed = 0;
  int64_t checked = 0;  // elements compared over all configurations
  int64_t kinks = 0;
  double max_abs_error = 0.0;
  std::string first_failure;  // the config and report of the first failing configuration
};

// The op names the suite knows, in table order.
std::vector<std::string> gradcheck_suite_ops();

// One randomised configuration of `op` drawn from `gen` (throws for an unknown op).
GradcheckCase make_gradcheck_case(const std::string& op, Generator& gen);

// Runs `configs` configurations of `op` ("all" for every op). Progress lines go to `log`
// when it is not null. Throws convgrad::Error naming the valid ops for an unknown one.
std::vector<GradcheckSuiteRow> run_gradcheck_suite(const std::string& op, uint64_t seed, int configs,
                                                   std::ostream* log);

// A fixed-width table of the rows, with a final "N passed, M failed" line.
std::string format_gradcheck_table(const std::vector<GradcheckSuiteRow>& rows);

}  // namespace convgrad
