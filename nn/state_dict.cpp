#include "nn/state_dict.h"

#include <set>

namespace convgrad {

namespace {
std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}
}  // namespace

StateDict state_dict(const Module& module) {
  StateDict state;
  for (const auto& [name, param] : module.named_parameters()) state.emplace(name, param.data().clone());
  return state;
}

LoadReport load_state_dict(Module& module, const StateDict& state, bool strict, const std::string& source) {
  const std::string where = str_cat("load_state_dict: '", source, "' into ", module.name(), ": ");
  auto params = module.named_parameters();
  LoadReport report;
  std::set<std::string> known;
  std::vector<std::string> wrong_shapes;
  for (const auto& [name, param] : params) {
    known.insert(name);
    const auto found = state.find(name);
    if (found == state.end()) {
      report.missing_keys.push_back(name);
    } else if (found->second.shape() != param.shape()) {
      wrong_shapes.push_back(str_cat("'", name, "' to have shape ", shape_str(param.shape()), ", but got ",
                                     shape_str(found->second.shape())));
    }
  }
  for (const auto& entry : state) {
    if (known.count(entry.first) == 0) report.unexpected_keys.push_back(entry.first);
  }
  CONVGRAD_CHECK(wrong_shapes.empty(), where, "expected ", join(wrong_shapes));
  if (strict) {
    CONVGRAD_CHECK(report.missing_keys.empty(), where, "expected every parameter, but missing: ",
                   join(report.missing_keys),
                   report.unexpected_keys.empty() ? "" : "; unexpected: ", join(report.unexpected_keys));
    CONVGRAD_CHECK(report.unexpected_keys.empty(), where, "expected only the module's parameters, but got unexpected: ",
                   join(report.unexpected_keys));
  }

  NoGradGuard no_grad;
  for (auto& [name, param] : params) {
    const auto found = state.find(name);
    if (found != state.end()) param.data().copy_from(found->second.to(param.dtype()));
  }
  return report;
}

void save_state_dict(const Module& module, const std::string& path, const Metadata& metadata) {
  NamedTensors tensors;
  for (const auto& [name, param] : module.named_parameters()) tensors.emplace_back(name, param.data());
  write_safetensors(path, tensors, metadata);
}

LoadReport load_state_dict(Module& module, const std::string& path, bool strict) {
  return load_state_dict(module, read_safetensors(path), strict, path);
}

}  // namespace convgrad
