#include "tensor/tensor.h"

#include "tensor/block_cache.h"

#include <cstdlib>
#include <cstring>

namespace convgrad {

Storage::Storage(std::size_t bytes) : bytes_(bytes) {
  data_ = allocate_block(bytes);  // 64-byte aligned; reused from this thread's freed blocks
  if (!data_) throw Error(str_cat("tensor: out of memory allocating ", bytes, " bytes"));
}

Storage::~Storage() { release_block(data_, bytes_); }

Tensor Tensor::empty(Shape shape, DType dtype) {
  for (int64_t s : shape)
    CONVGRAD_CHECK(s >= 0, "tensor: expected non-negative sizes, but got shape ", shape_str(shape));
  Tensor t;
  t.numel_ = shape_numel(shape);
  t.shape_ = std::move(shape);
  t.dtype_ = dtype;
  t.storage_ = std::make_shared<Storage>(static_cast<std::size_t>(t.numel_) * dtype_size(dtype));
  return t;
}

Tensor Tensor::zeros(Shape shape, DType dtype) {
  Tensor t = empty(std::move(shape), dtype);
  std::memset(t.raw_data(), 0, static_cast<std::size_t>(t.numel_) * dtype_size(dtype));
  return t;
}

Tensor Tensor::ones(Shape shape, DType dtype) { return full(std::move(shape), 1.0, dtype); }

Tensor Tensor::full(Shape shape, double value, DType dtype) {
  Tensor t = empty(std::move(shape), dtype);
  t.fill(value);
  return t;
}

Tensor Tensor::arange(int64_t n, DType dtype) {
  Tensor t = empty({n}, dtype);
  dispatch(dtype, [&](auto zero) {
    using T = decltype(zero);
    T* out = t.data<T>();
    for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(i);
  });
  return t;
}

Tensor Tensor::from_vector(const std::vector<double>& values, const Shape& shape, DType dtype) {
  CONVGRAD_CHECK(static_cast<int64_t>(values.size()) == shape_numel(shape),
                 "from_vector: expected ", shape_numel(shape), " values for shape ",
                 shape_str(shape), ", but got ", values.size());
  Tensor t = empty(shape, dtype);
  dispatch(dtype, [&](auto zero) {
    using T = decltype(zero);
    T* out = t.data<T>();
    for (size_t i = 0; i < values.size(); ++i) out[i] = static_cast<T>(values[i]);
  });
  return t;
}

int64_t Tensor::size(int64_t d) const { return shape_[normalize_dim(d, dim(), "size")]; }

Tensor Tensor::reshape(Shape shape) const {
  int64_t known = 1, infer_at = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      CONVGRAD_CHECK(infer_at < 0, "reshape: expected at most one -1, but got ", shape_str(shape));
      infer_at = static_cast<int64_t>(i);
    } else {
      CONVGRAD_CHECK(shape[i] >= 0, "reshape: expected sizes >= 0 or -1, but got ", shape_str(shape));
      known *= shape[i];
    }
  }
  if (infer_at >= 0) {
    CONVGRAD_CHECK(known > 0 && numel_ % known == 0, "reshape: cannot reshape ", shape_str(shape_),
                   " (", numel_, " elements) into ", shape_str(shape));
    shape[infer_at] = numel_ / known;
  }
  CONVGRAD_CHECK(shape_numel(shape) == numel_, "reshape: cannot reshape ", shape_str(shape_),
                 " (", numel_, " elements) into ", shape_str(shape));
  Tensor view;  // the same storage, dtype and count; only the shape is new
  view.storage_ = storage_;
  view.numel_ = numel_;
  view.dtype_ = dtype_;
  view.shape_ = std::move(shape);
  return view;
}

Tensor Tensor::clone() const {
  Tensor copy = empty(shape_, dtype_);
  std::memcpy(copy.raw_data(), raw_data(), static_cast<std::size_t>(numel_) * dtype_size(dtype_));
  return copy;
}

Tensor Tensor::to(DType dtype) const {
  if (dtype == dtype_) return *this;
  Tensor out = empty(shape_, dtype);
  dispatch(dtype_, [&](auto from_zero) {
    using From = decltype(from_zero);
    dispatch(dtype, [&](auto to_zero) {
      using To = decltype(to_zero);
      const From* in = data<From>();
      To* o = out.data<To>();
      for (int64_t i = 0; i < numel_; ++i) o[i] = static_cast<To>(in[i]);
    });
  });
  return out;
}

void Tensor::copy_from(const Tensor& other) {
  check_same_shape(*this, other, "copy_from");
  check_same_dtype(*this, other, "copy_from");
  if (other.raw_data() != raw_data())
    std::memcpy(raw_data(), other.raw_data(), static_cast<std::size_t>(numel_) * dtype_size(dtype_));
}

void Tensor::fill(double value) {
  dispatch(dtype_, [&](auto zero) {
    using T = decltype(zero);
    T* out = data<T>();
    for (int64_t i = 0; i < numel_; ++i) out[i] = static_cast<T>(value);
  });
}

double Tensor::item() const {
  CONVGRAD_CHECK(defined() && numel_ == 1, "item: expected a tensor with one element, but got shape ",
                 shape_str(shape_));
  return dispatch(dtype_, [&](auto zero) {
    using T = decltype(zero);
    return static_cast<double>(data<T>()[0]);
  });
}

double Tensor::at(const std::vector<int64_t>& index) const {
  CONVGRAD_CHECK(static_cast<int64_t>(index.size()) == dim(), "at: expected ", dim(),
                 " indices for shape ", shape_str(shape_), ", but got ", index.size());
  const auto strides = contiguous_strides(shape_);
  int64_t flat = 0;
  for (size_t d = 0; d < index.size(); ++d) {
    CONVGRAD_CHECK(index[d] >= 0 && index[d] < shape_[d], "at: index ", index[d],
                   " is out of range for dimension ", d, " of shape ", shape_str(shape_));
    flat += index[d] * strides[d];
  }
  return dispatch(dtype_, [&](auto zero) {
    using T = decltype(zero);
    return static_cast<double>(data<T>()[flat]);
  });
}

std::vector<double> Tensor::to_vector() const {
  std::vector<double> out(static_cast<size_t>(numel_));
  dispatch(dtype_, [&](auto zero) {
    using T = decltype(zero);
    const T* in = data<T>();
    for (int64_t i = 0; i < numel_; ++i) out[i] = static_cast<double>(in[i]);
  });
  return out;
}

void Tensor::check_type(DType requested) const {
  CONVGRAD_CHECK(defined(), "tensor: expected a defined tensor, but got an undefined one");
  CONVGRAD_CHECK(requested == dtype_, "tensor: expected element type ", dtype_name(dtype_),
                 " for data<T>(), but got a request for ", dtype_name(requested));
}

void check_same_shape(const Tensor& a, const Tensor& b, const char* op) {
  CONVGRAD_CHECK(a.shape() == b.shape(), op, ": expected tensors of the same shape, but got ",
                 shape_str(a.shape()), " and ", shape_str(b.shape()));
}

void check_same_dtype(const Tensor& a, const Tensor& b, const char* op) {
  CONVGRAD_CHECK(a.dtype() == b.dtype(), op, ": expected tensors of one dtype, but got ",
                 dtype_name(a.dtype()), " and ", dtype_name(b.dtype()));
}

}  // namespace convgrad
