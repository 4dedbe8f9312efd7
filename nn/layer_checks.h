// Constructor argument checks shared by the layers (internal to nn/).
#pragma once

#include <string>

#include "nn/module.h"

namespace convgrad {

inline void check_positive(const char* layer, const char* what, int64_t value) {
  CONVGRAD_CHECK(value > 0, layer, ": expected ", what, " > 0, but got ", value);
}
inline void check_positive(const char* layer, const char* what, const Pair& value) {
  CONVGRAD_CHECK(value[0] > 0 && value[1] > 0, layer, ": expected ", what, " > 0, but got ", pair_str(value));
}
inline void check_non_negative(const char* layer, const char* what, const Pair& value) {
  CONVGRAD_CHECK(value[0] >= 0 && value[1] >= 0, layer, ": expected ", what, " >= 0, but got ",
                 pair_str(value));
}

}  // namespace convgrad
