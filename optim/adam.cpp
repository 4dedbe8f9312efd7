#include "optim/adam.h"

#include <cmath>

namespace convgrad {

namespace {
void check_options(const AdamOptions& o, const char* name) {
  CONVGRAD_CHECK(o.lr >= 0, name, ": expected lr >= 0, but got ", o.lr);
  CONVGRAD_CHECK(o.eps >= 0, name, ": expected eps >= 0, but got ", o.eps);
  for (int i = 0; i < 2; ++i) {
    CONVGRAD_CHECK(o.betas[i] >= 0 && o.betas[i] < 1, name, ": expected 0 <= betas[", i, "] < 1, but got ",
                   o.betas[i]);
  }
  CONVGRAD_CHECK(o.weight_decay >= 0, name, ": expected weight_decay >= 0, but got ", o.weight_decay);
}
}  // namespace

Adam::Adam(std::vector<Variable> params, AdamOptions options)
    : Adam(std::move(params), options, false, "Adam") {}

Adam::Adam(std::vector<Variable> params, AdamOptions options, bool decoupled_weight_decay, const char* name)
    : Optimizer(std::move(params), name), options_(options), decoupled_weight_decay_(decoupled_weight_decay) {
  check_options(options_, name);
  states_.resize(params_.size());
}

const AdamState& Adam::state(size_t index) const {
  CONVGRAD_CHECK(index < states_.size(), name_, ".state: expected an index below ", states_.size(),
                 ", but got ", index);
  return states_[index];
}

const AdamState& Adam::state(const Variable& param) const {
  for (size_t i = 0; i < params_.size(); ++i) {
    if (params_[i].id() == param.id()) return states_[i];
  }
  throw Error(str_cat(name_, ".state: expected one of the optimizer's parameters, but got another Variable"));
}

void Adam::step() {
  NoGradGuard no_grad;
  const double lr = options_.lr, beta1 = options_.betas[0], beta2 = options_.betas[1];
  const double eps = options_.eps, weight_decay = options_.weight_decay;
  for (size_t i = 0; i < params_.size(); ++i) {
    Variable& param = params_[i];
    const Tensor& grad = param.grad();
    if (!grad.defined()) continue;  // frozen or unused: skipped, as in PyTorch
    check_state_dtype(i, grad, "gradient");
    AdamState& state = states_[i];
    if (state.step == 0) {
      state.exp_avg = Tensor::zeros(param.shape(), param.dtype());
      state.exp_avg_sq = Tensor::zeros(param.shape(), param.dtype());
      if (options_.amsgrad) state.max_exp_avg_sq = Tensor::zeros(param.shape(), param.dtype());
    }
    check_state_dtype(i, state.exp_avg, "exp_avg");
    state.step += 1;

    const double t = static_cast<double>(state.step);
    const double bias_correction1 = 1 - std::pow(beta1, t);
    const double bias_correction2 = 1 - std::pow(beta2, t);
    const double step_size = lr / bias_correction1;
    const double bias_correction2_sqrt = std::sqrt(bias_correction2);

    dispatch(param.dtype(), [&](auto zero) {
      using T = decltype(zero);
      T* theta = param.data().data<T>();
      const T* g_in = grad.data<T>();
      T* m = state.exp_avg.data<T>();
      T* v = state.exp_avg_sq.data<T>();
      T* v_max = options_.amsgrad ? state.max_exp_avg_sq.data<T>() : nullptr;
      const T b1 = T(beta1), b2 = T(beta2), one_minus_b1 = T(1 - beta1), one_minus_b2 = T(1 - beta2);
      const T decay = T(weight_decay), neg_step_size = T(-step_size);
      const T bc2_sqrt = T(bias_correction2_sqrt), eps_t = T(eps);
      const T shrink = T(1 - lr * weight_decay);
      const int64_t n = param.numel();
      // The options as local constants: read through `this`, the compiler must assume the
      // stores to θ, m and v may change them, and cannot vectorise the loop.
      const bool maximize = options_.maximize, decoupled = decoupled_weight_decay_, coupled = weight_decay != 0;
      // NOTE: std::fma where PyTorch's CPU kernels fuse (add_ with alpha, addcmul_): with it,
      // float64 results are bit-identical to PyTorch 1.13's on the golden trajectories.
      const auto update = [&](int64_t k, T g, T v_used) {
        m[k] = std::fma(g, one_minus_b1, m[k] * b1);      // m.mul_(β1).add_(g, alpha=1 − β1)
        const T denom = std::sqrt(v_used) / bc2_sqrt + eps_t;  // (v.sqrt() / √bc2).add_(eps)
        theta[k] = theta[k] + neg_step_size * m[k] / denom;  // θ.addcdiv_(m, denom, value=−step_size)
      };
      if (!maximize && !decoupled && !coupled && v_max == nullptr) {  // plain Adam: one vectorised loop
        for (int64_t k = 0; k < n; ++k) {
          const T g = g_in[k];
          v[k] = std::fma(one_minus_b2 * g, g, v[k] * b2);
          update(k, g, v[k]);
        }
        return;
      }
      for (int64_t k = 0; k < n; ++k) {
        T g = maximize ? -g_in[k] : g_in[k];
        if (decoupled) {
          theta[k] = theta[k] * shrink;                   // θ.mul_(1 − lr·wd)
        } else if (coupled) {
          g = std::fma(theta[k], decay, g);               // g.add(θ, alpha=wd)
        }
        v[k] = std::fma(one_minus_b2 * g, g, v[k] * b2);  // v.mul_(β2).addcmul_(g, g, value=1 − β2)
        T v_used = v[k];
        if (v_max != nullptr) {  // torch.maximum(v̂, v, out=v̂): a NaN propagates
          if (!(v[k] <= v_max[k])) v_max[k] = v[k];
          v_used = v_max[k];
        }
        update(k, g, v_used);
      }
    });
  }
}

}  // namespace convgrad
