// PyTorch's default initialisation of Conv2d, ConvTranspose2d and Linear.
//
// reset_parameters() in torch/nn/modules/{conv,linear}.py calls
// kaiming_uniform_(weight, a=sqrt(5)): bound = gain * sqrt(3 / fan_in) with
// gain = sqrt(2 / (1 + a^2)) = sqrt(1/3), so
//
//   weight, bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)),   fan_in = weight.size(1) * K_h * K_w
//
// Conv2d weight [C_out, C_in, K_h, K_w]         -> fan_in = C_in * K_h * K_w
// ConvTranspose2d weight [C_in, C_out, K_h, K_w] -> fan_in = C_out * K_h * K_w (size(1)!)
// Linear weight [out, in]                        -> fan_in = in
//
// The weight is drawn first, element by element in row-major order, then the bias, from a
// convgrad::Generator: the same seed gives the same weights on every machine, and float32
// weights are the float64 ones rounded.
#pragma once

#include <cstdint>

#include "tensor/random.h"
#include "tensor/tensor.h"

namespace convgrad {

// PyTorch's _calculate_fan_in_and_fan_out: size(1) * prod(size(2:)); needs rank >= 2.
int64_t fan_in_of(const Shape& weight_shape);

// sqrt(6 / ((1 + a^2) fan_in)); with the default a = sqrt(5) that is 1 / sqrt(fan_in).
double kaiming_uniform_bound(int64_t fan_in, double a);

// U(-bound, bound) for a layer whose weight has fan_in `fan_in`: the default weight and
// bias init (0 when fan_in is 0, as in PyTorch's bias init).
double default_init_bound(int64_t fan_in);

// A new tensor of U(low, high) values drawn in row-major order.
Tensor uniform_init(const Shape& shape, double low, double high, Generator& gen, DType dtype);

// The process-wide generator that layers use when none is passed (like torch's global RNG).
// Seeded with 0 at start-up; reseed it with manual_seed. Pass your own Generator for
// reproducible runs that do not depend on what was created before.
Generator& default_generator();
void manual_seed(uint64_t seed);

}  // namespace convgrad
