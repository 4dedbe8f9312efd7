#include "tensor/reduce.h"

#include <algorithm>

namespace convgrad {

std::vector<int64_t> normalize_dims(const std::vector<int64_t>& dims, int64_t rank, const char* op) {
  std::vector<int64_t> out;
  if (dims.empty()) {
    for (int64_t d = 0; d < rank; ++d) out.push_back(d);
    return out;
  }
  for (int64_t d : dims) out.push_back(normalize_dim(d, rank, op));
  std::sort(out.begin(), out.end());
  CONVGRAD_CHECK(std::adjacent_find(out.begin(), out.end()) == out.end(), op,
                 ": expected each dimension at most once, but got a repeated one");
  return out;
}

Shape reduced_shape(const Shape& shape, const std::vector<int64_t>& dims, bool keepdim) {
  const auto norm = normalize_dims(dims, static_cast<int64_t>(shape.size()), "reduce");
  Shape out;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    const bool reduced = std::binary_search(norm.begin(), norm.end(), d);
    if (!reduced) out.push_back(shape[d]);
    else if (keepdim) out.push_back(1);
  }
  return out;
}

namespace {
// x[0] + … + x[n − 1] as 8 interleaved partial sums (lane k takes x[k], x[k + 8], …), added
// pairwise at the end. One running sum makes every addition wait for the one before (a
// loss's per-sample sum of 100 values: 2.5% of a U-Net epoch); 8 independent ones are one
// vector addition per 8 values. A fixed order: the same result on every run.
template <typename T>
T sum_run(const T* x, int64_t n) {
  T part[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k) part[k] += x[i + k];
  for (int k = 0; i < n; ++i, ++k) part[k] += x[i];
  return ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
}
}  // namespace

Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  const auto norm = normalize_dims(dims, x.dim(), "sum");
  const Shape out_shape = reduced_shape(x.shape(), norm, keepdim);
  Tensor out = Tensor::zeros(out_shape, x.dtype());
  // Each input element adds into the output element with the reduced coordinates dropped.
  // out_stride[d] is that element's stride for kept dims and 0 for reduced ones.
  const Shape kept = reduced_shape(x.shape(), norm, /*keepdim=*/true);
  const auto kept_strides = contiguous_strides(kept);
  std::vector<int64_t> out_stride(x.dim());
  for (int64_t d = 0; d < x.dim(); ++d)
    out_stride[d] = std::binary_search(norm.begin(), norm.end(), d) ? 0 : kept_strides[d];
  dispatch(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* in = x.data<T>();
    T* o = out.data<T>();
    if (static_cast<int64_t>(norm.size()) == x.dim()) {  // full reduction
      double total = 0.0;  // accumulate in double for float32 accuracy
      for (int64_t i = 0; i < x.numel(); ++i) total += in[i];
      o[0] = static_cast<T>(total);
      return;
    }
    // Reduced dims side by side (a loss's sum over each sample, a bias's sum over the batch):
    // x is [outer, reduced, inner], out [outer, inner]. With inner = 1 each output is one run
    // of values (sum_run); else each output element takes its inputs one after another in
    // memory order — the odometer's sums, without its index steps.
    if (norm.back() - norm.front() + 1 == static_cast<int64_t>(norm.size())) {
      int64_t outer = 1, reduced = 1, inner = 1;
      for (int64_t d = 0; d < x.dim(); ++d)
        (d < norm.front() ? outer : d <= norm.back() ? reduced : inner) *= x.shape()[d];
      for (int64_t a = 0; a < outer; ++a) {
        T* dst = o + a * inner;
        if (inner == 1) {  // one run of `reduced` values per output
          dst[0] = sum_run(in + a * reduced, reduced);
          continue;
        }
        for (int64_t r = 0; r < reduced; ++r) {
          const T* src = in + (a * reduced + r) * inner;
          for (int64_t j = 0; j < inner; ++j) dst[j] += src[j];
        }
      }
      return;
    }
    std::vector<int64_t> index(x.dim(), 0);
    int64_t io = 0;
    for (int64_t i = 0; i < x.numel(); ++i) {
      o[io] += in[i];
      for (int64_t d = x.dim() - 1; d >= 0; --d) {
        io += out_stride[d];
        if (++index[d] < x.shape()[d]) break;
        io -= out_stride[d] * x.shape()[d];
        index[d] = 0;
      }
    }
  });
  return out;
}

Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  const auto norm = normalize_dims(dims, x.dim(), "mean");
  int64_t count = 1;
  for (int64_t d : norm)
    if (d < x.dim()) count *= x.shape()[d];  // a scalar's "dim 0" reduces nothing
  Tensor total = sum(x, norm, keepdim);
  dispatch(total.dtype(), [&](auto zero) {
    using T = decltype(zero);
    T* p = total.data<T>();
    for (int64_t i = 0; i < total.numel(); ++i) p[i] /= static_cast<T>(count);
  });
  return total;
}

}  // namespace convgrad
