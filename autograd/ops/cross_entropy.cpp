// Cross-entropy on raw scores: for row n with target class c_n,
//   l_n = -log softmax(z_n)[c_n] = logsumexp(z_n) - z_n[c_n],
// then the mean over the N rows (or the sum).
#include <cmath>

#include "autograd/functions.h"

namespace convgrad {

Variable cross_entropy(const Variable& logits, const std::vector<int64_t>& targets, Reduction reduction) {
  CONVGRAD_CHECK(logits.dim() == 2, "cross_entropy: expected logits of shape [N, C], but got ",
                 shape_str(logits.shape()));
  const int64_t N = logits.size(0), C = logits.size(1);
  CONVGRAD_CHECK(static_cast<int64_t>(targets.size()) == N, "cross_entropy: expected ", N,
                 " targets (one per row of logits ", shape_str(logits.shape()), "), but got ", targets.size());
  for (int64_t n = 0; n < N; ++n)
    CONVGRAD_CHECK(targets[n] >= 0 && targets[n] < C, "cross_entropy: expected target classes in [0, ", C,
                   "), but got ", targets[n], " at position ", n);

  // softmax is kept for the backward; the output is a scalar.
  Tensor softmax = Tensor::empty(logits.shape(), logits.dtype());
  Tensor output = Tensor::empty({}, logits.dtype());
  dispatch(logits.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* z = logits.data().template data<T>();
    T* p = softmax.data<T>();
    double total = 0.0;
    for (int64_t n = 0; n < N; ++n) {
      const T* row = z + n * C;
      // NOTE: the max-subtraction trick: logsumexp(z) = m + log(sum exp(z - m)) with m = max(z),
      // so every exponent is <= 0 and nothing overflows, however large the logits.
      T m = row[0];
      for (int64_t c = 1; c < C; ++c) m = std::max(m, row[c]);
      T sum_exp = 0;
      for (int64_t c = 0; c < C; ++c) sum_exp += (p[n * C + c] = std::exp(row[c] - m));
      for (int64_t c = 0; c < C; ++c) p[n * C + c] /= sum_exp;
      const T log_sum_exp = m + std::log(sum_exp);
      total += static_cast<double>(log_sum_exp - row[targets[n]]);
    }
    if (reduction == Reduction::Mean) total /= static_cast<double>(N);
    output.data<T>()[0] = static_cast<T>(total);
  });

  // dL/dz[n, c] = g * (softmax(z_n)[c] - [c == c_n])   (÷ N for Mean)
  const double count = reduction == Reduction::Mean ? static_cast<double>(N) : 1.0;
  return make_result("cross_entropy", output, {logits}, [softmax, targets, C, count](const Tensor& grad_output) {
    const double g = grad_output.item();
    Tensor grad_input = softmax.clone();
    dispatch(grad_input.dtype(), [&](auto zero) {
      using T = decltype(zero);
      T* d = grad_input.data<T>();
      for (size_t n = 0; n < targets.size(); ++n) d[n * C + targets[n]] -= T(1);
      for (int64_t i = 0; i < grad_input.numel(); ++i) d[i] = d[i] * T(g) / T(count);
    });
    return Grads{grad_input};
  });
}

}  // namespace convgrad
