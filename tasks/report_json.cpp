#include "tasks/report_json.h"

#include <cmath>
#include <limits>

#include "tensor/error.h"

namespace convgrad {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string type_of(const nlohmann::json& value) {
  if (value.is_array()) return str_cat("an array of ", value.size());
  return str_cat("a ", value.type_name());
}

const nlohmann::json& require(const JsonField& field) {
  CONVGRAD_CHECK(field.present(), "results.json: expected the key ", field.where, ", but it is missing");
  return *field.value;
}

// `where()` names the value in the error; it is built only when there is one (a results.json
// holds tens of thousands of numbers, and naming each costs more than reading it).
template <typename Where>
double element_number(const nlohmann::json& value, const Where& where) {
  if (value.is_null()) return kNaN;
  CONVGRAD_CHECK(value.is_number(), where(), ": expected a number, but got ", type_of(value));
  return value.get<double>();
}

}  // namespace

JsonField JsonField::operator[](const std::string& key) const {
  JsonField child;
  child.where = where.empty() ? key : where + "." + key;
  if (value == nullptr) return child;
  CONVGRAD_CHECK(value->is_object(), where, ": expected an object, but got ", type_of(*value));
  const auto found = value->find(key);
  if (found != value->end() && !found->is_null()) child.value = &*found;
  return child;
}

JsonField json_root(const nlohmann::json& results) {
  CONVGRAD_CHECK(results.is_object(), "results.json: expected an object at the top level, but got ",
                 type_of(results));
  return JsonField{&results, ""};
}

double number_or_nan(const JsonField& field) {
  return field.present() ? element_number(*field.value, [&] { return field.where; }) : kNaN;
}

double require_number(const JsonField& field) { return element_number(require(field), [&] { return field.where; }); }

long long require_integer(const JsonField& field) {
  const double value = require_number(field);
  CONVGRAD_CHECK(std::isfinite(value) && value == std::floor(value), field.where,
                 ": expected a whole number, but got ", value);
  return static_cast<long long>(value);
}

std::string string_or(const JsonField& field, const std::string& fallback) {
  if (!field.present()) return fallback;
  if (field.value->is_string()) return field.value->get<std::string>();
  return field.value->dump();
}

std::vector<double> require_numbers(const JsonField& field, long long expected_size) {
  const nlohmann::json& value = require(field);
  CONVGRAD_CHECK(value.is_array(), field.where, ": expected an array of numbers, but got ", type_of(value));
  CONVGRAD_CHECK(expected_size < 0 || static_cast<long long>(value.size()) == expected_size, field.where,
                 ": expected ", expected_size, " numbers, but got ", value.size());
  std::vector<double> out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i)
    out.push_back(element_number(value[i], [&] { return str_cat(field.where, "[", i, "]"); }));
  return out;
}

std::vector<std::string> require_strings(const JsonField& field, long long expected_size) {
  const nlohmann::json& value = require(field);
  CONVGRAD_CHECK(value.is_array(), field.where, ": expected an array of strings, but got ", type_of(value));
  CONVGRAD_CHECK(expected_size < 0 || static_cast<long long>(value.size()) == expected_size, field.where,
                 ": expected ", expected_size, " strings, but got ", value.size());
  std::vector<std::string> out;
  for (size_t i = 0; i < value.size(); ++i) {
    CONVGRAD_CHECK(value[i].is_string(), field.where, "[", i, "]: expected a string, but got ", type_of(value[i]));
    out.push_back(value[i].get<std::string>());
  }
  return out;
}

std::vector<std::vector<double>> require_rows(const JsonField& field, size_t width) {
  const nlohmann::json& value = require(field);
  CONVGRAD_CHECK(value.is_array(), field.where, ": expected an array of [", width, "]-arrays, but got ",
                 type_of(value));
  std::vector<std::vector<double>> rows;
  rows.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    CONVGRAD_CHECK(value[i].is_array() && value[i].size() == width, field.where, "[", i, "]: expected an array of ",
                   width, " numbers, but got ", type_of(value[i]));
    std::vector<double> row;
    for (size_t k = 0; k < width; ++k)
      row.push_back(element_number(value[i][k], [&] { return str_cat(field.where, "[", i, "][", k, "]"); }));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string gene_name(const std::vector<std::string>& feature_names, size_t p) {
  if (p < feature_names.size()) {
    const std::string& name = feature_names[p];
    const size_t colon = name.find(':');
    if (colon == std::string::npos) return name;
    size_t start = colon + 1;
    while (start < name.size() && name[start] == ' ') ++start;
    return name.substr(start);
  }
  return str_cat("Feature ", p + 1);
}

}  // namespace convgrad
