#include "optim/adamw.h"

namespace convgrad {

AdamOptions adamw_default_options() {
  AdamOptions options;
  options.weight_decay = 1e-2;
  return options;
}

AdamW::AdamW(std::vector<Variable> params, AdamOptions options)
    : Adam(std::move(params), options, /*decoupled_weight_decay=*/true, "AdamW") {}

}  // namespace convgrad
