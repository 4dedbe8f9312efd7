// The safetensors file format (https://github.com/huggingface/safetensors), for F32 and F64:
//
//   [8 bytes]  N, the header length, unsigned 64-bit little-endian
//   [N bytes]  a JSON object, UTF-8, padded with spaces to a multiple of 8 when written:
//              {"__metadata__": {"key": "value", ...},            (optional, strings only)
//               "conv1.weight": {"dtype": "F32", "shape": [8, 1, 3, 3],
//                                "data_offsets": [0, 288]}, ...}
//   [rest]     the data section: each tensor's values, row-major, little-endian, at
//              [begin, end) counted from the start of the data section.
//
// PyTorch writes and reads these with safetensors.torch.save_file / load_file. Reading
// rejects every malformed file with a convgrad::Error naming the file and the problem
// (truncated file, header length past the end, header not a JSON object, unsupported dtype
// such as BF16/F16/I64, offsets out of range, inconsistent with shape x dtype, or
// overlapping). Writing is atomic (tensor/atomic_file.h): a temporary file in the same
// directory, flushed and renamed over the target, so the target is never half-written.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tensor/tensor.h"

namespace convgrad {

using TensorMap = std::map<std::string, Tensor>;
using NamedTensors = std::vector<std::pair<std::string, Tensor>>;
using Metadata = std::map<std::string, std::string>;

// Reads every tensor (F32 -> float32, F64 -> float64). `metadata`, when given, receives
// the "__metadata__" entries.
TensorMap read_safetensors(const std::string& path, Metadata* metadata = nullptr);
// The same from the file's bytes; `name` stands for the file in error messages.
TensorMap parse_safetensors(const std::string& bytes, const std::string& name, Metadata* metadata = nullptr);

// Writes the tensors in the given order (data in that order, the header lists them so too).
// Names must be unique, non-empty and not "__metadata__".
void write_safetensors(const std::string& path, const NamedTensors& tensors, const Metadata& metadata = {});
void write_safetensors(const std::string& path, const TensorMap& tensors, const Metadata& metadata = {});

}  // namespace convgrad
