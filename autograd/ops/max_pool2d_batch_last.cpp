// max_pool2d on batch-last images, x [C, H, W, N]: y = the max of each window, remembering
// which tap won (tensor/batch_last.h); the whole gradient goes to the winner, as in max_pool2d.
#include <memory>

#include "autograd/functions.h"
#include "autograd/kink.h"
#include "autograd/ops/batch_last_shape.h"
#include "tensor/batch_last.h"

namespace convgrad {

Variable max_pool2d_batch_last(const Variable& x, const MaxPool2dOptions& options) {
  const ConvGeometry g = max_pool2d_geometry(batch_last_image_shape(x, "max_pool2d_batch_last"), options.kernel_size,
                                             options.stride, options.padding, options.dilation, options.ceil_mode);
  const DType dtype = x.dtype();
  Tensor output = Tensor::empty({g.C, g.H_out, g.W_out, g.N}, dtype);
  Tensor window = Tensor::empty(output.shape(), dtype);  // the winning tap, in x's type
  dispatch(dtype, [&](auto zero) {
    using T = decltype(zero);
    max_pool2d_batch_last_forward<T>(x.data().data<T>(), g, output.data<T>(), window.data<T>());
    if (kink_recording()) {  // the winners are the discrete choice a perturbation may flip
      uint64_t hash = kFingerprintSeed;
      for (int64_t i = 0; i < window.numel(); ++i) hash = fingerprint_mix(hash, static_cast<uint64_t>(static_cast<int64_t>(window.data<T>()[i])));
      record_kink_state("max_pool2d_batch_last", hash);
    }
  });
  return make_result("max_pool2d_batch_last", output, {x}, [g, window](const Tensor& grad_output) {
    Tensor grad_input = Tensor::empty({g.C, g.H, g.W, g.N}, grad_output.dtype());
    dispatch(grad_output.dtype(), [&](auto zero) {
      using T = decltype(zero);
      max_pool2d_batch_last_backward<T>(grad_output.data<T>(), window.data<T>(), g, grad_input.data<T>());
    });
    return Grads{grad_input};
  });
}

}  // namespace convgrad
