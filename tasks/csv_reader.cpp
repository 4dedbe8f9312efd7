#include "tasks/csv_reader.h"

#include <charconv>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tensor/error.h"

namespace convgrad {

bool CsvRecord::is_blank_line() const {
  return fields.size() == 1 && !fields[0].quoted && trim_blanks(fields[0].text).empty();
}

CsvReader::CsvReader(std::string text, std::string path) : text_(std::move(text)), path_(std::move(path)) {
  if (text_.compare(0, 3, "\xEF\xBB\xBF") == 0) pos_ = 3;  // UTF-8 byte-order mark
}

CsvReader CsvReader::open(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw Error(str_cat(path, ": expected a CSV file, but got a directory"));
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) throw Error(str_cat(path, ": expected a readable CSV file, but cannot open it: ", std::strerror(errno)));
  std::ostringstream content;
  content << file.rdbuf();
  if (file.bad()) throw Error(str_cat(path, ": expected a readable CSV file, but reading it failed"));
  return CsvReader(content.str(), path);
}

std::string CsvReader::location(int64_t line) const { return str_cat(path_, ":", line); }

std::string CsvReader::location(int64_t line, int64_t column) const {
  std::string where = str_cat(path_, ":", line, ":", column);
  const size_t index = static_cast<size_t>(column - 1);
  if (column >= 1 && index < column_names_.size()) {
    where += column_names_[index].empty() ? std::string(" (unnamed column)")
                                          : str_cat(" (column ", quote_for_message(column_names_[index]), ")");
  }
  return where;
}

void CsvReader::fail(int64_t line, int64_t column, const std::string& message) const {
  throw Error(str_cat(location(line, column), ": ", message));
}

bool CsvReader::at_line_end() const {
  if (pos_ >= text_.size()) return false;
  if (text_[pos_] == '\n') return true;
  return text_[pos_] == '\r' && (pos_ + 1 == text_.size() || text_[pos_ + 1] == '\n');
}

void CsvReader::skip_line_end() {
  if (text_[pos_] == '\r') ++pos_;
  if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
  ++line_;
}

bool CsvReader::only_blank_lines_left() const {
  for (size_t i = pos_; i < text_.size(); ++i) {
    const char c = text_[i];
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') return false;
  }
  return true;
}

bool CsvReader::next(CsvRecord& record) {
  record.fields.clear();
  if (only_blank_lines_left()) return false;
  record.line = line_;
  for (int64_t column = 1;; ++column) {
    CsvField field;
    read_field(field, column);
    record.fields.push_back(std::move(field));
    if (pos_ >= text_.size()) return true;
    if (text_[pos_] == ',') {
      ++pos_;
      continue;
    }
    skip_line_end();  // read_field stops only at ',', a line end or the end of the text
    return true;
  }
}

void CsvReader::read_field(CsvField& field, int64_t column) {
  field.line = line_;
  // A quoted field may have blanks before its opening quote.
  size_t start = pos_;
  while (start < text_.size() && (text_[start] == ' ' || text_[start] == '\t')) ++start;
  if (start < text_.size() && text_[start] == '"') {
    pos_ = start;
    read_quoted(field, column);
    return;
  }
  const size_t begin = pos_;
  while (pos_ < text_.size() && text_[pos_] != ',' && !at_line_end()) ++pos_;
  field.text.assign(text_, begin, pos_ - begin);
}

void CsvReader::read_quoted(CsvField& field, int64_t column) {
  const int64_t start_line = line_;
  field.quoted = true;
  ++pos_;  // the opening quote
  while (true) {
    if (pos_ >= text_.size()) {
      fail(start_line, column, "expected a closing quote for the quoted field that starts here, but got the end of the file");
    }
    const char c = text_[pos_++];
    if (c == '"') {
      if (pos_ < text_.size() && text_[pos_] == '"') {  // "" is one literal quote
        field.text += '"';
        ++pos_;
        continue;
      }
      break;
    }
    if (c == '\n') ++line_;
    field.text += c;
  }
  while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  if (pos_ < text_.size() && text_[pos_] != ',' && !at_line_end()) {
    fail(line_, column, str_cat("expected ',' or the end of the line after the closing quote, but got '",
                                text_[pos_], "'"));
  }
}

std::string_view trim_blanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string quote_for_message(std::string_view text) {
  constexpr size_t kMaxShown = 40;
  std::string quoted = "\"";
  for (size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
    const char c = text[i];
    if (c == '\n') quoted += "\\n";
    else if (c == '\r') quoted += "\\r";
    else if (c == '\t') quoted += "\\t";
    else quoted += c;
  }
  if (text.size() > kMaxShown) quoted += "...";
  return quoted + "\"";
}

NumberParse parse_csv_number(std::string_view text, double& value) {
  text = trim_blanks(text);
  if (text.empty()) return NumberParse::Empty;
  std::string_view digits = text;
  if (digits.size() > 1 && digits[0] == '+' && digits[1] != '-' && digits[1] != '+') digits.remove_prefix(1);
  const char* end = digits.data() + digits.size();
  double parsed = 0.0;
  const std::from_chars_result result = std::from_chars(digits.data(), end, parsed);
  if (result.ptr != end) return NumberParse::NotANumber;  // nothing parsed, or trailing junk
  if (result.ec == std::errc::result_out_of_range) {
    // Too small for a double underflows to zero (as strtod does); too large is an error.
    const size_t exponent = digits.find_first_of("eE");
    const bool tiny = exponent != std::string_view::npos && exponent + 1 < digits.size() && digits[exponent + 1] == '-';
    if (!tiny) return NumberParse::OutOfRange;
    value = digits[0] == '-' ? -0.0 : 0.0;
    return NumberParse::Ok;
  }
  if (result.ec != std::errc()) return NumberParse::NotANumber;
  if (!std::isfinite(parsed)) return NumberParse::NotFinite;
  value = parsed;
  return NumberParse::Ok;
}

}  // namespace convgrad
