// A seeded random number generator. The same seed gives the same numbers on every
// machine and build: mt19937_64 bits turned into doubles by our own code (the standard
// library's distributions differ between implementations).
#pragma once

#include <cstdint>
#include <random>

#include "tensor/tensor.h"

namespace convgrad {

class Generator {
 public:
  explicit Generator(uint64_t seed = 0) : engine_(seed) {}
  void seed(uint64_t seed) { engine_.seed(seed); has_spare_normal_ = false; }

  double uniform();                   // in [0, 1), 53 random bits
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  double normal();                    // standard normal (Box-Muller)
  uint64_t next_u64() { return engine_(); }
  int64_t randint(int64_t n);         // in [0, n)

 private:
  std::mt19937_64 engine_;
  bool has_spare_normal_ = false;
  double spare_normal_ = 0.0;
};

Tensor uniform(const Shape& shape, double low, double high, Generator& gen, DType dtype);
Tensor normal(const Shape& shape, double mean, double std, Generator& gen, DType dtype);
// A random permutation of 0..n-1 (Fisher-Yates).
std::vector<int64_t> randperm(int64_t n, Generator& gen);

}  // namespace convgrad
