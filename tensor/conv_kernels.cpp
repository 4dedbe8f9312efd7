#include "tensor/conv_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "tensor/blas.h"  // worth_parallel
#include "tensor/error.h"
#include "tensor/parallel_for.h"

namespace convgrad {

namespace {

std::string pair_str(Pair p) { return str_cat("(", p[0], ", ", p[1], ")"); }

// floor(a / b) for b > 0, also for negative a (C++ division truncates toward zero).
int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// The kernel positions o in [0, count) whose tap o * stride + offset lies inside [0, size):
// returns [first, last). From 0 <= o * stride + offset <= size - 1:
//   o >= ceil(-offset / stride)   and   o <= floor((size - 1 - offset) / stride).
struct Range {
  int64_t first, last;
};
Range valid_positions(int64_t offset, int64_t stride, int64_t size, int64_t count) {
  if (offset >= 0 && offset + (count - 1) * stride < size) return {0, count};  // all inside: no division
  int64_t first = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  int64_t last = size - 1 - offset < 0 ? 0 : (size - 1 - offset) / stride + 1;
  first = std::min(first, count);
  last = std::max(first, std::min(last, count));
  return {first, last};
}

void check_window_options(const char* op, Pair stride, Pair padding, Pair dilation) {
  CONVGRAD_CHECK(stride[0] > 0 && stride[1] > 0, op, ": expected a positive stride, but got ", pair_str(stride));
  CONVGRAD_CHECK(padding[0] >= 0 && padding[1] >= 0, op, ": expected a non-negative padding, but got ",
                 pair_str(padding));
  CONVGRAD_CHECK(dilation[0] > 0 && dilation[1] > 0, op, ": expected a positive dilation, but got ",
                 pair_str(dilation));
}

void check_4d(const char* op, const char* what, const char* layout, const Shape& shape) {
  CONVGRAD_CHECK(shape.size() == 4, op, ": expected a 4-d ", what, " ", layout, ", but got ", shape_str(shape));
}

}  // namespace

int64_t conv_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t padding, int64_t dilation) {
  return floor_div(in + 2 * padding - dilation * (kernel - 1) - 1, stride) + 1;
}

int64_t conv_transpose_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t padding,
                                   int64_t output_padding, int64_t dilation) {
  return (in - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1;
}

int64_t pool_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t padding, int64_t dilation,
                         bool ceil_mode) {
  const int64_t span = in + 2 * padding - dilation * (kernel - 1) - 1;
  int64_t out = floor_div(span + (ceil_mode ? stride - 1 : 0), stride) + 1;
  // ceil_mode: the last window must start inside the input or the left padding.
  if (ceil_mode && (out - 1) * stride >= in + padding) --out;
  return out;
}

ConvGeometry conv2d_geometry(const Shape& input, const Shape& weight, Pair stride, Pair padding, Pair dilation) {
  check_4d("conv2d", "input", "[N, C_in, H, W]", input);
  check_4d("conv2d", "weight", "[C_out, C_in, K_h, K_w]", weight);
  CONVGRAD_CHECK(input[1] == weight[1], "conv2d: expected input ", shape_str(input), " to have ", weight[1],
                 " channels (weight ", shape_str(weight), "), but got ", input[1], " channels");
  check_window_options("conv2d", stride, padding, dilation);
  ConvGeometry g;
  g.N = input[0], g.C = input[1], g.H = input[2], g.W = input[3];
  g.K_h = weight[2], g.K_w = weight[3];
  g.stride = stride, g.padding = padding, g.dilation = dilation;
  const int64_t span_h = dilation[0] * (g.K_h - 1) + 1, span_w = dilation[1] * (g.K_w - 1) + 1;
  CONVGRAD_CHECK(span_h <= g.H + 2 * padding[0] && span_w <= g.W + 2 * padding[1],
                 "conv2d: expected a kernel no larger than the padded input, but got input ", shape_str(input),
                 " with padding ", pair_str(padding), " and kernel (", g.K_h, ", ", g.K_w, ") dilated by ",
                 pair_str(dilation), ": ", span_h, "x", span_w, " > padded ", g.H + 2 * padding[0], "x",
                 g.W + 2 * padding[1]);
  g.H_out = conv_output_size(g.H, g.K_h, stride[0], padding[0], dilation[0]);
  g.W_out = conv_output_size(g.W, g.K_w, stride[1], padding[1], dilation[1]);
  return g;
}

ConvGeometry conv_transpose2d_geometry(const Shape& input, const Shape& weight, Pair stride, Pair padding,
                                       Pair output_padding, Pair dilation) {
  check_4d("conv_transpose2d", "input", "[N, C_in, H, W]", input);
  check_4d("conv_transpose2d", "weight", "[C_in, C_out, K_h, K_w]", weight);
  CONVGRAD_CHECK(input[1] == weight[0], "conv_transpose2d: expected input ", shape_str(input), " to have ",
                 weight[0], " channels (weight ", shape_str(weight), "), but got ", input[1], " channels");
  check_window_options("conv_transpose2d", stride, padding, dilation);
  for (int d = 0; d < 2; ++d) {
    // PyTorch's rule: output_padding only picks among the sizes that a stride (or a
    // dilation) makes ambiguous, so it must be smaller than one of them.
    CONVGRAD_CHECK(output_padding[d] >= 0 && (output_padding[d] < stride[d] || output_padding[d] < dilation[d]),
                   "conv_transpose2d: expected output_padding smaller than stride or dilation, but got "
                   "output_padding ", pair_str(output_padding), " with stride ", pair_str(stride),
                   " and dilation ", pair_str(dilation));
  }
  ConvGeometry g;  // the image is the output; the kernel positions are the input pixels
  g.N = input[0], g.C = weight[1];
  g.K_h = weight[2], g.K_w = weight[3];
  g.stride = stride, g.padding = padding, g.dilation = dilation;
  g.H_out = input[2], g.W_out = input[3];
  g.H = conv_transpose_output_size(input[2], g.K_h, stride[0], padding[0], output_padding[0], dilation[0]);
  g.W = conv_transpose_output_size(input[3], g.K_w, stride[1], padding[1], output_padding[1], dilation[1]);
  CONVGRAD_CHECK(g.H > 0 && g.W > 0, "conv_transpose2d: expected a positive output size, but got ", g.H, "x",
                 g.W, " from input ", shape_str(input), " with kernel (", g.K_h, ", ", g.K_w, "), stride ",
                 pair_str(stride), ", padding ", pair_str(padding), ", output_padding ", pair_str(output_padding),
                 " and dilation ", pair_str(dilation));
  return g;
}

ConvGeometry max_pool2d_geometry(const Shape& input, Pair kernel, Pair stride, Pair padding, Pair dilation,
                                 bool ceil_mode) {
  check_4d("max_pool2d", "input", "[N, C, H, W]", input);
  CONVGRAD_CHECK(kernel[0] > 0 && kernel[1] > 0, "max_pool2d: expected a positive kernel_size, but got ",
                 pair_str(kernel));
  if (stride[0] == 0 && stride[1] == 0) stride = kernel;  // PyTorch's default
  check_window_options("max_pool2d", stride, padding, dilation);
  CONVGRAD_CHECK(padding[0] <= kernel[0] / 2 && padding[1] <= kernel[1] / 2,
                 "max_pool2d: expected padding at most half the kernel size, but got padding ", pair_str(padding),
                 " with kernel_size ", pair_str(kernel));
  ConvGeometry g;
  g.N = input[0], g.C = input[1], g.H = input[2], g.W = input[3];
  g.K_h = kernel[0], g.K_w = kernel[1];
  g.stride = stride, g.padding = padding, g.dilation = dilation;
  g.H_out = pool_output_size(g.H, g.K_h, stride[0], padding[0], dilation[0], ceil_mode);
  g.W_out = pool_output_size(g.W, g.K_w, stride[1], padding[1], dilation[1], ceil_mode);
  CONVGRAD_CHECK(g.H_out >= 1 && g.W_out >= 1,
                 "max_pool2d: expected a kernel no larger than the padded input, but got input ", shape_str(input),
                 " with padding ", pair_str(padding), " and kernel_size ", pair_str(kernel), " dilated by ",
                 pair_str(dilation), " (output ", g.H_out, "x", g.W_out, ")");
  return g;
}

void check_conv_bias(const char* op, const Shape& bias, int64_t C_out, const Shape& weight) {
  CONVGRAD_CHECK(bias.size() == 1 && bias[0] == C_out, op, ": expected bias of shape [", C_out, "] (weight ",
                 shape_str(weight), "), but got ", shape_str(bias));
}

namespace {

// Two ways to walk one tap (kh, kw) over one image, both giving exactly the definition's
// values (tests/tensor/test_conv_kernels.cpp checks them against im2col_reference):
//
// ShiftedTap — stride 1 and an output as wide as the input (the "same" padding of the
// coursework's 3×3, padding-1 layers). Output position j = oh * W + ow reads input pixel
// j + shift, shift = off_h * W + off_w, so the whole image is ONE contiguous shifted copy
// (vectorised) instead of H_out short rows. Positions outside [begin, end) read 0 (their row
// is outside the image); inside it, the `wrapped` positions (edge columns outside the image)
// also read 0, but the flat copy reads them from the neighbouring row: they are put right after.
bool is_same_width_stride1(const ConvGeometry& g) { return g.stride[0] == 1 && g.stride[1] == 1 && g.W_out == g.W; }

struct ShiftedTap {
  int64_t shift;                      // input index - output index
  int64_t begin, end;                 // output positions whose row is inside and whose input index is in the plane
  int64_t wrapped_first, wrapped_last;  // its wrapped positions: wrapped[wrapped_first .. wrapped_last)
};
struct ShiftedTaps {
  std::vector<ShiftedTap> taps;  // in (kh, kw) order: row (c, kh, kw) of cols uses taps[kh * K_w + kw]
  std::vector<int64_t> wrapped;  // per tap, the positions in [begin, end) whose column is outside the image
  size_t most_wrapped = 0;       // the most wrapped positions of one tap
};

ShiftedTaps shifted_taps(const ConvGeometry& g) {
  ShiftedTaps out;
  out.taps.reserve(static_cast<size_t>(g.K_h * g.K_w));
  const int64_t widest_edge = std::max(g.padding[1], g.dilation[1] * (g.K_w - 1) - g.padding[1]);
  out.wrapped.reserve(static_cast<size_t>(g.K_h * g.K_w * g.H_out * std::max<int64_t>(widest_edge, 0)));
  for (int64_t kh = 0; kh < g.K_h; ++kh) {
    for (int64_t kw = 0; kw < g.K_w; ++kw) {
      const int64_t off_h = kh * g.dilation[0] - g.padding[0], off_w = kw * g.dilation[1] - g.padding[1];
      const Range rows = valid_positions(off_h, 1, g.H, g.H_out), cols = valid_positions(off_w, 1, g.W, g.W_out);
      ShiftedTap t;
      t.shift = off_h * g.W + off_w;
      // The input index j + shift must stay inside the plane [0, H W): the positions cut off
      // here are wrapping edge columns, which read 0 anyway.
      t.begin = std::min(std::max(rows.first * g.W, -t.shift), g.positions());
      t.end = std::max(t.begin, std::min(rows.last * g.W, g.H * g.W - t.shift));
      t.wrapped_first = static_cast<int64_t>(out.wrapped.size());
      for (int64_t oh = rows.first; oh < rows.last; ++oh) {
        for (int64_t ow = 0; ow < g.W_out; ++ow) {
          const int64_t j = oh * g.W_out + ow;
          if ((ow < cols.first || ow >= cols.last) && j >= t.begin && j < t.end) out.wrapped.push_back(j);
        }
      }
      t.wrapped_last = static_cast<int64_t>(out.wrapped.size());
      out.most_wrapped = std::max(out.most_wrapped, static_cast<size_t>(t.wrapped_last - t.wrapped_first));
      out.taps.push_back(t);
    }
  }
  return out;
}

// One image's row of cols for tap t: block[j] = src[j + shift], 0 outside the image.
template <typename T>
void shifted_copy(const ShiftedTaps& s, int64_t tap, const T* src, int64_t L, T* block) {
  const ShiftedTap& t = s.taps[tap];
  src += t.shift;
  for (int64_t j = 0; j < t.begin; ++j) block[j] = T(0);
  for (int64_t j = t.begin; j < t.end; ++j) block[j] = src[j];
  for (int64_t j = t.end; j < L; ++j) block[j] = T(0);
  for (int64_t w = t.wrapped_first; w < t.wrapped_last; ++w) block[s.wrapped[w]] = T(0);
}

// Its adjoint: plane[j + shift] += block[j] for the positions inside the image. The pixels
// that wrapped positions add to are saved first (`saved` has room for s.most_wrapped values)
// and put back after: they receive nothing.
template <typename T>
void shifted_add(const ShiftedTaps& s, int64_t tap, const T* block, T* plane, T* saved) {
  const ShiftedTap& t = s.taps[tap];
  plane += t.shift;
  const int64_t* wrapped = s.wrapped.data() + t.wrapped_first;
  const int64_t count = t.wrapped_last - t.wrapped_first;
  for (int64_t i = 0; i < count; ++i) saved[i] = plane[wrapped[i]];
  for (int64_t j = t.begin; j < t.end; ++j) plane[j] += block[j];
  for (int64_t i = 0; i < count; ++i) plane[wrapped[i]] = saved[i];
}

// TapTable — any geometry. source[j] is the input pixel (h * W + w in its plane) that
// output position j reads, or -1 where it reads the padding; one table per tap, shared by
// every channel and image.
std::vector<int32_t> tap_tables(const ConvGeometry& g) {
  const int64_t L = g.positions();
  CONVGRAD_CHECK(g.H * g.W <= std::numeric_limits<int32_t>::max(), "im2col: expected an image of fewer than 2^31 ",
                 "pixels, but got ", g.H, "x", g.W);
  std::vector<int32_t> source(static_cast<size_t>(g.K_h * g.K_w * L));
  for (int64_t kh = 0; kh < g.K_h; ++kh)
    for (int64_t kw = 0; kw < g.K_w; ++kw)
      for (int64_t oh = 0; oh < g.H_out; ++oh)
        for (int64_t ow = 0; ow < g.W_out; ++ow)
          source[(kh * g.K_w + kw) * L + oh * g.W_out + ow] = static_cast<int32_t>(tap_source(g, oh, ow, kh, kw));
  return source;
}

}  // namespace

template <typename T>
void im2col(const T* image, const ConvGeometry& g, T* cols) {
  const int64_t rows = g.col_rows(), taps = g.K_h * g.K_w, L = g.positions(), row_size = g.N * L;
  const int64_t plane_size = g.H * g.W;
  if (is_same_width_stride1(g)) {
    const ShiftedTaps shifted = shifted_taps(g);
    for (int64_t row = 0; row < rows; ++row) {  // row = (c, tap)
      for (int64_t n = 0; n < g.N; ++n) {
        const T* plane = image + (n * g.C + row / taps) * plane_size;
        shifted_copy(shifted, row % taps, plane, L, cols + row * row_size + n * L);
      }
    }
    return;
  }
  const std::vector<int32_t> tables = tap_tables(g);
  for (int64_t row = 0; row < rows; ++row) {
    const int32_t* source = tables.data() + (row % taps) * L;
    for (int64_t n = 0; n < g.N; ++n) {
      const T* plane = image + (n * g.C + row / taps) * plane_size;
      T* block = cols + row * row_size + n * L;
      for (int64_t j = 0; j < L; ++j) block[j] = source[j] >= 0 ? plane[source[j]] : T(0);
    }
  }
}

template <typename T>
void col2im(const T* cols, const ConvGeometry& g, T* image) {
  const int64_t taps = g.K_h * g.K_w, L = g.positions(), row_size = g.N * L, plane_size = g.H * g.W;
  std::fill(image, image + g.N * g.C * plane_size, T(0));
  // One (n, c) plane at a time; its taps add in (kh, kw) order, overlapping ones accumulate.
  if (is_same_width_stride1(g)) {
    const ShiftedTaps shifted = shifted_taps(g);
    std::vector<T> saved(shifted.most_wrapped);
    for (int64_t nc = 0; nc < g.N * g.C; ++nc) {
      const int64_t n = nc / g.C, c = nc % g.C;
      for (int64_t tap = 0; tap < taps; ++tap) {
        shifted_add(shifted, tap, cols + (c * taps + tap) * row_size + n * L, image + nc * plane_size, saved.data());
      }
    }
    return;
  }
  const std::vector<int32_t> tables = tap_tables(g);
  for (int64_t nc = 0; nc < g.N * g.C; ++nc) {
    const int64_t n = nc / g.C, c = nc % g.C;
    T* plane = image + nc * plane_size;
    for (int64_t tap = 0; tap < taps; ++tap) {
      const int32_t* source = tables.data() + tap * L;
      const T* block = cols + (c * taps + tap) * row_size + n * L;
      for (int64_t j = 0; j < L; ++j)
        if (source[j] >= 0) plane[source[j]] += block[j];
    }
  }
}

int64_t images_per_chunk(int64_t N, int64_t col_rows, int64_t positions, size_t element_size) {
  const int64_t per_image = std::max<int64_t>(1, col_rows * positions * static_cast<int64_t>(element_size));
  return std::clamp<int64_t>(kColumnBudgetBytes / per_image, 1, std::max<int64_t>(N, 1));
}

ImageChunk image_chunk(const ConvGeometry& batch, int64_t index, int64_t per_chunk) {
  ImageChunk c{index * per_chunk, std::min(per_chunk, batch.N - index * per_chunk), batch};
  c.g.N = c.count;
  return c;
}

template <typename T>
T* scratch_buffer(int slot, int64_t count) {
  // One set of buffers per thread and element type, kept for the life of the thread.
  thread_local std::vector<T> buffers[kScratchSlots];
  CONVGRAD_CHECK(slot >= 0 && slot < kScratchSlots, "scratch_buffer: expected a slot in [0, ", kScratchSlots,
                 "), but got ", slot);
  // Aligned to 64 bytes (a cache line; an AVX-512 vector): kernels that read whole vectors
  // from it never have one straddle two lines.
  constexpr int64_t kAlign = 64 / sizeof(T);
  std::vector<T>& buffer = buffers[slot];
  if (static_cast<int64_t>(buffer.size()) < count + kAlign) buffer.resize(static_cast<size_t>(count + kAlign));
  const uintptr_t address = reinterpret_cast<uintptr_t>(buffer.data());
  return buffer.data() + ((64 - address % 64) % 64) / sizeof(T);
}

template <typename T>
void batch_to_channel_major(const T* x, int64_t N, int64_t C, int64_t L, T* out) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) std::memcpy(out + (c * N + n) * L, x + (n * C + c) * L, L * sizeof(T));
}

template <typename T>
void channel_to_batch_major(const T* x, int64_t N, int64_t C, int64_t L, const T* bias, T* out) {
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t c = 0; c < C; ++c) {
      const T* src = x + (c * N + n) * L;
      T* dst = out + (n * C + c) * L;
      const T b = bias ? bias[c] : T(0);
      for (int64_t l = 0; l < L; ++l) dst[l] = src[l] + b;
    }
  }
}

template <typename T>
void add_channel_bias(T* x, int64_t N, int64_t C, int64_t L, const T* bias) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      T* p = x + (n * C + c) * L;
      for (int64_t l = 0; l < L; ++l) p[l] += bias[c];
    }
}

template <typename T>
void channel_sums(const T* x, int64_t N, int64_t C, int64_t L, T* out) {
  std::fill(out, out + C, T(0));
  // NOTE: each plane is summed as 16 interleaved running sums, added up at the end: one
  // running sum would make every addition wait for the previous one.
  constexpr int64_t kLanes = 16;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      const T* p = x + (n * C + c) * L;
      T lanes[kLanes] = {};
      int64_t l = 0;
      for (; l + kLanes <= L; l += kLanes)
        for (int64_t i = 0; i < kLanes; ++i) lanes[i] += p[l + i];
      T total = 0;
      for (int64_t i = 0; i < kLanes; ++i) total += lanes[i];
      for (; l < L; ++l) total += p[l];
      out[c] += total;
    }
}

namespace {
// One tap of a pooling window: v replaces the best so far when greater (strict '>': the first
// of equal maxima stays) or NaN (a NaN always takes over, as in PyTorch's CPU kernel).
// NOTE: on real data the comparison is unpredictable, so it must compile to selects, not
// branches; the probability hint tells GCC so (without it, GCC 12 branches on every tap).
template <typename T>
inline void keep_max(T v, int64_t index, T& best, int64_t& best_index) {
  const bool take = __builtin_expect_with_probability((v > best) | std::isnan(v), 1, 0.5);
  best = take ? v : best;
  best_index = take ? index : best_index;
}

// kLanes outputs of a 2×2, stride-2 window side by side, lanes = outputs ow .. ow + kLanes − 1
// (GCC vector extensions; top and bottom point at the window rows' first input, 2 · kLanes
// values each). The taps a b / c d are the even and odd inputs of each row; the winner is
// picked as a tree — the first maximum of (a, b), of (c, d), then of the two — which is the
// same as one scan a, b, c, d: ties stay with the earlier pair, a NaN goes to the later one.
// Indices are h * W + w.
template <typename T, int kLanes>
[[gnu::always_inline]] inline void max_pool_2x2_block(const T* top, const T* bottom, int64_t W, int64_t top_index,
                                                      T* out, int64_t* indices) {
  using V [[gnu::vector_size(kLanes * sizeof(T))]] = T;
  using Mask = decltype(V{} > V{});  // integer lanes of T's width: -1 (true) or 0
  using Index [[gnu::vector_size(kLanes * sizeof(int64_t))]] = int64_t;
  V top_lo, top_hi, bottom_lo, bottom_hi;
  std::memcpy(&top_lo, top, sizeof(V));
  std::memcpy(&top_hi, top + kLanes, sizeof(V));
  std::memcpy(&bottom_lo, bottom, sizeof(V));
  std::memcpy(&bottom_hi, bottom + kLanes, sizeof(V));
  Mask even{}, lane{};
  for (int i = 0; i < kLanes; ++i) {
    even[i] = 2 * i;
    lane[i] = i;
  }
  const Mask odd = even + 1;
  const V a = __builtin_shuffle(top_lo, top_hi, even), b = __builtin_shuffle(top_lo, top_hi, odd);
  const V c = __builtin_shuffle(bottom_lo, bottom_hi, even), d = __builtin_shuffle(bottom_lo, bottom_hi, odd);
  const Mask take_b = (b > a) | (b != b), take_d = (d > c) | (d != d);
  const V ab = take_b ? b : a, cd = take_d ? d : c;
  const Mask take_cd = (cd > ab) | (cd != cd);
  const V best = take_cd ? cd : ab;
  const Mask right = take_cd ? take_d : take_b;  // the winner's column in its window (-1: right)
  std::memcpy(out, &best, sizeof(V));
  // index = top_index + 2 · lane (+ W if the bottom row won) (+ 1 if the right column won)
  const Index index = top_index + 2 * __builtin_convertvector(lane, Index) -
                      __builtin_convertvector(take_cd, Index) * W - __builtin_convertvector(right, Index);
  std::memcpy(indices, &index, sizeof(Index));
}
}  // namespace

template <typename T>
void max_pool2d_forward(const T* image, const ConvGeometry& g, T* out, int64_t* indices) {
  const int64_t L = g.positions(), plane_size = g.H * g.W;
  // Without padding, and with every window inside the plane (always so in floor mode), no
  // window needs the bounds tests below: the coursework's 2×2 pool takes this path.
  const bool all_inside = g.padding[0] == 0 && g.padding[1] == 0 &&
                          (g.H_out - 1) * g.stride[0] + (g.K_h - 1) * g.dilation[0] < g.H &&
                          (g.W_out - 1) * g.stride[1] + (g.K_w - 1) * g.dilation[1] < g.W;
  const bool two_by_two = all_inside && g.K_h == 2 && g.K_w == 2 && g.stride[0] == 2 && g.stride[1] == 2 &&
                          g.dilation[0] == 1 && g.dilation[1] == 1;
  parallel_for(g.N * g.C, worth_parallel(g.N * g.C * L * g.K_h * g.K_w), [&](int64_t nc) {
    const T* plane = image + nc * plane_size;
    T* out_plane = out + nc * L;
    int64_t* index_plane = indices + nc * L;
    if (two_by_two) {
      // The coursework's 2×2 window with stride 2: eight or four outputs at a time, the rest
      // one by one.
      for (int64_t oh = 0; oh < g.H_out; ++oh) {
        const int64_t top_index = 2 * oh * g.W;
        const T* top = plane + top_index;
        T* out_row = out_plane + oh * g.W_out;
        int64_t* index_row = index_plane + oh * g.W_out;
        int64_t ow = 0;
        for (; ow + 8 <= g.W_out; ow += 8)
          max_pool_2x2_block<T, 8>(top + 2 * ow, top + g.W + 2 * ow, g.W, top_index + 2 * ow, out_row + ow,
                                   index_row + ow);
        // A short rest (the coursework's 5-wide rows: all of it) as one whole block when its
        // reads stay in the plane and its extra outputs land in this plane's later rows, which
        // are written after this one: a block of 8 and no single windows.
        if (ow < g.W_out && top_index + g.W + 2 * ow + 16 <= plane_size && oh * g.W_out + ow + 8 <= L) {
          max_pool_2x2_block<T, 8>(top + 2 * ow, top + g.W + 2 * ow, g.W, top_index + 2 * ow, out_row + ow,
                                   index_row + ow);
          continue;
        }
        for (; ow + 4 <= g.W_out; ow += 4)
          max_pool_2x2_block<T, 4>(top + 2 * ow, top + g.W + 2 * ow, g.W, top_index + 2 * ow, out_row + ow,
                                   index_row + ow);
        for (; ow < g.W_out; ++ow) {
          const int64_t a = top_index + 2 * ow;
          T best = plane[a];
          int64_t best_index = a;
          for (const int64_t index : {a + 1, a + g.W, a + g.W + 1}) keep_max(plane[index], index, best, best_index);
          out_row[ow] = best;
          index_row[ow] = best_index;
        }
      }
      return;
    }
    if (all_inside) {
      for (int64_t oh = 0; oh < g.H_out; ++oh) {
        for (int64_t ow = 0; ow < g.W_out; ++ow) {
          const int64_t corner = oh * g.stride[0] * g.W + ow * g.stride[1];
          int64_t best_index = corner;
          T best = plane[corner];
          for (int64_t kh = 0; kh < g.K_h; ++kh) {
            for (int64_t kw = 0; kw < g.K_w; ++kw) {
              const int64_t index = corner + kh * g.dilation[0] * g.W + kw * g.dilation[1];
              keep_max(plane[index], index, best, best_index);
            }
          }
          out_plane[oh * g.W_out + ow] = best;
          index_plane[oh * g.W_out + ow] = best_index;
        }
      }
      return;
    }
    for (int64_t oh = 0; oh < g.H_out; ++oh) {
      // Window taps: row h0 + kh * d_h, column w0 + kw * d_w; only those inside the plane count.
      const int64_t h0 = oh * g.stride[0] - g.padding[0];
      const Range kh_ok = valid_positions(h0, g.dilation[0], g.H, g.K_h);
      for (int64_t ow = 0; ow < g.W_out; ++ow) {
        const int64_t w0 = ow * g.stride[1] - g.padding[1];
        const Range kw_ok = valid_positions(w0, g.dilation[1], g.W, g.K_w);
        // Start from the first tap inside the plane (-1 and -inf for a window with none).
        const bool any = kh_ok.first < kh_ok.last && kw_ok.first < kw_ok.last;
        int64_t best_index = any ? (h0 + kh_ok.first * g.dilation[0]) * g.W + w0 + kw_ok.first * g.dilation[1] : -1;
        T best = any ? plane[best_index] : -std::numeric_limits<T>::infinity();
        for (int64_t kh = kh_ok.first; kh < kh_ok.last; ++kh) {
          const int64_t h = h0 + kh * g.dilation[0];
          for (int64_t kw = kw_ok.first; kw < kw_ok.last; ++kw) {
            const int64_t index = h * g.W + w0 + kw * g.dilation[1];
            keep_max(plane[index], index, best, best_index);
          }
        }
        out_plane[oh * g.W_out + ow] = best;
        index_plane[oh * g.W_out + ow] = best_index;
      }
    }
  });
}

template <typename T>
void max_pool2d_backward(const T* grad_output, const int64_t* indices, const ConvGeometry& g, T* grad_input) {
  const int64_t L = g.positions(), plane_size = g.H * g.W;
  parallel_for(g.N * g.C, worth_parallel(g.N * g.C * (L + plane_size)), [&](int64_t nc) {
    T* plane = grad_input + nc * plane_size;
    std::fill(plane, plane + plane_size, T(0));
    for (int64_t o = 0; o < L; ++o) {
      const int64_t index = indices[nc * L + o];
      if (index >= 0) plane[index] += grad_output[nc * L + o];  // overlapping windows accumulate
    }
  });
}

template <typename T>
void conv2d_reference(const T* x, const T* weight, const T* bias, const ConvGeometry& g, int64_t C_out, T* out) {
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t o = 0; o < C_out; ++o)
      for (int64_t i = 0; i < g.H_out; ++i)
        for (int64_t j = 0; j < g.W_out; ++j) {
          T total = bias ? bias[o] : T(0);
          for (int64_t c = 0; c < g.C; ++c)
            for (int64_t kh = 0; kh < g.K_h; ++kh)
              for (int64_t kw = 0; kw < g.K_w; ++kw) {
                const int64_t h = i * g.stride[0] - g.padding[0] + kh * g.dilation[0];
                const int64_t w = j * g.stride[1] - g.padding[1] + kw * g.dilation[1];
                if (h < 0 || h >= g.H || w < 0 || w >= g.W) continue;
                total += weight[((o * g.C + c) * g.K_h + kh) * g.K_w + kw] * x[((n * g.C + c) * g.H + h) * g.W + w];
              }
          out[((n * C_out + o) * g.H_out + i) * g.W_out + j] = total;
        }
}

template <typename T>
void im2col_reference(const T* image, const ConvGeometry& g, T* cols) {
  const int64_t row_size = g.col_cols();
  for (int64_t c = 0; c < g.C; ++c)
    for (int64_t kh = 0; kh < g.K_h; ++kh)
      for (int64_t kw = 0; kw < g.K_w; ++kw)
        for (int64_t n = 0; n < g.N; ++n)
          for (int64_t oh = 0; oh < g.H_out; ++oh)
            for (int64_t ow = 0; ow < g.W_out; ++ow) {
              const int64_t h = oh * g.stride[0] - g.padding[0] + kh * g.dilation[0];
              const int64_t w = ow * g.stride[1] - g.padding[1] + kw * g.dilation[1];
              const bool inside = h >= 0 && h < g.H && w >= 0 && w < g.W;
              cols[((c * g.K_h + kh) * g.K_w + kw) * row_size + (n * g.H_out + oh) * g.W_out + ow] =
                  inside ? image[((n * g.C + c) * g.H + h) * g.W + w] : T(0);
            }
}

template <typename T>
void col2im_reference(const T* cols, const ConvGeometry& g, T* image) {
  const int64_t row_size = g.col_cols();
  std::fill(image, image + g.N * g.C * g.H * g.W, T(0));
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t c = 0; c < g.C; ++c)
      for (int64_t kh = 0; kh < g.K_h; ++kh)  // taps in (kh, kw) order: the same sums as col2im
        for (int64_t kw = 0; kw < g.K_w; ++kw)
          for (int64_t oh = 0; oh < g.H_out; ++oh)
            for (int64_t ow = 0; ow < g.W_out; ++ow) {
              const int64_t h = oh * g.stride[0] - g.padding[0] + kh * g.dilation[0];
              const int64_t w = ow * g.stride[1] - g.padding[1] + kw * g.dilation[1];
              if (h < 0 || h >= g.H || w < 0 || w >= g.W) continue;
              image[((n * g.C + c) * g.H + h) * g.W + w] +=
                  cols[((c * g.K_h + kh) * g.K_w + kw) * row_size + (n * g.H_out + oh) * g.W_out + ow];
            }
}

#define CONVGRAD_INSTANTIATE_CONV_KERNELS(T)                                                          \
  template void im2col<T>(const T*, const ConvGeometry&, T*);                                         \
  template void col2im<T>(const T*, const ConvGeometry&, T*);                                         \
  template void batch_to_channel_major<T>(const T*, int64_t, int64_t, int64_t, T*);                  \
  template void channel_to_batch_major<T>(const T*, int64_t, int64_t, int64_t, const T*, T*);        \
  template void add_channel_bias<T>(T*, int64_t, int64_t, int64_t, const T*);                        \
  template void channel_sums<T>(const T*, int64_t, int64_t, int64_t, T*);                            \
  template void max_pool2d_forward<T>(const T*, const ConvGeometry&, T*, int64_t*);                   \
  template void max_pool2d_backward<T>(const T*, const int64_t*, const ConvGeometry&, T*);            \
  template void conv2d_reference<T>(const T*, const T*, const T*, const ConvGeometry&, int64_t, T*);         \
  template void im2col_reference<T>(const T*, const ConvGeometry&, T*);                               \
  template void col2im_reference<T>(const T*, const ConvGeometry&, T*);                               \
  template T* scratch_buffer<T>(int, int64_t);
CONVGRAD_INSTANTIATE_CONV_KERNELS(float)
CONVGRAD_INSTANTIATE_CONV_KERNELS(double)
#undef CONVGRAD_INSTANTIATE_CONV_KERNELS

}  // namespace convgrad
