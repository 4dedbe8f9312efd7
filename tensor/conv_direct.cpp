#include "tensor/conv_direct.h"

#include <algorithm>
#include <numeric>
#include <vector>

#include "tensor/direct_kernels.h"

namespace convgrad {

using namespace direct;

namespace {

// The lane sums of dL/dW, one vector per weight, in the weight's own order [C_out][C][K_h][K_w].
template <typename T>
using WeightLanes = std::vector<typename Vec<T>::type>;

// One kernel row's taps in runs of 3, 2 or 1 (for_tap_runs), kOut at compile time, over the
// positions [0, count) of xpad and dy.
template <typename T, int kOut>
void weight_grad_row(const T* xpad, const T* dy, int64_t dy_stride, const ConvGeometry& g, const PaddedLayout& l,
                     int64_t c, int64_t o, int64_t kh, int64_t count, WeightLanes<T>& lanes) {
  using V = typename Vec<T>::type;
  for_tap_runs(g.K_w, [&](auto taps, int64_t kw0) {
    constexpr int kTaps = decltype(taps)::value;
    V acc[kOut][kTaps];
    const auto at = [&](int ob, int t) { return (((o + ob) * g.C + c) * g.K_h + kh) * g.K_w + kw0 + t; };
    for (int ob = 0; ob < kOut; ++ob)
      for (int t = 0; t < kTaps; ++t) acc[ob][t] = lanes[at(ob, t)];
    weight_grad_range<T, kOut, kTaps>(xpad, dy, dy_stride, l, c, o, kh * l.Wp + kw0, 0, count, acc);
    for (int ob = 0; ob < kOut; ++ob)
      for (int t = 0; t < kTaps; ++t) lanes[at(ob, t)] = acc[ob][t];
  });
}

// The stack taken a chunk of whole images at a time, so that `channels` planes of the chunk's
// positions (sums, or dL/dy) stay in the core's cache while they are used: about 256 KiB, and
// as many images as make a whole number of vectors of positions (so that a position keeps its
// lane: the weight gradient's lane sums come out the same as in one pass). The VAE's 32
// channels × 128 images × 225 positions (3.7 MB) made its forward and dL/dW 1.2x and 1.5x
// slower per image than at 32 images; the coursework's batches of 32 are one chunk.
struct ImageChunks {
  int64_t images;           // per chunk
  int64_t image_positions;  // per image: image_rows · Wp
  int64_t capacity;         // positions of the largest chunk

  template <typename T>
  static ImageChunks of(const ConvGeometry& g, const PaddedLayout& l, int64_t channels) {
    ImageChunks k;
    const int64_t lanes = Vec<T>::lanes;
    k.image_positions = l.image_rows * l.Wp;
    const int64_t unit = lanes / std::gcd(k.image_positions, lanes);  // images per whole vectors
    const int64_t fit = (int64_t{256} << 10) / static_cast<int64_t>(sizeof(T)) / (channels * k.image_positions);
    k.images = std::min(g.N, std::max<int64_t>(unit, fit / unit * unit));
    k.capacity = k.images == g.N ? l.positions : k.images * k.image_positions;  // (the last chunk: no more)
    return k;
  }
  // The chunk from image n0 on: its first position in the whole stack and its layout.
  int64_t first_position(int64_t n0) const { return n0 * image_positions; }
  PaddedLayout layout(const ConvGeometry& g, const PaddedLayout& l, int64_t n0) const {
    PaddedLayout chunk = l;
    chunk.positions = n0 + images >= g.N ? l.positions - first_position(n0) : images * image_positions;
    return chunk;
  }
};

}  // namespace

bool conv2d_direct_applies(const ConvGeometry& g, int64_t C_out) {
  return g.stride == Pair{1, 1} && g.dilation == Pair{1, 1} && C_out >= 4 && C_out <= 64 && g.col_rows() <= 1152;
}

bool conv2d_direct_weight_grad_applies(const ConvGeometry& g, int64_t C_out) {
  if (!conv2d_direct_applies(g, C_out)) return false;
  // At least 65% of the positions summed over must be outputs (10×10 "same": 100 of 121; 5×5: 25 of 36).
  const PaddedLayout l = padded_layout<float>(g);
  return 100 * g.N * g.H_out * g.W_out >= 65 * l.positions;
}

template <typename T>
int64_t conv2d_direct_planes_size(const ConvGeometry& g) {
  return g.C * padded_layout<T>(g).plane;
}

template <typename T>
void conv2d_direct_stack(const T* x, const ConvGeometry& g, T* planes) {
  stack_images(x, g, padded_layout<T>(g), planes);
}

template <typename T>
void conv2d_direct_from_planes(const T* planes, const T* weight, const T* bias, const ConvGeometry& g, int64_t C_out,
                               T* y) {
  const int64_t taps = g.K_h * g.K_w, C = g.C;
  const PaddedLayout l = padded_layout<T>(g);
  // Weights block by block: block [C][taps][width], the width weights of one (c, tap) side by side.
  const std::vector<ChannelBlock> blocks = channel_blocks(C_out, 8);
  T* w_blocks = scratch_buffer<T>(6, C_out * C * taps);
  for (const ChannelBlock& b : blocks)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t tap = 0; tap < taps; ++tap)
        for (int64_t ob = 0; ob < b.width; ++ob)
          w_blocks[b.first * C * taps + (c * taps + tap) * b.width + ob] = weight[((b.first + ob) * C + c) * taps + tap];

  // A chunk of images at a time (ImageChunks), its sums stored before the next chunk's.
  const ImageChunks chunks = ImageChunks::of<T>(g, l, C_out);
  T* out = scratch_buffer<T>(5, C_out * chunks.capacity);
  const int64_t plane_size = g.H_out * g.W_out, y_size = g.N * C_out * plane_size;
  for (int64_t n0 = 0; n0 < g.N; n0 += chunks.images) {
    const int64_t n1 = std::min(g.N, n0 + chunks.images), q0 = chunks.first_position(n0);
    const PaddedLayout chunk = chunks.layout(g, l, n0);
    for (const ChannelBlock& b : blocks)
      output_channel_block<T>(b.first, b.width, planes + q0, l.plane, C, l.offsets.data(), taps,
                              w_blocks + b.first * C * taps, chunk.positions, out);
    // Keep each image's outputs, plus the bias: plane by plane in y's order, so that a plane's
    // vector stores may run into the next plane, written after it.
    for (int64_t n = n0; n < n1; ++n)
      for (int64_t o = 0; o < C_out; ++o) {
        const int64_t at = (n * C_out + o) * plane_size;
        store_plane(out + o * chunk.positions, chunk, n - n0, g.H_out, g.W_out, bias ? bias[o] : T(0), y_size - at,
                    y + at);
      }
  }
}

template <typename T>
void conv2d_direct(const T* x, const T* weight, const T* bias, const ConvGeometry& g, int64_t C_out, T* y) {
  T* planes = scratch_buffer<T>(4, conv2d_direct_planes_size<T>(g));
  conv2d_direct_stack(x, g, planes);
  conv2d_direct_from_planes(planes, weight, bias, g, C_out, y);
}

int64_t conv2d_direct_gradient_shift(const ConvGeometry& g, const ConvGeometry& g_flipped) {
  const PaddedLayout l = padded_layout<float>(g), l_flipped = padded_layout<float>(g_flipped);
  if (l.Wp != l_flipped.Wp || l.image_rows != l_flipped.image_rows || g.N != g_flipped.N) return -1;
  return g_flipped.padding[0] * l.Wp + g_flipped.padding[1];
}

template <typename T>
void conv2d_direct_weight_grad_from_planes(const T* x_planes, const T* grad_y, const T* grad_y_planes,
                                           int64_t grad_y_stride, const ConvGeometry& g, int64_t C_out,
                                           T* grad_weight) {
  const PaddedLayout l = padded_layout<T>(g);
  // A chunk of images at a time (ImageChunks), each weight's lanes carried from one to the next.
  const ImageChunks chunks = ImageChunks::of<T>(g, l, C_out);
  T* stacked = grad_y_planes == nullptr ? scratch_buffer<T>(5, C_out * chunks.capacity) : nullptr;
  WeightLanes<T> lanes(static_cast<size_t>(C_out * g.C * g.K_h * g.K_w));
  for (int64_t n0 = 0; n0 < g.N; n0 += chunks.images) {
    const int64_t q0 = chunks.first_position(n0);
    const PaddedLayout chunk = chunks.layout(g, l, n0);
    // dL/dy at the chunk's output positions (0 at the thrown-away ones)
    const T* dy = grad_y_planes != nullptr ? grad_y_planes + q0 : stacked;
    int64_t dy_stride = grad_y_stride;
    if (grad_y_planes == nullptr) {
      const int64_t images = std::min(chunks.images, g.N - n0);
      stack_at_outputs(grad_y + n0 * C_out * g.H_out * g.W_out, images, C_out, g.H_out, g.W_out, chunk, stacked);
      dy_stride = chunk.positions;
    }
    const T* x = x_planes + q0;
    for (const ChannelBlock& b : channel_blocks(C_out, kWeightGradWidest))
      for (int64_t c = 0; c < g.C; ++c)
        for (int64_t kh = 0; kh < g.K_h; ++kh) {
          if (b.width == 8) weight_grad_row<T, 8>(x, dy, dy_stride, g, l, c, b.first, kh, chunk.positions, lanes);
          if (b.width == 4) weight_grad_row<T, 4>(x, dy, dy_stride, g, l, c, b.first, kh, chunk.positions, lanes);
          if (b.width == 1) weight_grad_row<T, 1>(x, dy, dy_stride, g, l, c, b.first, kh, chunk.positions, lanes);
        }
  }
  for (size_t i = 0; i < lanes.size(); ++i) grad_weight[i] = lane_total<T>(lanes[i]);
}

template <typename T>
void conv2d_direct_weight_grad(const T* x, const T* grad_y, const ConvGeometry& g, int64_t C_out, T* grad_weight) {
  T* planes = scratch_buffer<T>(4, conv2d_direct_planes_size<T>(g));
  conv2d_direct_stack(x, g, planes);
  conv2d_direct_weight_grad_from_planes<T>(planes, grad_y, nullptr, 0, g, C_out, grad_weight);
}

template void conv2d_direct<float>(const float*, const float*, const float*, const ConvGeometry&, int64_t, float*);
template void conv2d_direct<double>(const double*, const double*, const double*, const ConvGeometry&, int64_t,
                                    double*);
template void conv2d_direct_weight_grad<float>(const float*, const float*, const ConvGeometry&, int64_t, float*);
template void conv2d_direct_weight_grad<double>(const double*, const double*, const ConvGeometry&, int64_t, double*);
template int64_t conv2d_direct_planes_size<float>(const ConvGeometry&);
template int64_t conv2d_direct_planes_size<double>(const ConvGeometry&);
template void conv2d_direct_stack<float>(const float*, const ConvGeometry&, float*);
template void conv2d_direct_stack<double>(const double*, const ConvGeometry&, double*);
template void conv2d_direct_from_planes<float>(const float*, const float*, const float*, const ConvGeometry&, int64_t,
                                               float*);
template void conv2d_direct_from_planes<double>(const double*, const double*, const double*, const ConvGeometry&,
                                                int64_t, double*);
template void conv2d_direct_weight_grad_from_planes<float>(const float*, const float*, const float*, int64_t,
                                                           const ConvGeometry&, int64_t, float*);
template void conv2d_direct_weight_grad_from_planes<double>(const double*, const double*, const double*, int64_t,
                                                            const ConvGeometry&, int64_t, double*);

}  // namespace convgrad
