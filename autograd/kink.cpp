#include "autograd/kink.h"

namespace convgrad {

namespace {
thread_local KinkRecorder* active_recorder = nullptr;
}

KinkRecorder::KinkRecorder() : previous_(active_recorder) { active_recorder = this; }
KinkRecorder::~KinkRecorder() { active_recorder = previous_; }

bool kink_recording() { return active_recorder != nullptr; }

void record_kink_state(const char* op, uint64_t fingerprint) {
  if (active_recorder) active_recorder->states_.push_back(std::string(op) + ":" + std::to_string(fingerprint));
}

void record_relu_kink(const Tensor& values) {
  if (!kink_recording()) return;
  const uint64_t mask = dispatch(values.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* v = values.data<T>();
    uint64_t hash = kFingerprintSeed;
    for (int64_t i = 0; i < values.numel(); ++i) hash = fingerprint_mix(hash, v[i] > T(0));
    return hash;
  });
  record_kink_state("relu", mask);
}

}  // namespace convgrad
