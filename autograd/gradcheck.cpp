#include "autograd/gradcheck.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "autograd/kink.h"
#include "tensor/random.h"

namespace convgrad {

namespace {

// L(x) = sum(r * f(x)), accumulated in double whatever the working dtype.
double weighted_output(const GradcheckFn& fn, const std::vector<Variable>& inputs, const std::vector<double>& r,
                       std::vector<std::string>* kink_states) {
  NoGradGuard no_grad;
  KinkRecorder recorder;
  const std::vector<double> y = fn(inputs).data().to_vector();
  if (kink_states) *kink_states = recorder.states();
  double total = 0.0;
  for (size_t i = 0; i < y.size(); ++i) total += r[i] * y[i];
  return total;
}

// Reads and writes element i of a tensor as a double.
double get_element(const Tensor& t, int64_t i) {
  return dispatch(t.dtype(), [&](auto zero) {
    using T = decltype(zero);
    return static_cast<double>(t.data<T>()[i]);
  });
}
void set_element(Tensor& t, int64_t i, double value) {
  dispatch(t.dtype(), [&](auto zero) {
    using T = decltype(zero);
    t.data<T>()[i] = static_cast<T>(value);
  });
}

Shape unravel(int64_t index, const Shape& shape) {
  Shape position(shape.size());
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    position[d] = index % shape[d];
    index /= shape[d];
  }
  return position;
}

std::vector<int64_t> elements_to_check(int64_t numel, int64_t limit, Generator& gen) {
  std::vector<int64_t> all(static_cast<size_t>(numel));
  for (int64_t i = 0; i < numel; ++i) all[i] = i;
  if (limit <= 0 || limit >= numel) return all;
  std::vector<int64_t> perm = randperm(numel, gen);
  perm.resize(static_cast<size_t>(limit));
  std::sort(perm.begin(), perm.end());
  return perm;
}

}  // namespace

GradcheckResult gradcheck(const GradcheckFn& fn, const std::vector<Variable>& inputs, const GradcheckOptions& user) {
  GradcheckOptions options = user;
  DType dtype = DType::Float64;
  if (options.float32_quick) {
    // float32 has ~7 digits: a larger step keeps the rounding error (~1e-7 |L| / eps) small
    // against the truncation error (~eps² |f'''|), and the tolerances widen to match.
    dtype = DType::Float32;
    options.eps = 1e-2;
    options.atol = 1e-2;
    options.rtol = 1e-2;
  }
  GradcheckResult result;
  result.options = options;

  // Private copies of the inputs in the working dtype.
  std::vector<Variable> work;
  for (size_t k = 0; k < inputs.size(); ++k) {
    CONVGRAD_CHECK(inputs[k].defined(), "gradcheck: expected defined inputs, but input ", k, " is undefined");
    work.emplace_back(inputs[k].data().to(dtype).clone(), inputs[k].requires_grad());
    result.input_names.push_back(k < options.input_names.size() ? options.input_names[k]
                                                                : "input " + std::to_string(k));
    result.input_shapes.push_back(inputs[k].shape());
  }

  // Analytic: one backward of L = sum(r * y), i.e. upstream gradient r.
  Generator gen(options.seed);
  const Variable y = fn(work);
  CONVGRAD_CHECK(y.requires_grad(), "gradcheck: expected the function's output to require grad, but it does not "
                 "(does any input have requires_grad set?)");
  const Tensor r_tensor = normal(y.shape(), 0.0, 1.0, gen, dtype);
  const std::vector<double> r = r_tensor.to_vector();
  y.backward(r_tensor);

  std::vector<std::string> base_kinks;
  weighted_output(fn, work, r, &base_kinks);

  std::vector<GradcheckElement> failures, kinks;
  for (size_t k = 0; k < work.size(); ++k) {
    if (!work[k].requires_grad()) continue;
    Tensor& x = work[k].data();
    const Tensor analytic_grad = work[k].grad();  // undefined when no gradient reached it: all zeros
    for (int64_t i : elements_to_check(x.numel(), options.max_elements_per_input, gen)) {
      const double original = get_element(x, i);
      std::vector<std::string> plus_kinks, minus_kinks;
      set_element(x, i, original + options.eps);
      const double l_plus = weighted_output(fn, work, r, &plus_kinks);
      set_element(x, i, original - options.eps);
      const double l_minus = weighted_output(fn, work, r, &minus_kinks);
      set_element(x, i, original);

      GradcheckElement e;
      e.input = k;
      e.index = i;
      e.position = unravel(i, x.shape());
      e.numeric = (l_plus - l_minus) / (2.0 * options.eps);
      e.analytic = analytic_grad.defined() ? get_element(analytic_grad, i) : 0.0;
      e.abs_error = std::fabs(e.analytic - e.numeric);
      e.rel_error = e.abs_error / std::max(std::fabs(e.numeric), 1e-300);
      e.at_kink = plus_kinks != base_kinks || minus_kinks != base_kinks;
      if (e.at_kink) {
        kinks.push_back(e);
        continue;
      }
      ++result.checked;
      result.max_abs_error = std::max(result.max_abs_error, e.abs_error);
      const bool ok = e.abs_error <= options.atol + options.rtol * std::fabs(e.numeric);  // NaN fails
      if (!ok) failures.push_back(e);
    }
  }
  result.failures = static_cast<int64_t>(failures.size());
  result.kinks = static_cast<int64_t>(kinks.size());
  std::sort(failures.begin(), failures.end(),
            [](const GradcheckElement& a, const GradcheckElement& b) { return a.abs_error > b.abs_error; });
  const size_t limit = static_cast<size_t>(std::max(options.report_limit, 0));
  failures.resize(std::min(failures.size(), limit));
  kinks.resize(std::min(kinks.size(), limit));
  result.worst_failures = failures;
  result.kink_elements = kinks;
  // Passing needs no failure and at least one element actually compared.
  result.passed = result.failures == 0 && result.checked > 0;
  return result;
}

std::string GradcheckResult::report() const {
  std::ostringstream out;
  char buf[256];
  const char* mode = options.float32_quick ? "float32 quick mode" : "float64";
  std::snprintf(buf, sizeof buf, "(%s, eps %g, atol %g, rtol %g)", mode, options.eps, options.atol, options.rtol);
  if (passed) {
    out << "gradcheck: passed — " << checked << " elements agree " << buf << ", max |analytic - numeric| "
        << max_abs_error;
  } else if (failures > 0) {
    out << "gradcheck: FAILED — " << failures << " of " << checked << " elements differ " << buf;
  } else {
    out << "gradcheck: FAILED — no element could be checked (" << kinks << " at a kink) " << buf;
  }
  if (kinks > 0) out << "; " << kinks << " at a kink (not checked)";
  out << "\n";
  auto describe = [&](const GradcheckElement& e) {
    std::snprintf(buf, sizeof buf, ": analytic %.10g, numeric %.10g, |diff| %.3g, rel %.3g", e.analytic, e.numeric,
                  e.abs_error, e.rel_error);
    out << "  " << input_names[e.input] << " " << shape_str(input_shapes[e.input]) << ", element " << e.index
        << " at " << shape_str(e.position) << buf << "\n";
  };
  for (const auto& e : worst_failures) describe(e);
  if (!kink_elements.empty()) {
    out << "  at a kink (a ±eps step flips a ReLU mask or a max-pool argmax):\n";
    for (const auto& e : kink_elements) describe(e);
  }
  return out.str();
}

}  // namespace convgrad
