// Kink awareness for gradcheck. Some ops have a derivative that jumps: ReLU at 0,
// max-pool where two window elements swap as the maximum. A finite difference that
// straddles such a point measures neither side's derivative. While a KinkRecorder is
// active, those ops record a fingerprint of the discrete choice they made (the ReLU mask,
// the argmax indices); gradcheck compares the fingerprints of f(x + eps) and f(x - eps)
// with f(x) and reports an element whose perturbation changes one as "at a kink".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace convgrad {

class KinkRecorder {
 public:
  KinkRecorder();
  ~KinkRecorder();
  KinkRecorder(const KinkRecorder&) = delete;
  KinkRecorder& operator=(const KinkRecorder&) = delete;
  // One entry per recording op call, in call order: "relu:<hash>".
  const std::vector<std::string>& states() const { return states_; }

 private:
  friend void record_kink_state(const char* op, uint64_t fingerprint);
// For an op that applies ReLU: records "relu" with the fingerprint of the mask (v > 0) of its
// input (or of its output: the same mask), when a recorder is active.
void record_relu_kink(const Tensor& values);
  std::vector<std::string> states_;
  KinkRecorder* previous_;
};

// True when a recorder is active on this thread (cheap; ops test it before hashing).
bool kink_recording();
void record_kink_state(const char* op, uint64_t fingerprint);
// For an op that applies ReLU: records "relu" with the fingerprint of the mask (v > 0) of its
// input (or of its output: the same mask), when a recorder is active.
void record_relu_kink(const Tensor& values);

// FNV-1a, for fingerprints: fold a value into a running hash.
inline uint64_t fingerprint_mix(uint64_t hash, uint64_t value) {
  for (int byte = 0; byte < 8; ++byte) {
    hash ^= (value >> (8 * byte)) & 0xff;
    hash *= 1099511628211ULL;
  }
  return hash;
}
constexpr uint64_t kFingerprintSeed = 14695981039346656037ULL;

}  // namespace convgrad
