// tensor/ — the numeric layer of convgrad.
//
// A Tensor is a contiguous, row-major (C order, NCHW for images) block of float32 or
// float64 values with a shape. Copies of a Tensor share the same storage (like
// torch.Tensor); `clone()` makes an independent copy and `reshape()` a view without copying.
// This layer knows nothing of gradients: autograd/ wraps tensors in Variables.
//
//   Tensor x = Tensor::zeros({2, 3}, DType::Float64);
//   x.data<double>()[4] = 1.5;            // element [1, 1]
//   Tensor y = x.reshape({3, 2});         // same storage, new shape
//
// Kernels live beside it: elementwise.h (NumPy broadcasting), reduce.h (sum/mean),
// blas.h (GEMM through OpenBLAS), random.h (seeded RNG), npy.h (.npy files).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tensor/dtype.h"
#include "tensor/error.h"
#include "tensor/shape.h"

namespace convgrad {

// A 64-byte aligned, owned buffer of bytes.
class Storage {
 public:
  explicit Storage(std::size_t bytes);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  void* data() const { return data_; }
  std::size_t bytes() const { return bytes_; }

 private:
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
};

class Tensor {
 public:
  Tensor() = default;  // an undefined tensor: defined() is false

  // Uninitialised values; use when every element is written next. (Shapes are taken by value:
  // a braced shape {C, H, W, N} is moved in, not copied — a training step makes hundreds.)
  static Tensor empty(Shape shape, DType dtype);
  static Tensor zeros(Shape shape, DType dtype);
  static Tensor ones(Shape shape, DType dtype);
  static Tensor full(Shape shape, double value, DType dtype);
  // 0, 1, ..., n-1 as a 1-d tensor.
  static Tensor arange(int64_t n, DType dtype);
  // Copies `values` (row-major) into a new tensor; the count must match the shape.
  static Tensor from_vector(const std::vector<double>& values, const Shape& shape, DType dtype);
  static Tensor scalar(double value, DType dtype) { return full({}, value, dtype); }

  bool defined() const { return storage_ != nullptr; }
  const Shape& shape() const { return shape_; }
  int64_t dim() const { return static_cast<int64_t>(shape_.size()); }
  int64_t size(int64_t d) const;  // negative d counts from the end
  int64_t numel() const { return numel_; }
  DType dtype() const { return dtype_; }

  // Typed pointer to the first element; T must match dtype().
  template <typename T>
  T* data() {
    check_type(dtype_of<T>());
    return static_cast<T*>(storage_->data());
  }
  template <typename T>
  const T* data() const {
    check_type(dtype_of<T>());
    return static_cast<const T*>(storage_->data());
  }
  void* raw_data() const { return storage_ ? storage_->data() : nullptr; }

  // A view with a new shape and the same storage; one size may be -1 (inferred).
  Tensor reshape(Shape shape) const;
  Tensor clone() const;
  Tensor to(DType dtype) const;  // a copy converted to dtype (or *this if already that)
  void copy_from(const Tensor& other);  // same shape and dtype; copies the values in
  void fill(double value);

  double item() const;                          // the value of a one-element tensor
  double at(const std::vector<int64_t>& index) const;  // slow, for tests and printing
  std::vector<double> to_vector() const;        // all values as double, row-major
  bool shares_storage_with(const Tensor& other) const { return storage_ == other.storage_; }
  // True when this Tensor is the only one holding its storage (no copy, view or reshape of it).
  bool sole_owner() const { return storage_ != nullptr && storage_.use_count() == 1; }

 private:
  void check_type(DType requested) const;

  std::shared_ptr<Storage> storage_;
  Shape shape_;
  int64_t numel_ = 0;
  DType dtype_ = DType::Float32;
};

// Throws "<op>: expected <what> to have shape [..], but got [..]" when shapes differ.
void check_same_shape(const Tensor& a, const Tensor& b, const char* op);
// Throws "<op>: expected tensors of one dtype, but got float32 and float64".
void check_same_dtype(const Tensor& a, const Tensor& b, const char* op);

}  // namespace convgrad
