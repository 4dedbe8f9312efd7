// Every differentiable op, one declaration each. Each is implemented in its own file
// autograd/ops/<name>.cpp with the forward and, a few lines below, the backward.
// Shapes follow PyTorch: images are [N, C, H, W]; weights use PyTorch's layouts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "autograd/variable.h"
#include "tensor/activation.h"
#include "tensor/conv_kernels.h"  // Pair

namespace convgrad {

// ---- arithmetic with NumPy broadcasting (ops/arithmetic.cpp) ----
Variable add(const Variable& a, const Variable& b);
Variable sub(const Variable& a, const Variable& b);
Variable mul(const Variable& a, const Variable& b);
Variable div(const Variable& a, const Variable& b);
Variable neg(const Variable& x);

// A constant of x's dtype, broadcastable against anything (for `x * 2.0` and friends).
inline Variable constant_like(const Variable& x, double value) {
  return Variable(Tensor::scalar(value, x.dtype()));
}
inline Variable operator+(const Variable& a, const Variable& b) { return add(a, b); }
inline Variable operator-(const Variable& a, const Variable& b) { return sub(a, b); }
inline Variable operator*(const Variable& a, const Variable& b) { return mul(a, b); }
inline Variable operator/(const Variable& a, const Variable& b) { return div(a, b); }
inline Variable operator-(const Variable& x) { return neg(x); }
inline Variable operator+(const Variable& a, double b) { return add(a, constant_like(a, b)); }
inline Variable operator-(const Variable& a, double b) { return sub(a, constant_like(a, b)); }
inline Variable operator*(const Variable& a, double b) { return mul(a, constant_like(a, b)); }
inline Variable operator/(const Variable& a, double b) { return div(a, constant_like(a, b)); }
inline Variable operator*(double a, const Variable& b) { return mul(constant_like(b, a), b); }

// ---- pointwise math (ops/pointwise.cpp) ----
Variable pow(const Variable& x, double exponent);  // x^p, dL/dx = g * p * x^(p-1)
Variable square(const Variable& x);
Variable exp(const Variable& x);
Variable log(const Variable& x);
Variable sqrt(const Variable& x);

// ---- activations (ops/relu.cpp, ops/sigmoid.cpp, ops/tanh.cpp) ----
Variable relu(const Variable& x);  // NOTE: dL/dx = 0 at x == 0, as in PyTorch
Variable sigmoid(const Variable& x);
Variable tanh(const Variable& x);

// ---- reductions (ops/reduce.cpp) ----
Variable sum(const Variable& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
Variable mean(const Variable& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);

// ---- shape and selection (ops/reshape.cpp, ops/cat.cpp, ops/select.cpp) ----
Variable reshape(const Variable& x, const Shape& shape);  // a view; one size may be -1
Variable flatten(const Variable& x, int64_t start_dim = 1, int64_t end_dim = -1);
Variable cat(const std::vector<Variable>& xs, int64_t dim);
Variable select(const Variable& x, int64_t dim, int64_t index);  // removes `dim`, like x[:, i]
Variable slice(const Variable& x, int64_t dim, int64_t start, int64_t end, int64_t step = 1);

// ---- padding (ops/pad2d.cpp) ----
// PyTorch's F.pad(x, (left, right, top, bottom), mode) on the last two dimensions, and what
// Conv2d(padding_mode=...) applies before its convolution.
enum class PadMode { Constant, Reflect, Replicate, Circular };  // Constant pads with zeros
PadMode pad_mode_from_name(const std::string& name);  // "constant" (or "zeros"), "reflect", ...
const char* pad_mode_name(PadMode mode);               // "constant", "reflect", ...
struct Pad2d {
  int64_t left = 0, right = 0, top = 0, bottom = 0;
};
Variable pad2d(const Variable& x, const Pad2d& pad, PadMode mode);

// ---- linear algebra (ops/matmul.cpp, ops/linear.cpp) ----
Variable matmul(const Variable& a, const Variable& b);  // [.., M, K] @ [K, N]
// y = x W^T + b; x [N, in], weight [out, in], bias [out] or undefined.
Variable linear(const Variable& x, const Variable& weight, const Variable& bias = Variable());

// ---- convolution and pooling (ops/conv2d.cpp, ops/conv_transpose2d.cpp, ops/max_pool2d.cpp) ----
// Pair (tensor/conv_kernels.h) is a (height, width) argument.

struct Conv2dOptions {
  Pair stride{1, 1};
  Pair padding{0, 0};
  Pair dilation{1, 1};
  int64_t groups = 1;  // > 1: channels in independent blocks (ops/conv_groups.h)
};
// x [N, C_in, H, W] (or one unbatched image [C_in, H, W], as in PyTorch), weight
// [C_out, C_in/groups, K_h, K_w], bias [C_out] or undefined.
// H_out = floor((H + 2 p - d (K - 1) - 1) / s) + 1
Variable conv2d(const Variable& x, const Variable& weight, const Variable& bias,
                const Conv2dOptions& options = {});

struct ConvTranspose2dOptions {
  Pair stride{1, 1};
  Pair padding{0, 0};
  Pair output_padding{0, 0};  // must be < stride or < dilation
  Pair dilation{1, 1};
  int64_t groups = 1;  // > 1: channels in independent blocks (ops/conv_groups.h)
};
// x [N, C_in, H, W] (or [C_in, H, W]), weight [C_in, C_out/groups, K_h, K_w], bias [C_out] or undefined.
// H_out = (H - 1) s - 2 p + d (K - 1) + output_padding + 1
Variable conv_transpose2d(const Variable& x, const Variable& weight, const Variable& bias,
                          const ConvTranspose2dOptions& options = {});

struct MaxPool2dOptions {
  Pair kernel_size{2, 2};
  Pair stride{0, 0};  // 0 means "= kernel_size", PyTorch's default
  Pair padding{0, 0};
  Pair dilation{1, 1};
  bool ceil_mode = false;
};
// x [N, C, H, W] or [C, H, W]. NOTE: ties go to the first maximum in row-major window order;
// padding acts as -inf.
Variable max_pool2d(const Variable& x, const MaxPool2dOptions& options);
// The same, also returning each output's argmax as a flat index h * W + w in its plane.
struct MaxPool2dResult {
  Variable output;
  std::vector<int64_t> indices;
};
MaxPool2dResult max_pool2d_with_indices(const Variable& x, const MaxPool2dOptions& options);

// ---- the batch as the last axis (ops/batch_last_layout.cpp, ops/*_batch_last.cpp) ----
// The same convolutions and pooling on images stored [C, H, W, N] instead of [N, C, H, W]: a
// vector register then holds one pixel of 16 images, and the kernels (tensor/batch_last.h)
// waste no lanes on padding or on images narrower than a vector. The coursework's networks
// run this way (tasks/models.cpp): their input is moved once, with to_batch_last, and their
// outputs back. Weights, biases and options are PyTorch's, as in the ops above (groups 1 only).
Variable to_batch_last(const Variable& x);    // [N, d1, ..., dk] -> [d1, ..., dk, N]
Variable from_batch_last(const Variable& x);  // [d1, ..., dk, N] -> [N, d1, ..., dk]
// x [C_in, H, W, N] -> [C_out, H_out, W_out, N]. With Activation::relu, relu(conv2d(...)) in one
// op: the ReLU is applied as each output is stored, and its backward masks dL/dy in the pass
// that sums dL/db (ops/batch_last_epilogue.h) — the same values as the two ops, one pass less
// each way.
Variable conv2d_batch_last(const Variable& x, const Variable& weight, const Variable& bias,
                           const Conv2dOptions& options = {}, Activation activation = Activation::none);
// x [C_in, H, W, N] -> [C_out, H_out, W_out, N]; activation as conv2d_batch_last's.
Variable conv_transpose2d_batch_last(const Variable& x, const Variable& weight, const Variable& bias,
                                     const ConvTranspose2dOptions& options = {},
                                     Activation activation = Activation::none);
// x [C, H, W, N] -> [C, H_out, W_out, N]
Variable max_pool2d_batch_last(const Variable& x, const MaxPool2dOptions& options);

// ---- losses (ops/mse_loss.cpp, ops/binary_cross_entropy.cpp, ops/cross_entropy.cpp) ----
enum class Reduction { Mean, Sum };
Variable mse_loss(const Variable& input, const Variable& target, Reduction reduction = Reduction::Mean);
// factor · Σ (input − target)² over every element, one op (mse_loss is factor 1/numel or 1);
// `op` names it in errors and in the graph.
Variable squared_error(const Variable& input, const Variable& target, double factor, const char* op = "squared_error");
// input holds probabilities in [0, 1]; NOTE: log is clamped at -100, as in PyTorch.
Variable binary_cross_entropy(const Variable& input, const Variable& target,
                              Reduction reduction = Reduction::Mean);
// logits [N, C], targets: N class indices in [0, C).
Variable cross_entropy(const Variable& logits, const std::vector<int64_t>& targets,
                       Reduction reduction = Reduction::Mean);

}  // namespace convgrad
