// Element types. A tensor holds float32 or float64; kernels are templates over the C++
// type, and `dispatch` picks the instantiation once, at the edge of each operation:
//
//   dispatch(x.dtype(), [&](auto zero) {
//     using T = decltype(zero);
//     const T* in = x.data<T>();
//     ...
//   });
#pragma once

#include <cstddef>
#include <string>

namespace convgrad {

enum class DType { Float32, Float64 };

inline const char* dtype_name(DType dtype) {
  return dtype == DType::Float32 ? "float32" : "float64";
}

inline std::size_t dtype_size(DType dtype) { return dtype == DType::Float32 ? 4 : 8; }

// Parses "float32"/"float64" (also "f32"/"f64"); throws convgrad::Error otherwise.
DType parse_dtype(const std::string& name);

template <typename T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() { return DType::Float32; }
template <>
constexpr DType dtype_of<double>() { return DType::Float64; }

template <typename Fn>
decltype(auto) dispatch(DType dtype, Fn&& fn) {
  if (dtype == DType::Float32) return fn(float{});
  return fn(double{});
}

}  // namespace convgrad
