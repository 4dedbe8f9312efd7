#include "tensor/elementwise.h"

#include <cmath>

#include "tensor/reduce.h"

namespace convgrad {

namespace detail {
std::vector<int64_t> broadcast_strides(const Shape& shape, const Shape& out_shape) {
  const size_t rank = out_shape.size(), offset = rank - shape.size();
  const auto own = contiguous_strides(shape);
  std::vector<int64_t> strides(rank, 0);
  for (size_t d = 0; d < shape.size(); ++d)
    strides[offset + d] = shape[d] == 1 ? 0 : own[d];
  return strides;
}
}  // namespace detail

Tensor sum_to_shape(const Tensor& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  CONVGRAD_CHECK(broadcast_shapes(shape, x.shape(), "sum_to_shape") == x.shape(),
                 "sum_to_shape: expected ", shape_str(shape), " to broadcast to ",
                 shape_str(x.shape()), ", but it does not");
  // Sum over the leading extra dimensions and over every dimension where shape has 1.
  const size_t offset = x.shape().size() - shape.size();
  std::vector<int64_t> dims;
  for (size_t d = 0; d < x.shape().size(); ++d)
    if (d < offset || (shape[d - offset] == 1 && x.shape()[d] != 1)) dims.push_back(static_cast<int64_t>(d));
  return sum(x, dims, /*keepdim=*/false).reshape(shape);
}

Tensor add(const Tensor& a, const Tensor& b) {
  return map_binary(a, b, "add", [](auto p, auto q) { return p + q; });
}
Tensor sub(const Tensor& a, const Tensor& b) {
  return map_binary(a, b, "sub", [](auto p, auto q) { return p - q; });
}
Tensor mul(const Tensor& a, const Tensor& b) {
  return map_binary(a, b, "mul", [](auto p, auto q) { return p * q; });
}
Tensor div(const Tensor& a, const Tensor& b) {
  return map_binary(a, b, "div", [](auto p, auto q) { return p / q; });
}
Tensor scale(const Tensor& x, double factor) {
  return map_unary(x, [factor](auto v) { return v * static_cast<decltype(v)>(factor); });
}

void add_inplace(Tensor& acc, const Tensor& x) {
  check_same_shape(acc, x, "add_inplace");
  check_same_dtype(acc, x, "add_inplace");
  dispatch(acc.dtype(), [&](auto zero) {
    using T = decltype(zero);
    T* a = acc.data<T>();
    const T* b = x.data<T>();
    for (int64_t i = 0; i < acc.numel(); ++i) a[i] += b[i];
  });
}

double max_abs_diff(const Tensor& a, const Tensor& b) {
  check_same_shape(a, b, "max_abs_diff");
  const auto va = a.to_vector(), vb = b.to_vector();
  double worst = 0.0;
  for (size_t i = 0; i < va.size(); ++i) {
    const double d = std::fabs(va[i] - vb[i]);
    if (!(d <= worst)) worst = d;  // NaN propagates as the worst
  }
  return worst;
}

bool all_finite(const Tensor& x) {
  return dispatch(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* p = x.data<T>();
    for (int64_t i = 0; i < x.numel(); ++i)
      if (!std::isfinite(p[i])) return false;
    return true;
  });
}

}  // namespace convgrad
