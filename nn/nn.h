// nn/ — layers, models and what they need: the PyTorch-style module system of convgrad.
//
// A Module (module.h) owns named parameters — leaf Variables with requires_grad — and
// named children, so a model's parameters get PyTorch's dotted names ("conv1.weight",
// "0.bias") and can be saved, loaded, frozen, counted and handed to an optimizer:
//
//   Generator gen(0);
//   auto net = std::make_shared<Sequential>(std::vector<std::shared_ptr<Module>>{
//       std::make_shared<Conv2d>(1, 8, 3, 1, 1, 1, true, DType::Float32, gen),
//       std::make_shared<ReLU>(),
//       std::make_shared<MaxPool2d>(2),
//       std::make_shared<Flatten>(),
//       std::make_shared<Linear>(200, 1, true, DType::Float32, gen)});
//   Variable loss = mse_regress(net->forward(x), y);
//   loss.backward();                       // gradients land in net->parameters()
//   save_state_dict(*net, "net.safetensors");
//
// Layers hold the options structs of autograd/functions.h and call the functional op, so
// their forward and backward are the ops' own. Weights start from PyTorch's default
// initialisation (init.h), drawn from a seeded Generator. Losses (losses.h) are compositions
// of autograd ops. State dicts are safetensors files (safetensors.h, state_dict.h).
// Optimizers live one folder up, in optim/.
#pragma once

#include "nn/activations.h"
#include "nn/conv2d.h"
#include "nn/conv_transpose2d.h"
#include "nn/flatten.h"
#include "nn/init.h"
#include "nn/linear.h"
#include "nn/losses.h"
#include "nn/max_pool2d.h"
#include "nn/module.h"
#include "nn/safetensors.h"
#include "nn/sequential.h"
#include "nn/state_dict.h"
