#include "tasks/models.h"

#include <algorithm>

namespace convgrad {

namespace {
constexpr int64_t kImage = 10;   // 100 features → 10 × 10
constexpr int64_t kLatent = 5;   // after MaxPool(2, 2)
// "Conv + ReLU" as one op: the layer applies the ReLU as it stores its output (conv2d_batch_last).
constexpr Activation kReLU = Activation::relu;

// A batch-last trace with its reconstruction moved back to [N, 1, 10, 10] (either network's).
template <typename Trace>
Trace with_xhat(Trace t) {
  t.xhat = from_batch_last(t.xhat_batch_last);
  return t;
}
// MSE_reconstruct of a batch-last trace: its reconstruction against its input, both batch-last.
template <typename Trace>
Variable reconstruction_loss_of(const Trace& t) {
  return mse_reconstruct_batch_last(t.xhat_batch_last, t.input);
}
}  // namespace

int64_t output_padding_for(int64_t in, int64_t target, int64_t kernel, int64_t stride, int64_t padding,
                           int64_t dilation) {
  const int64_t without = (in - 1) * stride - 2 * padding + dilation * (kernel - 1) + 1;
  const int64_t needed = target - without;
  CONVGRAD_CHECK(needed >= 0 && needed < std::max(stride, dilation), "output_padding: expected a value in [0, ",
                 std::max(stride, dilation), ") to turn ", in, " into ", target, " (k ", kernel, ", s ", stride,
                 ", p ", padding, ", d ", dilation, " give ", without, " without it), but ", needed,
                 " would be needed; change the padding or stride instead");
  return needed;
}

Autoencoder::Autoencoder(DType dtype, Generator& gen) {
  conv1_ = register_module("conv1", std::make_shared<Conv2d>(1, 8, 3, 1, 1, 1, true, dtype, gen));
  pool_ = register_module("pool", std::make_shared<MaxPool2d>(2, 2));
  conv2_ = register_module("conv2", std::make_shared<Conv2d>(8, 8, 3, 1, 1, 1, true, dtype, gen));
  const int64_t op = output_padding_for(kLatent, kImage, 3, 2, 1);  // = 1
  deconv_ = register_module("deconv", std::make_shared<ConvTranspose2d>(8, 1, 3, 2, 1, op, 1, true, dtype, gen));
}

Autoencoder::Trace Autoencoder::trace_batch_last(const Variable& x) {
  Trace t;
  t.input = to_batch_last(x);
  t.conv1_relu = conv1_->forward_batch_last(t.input, kReLU);
  t.pool = pool_->forward_batch_last(t.conv1_relu);
  t.z = conv2_->forward_batch_last(t.pool, kReLU);
  t.xhat_batch_last = deconv_->forward_batch_last(t.z, kReLU);
  return t;
}

Autoencoder::Trace Autoencoder::trace(const Variable& x) { return with_xhat(trace_batch_last(x)); }
Variable Autoencoder::reconstruction_loss(const Variable& x) { return reconstruction_loss_of(trace_batch_last(x)); }

Variable Autoencoder::encode_batch_last(const Variable& x) {
  return conv2_->forward_batch_last(pool_->forward_batch_last(conv1_->forward_batch_last(x, kReLU)), kReLU);
}
Variable Autoencoder::encode(const Variable& x) { return from_batch_last(encode_batch_last(to_batch_last(x))); }

Regressor::Regressor(std::shared_ptr<Autoencoder> encoder, DType dtype, Generator& gen) : encoder_(std::move(encoder)) {
  head_ = register_module("head", std::make_shared<Linear>(8 * kLatent * kLatent, 1, true, dtype, gen));
}

// flatten(z) of [N, 8, 5, 5] lists the features c·25 + h·5 + w: the rows of z [8, 5, 5, N] as [200, N].
Variable Regressor::predict_from_batch_last(const Variable& z) {
  const int64_t N = z.size(z.dim() - 1);
  return reshape(head_->forward_batch_last(reshape(z, {head_->in_features(), N})), {N});
}
Variable Regressor::predict_from_latent(const Variable& z) { return predict_from_batch_last(to_batch_last(flatten(z))); }

Variable Regressor::forward(const Variable& x) {
  return predict_from_batch_last(encoder_->encode_batch_last(to_batch_last(x)));
}

UNet::UNet(bool multitask, DType dtype, Generator& gen) {
  conv1_ = register_module("conv1", std::make_shared<Conv2d>(1, 8, 3, 1, 1, 1, true, dtype, gen));
  pool_ = register_module("pool", std::make_shared<MaxPool2d>(2, 2));
  conv2_ = register_module("conv2", std::make_shared<Conv2d>(8, 16, 3, 1, 1, 1, true, dtype, gen));
  const int64_t op = output_padding_for(kLatent, kImage, 3, 2, 1);  // = 1
  up_ = register_module("up", std::make_shared<ConvTranspose2d>(16, 8, 3, 2, 1, op, 1, true, dtype, gen));
  conv3_ = register_module("conv3", std::make_shared<Conv2d>(16, 8, 3, 1, 1, 1, true, dtype, gen));
  conv4_ = register_module("conv4", std::make_shared<Conv2d>(8, 1, 1, 1, 0, 1, true, dtype, gen));
  if (multitask) head_ = register_module("head", std::make_shared<Linear>(16 * kLatent * kLatent, 1, true, dtype, gen));
}

UNet::Trace UNet::trace_batch_last(const Variable& x) {
  Trace t;
  t.input = to_batch_last(x);
  t.conv1_relu = conv1_->forward_batch_last(t.input, kReLU);
  t.pool = pool_->forward_batch_last(t.conv1_relu);
  t.bottleneck = conv2_->forward_batch_last(t.pool, kReLU);
  t.up_relu = up_->forward_batch_last(t.bottleneck, kReLU);
  t.concat = cat({t.conv1_relu, t.up_relu}, 0);  // channels; skip first, as in the U-Net paper's figure
  t.conv3_relu = conv3_->forward_batch_last(t.concat, kReLU);
  t.xhat_batch_last = conv4_->forward_batch_last(t.conv3_relu);
  if (head_) {  // flatten(bottleneck): the rows of [16, 5, 5, N] as [400, N]
    const int64_t N = t.bottleneck.size(3);
    t.yhat = reshape(head_->forward_batch_last(reshape(t.bottleneck, {head_->in_features(), N})), {N});
  }
  return t;
}

UNet::Trace UNet::trace(const Variable& x) { return with_xhat(trace_batch_last(x)); }
Variable UNet::reconstruction_loss(const Variable& x) { return reconstruction_loss_of(trace_batch_last(x)); }

}  // namespace convgrad
