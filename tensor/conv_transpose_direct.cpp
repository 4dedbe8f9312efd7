#include "tensor/conv_transpose_direct.h"

#include "tensor/conv_direct.h"
#include "tensor/direct_kernels.h"

namespace convgrad {

using namespace direct;

namespace {

// One axis of one phase r: its taps r, r + s, … below K, and the output rows it fills.
struct Phase {
  int64_t taps;     // J_r (0: no tap reaches these rows; they are the bias)
  int64_t first_t;  // the first t with s·t + r − p ≥ 0
};
// The last t with s·t + r − p < size (−1 when there is none): a floor division.
int64_t last_t(int64_t size, int64_t r, int64_t s, int64_t p) {
  const int64_t span = size - 1 + p - r;
  return span < 0 ? -1 : span / s;
}

Phase phase_of(int64_t r, int64_t K, int64_t s, int64_t p) {
  Phase phase;
  phase.taps = r < K ? (K - r + s - 1) / s : 0;
  phase.first_t = p - r > 0 ? (p - r + s - 1) / s : 0;  // ceil((p − r) / s), never below 0
  return phase;
}

// The stride-1 convolution whose grid of outputs every phase shares: x [N, C_in, H, W] padded
// by J_0 − 1 (phase 0 has the most taps), kernel J_0. Phase r's correlation (padding J_r − 1)
// is the same with its kernel moved down (right) by J_0 − J_r.
ConvGeometry shared_geometry(const ConvGeometry& g, int64_t C_in) {
  const int64_t J_h = phase_of(0, g.K_h, g.stride[0], g.padding[0]).taps;
  const int64_t J_w = phase_of(0, g.K_w, g.stride[1], g.padding[1]).taps;
  return conv2d_geometry({g.N, C_in, g.H_out, g.W_out}, {g.C, C_in, J_h, J_w}, {1, 1}, {J_h - 1, J_w - 1}, {1, 1});
}

// Whether every output row (column) of one axis is reached by some phase's correlation;
// when not (a large output_padding or padding), the output starts as the bias.
bool every_output_reached(int64_t out_size, int64_t in_size, int64_t K, int64_t s, int64_t p) {
  for (int64_t oh = 0; oh < out_size; ++oh) {
    const int64_t r = (oh + p) % s, t = (oh + p - r) / s;
    const int64_t taps = phase_of(r, K, s, p).taps;
    if (taps == 0 || t > in_size + taps - 2) return false;
  }
  return true;
}

}  // namespace

bool conv_transpose2d_direct_applies(const ConvGeometry& g, int64_t C_in) {
  return g.dilation == Pair{1, 1} && conv2d_direct_applies(shared_geometry(g, C_in), g.C);
}

template <typename T>
void conv_transpose2d_direct(const T* x, const T* weight, const T* bias, const ConvGeometry& g, int64_t C_in, T* y) {
  const int64_t C_out = g.C, s_h = g.stride[0], s_w = g.stride[1];
  const ConvGeometry shared = shared_geometry(g, C_in);
  const PaddedLayout l = padded_layout<T>(shared);
  T* xpad = scratch_buffer<T>(4, C_in * l.plane);
  T* out = scratch_buffer<T>(5, C_out * l.positions);
  T* w_blocks = scratch_buffer<T>(1, C_out * C_in * shared.K_h * shared.K_w);
  stack_images(x, shared, l, xpad);  // once, for every phase
  if (!every_output_reached(g.H, g.H_out, g.K_h, s_h, g.padding[0]) ||
      !every_output_reached(g.W, g.W_out, g.K_w, s_w, g.padding[1])) {
    for (int64_t nc = 0; nc < g.N * C_out; ++nc)
      std::fill(y + nc * g.H * g.W, y + (nc + 1) * g.H * g.W, bias ? bias[nc % C_out] : T(0));
  }
  const std::vector<ChannelBlock> blocks = channel_blocks(C_out, 8);
  for (int64_t r_h = 0; r_h < s_h; ++r_h)
    for (int64_t r_w = 0; r_w < s_w; ++r_w) {
      const Phase ph = phase_of(r_h, g.K_h, s_h, g.padding[0]), pw = phase_of(r_w, g.K_w, s_w, g.padding[1]);
      if (ph.taps == 0 || pw.taps == 0) continue;
      // Tap (j'_h, j'_w) of this phase reads the shared stack at (j'_h + J_0h − J_h) Wp + j'_w + J_0w − J_w,
      // with weight W'[o][c][j'_h][j'_w] = W[c][o][r_h + (J_h − 1 − j'_h) s_h][r_w + (J_w − 1 − j'_w) s_w].
      const int64_t taps = ph.taps * pw.taps;
      std::vector<int64_t> offsets;
      for (int64_t jh = 0; jh < ph.taps; ++jh)
        for (int64_t jw = 0; jw < pw.taps; ++jw)
          offsets.push_back((jh + shared.K_h - ph.taps) * l.Wp + jw + shared.K_w - pw.taps);
      for (const ChannelBlock& b : blocks)  // block [C_in][taps][width], as conv2d_direct lays its weights
        for (int64_t c = 0; c < C_in; ++c)
          for (int64_t tap = 0; tap < taps; ++tap)
            for (int64_t ob = 0; ob < b.width; ++ob) {
              const int64_t kh = r_h + (ph.taps - 1 - tap / pw.taps) * s_h, kw = r_w + (pw.taps - 1 - tap % pw.taps) * s_w;
              w_blocks[b.first * C_in * taps + (c * taps + tap) * b.width + ob] =
                  weight[((c * C_out + b.first + ob) * g.K_h + kh) * g.K_w + kw];
            }
      for (const ChannelBlock& b : blocks) {
        const T* w = w_blocks + b.first * C_in * taps;
        T* o = out + b.first * l.positions;
        if (b.width == 8) output_channels<T, 8>(xpad, l.plane, C_in, offsets.data(), taps, w, l.positions, o, l.positions);
        if (b.width == 4) output_channels<T, 4>(xpad, l.plane, C_in, offsets.data(), taps, w, l.positions, o, l.positions);
        if (b.width == 1) output_channels<T, 1>(xpad, l.plane, C_in, offsets.data(), taps, w, l.positions, o, l.positions);
      }
      // y[s·t + r − p] = out[t] + b, for the t that land inside y and that the correlation reaches
      const int64_t last_th = std::min(shared.H_out - 1 - (shared.K_h - ph.taps), last_t(g.H, r_h, s_h, g.padding[0]));
      const int64_t last_tw = std::min(shared.W_out - 1 - (shared.K_w - pw.taps), last_t(g.W, r_w, s_w, g.padding[1]));
      for (int64_t n = 0; n < g.N; ++n)
        for (int64_t o = 0; o < C_out; ++o) {
          const T b = bias ? bias[o] : T(0);
          T* y_plane = y + (n * C_out + o) * g.H * g.W;
          for (int64_t th = ph.first_t; th <= last_th; ++th) {
            const T* src = out + o * l.positions + l.output_at(n, th);
            T* dst = y_plane + (s_h * th + r_h - g.padding[0]) * g.W + r_w - g.padding[1];
            for (int64_t tw = pw.first_t; tw <= last_tw; ++tw) dst[s_w * tw] = src[tw] + b;
          }
        }
    }
}

template void conv_transpose2d_direct<float>(const float*, const float*, const float*, const ConvGeometry&, int64_t,
                                             float*);
template void conv_transpose2d_direct<double>(const double*, const double*, const double*, const ConvGeometry&,
                                              int64_t, double*);

}  // namespace convgrad
