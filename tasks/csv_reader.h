// A small RFC-4180 CSV tokenizer that remembers where every field came from, so that the
// layer above (dataset.cpp) can report "data.csv:17:42 (column "Feature 40: ABC"): ...".
//
// Accepted: a UTF-8 byte-order mark, "\n" or "\r\n" line endings, quoted fields (a field
// that starts with '"', optionally after spaces; "" inside means one quote; commas and
// line breaks inside quotes are data), spaces after a closing quote, and any number of
// blank lines at the end of the file. Errors (unterminated quote, text after a closing
// quote) throw convgrad::Error at the field's line and column.
//
//   CsvReader reader = CsvReader::open("data.csv");
//   CsvRecord record;
//   while (reader.next(record)) { ... record.fields[c].text ... }
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace convgrad {

struct CsvField {
  std::string text;  // unquoted: raw text (spaces kept); quoted: the text between the quotes
  int64_t line = 0;  // 1-based line where the field starts
  bool quoted = false;
};

struct CsvRecord {
  int64_t line = 0;  // 1-based line of the record's first field
  std::vector<CsvField> fields;
  // True for a line with nothing on it (one empty, unquoted field).
  bool is_blank_line() const;
};

class CsvReader {
 public:
  // `text` is the file's content; `path` is only used in error messages.
  CsvReader(std::string text, std::string path);
  // Reads the whole file; an unreadable file is an error naming the path.
  static CsvReader open(const std::string& path);

  // The next record, or false at the end of the input (trailing blank lines are skipped).
  bool next(CsvRecord& record);

  // Column names (header order) used to label columns in error messages.
  void set_column_names(std::vector<std::string> names) { column_names_ = std::move(names); }
  const std::string& path() const { return path_; }

  // "path:line" and "path:line:column" or "path:line:column (column "name")".
  std::string location(int64_t line) const;
  std::string location(int64_t line, int64_t column) const;
  // Throws convgrad::Error("<location>: <message>").
  [[noreturn]] void fail(int64_t line, int64_t column, const std::string& message) const;

 private:
  void read_field(CsvField& field, int64_t column);
  void read_quoted(CsvField& field, int64_t column);
  bool at_line_end() const;  // at "\n", "\r\n" or a final "\r"
  void skip_line_end();
  bool only_blank_lines_left() const;

  std::string text_;
  std::string path_;
  size_t pos_ = 0;
  int64_t line_ = 1;
  std::vector<std::string> column_names_;
};

// How a cell parsed as a number; see parse_csv_number.
enum class NumberParse { Ok, Empty, NotANumber, NotFinite, OutOfRange };

// Parses a whole cell as a double with strtod-like syntax but locale-independent
// (std::from_chars): optional surrounding spaces/tabs and an optional leading '+' are
// allowed; anything else after the number is an error. NaN and infinities are NotFinite;
// a magnitude too large for a double is OutOfRange (one too small becomes 0).
NumberParse parse_csv_number(std::string_view text, double& value);

// Trims spaces and tabs at both ends.
std::string_view trim_blanks(std::string_view text);

// Text as it appears in a one-line error message: in double quotes, line breaks and tabs
// written as \n, \r, \t, cut short after 40 characters ("...").
std::string quote_for_message(std::string_view text);

}  // namespace convgrad
