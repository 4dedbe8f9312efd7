// Shapes: a list of sizes, outermost first (NCHW for images), and the helpers that
// every error message and every broadcast needs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace convgrad {

using Shape = std::vector<int64_t>;

// "[32, 8, 10, 10]"
std::string shape_str(const Shape& shape);

// Product of the sizes; 1 for a scalar (empty shape).
int64_t shape_numel(const Shape& shape);

// Row-major (C order) strides in elements: strides[d] = prod(shape[d+1:]).
std::vector<int64_t> contiguous_strides(const Shape& shape);

// NumPy broadcasting: align from the right, sizes must be equal or 1.
// Throws "<op>: cannot broadcast shapes [..] and [..]" naming the first dimension that clashes.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

// Turns a possibly negative dimension into 0..rank-1; throws when out of range.
int64_t normalize_dim(int64_t dim, int64_t rank, const char* op);

}  // namespace convgrad
