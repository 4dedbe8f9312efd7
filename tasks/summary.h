// `convgrad summary autoencoder|regressor|unet|unet-multitask`: each layer of a coursework
// network with its output shape, the formula that gives it (numbers filled in), its
// parameter count, and the totals. For the transposed convolutions it shows how
// output_padding = 1 follows from the target size; for the U-Net's concat, that the skip
// and the up-convolution fit (and, if they did not, what would make them fit).
//
// The shapes are computed twice — by the formulas, and by running the real model
// (tasks/models.h) on a zero input — and must agree; summarize_model throws if not.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tensor/shape.h"

namespace convgrad {

enum class ModelKind { Autoencoder, Regressor, UNet, UNetMultitask };

// "autoencoder", "regressor", "unet", "unet-multitask"; anything else is an error listing them.
ModelKind parse_model_kind(const std::string& name);
const char* model_kind_name(ModelKind kind);

struct LayerSummary {
  std::string name;                   // the parameter prefix ("conv1") or what it is ("relu", "cat")
  std::string module;                 // PyTorch-style repr: "Conv2d(1, 8, kernel_size=(3, 3), ...)"
  Shape output;                       // per sample, [C, H, W] or [features]; from the formulas
  Shape forward_output;               // the same, from the zero-input forward pass
  std::vector<std::string> formulas;  // "H_out = W_out = floor((10 + 2·1 − 1·(3−1) − 1)/1) + 1 = 10"
  int64_t params = 0;
  std::string params_formula;         // "8·1·3·3 + 8 = 80"
  bool trainable = true;              // false for the regressor's frozen encoder
};

struct ModelSummary {
  std::string title;
  Shape input;                        // [1, 10, 10]
  std::vector<LayerSummary> layers;
  int64_t total_params = 0;
  int64_t trainable_params = 0;
};

// The layers of `kind` with both shape computations (they must agree).
ModelSummary summarize_model(ModelKind kind);

// The table `convgrad summary` prints.
std::string format_summary(const ModelSummary& summary);

// The encoder part (up to the latent representation) as text lines: how Task 1.2's
// latent shape follows, layer by layer. Autoencoder → [8, 5, 5]; U-Net → [16, 5, 5].
std::vector<std::string> latent_shape_reasoning(ModelKind kind);
Shape latent_shape(ModelKind kind);

// Whether a U-Net skip [C_s, H_s, W_s] and the up-convolution's output fit for cat along
// dim 1, for an up-convolution (kernel, stride, padding, output_padding, dilation) applied
// to `up_in` (H = W). When they do not, says which output_padding (or else padding) would
// make them fit.
std::string concat_fit_note(const Shape& skip, int64_t up_channels, int64_t up_in, int64_t kernel, int64_t stride,
                            int64_t padding, int64_t output_padding, int64_t dilation = 1);

// The numbers-filled formulas (one dimension), as used in the table.
std::string conv_size_formula(int64_t in, int64_t kernel, int64_t stride, int64_t padding, int64_t dilation);
std::string conv_transpose_size_formula(int64_t in, int64_t kernel, int64_t stride, int64_t padding,
                                        int64_t output_padding, int64_t dilation);

}  // namespace convgrad
