#include "tensor/conv_transpose_direct.h"

#include <algorithm>
#include <cstring>
#include <immintrin.h>
#include <type_traits>
#include <utility>

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

// The backward's stride-1 convolution: dL/dy split into its s_h·s_w phases, each [N, C_out,
// H + J_0h − 1, W + J_0w − 1] (H × W the size of x), kernel J_0, no padding, output H × W.
ConvGeometry phase_split_geometry(const ConvGeometry& g, int64_t C_in) {
  const int64_t J_h = phase_of(0, g.K_h, g.stride[0], g.padding[0]).taps;
  const int64_t J_w = phase_of(0, g.K_w, g.stride[1], g.padding[1]).taps;
  return conv2d_geometry({g.N, g.C, g.H_out + J_h - 1, g.W_out + J_w - 1}, {C_in, g.C, J_h, J_w}, {1, 1}, {0, 0},
                         {1, 1});
}

// Every other value of a short row into dst (the inverse of interleave_row below):
//   dst[i] = src[2i]     (i < count ≤ lanes)
// With AVX-512, where src has 2 · lanes values to read (`whole`): two loads, one shuffle and one
// masked store, which leaves dst past count untouched (a blend with a load of dst instead
// stalls on the previous row's store, which overlaps it). Else value by value.
template <typename T>
class TakeEveryOther {
  using V = typename Vec<T>::type;
  using Mask = decltype(V{} < V{});  // integer lanes of T's width

 public:
  explicit TakeEveryOther(int64_t count) : count_(count), even_{} {
    for (int64_t i = 0; i < Vec<T>::lanes; ++i) even_[i] = static_cast<std::remove_reference_t<decltype(even_[0])>>(2 * i);
  }
  void operator()(const T* src, bool whole, T* dst) const {
#if defined(__AVX512F__)
    if (whole) {
      const V picked = __builtin_shuffle(load(src), load(src + Vec<T>::lanes), even_);
      const auto keep = static_cast<__mmask16>((1u << count_) - 1u);
      if constexpr (sizeof(T) == 4) _mm512_mask_storeu_ps(dst, keep, reinterpret_cast<__m512>(picked));
      else _mm512_mask_storeu_pd(dst, static_cast<__mmask8>(keep), reinterpret_cast<__m512d>(picked));
      return;
    }
#endif
    (void)whole;
    for (int64_t i = 0; i < count_; ++i) dst[i] = src[2 * i];
  }

 private:
  int64_t count_;
  Mask even_;  // lanes 0, 2, 4, … of the two loaded vectors
};

// dL/dy's phases as channels of one stack: channel (phase k = r_h s_w + r_w, o) holds
// dy_r[t_h][t_w] = grad_y[t_h s_h + r_h − p_h][t_w s_w + r_w − p_w] (0 outside grad_y).
// One pass over grad_y's rows: each value goes to its phase, column by a table (a row of 10
// split into two rows of 5 is mostly loop overhead when done phase by phase); with stride 2
// across, a row's even and odd columns go to their two phases a vector at a time.
template <typename T>
void stack_phases(const T* grad_y, const ConvGeometry& g, const ConvGeometry& split, const PaddedLayout& l,
                  T* planes) {
  const int64_t C_out = g.C, s_h = g.stride[0], s_w = g.stride[1];
  const int64_t planes_size = s_h * s_w * C_out * l.plane, grad_y_size = g.N * C_out * g.H * g.W;
  std::fill(planes, planes + planes_size, T(0));
  // Column w goes to phase r_w = (w + p_w) mod s_w at t_w = (w + p_w − r_w) / s_w: offset
  // r_w · C_out · plane + t_w from the phase row's start, or nowhere (−1) past the split's width.
  std::vector<int64_t> column_to(static_cast<size_t>(g.W));
  for (int64_t w = 0; w < g.W; ++w) {
    const int64_t r_w = (w + g.padding[1]) % s_w, t_w = (w + g.padding[1] - r_w) / s_w;
    column_to[w] = t_w < split.W ? r_w * C_out * l.plane + t_w : -1;
  }
  // With s_w = 2 and rows of at most 2 · lanes values, phase r_w takes columns w0, w0 + 2, …
  // (count ≤ lanes of them) to t_w0, t_w0 + 1, …: a vector at a time.
  struct EveryOther {
    int64_t w0 = 0, to = 0, count = 0;
  } halves[2];
  for (int64_t w = 0; w < g.W && s_w == 2; ++w) {
    if (column_to[w] < 0) continue;
    EveryOther& half = halves[(w + g.padding[1]) % 2];
    if (half.count++ == 0) {
      half.w0 = w;
      half.to = column_to[w];
    }
  }
  const bool by_halves = s_w == 2 && g.W <= 2 * Vec<T>::lanes;
  const TakeEveryOther<T> take_first(halves[0].count), take_second(halves[1].count);
  // Row h likewise: phase r_h at t_h, offset r_h · s_w · C_out · plane + t_h · Wp (or −1).
  std::vector<int64_t> row_to(static_cast<size_t>(g.H));
  for (int64_t h = 0; h < g.H; ++h) {
    const int64_t r_h = (h + g.padding[0]) % s_h, t_h = (h + g.padding[0] - r_h) / s_h;
    row_to[h] = t_h < split.H ? r_h * s_w * C_out * l.plane + t_h * l.Wp : -1;
  }
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t o = 0; o < C_out; ++o) {
      T* image = planes + o * l.plane + n * l.image_rows * l.Wp;
      const T* src = grad_y + (n * C_out + o) * g.H * g.W;
      for (int64_t h = 0; h < g.H; ++h, src += g.W) {
        if (row_to[h] < 0) continue;
        T* row = image + row_to[h];
        if (by_halves) {
          const T* first = src + halves[0].w0;
          const T* second = src + halves[1].w0;
          const T* end = grad_y + grad_y_size;
          take_first(first, end - first >= 2 * Vec<T>::lanes, row + halves[0].to);
          take_second(second, end - second >= 2 * Vec<T>::lanes, row + halves[1].to);
          continue;
        }
        for (int64_t w = 0; w < g.W; ++w)
          if (column_to[w] >= 0) row[column_to[w]] = src[w];
      }
    }
}

// dL/dW of input channels [c, c + kOut) (the rows of the weight) against phase k's channel o,
// taps (j_h, j_w0 .. j_w0 + kTaps) of the phase: weight_grad_block with x as the "gradient"
// and the phase stack as the "input".
template <typename T, int kOut, int kTaps>
void phase_weight_grad(const T* phases, const T* x_at_outputs, const ConvGeometry& g, const PaddedLayout& l,
                       int64_t k, int64_t o, int64_t c, int64_t j_h, int64_t j_w0, T* grad_weight) {
  const int64_t r_h = k / g.stride[1], r_w = k % g.stride[1];
  T sums[kOut][kTaps];
  weight_grad_block<T, kOut, kTaps>(phases, x_at_outputs, l.positions, l, k * g.C + o, c, j_h * l.Wp + j_w0, sums);
  const int64_t kh = r_h + j_h * g.stride[0];
  for (int ob = 0; ob < kOut; ++ob)
    for (int t = 0; t < kTaps; ++t) {
      const int64_t kw = r_w + (j_w0 + t) * g.stride[1];
      grad_weight[(((c + ob) * g.C + o) * g.K_h + kh) * g.K_w + kw] = sums[ob][t];
    }
}

template <typename T, int kOut>
void phase_weight_grad_channels(const T* phases, const T* x_at_outputs, const ConvGeometry& g, const PaddedLayout& l,
                                int64_t c, T* grad_weight) {
  for (int64_t k = 0; k < g.stride[0] * g.stride[1]; ++k) {
    const int64_t J_h = phase_of(k / g.stride[1], g.K_h, g.stride[0], g.padding[0]).taps;
    const int64_t J_w = phase_of(k % g.stride[1], g.K_w, g.stride[1], g.padding[1]).taps;
    for (int64_t o = 0; o < g.C; ++o)
      for (int64_t j_h = 0; j_h < J_h; ++j_h)
        for_tap_runs(J_w, [&](auto taps, int64_t j_w0) {
          phase_weight_grad<T, kOut, decltype(taps)::value>(phases, x_at_outputs, g, l, k, o, c, j_h, j_w0,
                                                            grad_weight);
        });
  }
}

// Whether y's columns alternate between two phases, each taking the next value of its row in
// turn: stride 2 and every column reached (column_from: the table in conv_transpose2d_direct).
bool alternating_columns(const std::vector<int64_t>& column_from, int64_t s_w) {
  if (s_w != 2 || column_from.size() < 2 || column_from[0] < 0 || column_from[1] < 0) return false;
  for (size_t ow = 0; ow < column_from.size(); ++ow)
    if (column_from[ow] != column_from[ow % 2] + static_cast<int64_t>(ow / 2)) return false;
  return true;
}

// One row of y from two phase rows whose values alternate in it, plus `add`:
//   dst[2j] = first[j] + add,   dst[2j + 1] = second[j] + add      (2j, 2j + 1 < W)
// Half a vector from each phase row, interleaved into one whole vector by a shuffle (a plain
// loop goes value by value through a table, ~1 ns each). A whole vector may run past the row
// into the next one, which is written after it; `room` values from dst on may be written: past
// it, the values go one by one. Reads up to half a vector past the phase rows' values.
template <typename T, size_t... kLane>
void interleave_row(const T* first, const T* second, int64_t W, T add, int64_t room, T* dst,
                    std::index_sequence<kLane...>) {
  using V = typename Vec<T>::type;
  typedef T Half __attribute__((vector_size(kVectorBytes / 2)));
  constexpr int64_t lanes = Vec<T>::lanes, half = lanes / 2;
  int64_t j = 0;
  for (; 2 * j < W && 2 * j + lanes <= room; j += half) {
    Half a, b;
    std::memcpy(&a, first + j, sizeof(Half));
    std::memcpy(&b, second + j, sizeof(Half));
    // lane 2i from a[i], lane 2i + 1 from b[i] (b's lanes are numbered after a's)
    const V row = __builtin_shufflevector(a, b, (kLane % 2 ? half + kLane / 2 : kLane / 2)...) + add;
    std::memcpy(dst + 2 * j, &row, sizeof(V));
  }
  // NOTE: not `(w % 2 ? second : first)[w / 2]`: GCC 12 with -fsanitize=undefined read first[0]
  // for it here (and crashed at -O2); the two plain reads compile right everywhere.
  for (int64_t w = 2 * j; w < W; ++w) dst[w] = (w % 2 == 0 ? first[w / 2] : second[w / 2]) + add;
}
template <typename T>
void interleave_row(const T* first, const T* second, int64_t W, T add, int64_t room, T* dst) {
  interleave_row(first, second, W, add, room, dst, std::make_index_sequence<Vec<T>::lanes>{});
}

}  // namespace

bool conv_transpose2d_direct_applies(const ConvGeometry& g, int64_t C_in) {
  return g.dilation == Pair{1, 1} && conv2d_direct_applies(shared_geometry(g, C_in), g.C);
}

bool conv_transpose2d_direct_backward_applies(const ConvGeometry& g, int64_t C_in) {
  return g.dilation == Pair{1, 1} && conv2d_direct_weight_grad_applies(phase_split_geometry(g, C_in), C_in);
}

template <typename T>
void conv_transpose2d_direct(const T* x, const T* weight, const T* bias, const ConvGeometry& g, int64_t C_in, T* y) {
  const int64_t C_out = g.C, s_h = g.stride[0], s_w = g.stride[1];
  const ConvGeometry shared = shared_geometry(g, C_in);
  const PaddedLayout l = padded_layout<T>(shared);
  T* xpad = scratch_buffer<T>(4, C_in * l.plane);
  // Every phase's correlation, phase k = r_h s_w + r_w at out + k · C_out · positions.
  const int64_t phase_size = C_out * l.positions;
  T* out = scratch_buffer<T>(5, s_h * s_w * phase_size + Vec<T>::lanes);  // + interleave_row's reads
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
              const int64_t kh = r_h + (ph.taps - 1 - tap / pw.taps) * s_h;
              const int64_t kw = r_w + (pw.taps - 1 - tap % pw.taps) * s_w;
              w_blocks[b.first * C_in * taps + (c * taps + tap) * b.width + ob] =
                  weight[((c * C_out + b.first + ob) * g.K_h + kh) * g.K_w + kw];
            }
      T* phase_out = out + (r_h * s_w + r_w) * phase_size;
      for (const ChannelBlock& b : blocks)
        output_channel_block<T>(b.first, b.width, xpad, l.plane, C_in, offsets.data(), taps,
                                w_blocks + b.first * C_in * taps, l.positions, phase_out);
    }
  // y[s·t + r − p] = out_r[t] + b, for the t that land inside y and that phase r's correlation
  // reaches. Output row oh (column ow) comes from phase r = (oh + p) mod s at t = (oh + p − r) / s:
  // as tables of offsets into `out` (−1: not reached, the bias stays), one pass over y's rows.
  const auto table = [&](int64_t size, int64_t K, int64_t s, int64_t p, int64_t reach, int64_t phase_step,
                         int64_t t_step) {
    std::vector<int64_t> to(static_cast<size_t>(size), -1);
    for (int64_t i = 0; i < size; ++i) {
      const int64_t r = (i + p) % s, t = (i + p - r) / s;
      const Phase phase = phase_of(r, K, s, p);
      // the correlation's last output for this phase: reach − 1 − (J_0 − J_r)
      if (phase.taps > 0 && t <= reach - 1 - (phase_of(0, K, s, p).taps - phase.taps))
        to[i] = r * phase_step + t * t_step;
    }
    return to;
  };
  const std::vector<int64_t> row_from = table(g.H, g.K_h, s_h, g.padding[0], shared.H_out, s_w * phase_size, l.Wp);
  const std::vector<int64_t> column_from = table(g.W, g.K_w, s_w, g.padding[1], shared.W_out, phase_size, 1);
  const bool alternating = alternating_columns(column_from, s_w);
  // A row's vector stores may run into the next rows only when those are written after it.
  const bool every_row = std::all_of(row_from.begin(), row_from.end(), [](int64_t r) { return r >= 0; });
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t o = 0; o < C_out; ++o) {
      const T b = bias ? bias[o] : T(0);
      const T* image = out + o * l.positions + l.output_at(n, 0);
      T* y_plane = y + (n * C_out + o) * g.H * g.W;
      for (int64_t oh = 0; oh < g.H; ++oh) {
        if (row_from[oh] < 0) continue;
        const T* src = image + row_from[oh];
        T* dst = y_plane + oh * g.W;
        if (alternating) {
          interleave_row(src + column_from[0], src + column_from[1], g.W, b, (every_row ? g.H - oh : 1) * g.W, dst);
          continue;
        }
        for (int64_t ow = 0; ow < g.W; ++ow)
          if (column_from[ow] >= 0) dst[ow] = src[column_from[ow]] + b;
      }
    }
}

template <typename T>
void conv_transpose2d_direct_backward(const T* x, const T* grad_y, const T* weight, const ConvGeometry& g,
                                      int64_t C_in, T* grad_x, T* grad_weight) {
  const int64_t C_out = g.C, s_h = g.stride[0], s_w = g.stride[1], phases = s_h * s_w;
  const ConvGeometry split = phase_split_geometry(g, C_in);
  const PaddedLayout l = padded_layout<T>(split);  // no padding: rows Wp = W + J_0w − 1 wide
  T* planes = scratch_buffer<T>(4, phases * C_out * l.plane);
  T* out = scratch_buffer<T>(5, C_in * l.positions);
  stack_phases(grad_y, g, split, l, planes);
  const std::vector<ChannelBlock> blocks = channel_blocks(C_in, 8);
  if (grad_x != nullptr) {
    // dL/dx[c][ih] = sum over phases r and taps j of sum_o dy_r[o][ih + j] · W[c][o][r + j s]
    T* w_blocks = scratch_buffer<T>(1, C_in * C_out * split.K_h * split.K_w);
    for (int64_t k = 0; k < phases; ++k) {
      const int64_t r_h = k / s_w, r_w = k % s_w;
      const Phase ph = phase_of(r_h, g.K_h, s_h, g.padding[0]), pw = phase_of(r_w, g.K_w, s_w, g.padding[1]);
      const int64_t taps = ph.taps * pw.taps;
      std::vector<int64_t> offsets;
      for (int64_t jh = 0; jh < ph.taps; ++jh)
        for (int64_t jw = 0; jw < pw.taps; ++jw) offsets.push_back(jh * l.Wp + jw);
      for (const ChannelBlock& b : blocks)
        for (int64_t o = 0; o < C_out; ++o)
          for (int64_t tap = 0; tap < taps; ++tap)
            for (int64_t cb = 0; cb < b.width; ++cb) {
              const int64_t kh = r_h + tap / pw.taps * s_h, kw = r_w + tap % pw.taps * s_w;
              w_blocks[b.first * C_out * taps + (o * taps + tap) * b.width + cb] =
                  weight[((b.first + cb) * C_out + o) * g.K_h * g.K_w + kh * g.K_w + kw];
            }
      const T* phase = planes + k * C_out * l.plane;
      if (taps == 0) continue;
      for (const ChannelBlock& b : blocks) {  // phase 0 writes, the later ones add
        const T* w = w_blocks + b.first * C_out * taps;
        const int64_t* offs = offsets.data();
        if (k == 0) output_channel_block<T>(b.first, b.width, phase, l.plane, C_out, offs, taps, w, l.positions, out);
        else output_channel_block<T, true>(b.first, b.width, phase, l.plane, C_out, offs, taps, w, l.positions, out);
      }
    }
    const int64_t plane_size = g.H_out * g.W_out, grad_x_size = g.N * C_in * plane_size;
    for (int64_t n = 0; n < g.N; ++n)
      for (int64_t c = 0; c < C_in; ++c) {  // in grad_x's order: a plane's stores may run into the next
        const int64_t at = (n * C_in + c) * plane_size;
        store_plane(out + c * l.positions, l, n, g.H_out, g.W_out, T(0), grad_x_size - at, grad_x + at);
      }
  }
  if (grad_weight != nullptr) {
    // dL/dW[c][o][r + j s] = sum_n sum_ih x[n][c][ih] · dy_r[n][o][ih + j]: x laid at the output positions
    stack_at_outputs(x, g.N, C_in, g.H_out, g.W_out, l, out);
    for (const ChannelBlock& b : channel_blocks(C_in, kWeightGradWidest)) {
      if (b.width == 8) phase_weight_grad_channels<T, 8>(planes, out, g, l, b.first, grad_weight);
      if (b.width == 4) phase_weight_grad_channels<T, 4>(planes, out, g, l, b.first, grad_weight);
      if (b.width == 1) phase_weight_grad_channels<T, 1>(planes, out, g, l, b.first, grad_weight);
    }
  }
}

template void conv_transpose2d_direct_backward<float>(const float*, const float*, const float*, const ConvGeometry&,
                                                      int64_t, float*, float*);
template void conv_transpose2d_direct_backward<double>(const double*, const double*, const double*,
                                                       const ConvGeometry&, int64_t, double*, double*);

template void conv_transpose2d_direct<float>(const float*, const float*, const float*, const ConvGeometry&, int64_t,
                                             float*);
template void conv_transpose2d_direct<double>(const double*, const double*, const double*, const ConvGeometry&,
                                              int64_t, double*);

}  // namespace convgrad
