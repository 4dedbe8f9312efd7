// The coursework's networks (Task 1), with PyTorch's parameter names so that state dicts
// load into PyTorch and back: autoencoder conv1, conv2, deconv; regressor head;
// U-Net conv1, conv2, up, conv3, conv4 and, for multi-task learning, head.
//
// Images are [N, 1, 10, 10] (the 100 features of a cell, reshaped row-major). Inside, the
// networks run on batch-last images [C, H, W, N] (the layers' forward_batch_last, with kernels
// that keep one pixel of 16 images in a vector: autograd/functions.h): the input is moved to
// that layout once and the outputs back, and a Trace's intermediates stay batch-last
// (from_batch_last turns one into [N, C, H, W]).
#pragma once

#include <memory>

#include "nn/nn.h"

namespace convgrad {

// The output_padding that makes a transposed convolution produce `target` from `in`:
//   target = (in - 1) s - 2 p + d (k - 1) + output_padding + 1
// Throws when no output_padding in [0, max(s, d)) works, saying what would.
int64_t output_padding_for(int64_t in, int64_t target, int64_t kernel, int64_t stride, int64_t padding,
                           int64_t dilation = 1);

// BSc 1.1. Encoder: Conv2d(1→8, k3, p1) + ReLU, MaxPool(2, 2), Conv2d(8→8, k3, p1) + ReLU.
// Decoder: ConvTranspose2d(8→1, k3, s2, p1, output_padding 1) + ReLU.
class Autoencoder : public Module {
 public:
  struct Trace {
    Variable input, conv1_relu, pool, z, xhat_batch_last;  // batch-last [C, H, W, N]
    Variable xhat;  // [N, 1, 10, 10]; left undefined by trace_batch_last
  };
  Autoencoder(DType dtype, Generator& gen);

  Variable encode(const Variable& x);  // z: [N, 8, 5, 5]
  Variable forward(const Variable& x) override { return trace(x).xhat; }
  Variable encode_batch_last(const Variable& x);  // [1, 10, 10, N] → z [8, 5, 5, N]
  Trace trace(const Variable& x);  // every intermediate, for tests and golden cases
  Trace trace_batch_last(const Variable& x);  // the same but xhat: nothing moved back to [N, ...]
  // MSE_reconstruct(forward(x), x), summed where the network computes: over the batch-last
  // reconstruction and input (a sum over every element does not depend on the layout), so the
  // reconstruction is never moved back to [N, 1, 10, 10], forward or backward.
  Variable reconstruction_loss(const Variable& x);
  std::string name() const override { return "Autoencoder"; }

 private:
  std::shared_ptr<Conv2d> conv1_, conv2_;
  std::shared_ptr<MaxPool2d> pool_;
  std::shared_ptr<ConvTranspose2d> deconv_;
};

// BSc 1.2: flatten(z) → Linear(200, 1), on an encoder that stays frozen. The encoder is
// used, not owned: the regressor's parameters (and state dict) are head.weight, head.bias.
class Regressor : public Module {
 public:
  Regressor(std::shared_ptr<Autoencoder> encoder, DType dtype, Generator& gen);
  Variable forward(const Variable& x) override;  // yhat: [N]
  Variable predict_from_latent(const Variable& z);  // [N, 8, 5, 5] or [N, 200] → [N]
  Variable predict_from_batch_last(const Variable& z);  // [8, 5, 5, N] or [200, N] → [N]
  std::string name() const override { return "Regressor"; }

 private:
  std::shared_ptr<Autoencoder> encoder_;
  std::shared_ptr<Linear> head_;
};

// MSc 1.1 / 1.2. Contracting path: Conv2d(1→8, k3, p1) + ReLU (the skip), MaxPool(2, 2),
// Conv2d(8→16, k3, p1) + ReLU (the bottleneck). Expanding path: ConvTranspose2d(16→8, k3,
// s2, p1, output_padding 1) + ReLU, cat([skip, up], dim 1), Conv2d(16→8, k3, p1) + ReLU,
// Conv2d(8→1, k1) → xhat (no activation). Multi-task: flatten(bottleneck) → Linear(400, 1).
class UNet : public Module {
 public:
  struct Trace {
    Variable input, conv1_relu, pool, bottleneck, up_relu, concat, conv3_relu, xhat_batch_last;  // batch-last
    Variable xhat;  // [N, 1, 10, 10]; left undefined by trace_batch_last
    Variable yhat;  // [N], multi-task only
  };
  UNet(bool multitask, DType dtype, Generator& gen);

  Variable forward(const Variable& x) override { return trace(x).xhat; }
  Trace trace(const Variable& x);  // yhat is set only for the multi-task network
  Trace trace_batch_last(const Variable& x);  // the same but xhat (as the autoencoder's)
  Variable reconstruction_loss(const Variable& x);  // as the autoencoder's
  bool multitask() const { return head_ != nullptr; }
  std::string name() const override { return multitask() ? "UNetMultitask" : "UNet"; }

 private:
  std::shared_ptr<Conv2d> conv1_, conv2_, conv3_, conv4_;
  std::shared_ptr<MaxPool2d> pool_;
  std::shared_ptr<ConvTranspose2d> up_;
  std::shared_ptr<Linear> head_;
};

}  // namespace convgrad
