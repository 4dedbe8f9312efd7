// NumPy .npy files (format versions 1-3): little-endian float32 ('<f4') or float64
// ('<f8'), C order. Integer arrays ('<i8', '<i4', e.g. max-pool indices) are read as
// float64 values. Anything else — big-endian, Fortran order, other dtypes, a truncated
// file, a shape that does not match the data — is a convgrad::Error naming the file.
#pragma once

#include <string>

#include "tensor/tensor.h"

namespace convgrad {

Tensor read_npy(const std::string& path);
// Parses .npy bytes; `name` is used in error messages.
Tensor parse_npy(const std::string& bytes, const std::string& name);
// Writes version 1.0, '<f4' or '<f8' by the tensor's dtype, atomically.
void write_npy(const std::string& path, const Tensor& tensor);
std::string serialize_npy(const Tensor& tensor);

}  // namespace convgrad
