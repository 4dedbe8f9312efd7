// The images of one pixel as vectors (tensor/batch_last.h): N values split into blocks of two
// whole vectors, then one whole vector, then a last, partial one. Internal to tensor/.
#pragma once

#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "tensor/direct_kernels.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace convgrad::batch_last {
namespace {

using direct::load;
using direct::Vec;

// The first `count` lanes of p (count ≤ lanes), the others 0.
template <typename T>
inline typename Vec<T>::type load_lanes(const T* p, int64_t count) {
  using V = typename Vec<T>::type;
  if (count == Vec<T>::lanes) return load(p);
#if defined(__AVX512F__)
  if constexpr (sizeof(V) == 64 && sizeof(T) == 4) return (V)_mm512_maskz_loadu_ps((__mmask16)((1u << count) - 1), p);
  if constexpr (sizeof(V) == 64 && sizeof(T) == 8) return (V)_mm512_maskz_loadu_pd((__mmask8)((1u << count) - 1), p);
#endif
  V v = {};
  for (int64_t i = 0; i < count; ++i) v[i] = p[i];
  return v;
}

// p[0, count) = the first `count` lanes of v; p past them untouched.
template <typename T>
inline void store_lanes(T* p, const typename Vec<T>::type& v, int64_t count) {
  using V = typename Vec<T>::type;
  if (count == Vec<T>::lanes) {
    std::memcpy(p, &v, sizeof(V));
    return;
  }
#if defined(__AVX512F__)
  if constexpr (sizeof(V) == 64 && sizeof(T) == 4) {
    _mm512_mask_storeu_ps(p, (__mmask16)((1u << count) - 1), (__m512)v);
    return;
  }
  if constexpr (sizeof(V) == 64 && sizeof(T) == 8) {
    _mm512_mask_storeu_pd(p, (__mmask8)((1u << count) - 1), (__m512d)v);
    return;
  }
#endif
  for (int64_t i = 0; i < count; ++i) p[i] = v[i];
}

// Images [first, first + vectors · lanes) — or, for the partial block, [first, first + last).
struct LaneBlock {
  int64_t first;
  int vectors;   // 2 or 1
  int64_t last;  // lanes in use in the last vector: `lanes`, or fewer in the partial block
};

template <typename T>
std::vector<LaneBlock> lane_blocks(int64_t N) {
  constexpr int64_t lanes = Vec<T>::lanes;
  std::vector<LaneBlock> blocks;
  int64_t n = 0;
  for (; n + 2 * lanes <= N; n += 2 * lanes) blocks.push_back({n, 2, lanes});
  for (; n + lanes <= N; n += lanes) blocks.push_back({n, 1, lanes});
  if (n < N) blocks.push_back({n, 1, N - n});
  return blocks;
}

// f(std::integral_constant<int, kVectors>, std::integral_constant<bool, kPartial>) for a block:
// the vector count and whether the last vector is partial become compile-time constants.
template <typename T, typename F>
void with_block_shape(const LaneBlock& b, F&& f) {
  if (b.vectors == 2) f(std::integral_constant<int, 2>{}, std::false_type{});
  else if (b.last == Vec<T>::lanes) f(std::integral_constant<int, 1>{}, std::false_type{});
  else f(std::integral_constant<int, 1>{}, std::true_type{});
}

// Vector v of a block's pixel row at p (p already at the block's first image).
template <typename T, bool kPartial>
inline typename Vec<T>::type load_vector(const T* p, int v, int64_t last) {
  return kPartial ? load_lanes(p + v * Vec<T>::lanes, last) : load(p + v * Vec<T>::lanes);
}
template <typename T, bool kPartial>
inline void store_vector(T* p, int v, const typename Vec<T>::type& value, int64_t last) {
  store_lanes(p + v * Vec<T>::lanes, value, kPartial ? last : Vec<T>::lanes);
}

// The taps k of one axis whose input i = o·s − p + k·d falls inside [0, size).
struct TapRange {
  int64_t first, last;  // [first, last)
};
inline TapRange taps_inside(int64_t o, int64_t K, int64_t s, int64_t p, int64_t d, int64_t size) {
  TapRange r{0, K};
  while (r.first < K && o * s - p + r.first * d < 0) ++r.first;
  while (r.last > r.first && o * s - p + (r.last - 1) * d >= size) --r.last;
  return r;
}

// Which pixels a window of taps joins, listed once per call and shared by every channel and
// image: pixel p's taps are entries [first[p], first[p + 1]); each names the pixel on the other
// side (its offset in a channel's plane, · N, the images being the last axis) and the tap
// kh · K_w + kw.
struct PixelTaps {
  std::vector<int64_t> first, other, tap;
  int64_t pixels() const { return static_cast<int64_t>(first.size()) - 1; }
};

// Per output pixel of g, row by row: the input pixels its window reads, taps inside the input
// only, in row-major window order (kh, then kw).
inline PixelTaps taps_by_output_pixel(const ConvGeometry& g) {
  PixelTaps t;
  t.first.reserve(static_cast<size_t>(g.positions() + 1));
  t.other.reserve(static_cast<size_t>(g.positions() * g.K_h * g.K_w));
  t.tap.reserve(static_cast<size_t>(g.positions() * g.K_h * g.K_w));
  t.first.push_back(0);
  for (int64_t oh = 0; oh < g.H_out; ++oh) {
    const TapRange rows = taps_inside(oh, g.K_h, g.stride[0], g.padding[0], g.dilation[0], g.H);
    for (int64_t ow = 0; ow < g.W_out; ++ow) {
      const TapRange cols = taps_inside(ow, g.K_w, g.stride[1], g.padding[1], g.dilation[1], g.W);
      for (int64_t kh = rows.first; kh < rows.last; ++kh)
        for (int64_t kw = cols.first; kw < cols.last; ++kw) {
          const int64_t ih = oh * g.stride[0] - g.padding[0] + kh * g.dilation[0];
          const int64_t iw = ow * g.stride[1] - g.padding[1] + kw * g.dilation[1];
          t.other.push_back((ih * g.W + iw) * g.N);
          t.tap.push_back(kh * g.K_w + kw);
        }
      t.first.push_back(static_cast<int64_t>(t.other.size()));
    }
  }
  return t;
}

// Per output pixel of g: every tap of its window, in row-major order, the pixel each reads or
// −1 for one outside the input (pixel p's taps start at p · K_h · K_w).
inline PixelTaps every_tap_by_output_pixel(const ConvGeometry& g) {
  PixelTaps t;
  const int64_t taps = g.K_h * g.K_w;
  for (int64_t p = 0; p <= g.positions(); ++p) t.first.push_back(p * taps);
  t.other.reserve(static_cast<size_t>(g.positions() * taps));
  for (int64_t oh = 0; oh < g.H_out; ++oh)
    for (int64_t ow = 0; ow < g.W_out; ++ow)
      for (int64_t kh = 0; kh < g.K_h; ++kh)
        for (int64_t kw = 0; kw < g.K_w; ++kw) {
          const int64_t source = tap_source(g, oh, ow, kh, kw);
          t.other.push_back(source < 0 ? -1 : source * g.N);
          t.tap.push_back(kh * g.K_w + kw);
        }
  return t;
}

// Per input pixel of g: the output pixels whose windows read it, with the tap that does (ih =
// oh·s − p + kh·d, and across), the flipped kernel's order: kh from the largest, then kw.
inline PixelTaps taps_by_input_pixel(const ConvGeometry& g) {
  PixelTaps t;
  t.first.reserve(static_cast<size_t>(g.H * g.W + 1));
  t.first.push_back(0);
  for (int64_t ih = 0; ih < g.H; ++ih)
    for (int64_t iw = 0; iw < g.W; ++iw) {
      for (int64_t kh = g.K_h - 1; kh >= 0; --kh) {
        const int64_t sh = ih + g.padding[0] - kh * g.dilation[0];  // = oh · s
        if (sh < 0 || sh % g.stride[0] != 0 || sh / g.stride[0] >= g.H_out) continue;
        for (int64_t kw = g.K_w - 1; kw >= 0; --kw) {
          const int64_t sw = iw + g.padding[1] - kw * g.dilation[1];
          if (sw < 0 || sw % g.stride[1] != 0 || sw / g.stride[1] >= g.W_out) continue;
          t.other.push_back((sh / g.stride[0] * g.W_out + sw / g.stride[1]) * g.N);
          t.tap.push_back(kh * g.K_w + kw);
        }
      }
      t.first.push_back(static_cast<int64_t>(t.other.size()));
    }
  return t;
}

// The fields a PixelTaps table depends on (not the channels) are equal.
inline bool same_taps(const ConvGeometry& a, const ConvGeometry& b) {
  return a.N == b.N && a.H == b.H && a.W == b.W && a.K_h == b.K_h && a.K_w == b.K_w &&
         a.stride == b.stride && a.padding == b.padding && a.dilation == b.dilation && a.H_out == b.H_out &&
         a.W_out == b.W_out;
}

// build(g), kept per thread for the next call with the same geometry: a training loop asks for
// the same few every batch, and building a table (a division per tap) can cost as much as a
// small layer's arithmetic.
template <PixelTaps (*build)(const ConvGeometry&)>
std::shared_ptr<const PixelTaps> cached(const ConvGeometry& g) {
  thread_local std::vector<std::pair<ConvGeometry, std::shared_ptr<const PixelTaps>>> kept;
  for (const auto& [geometry, taps] : kept)
    if (same_taps(geometry, g)) return taps;
  if (kept.size() == 64) kept.clear();  // a bound, for programs that try many shapes
  kept.emplace_back(g, std::make_shared<const PixelTaps>(build(g)));
  return kept.back().second;
}

}  // namespace
}  // namespace convgrad::batch_last
