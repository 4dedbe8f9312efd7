#include "nn/module.h"

#include <set>
#include <sstream>

namespace convgrad {

std::string pair_str(const Pair& pair) { return str_cat("(", pair[0], ", ", pair[1], ")"); }

Variable Module::forward(const Variable&) {
  throw Error(str_cat(name(), ".forward: expected a module with a one-input forward(), but ",
                      name(), " does not define one"));
}

namespace {
// Indents every line after the first by two spaces (PyTorch's _addindent).
std::string indent_tail(const std::string& text) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '\n') out += "  ";
  }
  return out;
}
}  // namespace

std::string Module::describe() const {
  const std::string extra = extra_repr();
  if (children_.empty()) return name() + "(" + extra + ")";
  std::ostringstream out;
  out << name() << "(\n";
  if (!extra.empty()) out << "  " << indent_tail(extra) << "\n";
  for (const auto& [child_name, child] : children_) {
    out << "  (" << child_name << "): " << indent_tail(child->describe()) << "\n";
  }
  out << ")";
  return out.str();
}

void Module::collect_parameters(const std::string& prefix, std::vector<NamedParameter>& out) const {
  for (const auto& [name, param] : parameters_) out.emplace_back(prefix + name, param);
  for (const auto& [name, child] : children_) child->collect_parameters(prefix + name + ".", out);
}

std::vector<Module::NamedParameter> Module::named_parameters() const {
  std::vector<NamedParameter> all;
  collect_parameters("", all);
  std::vector<NamedParameter> unique;
  std::set<const VariableImpl*> seen;
  for (auto& entry : all) {
    if (seen.insert(entry.second.id()).second) unique.push_back(std::move(entry));
  }
  return unique;
}

std::vector<Variable> Module::parameters() const {
  std::vector<Variable> out;
  for (auto& entry : named_parameters()) out.push_back(entry.second);
  return out;
}

int64_t Module::parameter_count() const {
  int64_t count = 0;
  for (const auto& param : parameters()) count += param.numel();
  return count;
}

void Module::train(bool on) {
  training_ = on;
  for (auto& child : children_) child.second->train(on);
}

void Module::freeze() {
  for (auto& param : parameters()) {
    param.set_requires_grad(false);
    param.zero_grad();
  }
}

void Module::unfreeze() {
  for (auto& param : parameters()) param.set_requires_grad(true);
}

void Module::zero_grad() {
  for (auto& param : parameters()) param.zero_grad();
}

void Module::to(DType dtype) {
  for (auto& param : parameters()) {
    if (param.dtype() == dtype) continue;
    Tensor grad = param.grad();
    param.zero_grad();  // drop it first: set_grad and data must agree on the dtype
    param.data() = param.data().to(dtype);
    if (grad.defined()) param.set_grad(grad.to(dtype));
  }
}

void Module::check_new_name(const std::string& name, const char* what) const {
  CONVGRAD_CHECK(!name.empty() && name.find('.') == std::string::npos,
                 this->name(), ".", what, ": expected a non-empty name without '.', but got '", name, "'");
  for (const auto& entry : parameters_) {
    CONVGRAD_CHECK(entry.first != name, this->name(), ".", what, ": expected a new name, but '", name,
                   "' is already a parameter");
  }
  for (const auto& entry : children_) {
    CONVGRAD_CHECK(entry.first != name, this->name(), ".", what, ": expected a new name, but '", name,
                   "' is already a child module");
  }
}

Variable Module::register_parameter(const std::string& name, Tensor value) {
  check_new_name(name, "register_parameter");
  CONVGRAD_CHECK(value.defined(), this->name(), ".register_parameter: expected a defined tensor for '",
                 name, "', but got an undefined one");
  Variable param(std::move(value), true);
  parameters_.emplace_back(name, param);
  return param;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> module) {
  check_new_name(name, "register_module");
  CONVGRAD_CHECK(module != nullptr, this->name(), ".register_module: expected a module for '", name,
                 "', but got a null pointer");
  CONVGRAD_CHECK(module.get() != this, this->name(), ".register_module: expected another module for '",
                 name, "', but got the module itself");
  children_.emplace_back(name, std::move(module));
}

}  // namespace convgrad
