// The images of one pixel as vectors (tensor/batch_last.h): N values split into blocks of two
// whole vectors, then one whole vector, then a last, partial one. Internal to tensor/.
#pragma once

#include <cstring>
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

}  // namespace
}  // namespace convgrad::batch_last
