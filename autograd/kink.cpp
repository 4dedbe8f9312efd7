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

}  // namespace convgrad
