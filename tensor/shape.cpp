#include "tensor/shape.h"

#include <algorithm>

#include "tensor/dtype.h"
#include "tensor/error.h"

namespace convgrad {

std::string shape_str(const Shape& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(shape[i]);
  }
  return out + "]";
}

int64_t shape_numel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return n;
}

std::vector<int64_t> contiguous_strides(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    // i counts from the right.
    const int64_t sa = i < a.size() ? a[a.size() - 1 - i] : 1;
    const int64_t sb = i < b.size() ? b[b.size() - 1 - i] : 1;
    CONVGRAD_CHECK(sa == sb || sa == 1 || sb == 1, op, ": cannot broadcast shapes ", shape_str(a),
                   " and ", shape_str(b), " (size ", sa, " vs ", sb, " at dimension ",
                   static_cast<int64_t>(rank - 1 - i), " of the result)");
    out[rank - 1 - i] = sa == 1 ? sb : sa;
  }
  return out;
}

int64_t normalize_dim(int64_t dim, int64_t rank, const char* op) {
  const int64_t lo = rank == 0 ? -1 : -rank, hi = rank == 0 ? 0 : rank - 1;
  CONVGRAD_CHECK(dim >= lo && dim <= hi, op, ": expected a dimension in [", lo, ", ", hi,
                 "], but got ", dim);
  return dim < 0 ? dim + std::max<int64_t>(rank, 1) : dim;
}

DType parse_dtype(const std::string& name) {
  if (name == "float32" || name == "f32") return DType::Float32;
  if (name == "float64" || name == "f64") return DType::Float64;
  throw Error("dtype: expected float32 or float64, but got '" + name + "'");
}

}  // namespace convgrad
