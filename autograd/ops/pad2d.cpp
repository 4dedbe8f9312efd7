// pad2d: PyTorch's F.pad(x, (left, right, top, bottom), mode) on the last two dimensions —
// what Conv2d(padding_mode="reflect" | "replicate" | "circular") does before a convolution
// with padding 0.
//
// Along each axis, output position i reads input position src(i), or nothing (a zero):
//   constant   i − before                         (nothing outside [0, size))
//   reflect    mirrored at the edges, the edge itself not repeated: −1 → 1, size → size − 2
//   replicate  the nearest edge: clamp(i − before, 0, size − 1)
//   circular   wrapped around: (i − before) mod size
// so y[.., h, w] = x[.., src_h(h), src_w(w)], and backward every dL/dy[.., h, w] is added to
// dL/dx[.., src_h(h), src_w(w)] (near the edges several outputs read one input).
#include <algorithm>

#include "autograd/functions.h"

namespace convgrad {

namespace {

// src(i) for i in [0, before + size + after); -1 where the output is a zero.
std::vector<int64_t> source_positions(int64_t size, int64_t before, int64_t after, PadMode mode) {
  std::vector<int64_t> src(static_cast<size_t>(before + size + after));
  for (int64_t i = 0; i < static_cast<int64_t>(src.size()); ++i) {
    const int64_t j = i - before;  // the position in x, before folding it back
    switch (mode) {
      case PadMode::Constant: src[i] = (j >= 0 && j < size) ? j : -1; break;
      case PadMode::Reflect: src[i] = j < 0 ? -j : j >= size ? 2 * (size - 1) - j : j; break;
      case PadMode::Replicate: src[i] = std::clamp<int64_t>(j, 0, size - 1); break;
      case PadMode::Circular: src[i] = ((j % size) + size) % size; break;
    }
  }
  return src;
}

}  // namespace

const char* pad_mode_name(PadMode mode) {
  switch (mode) {
    case PadMode::Constant: return "constant";
    case PadMode::Reflect: return "reflect";
    case PadMode::Replicate: return "replicate";
    case PadMode::Circular: return "circular";
  }
  return "?";
}

PadMode pad_mode_from_name(const std::string& name) {
  if (name == "constant" || name == "zeros") return PadMode::Constant;
  if (name == "reflect") return PadMode::Reflect;
  if (name == "replicate") return PadMode::Replicate;
  if (name == "circular") return PadMode::Circular;
  throw Error(str_cat("pad2d: expected mode 'constant', 'reflect', 'replicate' or 'circular', but got '", name, "'"));
}

Variable pad2d(const Variable& x, const Pad2d& pad, PadMode mode) {
  CONVGRAD_CHECK(x.dim() >= 2, "pad2d: expected at least 2 dimensions (.., H, W), but got shape ", shape_str(x.shape()));
  const int64_t H = x.size(x.dim() - 2), W = x.size(x.dim() - 1);
  CONVGRAD_CHECK(pad.left >= 0 && pad.right >= 0 && pad.top >= 0 && pad.bottom >= 0,
                 "pad2d: expected paddings >= 0, but got (left ", pad.left, ", right ", pad.right, ", top ", pad.top,
                 ", bottom ", pad.bottom, ")");
  // As in PyTorch: a reflection must stay inside the input, a wrap may go round once.
  const int64_t largest_w = std::max(pad.left, pad.right), largest_h = std::max(pad.top, pad.bottom);
  if (mode == PadMode::Reflect || mode == PadMode::Circular) {
    const bool fits = mode == PadMode::Reflect ? largest_w < W && largest_h < H : largest_w <= W && largest_h <= H;
    CONVGRAD_CHECK(fits, "pad2d: expected ", pad_mode_name(mode), " paddings ", mode == PadMode::Reflect ? "<" : "<=",
                   " the input's size, but got (left ", pad.left, ", right ", pad.right, ", top ", pad.top,
                   ", bottom ", pad.bottom, ") for an input of ", H, "×", W);
  }
  CONVGRAD_CHECK(mode == PadMode::Constant || (H > 0 && W > 0), "pad2d: expected a non-empty ", H, "×", W,
                 " input for ", pad_mode_name(mode), " padding");
  const std::vector<int64_t> src_h = source_positions(H, pad.top, pad.bottom, mode);
  const std::vector<int64_t> src_w = source_positions(W, pad.left, pad.right, mode);
  const int64_t H_out = static_cast<int64_t>(src_h.size()), W_out = static_cast<int64_t>(src_w.size());
  const int64_t planes = H * W == 0 ? x.numel() : x.numel() / (H * W);
  Shape out_shape = x.shape();
  out_shape[out_shape.size() - 2] = H_out;
  out_shape.back() = W_out;

  Tensor output = Tensor::zeros(out_shape, x.dtype());
  dispatch(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* in = x.data().data<T>();
    T* out = output.data<T>();
    for (int64_t p = 0; p < planes; ++p)
      for (int64_t h = 0; h < H_out; ++h) {
        if (src_h[h] < 0) continue;  // a zero row
        const T* row = in + (p * H + src_h[h]) * W;
        T* dst = out + (p * H_out + h) * W_out;
        for (int64_t w = 0; w < W_out; ++w) dst[w] = src_w[w] < 0 ? T(0) : row[src_w[w]];
      }
  });

  // dL/dx[.., src_h(h), src_w(w)] += dL/dy[.., h, w]
  const Shape in_shape = x.shape();
  return make_result("pad2d", output, {x}, [=](const Tensor& grad_output) {
    Tensor grad_input = Tensor::zeros(in_shape, grad_output.dtype());
    dispatch(grad_output.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* gy = grad_output.data<T>();
      T* gx = grad_input.data<T>();
      for (int64_t p = 0; p < planes; ++p)
        for (int64_t h = 0; h < H_out; ++h) {
          if (src_h[h] < 0) continue;
          T* row = gx + (p * H + src_h[h]) * W;
          const T* g = gy + (p * H_out + h) * W_out;
          for (int64_t w = 0; w < W_out; ++w)
            if (src_w[w] >= 0) row[src_w[w]] += g[w];
        }
    });
    return Grads{grad_input};
  });
}

}  // namespace convgrad
