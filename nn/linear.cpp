#include "nn/linear.h"

#include "nn/layer_checks.h"

namespace convgrad {

Linear::Linear(int64_t in_features, int64_t out_features, bool bias, DType dtype, Generator& gen)
    : in_features_(in_features), out_features_(out_features) {
  check_positive("Linear", "in_features", in_features);
  check_positive("Linear", "out_features", out_features);
  const Shape weight_shape{out_features, in_features};
  const double bound = default_init_bound(fan_in_of(weight_shape));  // in_features
  weight_ = register_parameter("weight", uniform_init(weight_shape, -bound, bound, gen, dtype));
  if (bias) bias_ = register_parameter("bias", uniform_init({out_features}, -bound, bound, gen, dtype));
}

Variable Linear::forward(const Variable& x) { return linear(x, weight_, bias_); }

Variable Linear::forward_batch_last(const Variable& x) {
  CONVGRAD_CHECK(x.dim() == 2 && x.size(0) == in_features_, "Linear::forward_batch_last: expected an input [",
                 in_features_, ", N], but got ", shape_str(x.shape()));
  const Variable y = matmul(weight_, x);
  return bias_.defined() ? y + reshape(bias_, {out_features_, 1}) : y;
}

std::string Linear::extra_repr() const {
  return str_cat("in_features=", in_features_, ", out_features=", out_features_,
                 ", bias=", bias_.defined() ? "True" : "False");
}

}  // namespace convgrad
