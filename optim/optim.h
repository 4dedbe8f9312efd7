// optim/ — optimizers that update a model's parameters from their gradients.
//
// Each optimizer holds the parameter Variables (usually module->parameters()) and, per
// parameter, its own state. step() updates param.data() in place under NoGradGuard and
// skips parameters without a gradient; zero_grad() drops the gradients before the next
// backward. The formulas are PyTorch 1.13's, evaluated in the same order, so float64 runs
// follow PyTorch's trajectories to rounding:
//
//   Adam  (adam.h)   L2 weight decay through the gradient, bias-corrected moments
//   AdamW (adamw.h)  the same with decoupled weight decay θ ← θ·(1 − lr·wd)
//   SGD   (sgd.h)    momentum, dampening, Nesterov, weight decay
//
//   Adam optimizer(model->parameters(), AdamOptions{1e-3});
//   for (...) {
//     optimizer.zero_grad();
//     mse_reconstruct(model->forward(x), x).backward();
//     optimizer.step();
//   }
#pragma once

#include "optim/adam.h"
#include "optim/adamw.h"
#include "optim/optimizer.h"
#include "optim/sgd.h"
