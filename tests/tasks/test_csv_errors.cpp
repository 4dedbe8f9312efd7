// Reading the coursework CSV: every malformed file is one clear error line naming the
// file, line and column; every harmless variation (BOM, CRLF, quotes, column order, index
// and extra columns, blanks) reads back the same values.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "tasks/csv_reader.h"
#include "tasks/dataset.h"
#include "tensor/error.h"

using namespace convgrad;
namespace fs = std::filesystem;

namespace {

// A fresh directory under the system temp directory, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = fs::temp_directory_path() / ("convgrad_csv_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  std::string write(const std::string& name, const std::string& content) const {
    const std::string file = (path_ / name).string();
    std::ofstream(file, std::ios::binary) << content;
    return file;
  }
  std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// A small valid table: 3 features, `rows` rows; every value is a short exact decimal.
// Columns: 1 index, 2 Target, 3-5 Feature 1..3, 6 Treatment. Line 1 is the header, row r on
// line r + 2.
double target_value(int r) { return 1.25 + 0.5 * r; }
double feature_value(int r, int k) { return r + 0.125 * k; }
int treatment_value(int r) { return r % 3 == 0 ? 1 : 0; }

std::string small_csv(int rows = 12) {
  std::string text = ",Target: MAP7,Feature 1: A,Feature 2: B,Feature 3: C,Treatment\n";
  for (int r = 0; r < rows; ++r) {
    text += str_cat(r, ",", target_value(r), ",", feature_value(r, 1), ",", feature_value(r, 2), ",",
                    feature_value(r, 3), ",", treatment_value(r), "\n");
  }
  return text;
}

// The same table with `line` (1-based) replaced.
std::string with_line(const std::string& text, int line, const std::string& replacement) {
  size_t begin = 0;
  for (int i = 1; i < line; ++i) begin = text.find('\n', begin) + 1;
  const size_t end = text.find('\n', begin);
  return text.substr(0, begin) + replacement + text.substr(end);
}

const std::string kHeader = ",Target: MAP7,Feature 1: A,Feature 2: B,Feature 3: C,Treatment";

}  // namespace

TEST_CASE("malformed CSV files are one-line errors naming file, line and column") {
  const std::string good = small_csv();
  // {case, file content, expected message part ({file} is the file's path)}
  auto [name, content, expected] = GENERATE_REF(table<std::string, std::string, std::string>({
      {"empty file", "", "{file}:1: expected a header row with the columns \"Target: MAP7\""},
      {"only a byte-order mark and blank lines", "\xEF\xBB\xBF\r\n\n", "{file}:1: expected a header row"},
      {"header only", kHeader + "\n", "{file}:1: expected data rows after the header, but got none"},
      {"header only, with blank lines", kHeader + "\r\n\r\n", "{file}:1: expected data rows after the header, but got none"},
      {"missing target", with_line(good, 1, ",Target: MAP8,Feature 1: A,Feature 2: B,Feature 3: C,Treatment"),
       "{file}:1: expected a column \"Target: MAP7\" in the header, but got none"},
      {"missing treatment", with_line(good, 1, ",Target: MAP7,Feature 1: A,Feature 2: B,Feature 3: C,treated"),
       "{file}:1: expected a column \"Treatment\" in the header, but got none"},
      {"no feature columns", with_line(good, 1, ",Target: MAP7,F1,F2,F3,Treatment"),
       "{file}:1: expected feature columns \"Feature 1: <gene>\", \"Feature 2: <gene>\", ... in the header, but got none"},
      {"a gap in the feature numbers", with_line(good, 1, ",Target: MAP7,Feature 1: A,Feature 4: B,Feature 3: C,Treatment"),
       "{file}:1: expected a column \"Feature 2: <gene>\" in the header (features are numbered 1..4 without gaps), but got none"},
      {"duplicate column name", with_line(good, 1, ",Target: MAP7,Feature 1: A,Feature 2: B,Feature 2: B,Treatment"),
       "{file}:1:5 (column \"Feature 2: B\"): expected unique column names, but got \"Feature 2: B\" again (first at column 4)"},
      {"duplicate feature number", with_line(good, 1, ",Target: MAP7,Feature 1: A,Feature 2: B,Feature 2: X,Treatment"),
       "{file}:1:5 (column \"Feature 2: X\"): expected one column per feature number, but got Feature 2 again (first at column 4: \"Feature 2: B\")"},
      {"feature number 0", with_line(good, 1, ",Target: MAP7,Feature 0: A,Feature 1: B,Feature 2: C,Treatment"),
       "{file}:1:3 (column \"Feature 0: A\"): expected feature numbers from 1, but got 0"},
      {"non-numeric cell", with_line(good, 5, "3,2.75,3.125,abc,3.375,1"),
       "{file}:5:4 (column \"Feature 2: B\"): expected a number, but got \"abc\""},
      {"trailing junk after a number", with_line(good, 5, "3,2.75,3.125,3.25x,3.375,1"),
       "{file}:5:4 (column \"Feature 2: B\"): expected a number, but got \"3.25x\""},
      {"two numbers in a cell", with_line(good, 5, "3,2.75,3.125,3 25,3.375,1"),
       "{file}:5:4 (column \"Feature 2: B\"): expected a number, but got \"3 25\""},
      {"comma decimal separator", with_line(good, 5, "3,\"2,75\",3.125,3.25,3.375,1"),
       "{file}:5:2 (column \"Target: MAP7\"): expected a number, but got \"2,75\""},
      {"line break inside a quoted cell is shown escaped", with_line(good, 5, "3,2.75,3.125,\"3\n25\",3.375,1"),
       "{file}:5:4 (column \"Feature 2: B\"): expected a number, but got \"3\\n25\""},
      {"long junk is cut short", with_line(good, 5, "3,2.75,3.125," + std::string(50, 'x') + ",3.375,1"),
       "{file}:5:4 (column \"Feature 2: B\"): expected a number, but got \"" + std::string(40, 'x') + "...\""},
      {"empty cell", with_line(good, 6, "4,3.25,4.125,,4.375,0"),
       "{file}:6:4 (column \"Feature 2: B\"): expected a number, but got an empty cell"},
      {"blank cell", with_line(good, 6, "4,3.25,4.125,  ,4.375,0"),
       "{file}:6:4 (column \"Feature 2: B\"): expected a number, but got an empty cell"},
      {"nan", with_line(good, 7, "5,3.75,nan,5.25,5.375,0"),
       "{file}:7:3 (column \"Feature 1: A\"): expected a finite number, but got \"nan\""},
      {"NaN target", with_line(good, 7, "5,NaN,5.125,5.25,5.375,0"),
       "{file}:7:2 (column \"Target: MAP7\"): expected a finite number, but got \"NaN\""},
      {"inf", with_line(good, 7, "5,3.75,5.125,5.25,inf,0"),
       "{file}:7:5 (column \"Feature 3: C\"): expected a finite number, but got \"inf\""},
      {"-Infinity", with_line(good, 7, "5,3.75,5.125,-Infinity,5.375,0"),
       "{file}:7:4 (column \"Feature 2: B\"): expected a finite number, but got \"-Infinity\""},
      {"overflow", with_line(good, 7, "5,3.75,5.125,1e999,5.375,0"),
       "{file}:7:4 (column \"Feature 2: B\"): expected a finite number, but got \"1e999\" (out of the range of a double)"},
      {"ragged row, too short", with_line(good, 8, "6,4.25,6.125,6.25,6.375"),
       "{file}:8:6 (column \"Treatment\"): expected 6 fields as in the header, but got 5"},
      {"ragged row, too long", with_line(good, 8, "6,4.25,6.125,6.25,6.375,1,7"),
       "{file}:8:7: expected 6 fields as in the header, but got 7"},
      {"empty line in the middle", with_line(good, 4, ""),
       "{file}:4:1 (unnamed column): expected 6 fields as in the header, but got an empty line"},
      {"treatment 2", with_line(good, 9, "7,4.75,7.125,7.25,7.375,2"),
       "{file}:9:6 (column \"Treatment\"): expected 0 or 1, but got \"2\""},
      {"treatment 0.5", with_line(good, 9, "7,4.75,7.125,7.25,7.375,0.5"),
       "{file}:9:6 (column \"Treatment\"): expected 0 or 1, but got \"0.5\""},
      {"treatment word", with_line(good, 9, "7,4.75,7.125,7.25,7.375,yes"),
       "{file}:9:6 (column \"Treatment\"): expected a number, but got \"yes\""},
      {"unterminated quote", with_line(good, 10, "8,5.25,\"8.125,8.25,8.375,1"),
       "{file}:10:3 (column \"Feature 1: A\"): expected a closing quote for the quoted field that starts here, but got the end of the file"},
      {"text after a closing quote", with_line(good, 10, "8,5.25,\"8.125\"x,8.25,8.375,1"),
       "{file}:10:3 (column \"Feature 1: A\"): expected ',' or the end of the line after the closing quote, but got 'x'"},
      {"fewer rows than the splits need", small_csv(5),
       "{file}:6: expected at least 10 data rows (train 70% / validation 10% / test the rest, none of them empty), but got 5"},
      {"line numbers count CRLF and BOM", "\xEF\xBB\xBF" + replace_all(with_line(good, 5, "3,2.75,3.125,abc,3.375,1"), "\n", "\r\n"),
       "{file}:5:4 (column \"Feature 2: B\"): expected a number, but got \"abc\""},
      {"line numbers count line breaks inside quotes",  // the header takes lines 1-2; row 3 is on line 6
       with_line(with_line(replace_all(good, "\n", ",x\n"), 1, kHeader + ",\"multi\nline\""), 6, "3,2.75,3.125,abc,3.375,1,x"),
       "{file}:6:4 (column \"Feature 2: B\"): expected a number, but got \"abc\""},
  }));
  CAPTURE(name);
  TempDir dir;
  const std::string file = dir.write("bad.csv", content);
  const std::string message = replace_all(expected, "{file}", file);
  REQUIRE_THROWS_WITH(read_dataset_csv(file), Catch::Contains(message) && !Catch::Contains("\n"));
  REQUIRE_THROWS_AS(read_dataset_csv(file), convgrad::Error);
}

TEST_CASE("a file that cannot be read is an error naming it") {
  TempDir dir;
  const std::string missing = dir.path("missing.csv");
  REQUIRE_THROWS_WITH(read_dataset_csv(missing),
                      Catch::Contains(missing + ": expected a readable CSV file, but cannot open it: No such file"));
  REQUIRE_THROWS_WITH(read_dataset_csv(dir.path("")), Catch::Contains("expected a CSV file, but got a directory"));
}

TEST_CASE("BOM, CRLF, quotes, column order, index and extra columns read the same values") {
  constexpr int kRows = 12;
  TempDir dir;
  // Plain: no index column, canonical order.
  std::string plain = "Target: MAP7,Feature 1: A,Feature 2: B,Feature 3: C,Treatment\n";
  for (int r = 0; r < kRows; ++r) {
    plain += str_cat(target_value(r), ",", feature_value(r, 1), ",", feature_value(r, 2), ",", feature_value(r, 3),
                     ",", treatment_value(r), "\n");
  }
  // Fancy: BOM, CRLF, a quoted empty index header, shuffled and quoted columns with blanks,
  // an extra column with a doubled quote in its name and a comma and a line break in its
  // cells, a '+' sign, numbers in another spelling, no final line break plus blank lines.
  std::string fancy = "\xEF\xBB\xBF\"\",Treatment,\"Feature 3: C\",\"note \"\"x\"\"\", Feature 1: A ,\"Target: MAP7\",Feature 2: B\r\n";
  for (int r = 0; r < kRows; ++r) {
    fancy += str_cat("\"", r, "\",", treatment_value(r), ", \"", feature_value(r, 3), "\" ,\"a,b\r\nc\",+",
                     feature_value(r, 1), ",  ", target_value(r), "  ,", feature_value(r, 2) * 1000, "e-3\r\n");
  }
  fancy += "\r\n\r\n";

  const Dataset a = read_dataset_csv(dir.write("plain.csv", plain));
  const Dataset b = read_dataset_csv(dir.write("fancy.csv", fancy));
  for (const Dataset* d : {&a, &b}) {
    CHECK(d->rows == kRows);
    CHECK(d->feature_names == std::vector<std::string>{"Feature 1: A", "Feature 2: B", "Feature 3: C"});
  }
  CHECK(b.source == dir.path("fancy.csv"));
  CHECK(a.target == b.target);
  CHECK(a.features == b.features);
  CHECK(a.treatment == b.treatment);
  CHECK(a.features[5 * 3 + 1] == feature_value(5, 2));  // row 5, Feature 2
  CHECK(a.target[11] == target_value(11));
  CHECK(a.treatment[3] == 1);
  CHECK(a.treatment[4] == 0);
}

TEST_CASE("features may be any count K >= 1, named freely after the colon") {
  TempDir dir;
  std::string text = "Feature 2:x,Treatment,Feature 1:,Target: MAP7,Feature 10: a: b,other\n";
  // Features 3..9 missing: an error; with them present it reads.
  REQUIRE_THROWS_WITH(read_dataset_csv(dir.write("gap.csv", text)),
                      Catch::Contains("gap.csv:1: expected a column \"Feature 3: <gene>\""));
  std::string one = "Feature 1: ONLY,Treatment,Target: MAP7\n";
  for (int r = 0; r < 10; ++r) one += str_cat(r, ",", r % 2, ",", 2 * r, "\n");
  const Dataset d = read_dataset_csv(dir.write("one.csv", one));
  CHECK(d.n_features() == 1);
  CHECK(d.feature_names[0] == "Feature 1: ONLY");
  CHECK(d.features[9] == 9.0);
  CHECK(d.target[9] == 18.0);
}

TEST_CASE("parse_csv_number follows strtod syntax, fully consumed") {
  auto parse = [](const std::string& text) {
    double value = -1.0;
    const NumberParse status = parse_csv_number(text, value);
    return std::make_pair(status, value);
  };
  CHECK(parse("1.5") == std::make_pair(NumberParse::Ok, 1.5));
  CHECK(parse(" -2e3\t") == std::make_pair(NumberParse::Ok, -2000.0));
  CHECK(parse("+.5") == std::make_pair(NumberParse::Ok, 0.5));
  CHECK(parse("7.") == std::make_pair(NumberParse::Ok, 7.0));
  CHECK(parse("1e-400") == std::make_pair(NumberParse::Ok, 0.0));  // underflow is 0, as with strtod
  CHECK(parse("0.1").second == 0.1);
  CHECK(parse("").first == NumberParse::Empty);
  CHECK(parse("  ").first == NumberParse::Empty);
  CHECK(parse("+").first == NumberParse::NotANumber);
  CHECK(parse("++1").first == NumberParse::NotANumber);
  CHECK(parse("1e").first == NumberParse::NotANumber);
  CHECK(parse("0x10").first == NumberParse::NotANumber);
  CHECK(parse("1,5").first == NumberParse::NotANumber);
  CHECK(parse("nan").first == NumberParse::NotFinite);
  CHECK(parse("-inf").first == NumberParse::NotFinite);
  CHECK(parse("1e309").first == NumberParse::OutOfRange);
}
