// max_pool2d: y[n, c, i, j] = max over the window of x[n, c], remembering where (the argmax).
// The kernels (window walk, scatter) are in tensor/conv_kernels.cpp.
#include <memory>

#include "autograd/functions.h"
#include "autograd/kink.h"
#include "autograd/ops/unbatched.h"
#include "tensor/block_cache.h"
#include "tensor/conv_kernels.h"

namespace convgrad {

namespace {
using IndexVector = std::vector<int64_t, BlockAllocator<int64_t>>;
using Indices = std::shared_ptr<const IndexVector>;

// The op itself; `argmax` receives the indices (shared with the backward, not copied).
Variable max_pool2d_impl(const Variable& x, const MaxPool2dOptions& options, Indices& argmax) {
  const ConvGeometry g = max_pool2d_geometry(x.shape(), options.kernel_size, options.stride, options.padding,
                                             options.dilation, options.ceil_mode);
  const DType dtype = x.dtype();
  Tensor output = Tensor::empty({g.N, g.C, g.H_out, g.W_out}, dtype);
  auto indices = std::make_shared<IndexVector>(static_cast<size_t>(output.numel()));
  dispatch(dtype, [&](auto zero) {
    using T = decltype(zero);
    max_pool2d_forward<T>(x.data().data<T>(), g, output.data<T>(), indices->data());
  });
  if (kink_recording()) {  // the argmax is the discrete choice a perturbation may flip
    uint64_t hash = kFingerprintSeed;
    for (int64_t index : *indices) hash = fingerprint_mix(hash, static_cast<uint64_t>(index));
    record_kink_state("max_pool2d", hash);
  }

  // dL/dx[n, c, p] = sum over the windows whose argmax is p of dL/dy
  // NOTE: the whole gradient goes to the single argmax (the first maximum on ties), as in PyTorch.
  Variable result = make_result("max_pool2d", output, {x}, [g, indices](const Tensor& grad_output) {
    Tensor grad_input = Tensor::empty({g.N, g.C, g.H, g.W}, grad_output.dtype());
    dispatch(grad_output.dtype(), [&](auto zero) {
      using T = decltype(zero);
      max_pool2d_backward<T>(grad_output.data<T>(), indices->data(), g, grad_input.data<T>());
    });
    return Grads{grad_input};
  });
  argmax = indices;
  return result;
}
}  // namespace

Variable max_pool2d(const Variable& x, const MaxPool2dOptions& options) {
  if (is_unbatched_image(x, "max_pool2d", "C, H, W")) {
    return as_batch_of_one(x, [&](const Variable& batch) { return max_pool2d(batch, options); });
  }
  Indices argmax;
  return max_pool2d_impl(x, options, argmax);
}

MaxPool2dResult max_pool2d_with_indices(const Variable& x, const MaxPool2dOptions& options) {
  if (is_unbatched_image(x, "max_pool2d", "C, H, W")) {  // (the indices are per plane: unchanged)
    std::vector<int64_t> indices;
    const Variable output = as_batch_of_one(x, [&](const Variable& batch) {
      MaxPool2dResult r = max_pool2d_with_indices(batch, options);
      indices = std::move(r.indices);
      return r.output;
    });
    return MaxPool2dResult{output, std::move(indices)};
  }
  Indices argmax;
  Variable output = max_pool2d_impl(x, options, argmax);
  return MaxPool2dResult{output, std::vector<int64_t>(argmax->begin(), argmax->end())};
}

}  // namespace convgrad
