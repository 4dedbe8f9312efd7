// Every bad input a user can bring, run through the built `convgrad` binary as a user runs
// it: the coursework CSV (--data), safetensors (--init-from) and golden cases (.npy,
// case.json). Each must end the run with exit status 1 and ONE line on stderr,
// "convgrad: error: ...", that names the file and what is wrong (line and column for a
// CSV), and must leave nothing behind: no results.json, no temporary file, no saved model.
// Harmless variations (CRLF, a UTF-8 BOM, quoted fields) must be accepted and read the same.
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "robustness/bad_files.h"
#include "robustness/cli_runner.h"
#include "robustness/csv_edits.h"

using namespace convgrad::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// How the bad file reaches convgrad.
enum class Via {
  Data,        // task1 --variant bsc --data FILE
  InitFrom,    // task1 --variant bsc --data <good csv> --init-from FILE
  GoldenNpy,   // golden DIR, DIR/<case>/param_weight.npy = FILE (a copy of a real case)
  GoldenJson,  // golden DIR, DIR/<case>/case.json = FILE
};

struct BadInput {
  std::string name;
  Via via;
  std::string bytes;
  std::vector<std::string> expect;  // parts of the error line, besides the file's path
};

// The good CSV's column `column` (1-based) as the error names it: (column "Feature 18: X").
std::string column_label(int column) {
  const std::string header = split(good_files().csv, '\n')[0];
  return "(column \"" + split(header, ',').at(static_cast<size_t>(column - 1)) + "\")";
}

// The good CSV: line 1 the header; row r on line r + 2. Column 1 the unnamed index,
// 2 "Target: MAP7", k + 2 "Feature k: ...", 103 "Treatment".
std::vector<BadInput> bad_csv_files() {
  const std::string& csv = good_files().csv;
  const std::string header = split(csv, '\n')[0];
  std::vector<std::string> names = split(header, ',');
  std::vector<std::string> duplicate = names;
  duplicate[6] = names[5];  // Feature 5's column named like Feature 4's
  std::vector<std::string> same_number = names;
  same_number[6] = "Feature 4: OTHER";
  const std::string line_10 = split(csv, '\n')[9];
  return {
      {"empty file", Via::Data, "", {":1: expected a header row", "but the file is empty"}},
      {"header only", Via::Data, keep_rows(csv, 0), {":1: expected data rows after the header, but got none"}},
      {"blank lines only", Via::Data, "\n\r\n  \n", {":1: expected a header row"}},
      {"binary garbage", Via::Data, std::string("\x7f" "ELF\x02\x01\x01\0\0\0", 10),
       {":1: expected a column \"Target: MAP7\" in the header, but got none"}},
      {"missing Target: MAP7", Via::Data, drop_column(csv, 2),
       {":1: expected a column \"Target: MAP7\" in the header, but got none"}},
      {"missing Feature 37", Via::Data, drop_column(csv, 39),
       {":1: expected a column \"Feature 37: <gene>\" in the header", "but got none"}},
      {"missing Treatment", Via::Data, drop_column(csv, 103),
       {":1: expected a column \"Treatment\" in the header, but got none"}},
      {"duplicate column", Via::Data, set_line(csv, 1, join(duplicate, ",")),
       {":1:7 ", "expected unique column names, but got \"" + names[5] + "\" again (first at column 6)"}},
      {"two columns for one feature number", Via::Data, set_line(csv, 1, join(same_number, ",")),
       {":1:7 ", "expected one column per feature number, but got Feature 4 again (first at column 6"}},
      {"non-numeric cell", Via::Data, set_cell(csv, 5, 20, "abc"),
       {":5:20 " + column_label(20) + ": expected a number, but got \"abc\""}},
      {"empty cell", Via::Data, set_cell(csv, 8, 50, ""),
       {":8:50 " + column_label(50) + ": expected a number, but got an empty cell"}},
      {"nan", Via::Data, set_cell(csv, 7, 2, "nan"),
       {":7:2 (column \"Target: MAP7\"): expected a finite number, but got \"nan\""}},
      {"inf", Via::Data, set_cell(csv, 12, 102, "-inf"),
       {":12:102 " + column_label(102) + ": expected a finite number, but got \"-inf\""}},
      {"number out of range", Via::Data, set_cell(csv, 3, 4, "1e999"),
       {":3:4 " + column_label(4) + ": expected a finite number, but got \"1e999\" (out of the range of a double)"}},
      {"ragged row, a field short", Via::Data, set_line(csv, 10, line_10.substr(0, line_10.rfind(','))),
       {":10:103 (column \"Treatment\"): expected 103 fields as in the header, but got 102"}},
      {"ragged row, a field too many", Via::Data, set_line(csv, 10, line_10 + ",0"),
       {":10:104: expected 103 fields as in the header, but got 104"}},
      {"blank line between rows", Via::Data, set_line(csv, 6, ""),
       {":6:1 (unnamed column): expected 103 fields as in the header, but got an empty line"}},
      {"unterminated quote", Via::Data, set_cell(csv, 9, 30, "\"1.5"),
       {":9:30 " + column_label(30) + ": expected a closing quote", "but got the end of the file"}},
      {"text after a closing quote", Via::Data, set_cell(csv, 9, 30, "\"1.5\"x"),
       {":9:30 " + column_label(30) + ": expected ',' or the end of the line after the closing quote, but got 'x'"}},
      {"one data row", Via::Data, keep_rows(csv, 1),
       {":2: expected at least 10 data rows", "but got 1"}},
      {"fewer rows than the splits need", Via::Data, keep_rows(csv, 9),
       {":10: expected at least 10 data rows (train 70% / validation 10% / test the rest, none of them empty), but got 9"}},
      {"Treatment not 0/1", Via::Data, set_cell(csv, 4, 103, "2"),
       {":4:103 (column \"Treatment\"): expected 0 or 1, but got \"2\""}},
      {"Treatment 0.5", Via::Data, set_cell(csv, 30, 103, "0.5"),
       {":30:103 (column \"Treatment\"): expected 0 or 1, but got \"0.5\""}},
  };
}

std::vector<BadInput> bad_safetensors_files() {
  const std::string& init = good_files().init;
  const uint64_t header_length = [&] {
    uint64_t n = 0;
    std::memcpy(&n, init.data(), 8);
    return n;
  }();
  return {
      {"safetensors: truncated in the data", Via::InitFrom, init.substr(0, init.size() - 100),
       {"expected data_offsets within the data section of", "the file is truncated or the offsets are wrong"}},
      {"safetensors: truncated before the header length", Via::InitFrom, init.substr(0, 5),
       {"truncated file: expected at least 8 bytes (the header length), but got 5 bytes"}},
      {"safetensors: header length past the end", Via::InitFrom, with_header_length(init, header_length + init.size()),
       {"expected a header length of at most", "(the file is truncated or not a safetensors file)"}},
      {"safetensors: header not JSON", Via::InitFrom, with_header_length(init, 3),
       {"expected a JSON header, but it does not parse"}},
      {"safetensors: offsets out of range", Via::InitFrom,
       edit_safetensors_header(init, [](json& h) { h["conv1.bias"]["data_offsets"] = {1000000, 1000032}; }),
       {"tensor 'conv1.bias': expected data_offsets within the data section of",
        "but got [1000000, 1000032]"}},
      {"safetensors: offsets not matching the shape", Via::InitFrom,
       edit_safetensors_header(init, [](json& h) { h["conv1.bias"]["shape"] = {9}; }),
       {"tensor 'conv1.bias': expected data_offsets spanning 36 bytes for shape [9] of F32"}},
      {"safetensors: overlapping tensors", Via::InitFrom,
       edit_safetensors_header(init, [](json& h) { h["conv1.bias"]["data_offsets"] = h["conv1.weight"]["data_offsets"];
                                                    h["conv1.bias"]["shape"] = {72}; }),
       {"expected non-overlapping data_offsets"}},
      {"safetensors: absurd shape with a zero size", Via::InitFrom,
       edit_safetensors_header(init, [](json& h) {
         h["conv1.bias"]["shape"] = {0, uint64_t{1} << 62, uint64_t{1} << 62};
         h["conv1.bias"]["data_offsets"] = {0, 0};
       }),
       {"tensor 'conv1.bias': expected a shape whose size fits in memory, but got [0,4611686018427387904,"}},
      {"safetensors: unsupported dtype", Via::InitFrom,
       edit_safetensors_header(init, [](json& h) { h["conv1.bias"]["dtype"] = "BF16"; }),
       {"tensor 'conv1.bias': expected dtype F32 or F64, but got 'BF16'"}},
      {"safetensors: header nested 100,000 levels deep", Via::InitFrom,
       [] {
         const std::string header = "{\"a\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
         return with_header_length(std::string(8, '\0'), header.size()) + header;
       }(),
       {"expected a JSON header nested at most 16 levels deep, but it is nested deeper"}},
      {"safetensors: a parameter of the wrong shape", Via::InitFrom,
       edit_safetensors_header(init, [](json& h) { h["conv1.weight"]["shape"] = {8, 9, 1, 1}; }),
       {"into Autoencoder: expected 'conv1.weight' to have shape [8, 1, 3, 3], but got [8, 9, 1, 1]"}},
  };
}

std::vector<BadInput> bad_golden_files() {
  const std::string weight = read_bytes(good_files().golden_case + "/param_weight.npy");  // [3, 2, 3, 3] <f8
  const std::string data = weight.substr(weight.size() - 432);
  return {
      {"npy: truncated data", Via::GoldenNpy, weight.substr(0, weight.size() - 200),
       {"shape [3, 2, 3, 3] of '<f8' needs 432 data bytes, but the file has 232"}},
      {"npy: truncated header", Via::GoldenNpy, weight.substr(0, 40), {"truncated .npy file: the header needs"}},
      {"npy: not a .npy file", Via::GoldenNpy, "PK\x03\x04 a zip file, not an array",
       {"expected a .npy file (magic \\x93NUMPY), but got other bytes"}},
      {"npy: float16", Via::GoldenNpy, npy_bytes("{'descr': '<f2', 'fortran_order': False, 'shape': (3, 2, 3, 3), }", data),
       {"expected dtype '<f4' or '<f8' (little-endian float32/float64), but got '<f2'"}},
      {"npy: big-endian", Via::GoldenNpy, npy_bytes("{'descr': '>f8', 'fortran_order': False, 'shape': (3, 2, 3, 3), }", data),
       {"but got '>f8'"}},
      {"npy: Fortran order", Via::GoldenNpy, npy_bytes("{'descr': '<f8', 'fortran_order': True, 'shape': (3, 2, 3, 3), }", data),
       {"expected C order (fortran_order False), but got \"True\""}},
      {"npy: absurd shape", Via::GoldenNpy,
       npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (999999999999, 999999999999, 999999999999), }", data),
       {"needs more data than the file's 432 bytes"}},
      {"npy: absurd shape with a zero size", Via::GoldenNpy,
       npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 999999999999, 999999999999), }", ""),
       {"shape [0, 999999999999, 999999999999] needs more data than the file's 0 bytes"}},
      {"npy: shape missing", Via::GoldenNpy, npy_bytes("{'descr': '<f8', 'fortran_order': False, }", data),
       {"malformed .npy header: expected a 'shape' entry"}},
      {"golden: case.json not JSON", Via::GoldenJson, "{\"op\": \"conv2d\", \"inputs\": ",
       {"bad_case/case.json: expected valid JSON, but got a parse error"}},
      {"golden: case.json nested 100,000 levels deep", Via::GoldenJson,
       "{\"op\": \"relu\", \"inputs\": {\"input\": " + std::string(100000, '[') + std::string(100000, ']') + "}}",
       {"bad_case/case.json: expected JSON nested at most 32 levels deep, but it is nested deeper"}},
      {"golden: case.json names a missing file", Via::GoldenJson,
       R"({"op": "conv2d", "config": {}, "inputs": {"input": "no_such_file.npy"}})",
       {"bad_case/no_such_file.npy: cannot open file"}},
  };
}

// Runs the command for `bad`, with the bad file written to its place under `scratch`.
// Returns the run and the path the error must name.
std::pair<CliRun, std::string> run_with(const BadInput& bad, const ScratchDir& scratch) {
  const GoodFiles& good = good_files();
  const std::vector<std::string> training = {"task1", "--variant", "bsc", "--max-epochs", "1", "--threads", "1",
                                             "--out", scratch / "out", "--save-models", scratch / "models"};
  std::vector<std::string> args;
  std::string file;
  switch (bad.via) {
    case Via::Data:
      file = scratch.write("bad.csv", bad.bytes);
      args = training;
      args.insert(args.end(), {"--data", file});
      break;
    case Via::InitFrom:
      file = scratch.write("bad.safetensors", bad.bytes);
      args = training;
      args.insert(args.end(), {"--data", good.csv_path, "--init-from", file});
      break;
    case Via::GoldenNpy:
    case Via::GoldenJson: {
      const fs::path case_dir = scratch.path() / "cases" / "bad_case";
      fs::create_directories(case_dir.parent_path());
      fs::copy(good.golden_case, case_dir);
      file = scratch.write(bad.via == Via::GoldenNpy ? "cases/bad_case/param_weight.npy" : "cases/bad_case/case.json",
                           bad.bytes);
      args = {"golden", (scratch.path() / "cases").string()};
      break;
    }
  }
  return {run_convgrad(args), file};
}

void check_one_clean_error(const BadInput& bad) {
  ScratchDir scratch("bad_input");
  const auto [run, file] = run_with(bad, scratch);
  INFO("stdout:\n" << run.out << "stderr:\n" << run.err);
  CHECK(run.exit_code == 1);
  const std::vector<std::string> lines = lines_of(run.err);
  REQUIRE(lines.size() == 1);
  CHECK(run.err.back() == '\n');
  const std::string& line = lines[0];
  CHECK_THAT(line, Catch::StartsWith("convgrad: error: "));
  // The file itself; for case.json, the case folder (the error may name a file it refers to).
  CHECK_THAT(line, Catch::Contains(bad.via == Via::GoldenJson ? fs::path(file).parent_path().string() : file));
  for (const std::string& part : bad.expect) CHECK_THAT(line, Catch::Contains(part));
  // Nothing half-written: --out may exist (it is checked before the data is read), but empty.
  CHECK(files_under(scratch / "out").empty());
  CHECK(files_under(scratch / "models").empty());
}

}  // namespace

TEST_CASE("a malformed CSV is one error line naming file, line and column, and nothing is written",
          "[robustness][cli]") {
  for (const BadInput& bad : bad_csv_files()) {
    DYNAMIC_SECTION(bad.name) { check_one_clean_error(bad); }
  }
}

TEST_CASE("a malformed --init-from safetensors is one error line naming the file, and nothing is written",
          "[robustness][cli]") {
  for (const BadInput& bad : bad_safetensors_files()) {
    DYNAMIC_SECTION(bad.name) { check_one_clean_error(bad); }
  }
}

TEST_CASE("a malformed golden case (.npy, case.json) is one error line naming the file", "[robustness][cli]") {
  for (const BadInput& bad : bad_golden_files()) {
    DYNAMIC_SECTION(bad.name) { check_one_clean_error(bad); }
  }
}

TEST_CASE("a golden case whose case.json is a folder is one error line", "[robustness][cli]") {
  ScratchDir scratch("case_json_folder");
  fs::create_directories(scratch.path() / "cases" / "bad_case" / "case.json");
  const CliRun run = run_convgrad({"golden", scratch / "cases"});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 1);
  REQUIRE(lines_of(run.err).size() == 1);
  CHECK(run.err == "convgrad: error: " + scratch / "cases/bad_case/case.json" + ": expected a file, but got a folder\n");
}

TEST_CASE("a --data that is not a file is one error line", "[robustness][cli]") {
  ScratchDir scratch("not_a_file");
  for (const std::string& data : {scratch / "no_such.csv", scratch.path().string()}) {
    const CliRun run = run_convgrad({"task1", "--variant", "bsc", "--data", data, "--out", scratch / "out"});
    INFO(run.err);
    CHECK(run.exit_code == 1);
    REQUIRE(lines_of(run.err).size() == 1);
    CHECK_THAT(run.err, Catch::StartsWith("convgrad: error: " + data + ": expected a"));
    CHECK(files_under(scratch / "out").empty());
  }
}

TEST_CASE("a usage error is one error line naming the option, and exit code 2", "[robustness][cli]") {
  using Usage = std::pair<std::vector<std::string>, std::string>;  // arguments, what the line must say
  for (const auto& [args, says] : {
           Usage{{"task1", "--variant", "phd"}, "--variant: phd not in {bsc,msc} (see convgrad task1 --help)"},
           Usage{{"task1"}, "--variant is required (see convgrad task1 --help)"},
           Usage{{"task2", "--seed", "x"}, "--seed"},
           // a seed out of range is not wrapped (-1) or clamped (2^64) into another seed
           Usage{{"all", "--seed", "-1"}, "--seed: expected an integer from 0 to 18446744073709551615, but got -1"},
           Usage{{"task2", "--seed", "18446744073709551616"},
                 "--seed: expected an integer from 0 to 18446744073709551615, but got 18446744073709551616"},
           Usage{{"data", "--seed", "2.5"}, "--seed: expected an integer from 0 to 18446744073709551615, but got 2.5"},
           Usage{{"all", "--threads", "-3"}, "--threads: Value -3 not in range 0 to 4096 (see convgrad all --help)"},
           Usage{{"task1", "--variant", "bsc", "--max-epochs", "-1"}, "--max-epochs: Value -1 not in range 0 to"},
           Usage{{"data", "--rows", "5"}, "--rows: Value 5 not in range 10 to 1000000 (see convgrad data --help)"},
           Usage{{"golden"}, "(see convgrad golden --help)"},
           Usage{{"no_such_command"}, "no_such_command"},
           Usage{{}, "(see convgrad --help)"},
       }) {
    const CliRun run = run_convgrad(args);
    INFO("stdout:\n" << run.out << "stderr:\n" << run.err);
    CHECK(run.exit_code == 2);
    REQUIRE(lines_of(run.err).size() == 1);
    CHECK_THAT(run.err, Catch::StartsWith("convgrad: error: ") && Catch::Contains(says));
  }
  const CliRun help = run_convgrad({"task1", "--help"});  // help is not an error
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("--variant"));
  const CliRun version = run_convgrad({"--version"});
  CHECK(version.exit_code == 0);
  CHECK_THAT(version.out, Catch::Matches("convgrad [0-9]+\\.[0-9]+\\.[0-9]+\n"));
}

// ---- accepted variations ----

namespace {

// The autoencoder's training curve and the dataset rows of a quick run on `csv_bytes`.
json quick_run(const std::string& csv_bytes, const std::vector<std::string>& extra = {}) {
  ScratchDir scratch("accepted");
  const std::string csv = scratch.write("cells.csv", csv_bytes);
  std::vector<std::string> args = {"task1", "--variant", "bsc", "--max-epochs", "1", "--threads", "1",
                                   "--quiet",  "--data",    csv,   "--out",        scratch / "out"};
  args.insert(args.end(), extra.begin(), extra.end());
  const CliRun run = run_convgrad(args);
  INFO("stdout:\n" << run.out << "stderr:\n" << run.err);
  REQUIRE(run.exit_code == 0);
  const json results = json::parse(read_bytes(scratch / "out/results.json"));
  return json{{"rows", results.at("dataset").at("rows")},
              {"train_curve", results.at("task1_bsc").at("autoencoder").at("train_curve")},
              {"test_r2", results.at("task1_bsc").at("regressor").at("test_r2")}};
}

}  // namespace

TEST_CASE("CRLF line endings, a UTF-8 BOM and quoted fields are accepted and read the same",
          "[robustness][cli]") {
  const std::string& csv = good_files().csv;
  const json clean = quick_run(csv);
  CHECK(clean.at("rows") == 60);
  CHECK(quick_run(with_crlf(csv)) == clean);
  CHECK(quick_run("\xEF\xBB\xBF" + csv) == clean);
  CHECK(quick_run("\xEF\xBB\xBF" + with_crlf(csv)) == clean);
  CHECK(quick_run(quote_every_field(csv)) == clean);
}

TEST_CASE("--init-from with only some of the names keeps the seeded initialisation for the others, and says so",
          "[robustness][cli]") {
  // DESIGN.md: names missing from the file are not an error; the run lists them.
  ScratchDir scratch("partial_init");
  const std::string partial = scratch.write(
      "partial.safetensors", edit_safetensors_header(good_files().init, [](json& h) {
        for (const char* name : {"conv2.weight", "conv2.bias", "deconv.weight", "deconv.bias"}) h.erase(name);
      }));
  const CliRun run = run_convgrad({"task1", "--variant", "bsc", "--max-epochs", "1", "--threads", "1", "--data",
                                   good_files().csv_path, "--init-from", partial, "--out", scratch / "out"});
  INFO("stdout:\n" << run.out << "stderr:\n" << run.err);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("loaded 2 of 6 parameters; seeded initialisation kept for: conv2.weight "
                                      "conv2.bias deconv.weight deconv.bias"));
}

TEST_CASE("convgrad all with a cell whose Features 1-10 are all 0 stops before Task 1 trains, naming its line",
          "[robustness][cli]") {
  // Its cosine similarity is 0 / 0: an error up front, not after minutes of Task 1.
  ScratchDir scratch("all_zero_cell");
  std::string csv = good_files().csv;
  for (int column = 3; column <= 12; ++column) csv = set_cell(csv, 7, column, "0");  // Features 1-10 of row 5
  const std::string path = scratch.write("zero_cell.csv", csv);
  const CliRun run = run_convgrad({"all", "--max-epochs", "1", "--threads", "1", "--data", path, "--out",
                                   scratch / "out"});
  INFO("stdout:\n" << run.out << "stderr:\n" << run.err);
  CHECK(run.exit_code == 1);
  REQUIRE(lines_of(run.err).size() == 1);
  CHECK_THAT(run.err, Catch::StartsWith("convgrad: error: task2: " + path + " line 7: expected a cell with some "
                                        "non-zero value among Feature 1: "));
  CHECK_THAT(run.err, Catch::Contains("but all are 0, so its cosine similarity to any other cell is 0 / 0"));
  CHECK_THAT(run.out, !Catch::Contains("epoch"));
  CHECK(files_under(scratch / "out").empty());
}

TEST_CASE("a test split whose targets are all equal stops Task 1 before it trains, naming the lines",
          "[robustness][cli]") {
  // R² divides by the spread of the test targets (0 here): an error up front, not after the training.
  ScratchDir scratch("constant_test_target");
  std::string csv = good_files().csv;
  for (int line = 50; line <= 61; ++line) csv = set_cell(csv, line, 2, "5");  // the test split: rows 48-59 of 60
  const std::string path = scratch.write("constant.csv", csv);
  for (const std::string variant : {"bsc", "msc"}) {
    const CliRun run = run_convgrad({"task1", "--variant", variant, "--max-epochs", "1", "--threads", "1", "--data",
                                     path, "--out", scratch / variant});
    INFO(variant << " stdout:\n" << run.out << "stderr:\n" << run.err);
    CHECK(run.exit_code == 1);
    REQUIRE(lines_of(run.err).size() == 1);
    CHECK_THAT(run.err, Catch::StartsWith("convgrad: error: task1: " + path + " lines 50 to 61 (the test split): "
                                          "expected values of Target: MAP7 that vary, for the R² score"));
    CHECK_THAT(run.err, Catch::EndsWith("but all 12 are 5\n"));
    CHECK_THAT(run.out, !Catch::Contains("epoch"));
    CHECK(files_under(scratch / variant).empty());
  }
  // One value that differs is enough.
  const std::string varied = scratch.write("varied.csv", set_cell(csv, 61, 2, "5.5"));
  const CliRun run = run_convgrad({"task1", "--variant", "bsc", "--max-epochs", "1", "--threads", "1", "--quiet",
                                   "--data", varied, "--out", scratch / "varied"});
  INFO("stderr:\n" << run.err);
  CHECK(run.exit_code == 0);
}

TEST_CASE("convgrad all on a dataset of fewer than 400 rows runs Task 2 on all of them and says so; "
          "task2 --rows 400 on it stops with the file named", "[robustness][cli]") {
  // As the coursework notebook's data[:400] would: the first 400 rows, or all of a smaller file.
  ScratchDir scratch("all_small");
  const CliRun run = run_convgrad({"all", "--max-epochs", "1", "--threads", "1", "--data", good_files().csv_path,
                                   "--out", scratch / "out"});
  INFO("stdout:\n" << run.out << "stderr:\n" << run.err);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("has 60 rows, fewer than the 400 the task asks for: using all 60"));
  const json results = json::parse(read_bytes(scratch / "out/results.json"));
  CHECK(results["task2"]["n_samples"] == 60);

  const CliRun required = run_convgrad({"task2", "--rows", "400", "--threads", "1", "--data", good_files().csv_path,
                                        "--out", scratch / "task2"});
  CHECK(required.exit_code == 1);
  REQUIRE(lines_of(required.err).size() == 1);
  CHECK_THAT(required.err, Catch::StartsWith("convgrad: error: task2: expected at least 400 rows in " +
                                             good_files().csv_path + " (--rows), but it has 60"));
  CHECK(files_under(scratch / "task2").empty());
}
