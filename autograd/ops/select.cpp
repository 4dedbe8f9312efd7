// Selection: select(x, dim, i) is x[.., i, ..] with `dim` removed; slice(x, dim, start,
// end, step) is x[.., start:end:step, ..]. Both copy the chosen rows (see copy_rows in
// tensor/index_kernels.h); the backward scatters g into zeros of x's shape.
#include <algorithm>

#include "autograd/functions.h"
#include "tensor/index_kernels.h"

namespace convgrad {

Variable select(const Variable& x, int64_t dim, int64_t index) {
  CONVGRAD_CHECK(x.dim() > 0, "select: expected a tensor of at least one dimension, but got shape ",
                 shape_str(x.shape()));
  const int64_t d = normalize_dim(dim, x.dim(), "select");
  const int64_t size = x.shape()[d];
  CONVGRAD_CHECK(index >= -size && index < size, "select: expected an index in [", -size, ", ", size - 1,
                 "] for dimension ", dim, " of shape ", shape_str(x.shape()), ", but got ", index);
  const int64_t row = index < 0 ? index + size : index;
  Shape kept = x.shape();  // x's shape with size 1 at d
  kept[d] = 1;
  Tensor output = Tensor::empty(kept, x.dtype());
  copy_rows(x.data(), row, 1, output, 0, 1, 1, d);
  Shape shape = x.shape();
  shape.erase(shape.begin() + d);

  // dL/dx = zeros with dL/dx[.., row, ..] = g
  return make_result("select", output.reshape(shape), {x},
                     [input_shape = x.shape(), kept, d, row](const Tensor& grad_output) {
                       Tensor grad_input = Tensor::zeros(input_shape, grad_output.dtype());
                       copy_rows(grad_output.reshape(kept), 0, 1, grad_input, row, 1, 1, d);
                       return Grads{grad_input};
                     });
}

Variable slice(const Variable& x, int64_t dim, int64_t start, int64_t end, int64_t step) {
  CONVGRAD_CHECK(x.dim() > 0, "slice: expected a tensor of at least one dimension, but got shape ",
                 shape_str(x.shape()));
  const int64_t d = normalize_dim(dim, x.dim(), "slice");
  CONVGRAD_CHECK(step > 0, "slice: expected a positive step, but got ", step);
  // NOTE: Python-style bounds: negative start/end count from the end, then both are clamped
  // to [0, size]; an empty range (end <= start) gives a size-0 dimension, never an error.
  const int64_t size = x.shape()[d];
  const auto clamp_bound = [size](int64_t i) { return std::clamp<int64_t>(i < 0 ? i + size : i, 0, size); };
  const int64_t first = clamp_bound(start), last = clamp_bound(end);
  const int64_t count = last > first ? (last - first + step - 1) / step : 0;
  Shape shape = x.shape();
  shape[d] = count;
  Tensor output = Tensor::empty(shape, x.dtype());
  copy_rows(x.data(), first, step, output, 0, 1, count, d);

  // dL/dx = zeros with dL/dx[.., first + r * step, ..] = g[.., r, ..]
  return make_result("slice", output, {x}, [input_shape = x.shape(), d, first, step, count](const Tensor& grad_output) {
    Tensor grad_input = Tensor::zeros(input_shape, grad_output.dtype());
    copy_rows(grad_output, 0, 1, grad_input, first, step, count, d);
    return Grads{grad_input};
  });
}

}  // namespace convgrad
