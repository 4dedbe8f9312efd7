// Small builders for test inputs: literal values, seeded random Variables, one sample of a
// batch. Everything float64 unless a dtype is asked for, as gradcheck wants.
#pragma once

#include <cstdint>
#include <vector>

#include "autograd/variable.h"
#include "tensor/random.h"
#include "tensor/tensor.h"

namespace convgrad {
namespace testing {

using Values = std::vector<double>;

// A float64 leaf that requires grad, from row-major values.
inline Variable values(const Values& v, const Shape& shape) {
  return Variable(Tensor::from_vector(v, shape, DType::Float64), true);
}

// A float64 leaf that requires grad, drawn from U(low, high) with its own seed.
inline Variable random_var(const Shape& shape, uint64_t seed, double low = -1.0, double high = 1.0) {
  Generator gen(seed);
  return Variable(uniform(shape, low, high, gen, DType::Float64), true);
}

// The same U(-1, 1) draw as random_var, as a Variable that does not require grad.
inline Variable random_constant(const Shape& shape, uint64_t seed, DType dtype = DType::Float64) {
  Generator gen(seed);
  return Variable(uniform(shape, -1.0, 1.0, gen, dtype), false);
}

// Sample n of a batch [N, ...], as a [1, ...] tensor.
inline Tensor batch_sample(const Tensor& batch, int64_t n) {
  Shape shape = batch.shape();
  shape[0] = 1;
  const int64_t size = shape_numel(shape);
  const std::vector<double> all = batch.to_vector();
  return Tensor::from_vector(std::vector<double>(all.begin() + n * size, all.begin() + (n + 1) * size), shape,
                             batch.dtype());
}

}  // namespace testing
}  // namespace convgrad
