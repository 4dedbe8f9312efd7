#include "nn/init.h"

#include <cmath>

namespace convgrad {

int64_t fan_in_of(const Shape& weight_shape) {
  CONVGRAD_CHECK(weight_shape.size() >= 2, "fan_in_of: expected a weight with at least 2 dimensions, but got ",
                 shape_str(weight_shape));
  int64_t receptive_field = 1;
  for (size_t d = 2; d < weight_shape.size(); ++d) receptive_field *= weight_shape[d];
  return weight_shape[1] * receptive_field;
}

double kaiming_uniform_bound(int64_t fan_in, double a) {
  CONVGRAD_CHECK(fan_in > 0, "kaiming_uniform_bound: expected fan_in > 0, but got ", fan_in);
  // In PyTorch's order: gain, then std = gain / sqrt(fan_in), then bound = sqrt(3) * std.
  const double gain = std::sqrt(2.0 / (1.0 + a * a));
  const double std_dev = gain / std::sqrt(static_cast<double>(fan_in));
  return std::sqrt(3.0) * std_dev;
}

double default_init_bound(int64_t fan_in) {
  return fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
}

Tensor uniform_init(const Shape& shape, double low, double high, Generator& gen, DType dtype) {
  return uniform(shape, low, high, gen, dtype);
}

Generator& default_generator() {
  static Generator generator(0);
  return generator;
}

void manual_seed(uint64_t seed) { default_generator().seed(seed); }

}  // namespace convgrad
