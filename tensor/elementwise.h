// Elementwise kernels with NumPy broadcasting. The operation is a small lambda that the
// compiler inlines into the loop (no per-element virtual call):
//
//   Tensor y = map_unary(x, [](auto v) { return v > 0 ? v : decltype(v)(0); });
//   Tensor z = map_binary(a, b, "add", [](auto p, auto q) { return p + q; });
//
// Broadcasting aligns shapes from the right; a size-1 (or missing) dimension is repeated.
// The backward of a broadcast is a sum over the repeated dimensions: sum_to_shape.
#pragma once

#include <vector>

#include "tensor/tensor.h"

namespace convgrad {

// out[i] = op(x[i])
template <typename Op>
Tensor map_unary(const Tensor& x, Op op) {
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  dispatch(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* in = x.data<T>();
    T* o = out.data<T>();
    const int64_t n = x.numel();
    for (int64_t i = 0; i < n; ++i) o[i] = static_cast<T>(op(in[i]));
  });
  return out;
}

namespace detail {
// Strides of `shape` seen from a broadcast result of rank `rank`: 0 where broadcast.
std::vector<int64_t> broadcast_strides(const Shape& shape, const Shape& out_shape);
}  // namespace detail

// out = op(a, b) with broadcasting; a and b must share a dtype.
template <typename Op>
Tensor map_binary(const Tensor& a, const Tensor& b, const char* name, Op op) {
  check_same_dtype(a, b, name);
  const Shape out_shape = broadcast_shapes(a.shape(), b.shape(), name);
  Tensor out = Tensor::empty(out_shape, a.dtype());
  dispatch(a.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    T* o = out.data<T>();
    const int64_t n = out.numel();
    if (a.shape() == b.shape()) {  // the common case: no broadcasting
      for (int64_t i = 0; i < n; ++i) o[i] = static_cast<T>(op(pa[i], pb[i]));
      return;
    }
    if (b.numel() == 1) {  // a scalar on the right: a already has the result's size
      const T vb = pb[0];
      for (int64_t i = 0; i < n; ++i) o[i] = static_cast<T>(op(pa[i], vb));
      return;
    }
    // General case: walk the result with an odometer over its index.
    const auto sa = detail::broadcast_strides(a.shape(), out_shape);
    const auto sb = detail::broadcast_strides(b.shape(), out_shape);
    const int64_t rank = static_cast<int64_t>(out_shape.size());
    std::vector<int64_t> index(rank, 0);
    int64_t ia = 0, ib = 0;
    for (int64_t i = 0; i < n; ++i) {
      o[i] = static_cast<T>(op(pa[ia], pb[ib]));
      for (int64_t d = rank - 1; d >= 0; --d) {  // advance the odometer
        ia += sa[d];
        ib += sb[d];
        if (++index[d] < out_shape[d]) break;
        ia -= sa[d] * out_shape[d];
        ib -= sb[d] * out_shape[d];
        index[d] = 0;
      }
    }
  });
  return out;
}

// Sums `x` down to `shape` (the inverse of broadcasting `shape` up to x's shape).
Tensor sum_to_shape(const Tensor& x, const Shape& shape);

// Common elementwise helpers built on map_unary / map_binary.
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor scale(const Tensor& x, double factor);  // x * factor
void add_inplace(Tensor& acc, const Tensor& x);  // acc += x (same shape and dtype)

// Largest |a - b| over all elements (same shape); for tests and checks.
double max_abs_diff(const Tensor& a, const Tensor& b);
// True when every element is finite.
bool all_finite(const Tensor& x);

}  // namespace convgrad
