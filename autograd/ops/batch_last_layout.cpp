// to_batch_last / from_batch_last: the same values with the batch axis moved to the end, or
// back (see functions.h). With M values per image, x is a matrix [N, M] and the result its
// transpose [M, N]; the backward of each is the other.
#include "autograd/functions.h"
#include "tensor/blas.h"

namespace convgrad {

namespace {
// x as a [rows, cols] matrix, transposed, in `shape`.
Tensor transposed(const Tensor& x, int64_t rows, int64_t cols, const Shape& shape) {
  if (rows == 0 || cols == 0) return Tensor::empty(shape, x.dtype());
  return transpose2d(x.reshape({rows, cols})).reshape(shape);
}
int64_t product(Shape::const_iterator first, Shape::const_iterator last) {
  int64_t p = 1;
  for (; first != last; ++first) p *= *first;
  return p;
}
}  // namespace

Variable to_batch_last(const Variable& x) {
  CONVGRAD_CHECK(x.dim() >= 1, "to_batch_last: expected a tensor with a batch axis, but got a scalar");
  const Shape from = x.shape();
  const int64_t N = from[0], M = product(from.begin() + 1, from.end());
  Shape to(from.begin() + 1, from.end());
  to.push_back(N);
  return make_result("to_batch_last", transposed(x.data(), N, M, to), {x}, [from, N, M](const Tensor& grad_output) {
    return Grads{transposed(grad_output, M, N, from)};
  });
}

Variable from_batch_last(const Variable& x) {
  CONVGRAD_CHECK(x.dim() >= 1, "from_batch_last: expected a tensor with a batch axis, but got a scalar");
  const Shape from = x.shape();
  const int64_t N = from.back(), M = product(from.begin(), from.end() - 1);
  Shape to{N};
  to.insert(to.end(), from.begin(), from.end() - 1);
  return make_result("from_batch_last", transposed(x.data(), M, N, to), {x}, [from, N, M](const Tensor& grad_output) {
    return Grads{transposed(grad_output, N, M, from)};
  });
}

}  // namespace convgrad
