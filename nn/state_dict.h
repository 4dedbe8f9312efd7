// State dicts: a module's parameters by dotted name ("conv1.weight", ...), in memory or as
// safetensors files (nn/safetensors.h) that PyTorch reads with safetensors.torch.load_file
// and loads with model.load_state_dict(...).
//
//   save_state_dict(*model, "out/autoencoder.safetensors");
//   load_state_dict(*model, "out/autoencoder.safetensors");            // strict
//   auto report = load_state_dict(*model, "init.safetensors", false);  // report.missing_keys
#pragma once

#include <map>
#include <string>
#include <vector>

#include "nn/module.h"
#include "nn/safetensors.h"

namespace convgrad {

using StateDict = std::map<std::string, Tensor>;

// What a load matched, like PyTorch's _IncompatibleKeys.
struct LoadReport {
  std::vector<std::string> missing_keys;     // parameters the source lacks (kept as they were)
  std::vector<std::string> unexpected_keys;  // names in the source that the module lacks
};

// Independent copies (clones) of every parameter's values.
StateDict state_dict(const Module& module);

// Copies values into the module's parameters in place (the Variables and their storage stay
// the same), converting float32/float64 to each parameter's dtype. Every check runs before
// anything is copied, so a failed load leaves the module unchanged:
// - a shape mismatch is always an error naming the parameter and both shapes;
// - strict: missing or unexpected names are an error listing them all;
// - not strict: those are reported in the returned LoadReport.
// `source` names where the values came from in error messages.
LoadReport load_state_dict(Module& module, const StateDict& state, bool strict = true,
                           const std::string& source = "state dict");

// Writes every parameter (named_parameters() order) as a safetensors file, atomically.
void save_state_dict(const Module& module, const std::string& path, const Metadata& metadata = {});
// Reads a safetensors file and loads it as above.
LoadReport load_state_dict(Module& module, const std::string& path, bool strict = true);

}  // namespace convgrad
