#include "tasks/dataset.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <string_view>

#include "tasks/csv_reader.h"
#include "tensor/atomic_file.h"
#include "tensor/error.h"

namespace convgrad {

Split coursework_split(int64_t rows) {
  CONVGRAD_CHECK(rows >= kMinSplitRows, "coursework_split: expected at least ", kMinSplitRows,
                 " rows (train 70% / validation 10% / test the rest, none of them empty), but got ", rows);
  // Integer arithmetic: floor(0.7 * 2641) = 1848, floor(0.1 * 2641) = 264, rest 529.
  const int64_t train = rows * 7 / 10;
  const int64_t val = rows / 10;
  return Split{train, val, rows - train - val};
}

namespace {

// Where each needed column sits in the file (0-based field indices).
struct HeaderLayout {
  size_t n_fields = 0;
  size_t target = 0;
  size_t treatment = 0;
  std::vector<size_t> features;  // features[k - 1] = field index of Feature k
  std::vector<std::string> feature_names;
};

// "Feature 12: NAME" -> 12. False if the name does not have that form.
bool parse_feature_number(std::string_view name, int64_t& number) {
  constexpr std::string_view prefix = "Feature ";
  if (name.substr(0, prefix.size()) != prefix) return false;
  name.remove_prefix(prefix.size());
  const size_t colon = name.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 18) return false;
  number = 0;
  for (size_t i = 0; i < colon; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    number = number * 10 + (name[i] - '0');
  }
  return true;
}

HeaderLayout read_header(CsvReader& reader, const CsvRecord& header) {
  HeaderLayout layout;
  layout.n_fields = header.fields.size();
  std::vector<std::string> names;
  for (const CsvField& field : header.fields) names.emplace_back(trim_blanks(field.text));
  reader.set_column_names(names);

  const int64_t line = header.line;
  std::map<std::string, size_t> first_seen;       // name -> field index
  std::map<int64_t, size_t> feature_columns;       // feature number -> field index
  bool has_target = false, has_treatment = false;
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& name = names[i];
    const int64_t column = static_cast<int64_t>(i) + 1;
    if (name.empty()) continue;  // the pandas index column (or another unnamed one): ignored
    const auto [seen, inserted] = first_seen.emplace(name, i);
    if (!inserted) {
      reader.fail(line, column, str_cat("expected unique column names, but got ", quote_for_message(name),
                                        " again (first at column ", seen->second + 1, ")"));
    }
    int64_t number = 0;
    if (name == kTargetColumn) {
      has_target = true;
      layout.target = i;
    } else if (name == kTreatmentColumn) {
      has_treatment = true;
      layout.treatment = i;
    } else if (parse_feature_number(name, number)) {
      if (number < 1) reader.fail(line, column, str_cat("expected feature numbers from 1, but got ", number));
      const auto [other, fresh] = feature_columns.emplace(number, i);
      if (!fresh) {
        reader.fail(line, column, str_cat("expected one column per feature number, but got Feature ", number,
                                          " again (first at column ", other->second + 1, ": ",
                                          quote_for_message(names[other->second]), ")"));
      }
    }
    // Any other name is an extra column and is ignored.
  }

  if (!has_target) {
    throw Error(str_cat(reader.location(line), ": expected a column \"", kTargetColumn, "\" in the header, but got none"));
  }
  if (feature_columns.empty()) {
    throw Error(str_cat(reader.location(line),
                        ": expected feature columns \"Feature 1: <gene>\", \"Feature 2: <gene>\", ... in the header, but got none"));
  }
  const int64_t n_features = feature_columns.rbegin()->first;
  for (int64_t k = 1; k <= n_features; ++k) {
    const auto found = feature_columns.find(k);
    if (found == feature_columns.end()) {
      throw Error(str_cat(reader.location(line), ": expected a column \"Feature ", k,
                          ": <gene>\" in the header (features are numbered 1..", n_features,
                          " without gaps), but got none"));
    }
    layout.features.push_back(found->second);
    layout.feature_names.push_back(names[found->second]);
  }
  if (!has_treatment) {
    throw Error(str_cat(reader.location(line), ": expected a column \"", kTreatmentColumn, "\" in the header, but got none"));
  }
  return layout;
}

double read_number(const CsvReader& reader, const CsvRecord& record, size_t index) {
  const CsvField& field = record.fields[index];
  const int64_t column = static_cast<int64_t>(index) + 1;
  double value = 0.0;
  switch (parse_csv_number(field.text, value)) {
    case NumberParse::Ok:
      return value;
    case NumberParse::Empty:
      reader.fail(field.line, column, "expected a number, but got an empty cell");
    case NumberParse::NotANumber:
      reader.fail(field.line, column, str_cat("expected a number, but got ", quote_for_message(field.text)));
    case NumberParse::NotFinite:
      reader.fail(field.line, column, str_cat("expected a finite number, but got ", quote_for_message(field.text)));
    case NumberParse::OutOfRange:
      reader.fail(field.line, column,
                  str_cat("expected a finite number, but got ", quote_for_message(field.text), " (out of the range of a double)"));
  }
  return value;  // unreachable
}

void check_field_count(const CsvReader& reader, const CsvRecord& record, size_t expected) {
  if (record.is_blank_line()) {
    reader.fail(record.line, 1, str_cat("expected ", expected, " fields as in the header, but got an empty line"));
  }
  const size_t actual = record.fields.size();
  if (actual == expected) return;
  // Point at the first missing field, or at the first one too many.
  const size_t first_wrong = std::min(actual, expected);
  const int64_t line = actual > expected ? record.fields[first_wrong].line : record.fields.back().line;
  reader.fail(line, static_cast<int64_t>(first_wrong) + 1,
              str_cat("expected ", expected, " fields as in the header, but got ", actual));
}

void append_number(std::string& out, double value) {
  char buffer[32];
  const std::to_chars_result result = std::to_chars(buffer, buffer + sizeof(buffer), value);  // shortest round trip
  out.append(buffer, result.ptr);
}

// RFC-4180: quote a field that holds a comma, a quote, a line break or edge blanks.
void append_field(std::string& out, const std::string& text) {
  const bool needs_quotes = text.find_first_of(",\"\r\n") != std::string::npos ||
                            (!text.empty() && (trim_blanks(text).size() != text.size()));
  if (!needs_quotes) {
    out += text;
    return;
  }
  out += '"';
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

Dataset read_dataset(CsvReader& reader) {
  CsvRecord record;
  if (!reader.next(record)) {
    throw Error(str_cat(reader.location(1), ": expected a header row with the columns \"", kTargetColumn,
                        "\", \"Feature 1: <gene>\", ... and \"", kTreatmentColumn, "\", but the file is empty"));
  }
  const int64_t header_line = record.line;
  const HeaderLayout layout = read_header(reader, record);

  Dataset data;
  data.source = reader.path();
  data.feature_names = layout.feature_names;
  int64_t last_line = header_line;
  while (reader.next(record)) {
    check_field_count(reader, record, layout.n_fields);
    data.target.push_back(read_number(reader, record, layout.target));
    for (const size_t index : layout.features) data.features.push_back(read_number(reader, record, index));
    const double treatment = read_number(reader, record, layout.treatment);
    if (treatment != 0.0 && treatment != 1.0) {
      reader.fail(record.fields[layout.treatment].line, static_cast<int64_t>(layout.treatment) + 1,
                  str_cat("expected 0 or 1, but got ", quote_for_message(record.fields[layout.treatment].text)));
    }
    data.treatment.push_back(treatment == 1.0 ? 1 : 0);
    data.lines.push_back(record.line);
    last_line = record.line;
    ++data.rows;
  }

  if (data.rows == 0) {
    throw Error(str_cat(reader.location(header_line), ": expected data rows after the header, but got none"));
  }
  if (data.rows < kMinSplitRows) {
    throw Error(str_cat(reader.location(last_line), ": expected at least ", kMinSplitRows,
                        " data rows (train 70% / validation 10% / test the rest, none of them empty), but got ",
                        data.rows));
  }
  return data;
}

}  // namespace

std::string Dataset::row_location(int64_t row) const {
  if (row >= 0 && row < static_cast<int64_t>(lines.size())) return str_cat(source, " line ", lines[row]);
  return str_cat(source, " row ", row + 1);
}

std::string Dataset::rows_location(int64_t first, int64_t last) const {
  const auto from_file = [&](int64_t row) { return row >= 0 && row < static_cast<int64_t>(lines.size()); };
  if (from_file(first) && from_file(last)) return str_cat(source, " lines ", lines[first], " to ", lines[last]);
  return str_cat(source, " rows ", first + 1, " to ", last + 1);
}

Dataset read_dataset_csv(const std::string& path) {
  CsvReader reader = CsvReader::open(path);
  return read_dataset(reader);
}

Dataset parse_dataset_csv(std::string text, const std::string& name) {
  CsvReader reader(std::move(text), name);
  return read_dataset(reader);
}

std::string dataset_csv_text(const Dataset& data) {
  const int64_t n_features = data.n_features();
  const size_t rows = static_cast<size_t>(data.rows);
  CONVGRAD_CHECK(data.rows >= 0 && data.features.size() == rows * static_cast<size_t>(n_features),
                 "write_dataset_csv: expected ", data.rows, " x ", n_features, " = ", data.rows * n_features,
                 " feature values, but got ", data.features.size());
  CONVGRAD_CHECK(data.target.size() == rows, "write_dataset_csv: expected ", data.rows, " target values, but got ",
                 data.target.size());
  CONVGRAD_CHECK(data.treatment.size() == rows, "write_dataset_csv: expected ", data.rows,
                 " treatment labels, but got ", data.treatment.size());

  std::string out;
  out.reserve(rows * static_cast<size_t>(n_features + 3) * 20 + 4096);
  out += ',';  // the unnamed index column, as pandas' to_csv writes it
  append_field(out, kTargetColumn);
  for (const std::string& name : data.feature_names) {
    out += ',';
    append_field(out, name);
  }
  out += ',';
  append_field(out, kTreatmentColumn);
  out += '\n';

  for (size_t row = 0; row < rows; ++row) {
    out += std::to_string(row);
    const double* values = data.features.data() + row * static_cast<size_t>(n_features);
    for (int64_t k = -1; k < n_features; ++k) {
      const double value = k < 0 ? data.target[row] : values[k];
      CONVGRAD_CHECK(std::isfinite(value), "write_dataset_csv: expected finite values, but got ", value, " in row ",
                     row, k < 0 ? std::string(" (target)") : str_cat(" (feature ", k + 1, ")"));
      out += ',';
      append_number(out, value);
    }
    const int treatment = data.treatment[row];
    CONVGRAD_CHECK(treatment == 0 || treatment == 1, "write_dataset_csv: expected treatment 0 or 1, but got ",
                   treatment, " in row ", row);
    out += treatment == 1 ? ",1\n" : ",0\n";
  }
  return out;
}

void write_dataset_csv(const Dataset& data, const std::string& path) {
  write_file_atomically(path, dataset_csv_text(data));
}

}  // namespace convgrad
