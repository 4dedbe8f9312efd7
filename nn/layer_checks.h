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

// groups must divide both channel counts (PyTorch's _ConvNd rule).
inline void check_groups(const char* layer, int64_t groups, int64_t in_channels, int64_t out_channels) {
  CONVGRAD_CHECK(groups > 0, layer, ": expected groups > 0, but got ", groups);
  CONVGRAD_CHECK(in_channels % groups == 0 && out_channels % groups == 0, layer,
                 ": expected in_channels and out_channels divisible by groups, but got ", in_channels, ", ",
                 out_channels, " and groups=", groups);
}

}  // namespace convgrad
