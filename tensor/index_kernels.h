// Index kernels: copying blocks of rows along one dimension, and broadcasting a tensor up
// to a larger shape. They are the forward and backward of cat, select, slice and the
// reductions (autograd/ops/cat.cpp, select.cpp, reduce.cpp).
//
// "Rows along dim" means: view a tensor as [outer, size(dim), inner], where outer is the
// product of the sizes before dim and inner the product of those after it. cat writes each
// input's rows into a run of the output's rows; slice reads every step-th row.
#pragma once

#include <cstdint>

#include "tensor/tensor.h"

namespace convgrad {

// For r = 0 .. count-1:  dst[o, dst_start + r * dst_step, i] = src[o, src_start + r * src_step, i]
// for every outer index o and inner index i. src and dst must share a dtype and agree in
// every size except dimension `dim` (non-negative here); the rows must be in range.
void copy_rows(const Tensor& src, int64_t src_start, int64_t src_step, Tensor& dst, int64_t dst_start,
               int64_t dst_step, int64_t count, int64_t dim);

// A new tensor of `shape` holding x repeated NumPy-style (x's shape must broadcast to it).
// The inverse, summing back down, is sum_to_shape in elementwise.h.
Tensor broadcast_to(const Tensor& x, const Shape& shape);

}  // namespace convgrad
