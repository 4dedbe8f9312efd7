// Reductions: sums and means over all elements or over chosen dimensions.
#pragma once

#include <vector>

#include "tensor/tensor.h"

namespace convgrad {

// Sum over `dims` (negative allowed; empty = all dimensions). keepdim keeps them as size 1.
Tensor sum(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
// Mean over `dims` (empty = all): sum / number of elements reduced.
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims = {}, bool keepdim = false);
// The shape that reducing `shape` over `dims` gives.
Shape reduced_shape(const Shape& shape, const std::vector<int64_t>& dims, bool keepdim);
// Sorted, de-duplicated, non-negative dims; empty input means all dims.
std::vector<int64_t> normalize_dims(const std::vector<int64_t>& dims, int64_t rank, const char* op);

}  // namespace convgrad
