// Linear: y = x W^T + b with weight [out_features, in_features], bias [out_features].
// Init: U(-1/sqrt(in_features), 1/sqrt(in_features)) for both (nn/init.h).
#pragma once

#include "nn/init.h"
#include "nn/module.h"

namespace convgrad {

class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true, DType dtype = DType::Float32,
         Generator& gen = default_generator());

  Variable forward(const Variable& x) override;
  // The same layer on a batch-last x [in_features, N]: y = W x + b, [out_features, N].
  Variable forward_batch_last(const Variable& x);
  std::string name() const override { return "Linear"; }
  std::string extra_repr() const override;

  const Variable& weight() const { return weight_; }
  const Variable& bias() const { return bias_; }  // undefined when bias = false
  int64_t in_features() const { return in_features_; }
  int64_t out_features() const { return out_features_; }

 private:
  int64_t in_features_;
  int64_t out_features_;
  Variable weight_;
  Variable bias_;
};

}  // namespace convgrad
