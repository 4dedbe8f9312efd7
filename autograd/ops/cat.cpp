// Concatenation along one dimension: cat({a, b}, 1) stacks b's channels after a's.
// In the U-Net, cat({skip, up}, 1) joins the encoder's pre-pool activation (first) with
// the up-convolution's output (second); docs/cat.md explains why.
#include "autograd/functions.h"
#include "tensor/index_kernels.h"

namespace convgrad {

namespace {
std::string shapes_str(const std::vector<Variable>& xs) {
  std::string out;
  for (size_t i = 0; i < xs.size(); ++i) out += (i ? ", " : "") + shape_str(xs[i].shape());
  return out;
}

// Checks the inputs and returns the output shape; `dim` must already be normalised.
Shape cat_shape(const std::vector<Variable>& xs, int64_t dim) {
  const Shape& first = xs[0].shape();
  Shape out = first;
  out[dim] = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const Shape& shape = xs[i].shape();
    CONVGRAD_CHECK(xs[i].dtype() == xs[0].dtype(), "cat: expected tensors of one dtype, but got ",
                   dtype_name(xs[0].dtype()), " (tensor 0) and ", dtype_name(xs[i].dtype()), " (tensor ", i, ")");
    bool match = shape.size() == first.size();
    for (size_t d = 0; match && d < shape.size(); ++d) match = static_cast<int64_t>(d) == dim || shape[d] == first[d];
    CONVGRAD_CHECK(match, "cat: expected tensors whose sizes match except in dimension ", dim, ", but got shapes ",
                   shapes_str(xs), " (tensor ", i, " is ", shape_str(shape), ")");
    out[dim] += shape[dim];
  }
  return out;
}
}  // namespace

Variable cat(const std::vector<Variable>& xs, int64_t dim) {
  CONVGRAD_CHECK(!xs.empty(), "cat: expected at least one tensor, but got none");
  CONVGRAD_CHECK(xs[0].dim() > 0, "cat: expected tensors of at least one dimension, but got shape ",
                 shape_str(xs[0].shape()));
  const int64_t d = normalize_dim(dim, xs[0].dim(), "cat");
  Tensor output = Tensor::empty(cat_shape(xs, d), xs[0].dtype());
  // Input i fills rows [offset_i, offset_i + size_i) of dimension d in every outer block.
  std::vector<int64_t> offsets, sizes;
  int64_t offset = 0;
  for (const Variable& x : xs) {
    const int64_t size = x.shape()[d];
    copy_rows(x.data(), 0, 1, output, offset, 1, size, d);
    offsets.push_back(offset);
    sizes.push_back(size);
    offset += size;
  }

  // dL/dx_i = g[.., offset_i : offset_i + size_i, ..]  (the slice of g that x_i filled)
  std::vector<bool> needs_grad;
  for (const Variable& x : xs) needs_grad.push_back(x.requires_grad());
  return make_result("cat", output, xs, [d, offsets, sizes, needs_grad](const Tensor& grad_output) {
    Grads grads(offsets.size());
    for (size_t i = 0; i < offsets.size(); ++i) {
      if (!needs_grad[i]) continue;
      Shape shape = grad_output.shape();
      shape[d] = sizes[i];
      grads[i] = Tensor::empty(shape, grad_output.dtype());
      copy_rows(grad_output, offsets[i], 1, grads[i], 0, 1, sizes[i], d);
    }
    return grads;
  });
}

}  // namespace convgrad
