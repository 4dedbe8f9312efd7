// Edits of a well-formed coursework CSV (no quotes in it, '\n' line endings), to make the
// malformed files of test_cli_errors.cpp. Lines and columns are 1-based, as in the errors.
#pragma once

#include <string>
#include <vector>

namespace convgrad::testing {

std::vector<std::string> split(const std::string& text, char separator);
std::string join(const std::vector<std::string>& parts, const std::string& separator);

// The header and the first `rows` data rows.
std::string keep_rows(const std::string& csv, int rows);
// Cell (line, column) replaced by `value`.
std::string set_cell(const std::string& csv, int line, int column, const std::string& value);
// Column `column` removed from every line.
std::string drop_column(const std::string& csv, int column);
// Line `line` replaced by `text`.
std::string set_line(const std::string& csv, int line, const std::string& text);
// Every field of every line in double quotes (RFC 4180), "" for a quote inside.
std::string quote_every_field(const std::string& csv);
// Every "\n" as "\r\n".
std::string with_crlf(const std::string& csv);

}  // namespace convgrad::testing
