// Reading results.json for the figures and the report: small accessors that say which key
// was wrong ("task1_bsc.autoencoder.train_curve: expected an array of numbers, but got a
// string"). A missing key is not an error here (any section may be absent; the caller
// leaves out what it cannot draw); a key that is present with the wrong type is.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace convgrad {

// `where` is the key's dotted path, for messages.
struct JsonField {
  const nlohmann::json* value = nullptr;  // nullptr when absent (or null)
  std::string where;

  bool present() const { return value != nullptr; }
  JsonField operator[](const std::string& key) const;  // absent stays absent
};

JsonField json_root(const nlohmann::json& results);

// A number (null, which is how nlohmann writes NaN, reads as NaN); NaN when absent.
double number_or_nan(const JsonField& field);
// The same, but an absent field is an error.
double require_number(const JsonField& field);
long long require_integer(const JsonField& field);
std::string string_or(const JsonField& field, const std::string& fallback);
// Numbers (null entries read as NaN). `expected_size` < 0: any size.
std::vector<double> require_numbers(const JsonField& field, long long expected_size = -1);
std::vector<std::string> require_strings(const JsonField& field, long long expected_size = -1);
// [[a, b], ...] with every inner array of length `width`.
std::vector<std::vector<double>> require_rows(const JsonField& field, size_t width);

// The gene of feature p (0-based): "FOXO3" from "Feature 1: FOXO3", else "Feature p+1".
std::string gene_name(const std::vector<std::string>& feature_names, size_t p);

}  // namespace convgrad
