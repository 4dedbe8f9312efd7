#include "nn/sequential.h"

#include <string>

namespace convgrad {

Sequential::Sequential(const std::vector<std::shared_ptr<Module>>& modules) {
  for (const auto& module : modules) push_back(module);
}

Sequential& Sequential::push_back(std::shared_ptr<Module> module) {
  register_module(std::to_string(children().size()), std::move(module));
  return *this;
}

Variable Sequential::forward(const Variable& x) {
  Variable out = x;
  for (const auto& child : children()) out = child.second->forward(out);
  return out;
}

const std::shared_ptr<Module>& Sequential::operator[](size_t index) const {
  CONVGRAD_CHECK(index < children().size(), "Sequential: expected an index below ", children().size(),
                 ", but got ", index);
  return children()[index].second;
}

}  // namespace convgrad
