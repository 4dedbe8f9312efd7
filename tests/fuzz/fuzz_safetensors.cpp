// libFuzzer target: the safetensors reader (nn/safetensors.h, parse_safetensors) and
// loading what it read into a module (nn/state_dict.h, load_state_dict, as --init-from does).
// Every input must either load or throw convgrad::Error. tests/fuzz/run.sh.
#include <cstddef>
#include <cstdint>
#include <string>

#include "nn/linear.h"
#include "nn/state_dict.h"
#include "tensor/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  convgrad::TensorMap tensors;
  convgrad::Metadata metadata;
  try {
    tensors = convgrad::parse_safetensors(std::string(reinterpret_cast<const char*>(data), size), "fuzz.safetensors",
                                          &metadata);
  } catch (const convgrad::Error&) {
    return 0;  // a clean, user-facing error
  }
  static convgrad::Generator gen(0);
  convgrad::Linear model(4, 3, /*bias=*/true, convgrad::DType::Float32, gen);  // weight [3, 4], bias [3]
  try {
    convgrad::load_state_dict(model, tensors, /*strict=*/false, "fuzz.safetensors");
  } catch (const convgrad::Error&) {
    return 0;  // e.g. a shape mismatch
  }
  return 0;
}
