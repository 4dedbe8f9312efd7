#include "tensor/random.h"

#include <cmath>
#include <numeric>

namespace convgrad {

double Generator::uniform() {
  // The top 53 bits of a 64-bit draw, scaled into [0, 1).
  return static_cast<double>(engine_() >> 11) * (1.0 / 9007199254740992.0);
}

double Generator::normal() {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  // Box-Muller: two uniforms give two independent standard normals.
  double u1 = uniform();
  while (u1 <= 0.0) u1 = uniform();
  const double u2 = uniform();
  const double radius = std::sqrt(-2.0 * std::log(u1));
  const double angle = 2.0 * M_PI * u2;
  spare_normal_ = radius * std::sin(angle);
  has_spare_normal_ = true;
  return radius * std::cos(angle);
}

int64_t Generator::randint(int64_t n) {
  CONVGRAD_CHECK(n > 0, "randint: expected n > 0, but got ", n);
  // Rejection sampling removes the modulo bias.
  const uint64_t range = static_cast<uint64_t>(n);
  const uint64_t limit = UINT64_MAX - UINT64_MAX % range;
  uint64_t draw = engine_();
  while (draw >= limit) draw = engine_();
  return static_cast<int64_t>(draw % range);
}

Tensor uniform(const Shape& shape, double low, double high, Generator& gen, DType dtype) {
  Tensor t = Tensor::empty(shape, dtype);
  dispatch(dtype, [&](auto zero) {
    using T = decltype(zero);
    T* out = t.data<T>();
    for (int64_t i = 0; i < t.numel(); ++i) out[i] = static_cast<T>(gen.uniform(low, high));
  });
  return t;
}

Tensor normal(const Shape& shape, double mean, double std, Generator& gen, DType dtype) {
  Tensor t = Tensor::empty(shape, dtype);
  dispatch(dtype, [&](auto zero) {
    using T = decltype(zero);
    T* out = t.data<T>();
    for (int64_t i = 0; i < t.numel(); ++i) out[i] = static_cast<T>(mean + std * gen.normal());
  });
  return t;
}

std::vector<int64_t> randperm(int64_t n, Generator& gen) {
  std::vector<int64_t> perm(static_cast<size_t>(n));
  std::iota(perm.begin(), perm.end(), 0);
  for (int64_t i = n - 1; i > 0; --i) std::swap(perm[i], perm[gen.randint(i + 1)]);
  return perm;
}

}  // namespace convgrad
