#include "robustness/csv_edits.h"

#include <algorithm>
#include <stdexcept>

namespace convgrad::testing {

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  size_t begin = 0;
  for (size_t at = text.find(separator); at != std::string::npos; at = text.find(separator, begin)) {
    parts.push_back(text.substr(begin, at - begin));
    begin = at + 1;
  }
  parts.push_back(text.substr(begin));
  return parts;
}

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string text;
  for (size_t i = 0; i < parts.size(); ++i) text += (i == 0 ? "" : separator) + parts[i];
  return text;
}

namespace {

// The lines without the final empty one; joined back with a final "\n".
std::vector<std::string> lines(const std::string& csv) {
  std::vector<std::string> all = split(csv, '\n');
  if (!all.empty() && all.back().empty()) all.pop_back();
  return all;
}
std::string unlines(const std::vector<std::string>& all) { return join(all, "\n") + "\n"; }

std::string& at(std::vector<std::string>& items, int one_based, const char* what) {
  if (one_based < 1 || static_cast<size_t>(one_based) > items.size()) {
    throw std::out_of_range(std::string("csv_edits: no ") + what + " " + std::to_string(one_based));
  }
  return items[static_cast<size_t>(one_based - 1)];
}

}  // namespace

std::string keep_rows(const std::string& csv, int rows) {
  std::vector<std::string> all = lines(csv);
  all.resize(std::min(all.size(), static_cast<size_t>(rows) + 1));
  return unlines(all);
}

std::string set_cell(const std::string& csv, int line, int column, const std::string& value) {
  std::vector<std::string> all = lines(csv);
  std::vector<std::string> fields = split(at(all, line, "line"), ',');
  at(fields, column, "column") = value;
  at(all, line, "line") = join(fields, ",");
  return unlines(all);
}

std::string drop_column(const std::string& csv, int column) {
  std::vector<std::string> all = lines(csv);
  for (std::string& line : all) {
    std::vector<std::string> fields = split(line, ',');
    fields.erase(fields.begin() + (&at(fields, column, "column") - fields.data()));
    line = join(fields, ",");
  }
  return unlines(all);
}

std::string set_line(const std::string& csv, int line, const std::string& text) {
  std::vector<std::string> all = lines(csv);
  at(all, line, "line") = text;
  return unlines(all);
}

std::string quote_every_field(const std::string& csv) {
  std::vector<std::string> all = lines(csv);
  for (std::string& line : all) {
    std::vector<std::string> fields = split(line, ',');
    for (std::string& field : fields) field = "\"" + field + "\"";
    line = join(fields, ",");
  }
  return unlines(all);
}

std::string with_crlf(const std::string& csv) { return join(split(csv, '\n'), "\r\n"); }

}  // namespace convgrad::testing
