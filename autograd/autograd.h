// autograd/ — reverse-mode automatic differentiation on top of tensor/.
//
// Variable (variable.h) pairs a Tensor with its gradient and the Node that made it; every
// op in functions.h computes its forward with Tensor kernels and registers its backward
// through make_result, one file per op in ops/. `loss.backward()` (engine.cpp) walks the
// graph in reverse topological order. gradcheck.h checks any of it against finite
// differences; kink.h lets gradcheck recognise ReLU/max-pool kinks.
#pragma once

#include "autograd/functions.h"
#include "autograd/gradcheck.h"
#include "autograd/kink.h"
#include "autograd/variable.h"
