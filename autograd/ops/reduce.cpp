// Reductions: sum and mean over all dimensions or over chosen ones, with keepdim.
// The backward broadcasts the upstream gradient back over the reduced dimensions.
#include "autograd/functions.h"
#include "tensor/elementwise.h"
#include "tensor/index_kernels.h"
#include "tensor/reduce.h"

namespace convgrad {

namespace {
// g has the reduced shape; reshape it to the keepdim shape (size 1 where reduced), then
// repeat it along those dimensions up to the input's shape.
Tensor expand_reduced(const Tensor& grad_output, const Shape& input_shape, const std::vector<int64_t>& dims) {
  return broadcast_to(grad_output.reshape(reduced_shape(input_shape, dims, /*keepdim=*/true)), input_shape);
}

// How many input elements each output element of the reduction summed.
int64_t reduced_count(const Shape& shape, const std::vector<int64_t>& dims) {
  int64_t count = 1;
  for (int64_t d : dims)
    if (d < static_cast<int64_t>(shape.size())) count *= shape[d];
  return count;
}
}  // namespace

Variable sum(const Variable& x, const std::vector<int64_t>& dims, bool keepdim) {
  const auto norm = normalize_dims(dims, x.dim(), "sum");
  Tensor output = sum(x.data(), norm, keepdim);

  // dL/dx[i] = g[reduced index of i]
  return make_result("sum", output, {x}, [shape = x.shape(), norm](const Tensor& grad_output) {
    return Grads{expand_reduced(grad_output, shape, norm)};
  });
}

Variable mean(const Variable& x, const std::vector<int64_t>& dims, bool keepdim) {
  const auto norm = normalize_dims(dims, x.dim(), "mean");
  Tensor output = mean(x.data(), norm, keepdim);

  // dL/dx[i] = g[reduced index of i] / count
  const int64_t count = reduced_count(x.shape(), norm);
  return make_result("mean", output, {x}, [shape = x.shape(), norm, count](const Tensor& grad_output) {
    Tensor grad_input = expand_reduced(grad_output, shape, norm);
    return Grads{map_unary(grad_input, [count](auto g) { return g / static_cast<decltype(g)>(count); })};
  });
}

}  // namespace convgrad
