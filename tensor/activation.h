// The activation a kernel may apply to each output as it stores it (tensor/batch_last.h), so
// that a convolution followed by a ReLU is one pass over the output instead of two.
#pragma once

namespace convgrad {

// relu: max(v, 0) as relu() computes it (v < 0 ? 0 : v): a NaN stays NaN, −0 stays −0.
enum class Activation { none, relu };

}  // namespace convgrad
