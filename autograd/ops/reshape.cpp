// Reshape and flatten: new shapes over the same storage (views, no copy).
#include "autograd/functions.h"

namespace convgrad {

Variable reshape(const Variable& x, const Shape& shape) {
  Tensor output = x.data().reshape(shape);  // checks the element count, resolves one -1

  // dL/dx = g reshaped to x's shape
  return make_result("reshape", output, {x}, [input_shape = x.shape()](const Tensor& grad_output) {
    return Grads{grad_output.reshape(input_shape)};
  });
}

Variable flatten(const Variable& x, int64_t start_dim, int64_t end_dim) {
  if (x.dim() == 0) return reshape(x, {1});  // as in PyTorch: a scalar flattens to [1]
  const int64_t start = normalize_dim(start_dim, x.dim(), "flatten");
  const int64_t end = normalize_dim(end_dim, x.dim(), "flatten");
  CONVGRAD_CHECK(start <= end, "flatten: expected start_dim <= end_dim, but got start_dim ", start_dim,
                 " and end_dim ", end_dim, " for shape ", shape_str(x.shape()));
  // [d0, .., d_start, .., d_end, ..] -> [d0, .., d_start * .. * d_end, ..]
  Shape shape(x.shape().begin(), x.shape().begin() + start);
  int64_t merged = 1;
  for (int64_t d = start; d <= end; ++d) merged *= x.shape()[d];
  shape.push_back(merged);
  shape.insert(shape.end(), x.shape().begin() + end + 1, x.shape().end());
  return reshape(x, shape);
}

}  // namespace convgrad
