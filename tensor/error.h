// Errors that users see. Every user-facing check is always on (never `assert`) and follows
// the pattern "<op>: expected <what>, but got <actual>", with full shapes.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace convgrad {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Streams every argument into one string: str_cat("got ", 3, " channels").
template <typename... Parts>
std::string str_cat(Parts&&... parts) {
  std::ostringstream out;
  (out << ... << std::forward<Parts>(parts));
  return out.str();
}

}  // namespace convgrad

// CONVGRAD_CHECK(cond, message parts...): throws convgrad::Error when cond is false.
//   CONVGRAD_CHECK(w.dim() == 4, "conv2d: expected a 4-d weight, but got ", shape_str(w.shape()));
#define CONVGRAD_CHECK(cond, ...)                                      \
  do {                                                                 \
    if (!(cond)) throw ::convgrad::Error(::convgrad::str_cat(__VA_ARGS__)); \
  } while (0)
