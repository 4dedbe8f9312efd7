#include "tensor/index_kernels.h"

#include <algorithm>
#include <cstring>

#include "tensor/elementwise.h"

namespace convgrad {

void copy_rows(const Tensor& src, int64_t src_start, int64_t src_step, Tensor& dst, int64_t dst_start,
               int64_t dst_step, int64_t count, int64_t dim) {
  check_same_dtype(src, dst, "copy_rows");
  CONVGRAD_CHECK(src.dim() == dst.dim() && dim >= 0 && dim < src.dim(), "copy_rows: expected tensors of one rank and a dimension below it, but got ",
                 shape_str(src.shape()), ", ", shape_str(dst.shape()), " and dimension ", dim);
  for (int64_t d = 0; d < src.dim(); ++d)
    CONVGRAD_CHECK(d == dim || src.shape()[d] == dst.shape()[d], "copy_rows: expected shapes that match except in dimension ",
                   dim, ", but got ", shape_str(src.shape()), " and ", shape_str(dst.shape()));
  if (count == 0) return;
  const int64_t src_rows = src.shape()[dim], dst_rows = dst.shape()[dim];
  CONVGRAD_CHECK(src_start >= 0 && src_start + (count - 1) * src_step < src_rows && dst_start >= 0 &&
                     dst_start + (count - 1) * dst_step < dst_rows,
                 "copy_rows: expected rows in range, but got ", count, " rows from ", src_start, " step ", src_step,
                 " of ", src_rows, " into ", dst_start, " step ", dst_step, " of ", dst_rows);
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < dim; ++d) outer *= src.shape()[d];
  for (int64_t d = dim + 1; d < src.dim(); ++d) inner *= src.shape()[d];
  const std::size_t row_bytes = static_cast<std::size_t>(inner) * dtype_size(src.dtype());
  const auto* in = static_cast<const char*>(src.raw_data());
  auto* out = static_cast<char*>(dst.raw_data());
  // Two contiguous steps at once when both sides step by one: one memcpy per outer index.
  if (src_step == 1 && dst_step == 1) {
    for (int64_t o = 0; o < outer; ++o)
      std::memcpy(out + ((o * dst_rows + dst_start) * row_bytes), in + ((o * src_rows + src_start) * row_bytes),
                  static_cast<std::size_t>(count) * row_bytes);
    return;
  }
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t r = 0; r < count; ++r)
      std::memcpy(out + (o * dst_rows + dst_start + r * dst_step) * row_bytes,
                  in + (o * src_rows + src_start + r * src_step) * row_bytes, row_bytes);
}

Tensor broadcast_to(const Tensor& x, const Shape& shape) {
  CONVGRAD_CHECK(broadcast_shapes(x.shape(), shape, "broadcast_to") == shape, "broadcast_to: expected a shape that ",
                 shape_str(x.shape()), " broadcasts to, but got ", shape_str(shape));
  if (x.shape() == shape) return x.clone();
  Tensor out = Tensor::empty(shape, x.dtype());
  const auto strides = detail::broadcast_strides(x.shape(), shape);
  const int64_t rank = static_cast<int64_t>(shape.size());
  dispatch(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* in = x.data<T>();
    T* o = out.data<T>();
    if (x.numel() == 1) {
      for (int64_t i = 0; i < out.numel(); ++i) o[i] = in[0];
      return;
    }
    // The trailing dimensions that x only broadcasts along (stride 0) repeat one value: the
    // output is runs of `run` equal values (a sum's backward: [N, 1, 1, 1] -> [N, C, H, W]).
    int64_t outer_rank = rank, run = 1;
    while (outer_rank > 0 && strides[outer_rank - 1] == 0) run *= shape[--outer_rank];
    std::vector<int64_t> index(rank, 0);
    int64_t ix = 0;
    for (int64_t i = 0; i < out.numel(); i += run) {
      std::fill(o + i, o + i + run, in[ix]);
      for (int64_t d = outer_rank - 1; d >= 0; --d) {  // advance the odometer
        ix += strides[d];
        if (++index[d] < shape[d]) break;
        ix -= strides[d] * shape[d];
        index[d] = 0;
      }
    }
  });
  return out;
}

}  // namespace convgrad
