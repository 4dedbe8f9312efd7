// libFuzzer target: the .npy reader (tensor/npy.h, parse_npy).
// Every input must either parse or throw convgrad::Error; a parsed tensor must survive
// serialize_npy -> parse_npy unchanged (integers come back as float64). tests/fuzz/run.sh.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "tensor/error.h"
#include "tensor/npy.h"

using convgrad::Tensor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Tensor t;
  try {
    t = convgrad::parse_npy(std::string(reinterpret_cast<const char*>(data), size), "fuzz.npy");
  } catch (const convgrad::Error&) {
    return 0;  // a clean, user-facing error
  }
  const Tensor again = convgrad::parse_npy(convgrad::serialize_npy(t), "round-trip.npy");
  const size_t bytes = static_cast<size_t>(t.numel()) * convgrad::dtype_size(t.dtype());
  if (again.shape() != t.shape() || again.dtype() != t.dtype() ||
      (bytes != 0 && std::memcmp(again.raw_data(), t.raw_data(), bytes) != 0)) {
    __builtin_trap();
  }
  return 0;
}
