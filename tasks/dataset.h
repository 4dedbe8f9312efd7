// tasks/ data layer: the coursework's gene-expression table, in memory and on disk.
//
// The coursework CSV has one row per cell and the columns "Target: MAP7" (the regression
// target), "Feature 1: FOXO3" ... "Feature 100: KLHL29" (the inputs, reshaped to 10x10
// images in Task 1) and "Treatment" (0 or 1). Columns are found by name, in any order;
// a leading unnamed index column (as pandas writes it) and any other extra columns are
// ignored. Every problem in a file is a convgrad::Error naming the file, line and column.
// The rules and the synthetic stand-in dataset are described in docs/data.md.
//
//   Dataset data = read_dataset_csv("gene_expression_transcriptomic_data.csv");
//   Split split = coursework_split(data.rows);       // 1848 / 264 / 529 for 2641 rows
//   double x = data.features[row * data.n_features() + (k - 1)];   // Feature k of a row
//
//   Dataset bundled = make_synthetic_dataset(/*seed=*/0);          // same schema, 2641 rows
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace convgrad {

inline constexpr const char* kTargetColumn = "Target: MAP7";
inline constexpr const char* kTreatmentColumn = "Treatment";
inline constexpr int64_t kCourseworkRows = 2641;
inline constexpr int64_t kCourseworkFeatures = 100;
// The fewest rows for which 70% / 10% / rest leaves no split empty (7 / 1 / 2).
inline constexpr int64_t kMinSplitRows = 10;
// The most rows make_synthetic_dataset writes.
inline constexpr int64_t kMaxSyntheticRows = 1'000'000;

struct Dataset {
  std::string source;                      // the file path, or "bundled synthetic dataset (seed N)"
  std::vector<std::string> feature_names;  // "Feature 1: FOXO3", ... in feature-number order
  int64_t rows = 0;
  std::vector<double> features;            // rows x n_features, row-major, Feature 1..K order
  std::vector<double> target;              // "Target: MAP7", one per row
  std::vector<int> treatment;              // 0 or 1, one per row
  std::vector<int64_t> lines;              // the file line of each row (empty when not read from a file)
  int64_t n_features() const { return static_cast<int64_t>(feature_names.size()); }
  // "FILE line L" for a row read from a file, else "SOURCE row R" (R counted from 1).
  std::string row_location(int64_t row) const;
  // "FILE lines L1 to L2" for rows [first, last] read from a file, else "SOURCE rows R1 to R2".
  std::string rows_location(int64_t first, int64_t last) const;
};

// Sizes of the train / validation / test parts; the rows stay in file order (no shuffling):
// train = rows [0, train), validation = [train, train + val), test = the rest.
struct Split {
  int64_t train, val, test;
};

// 1848 / 264 / 529 for the coursework's 2641 rows; for other counts the same proportions:
// train = floor(70%), val = floor(10%), test = the rest. Fewer than kMinSplitRows rows
// (some part would be empty) is an error.
Split coursework_split(int64_t rows);

// Reads and validates a coursework CSV (see the rules above and in docs/data.md). Needs at
// least kMinSplitRows data rows.
Dataset read_dataset_csv(const std::string& path);
// The same from the file's bytes; `name` stands for the file in errors and in Dataset::source.
Dataset parse_dataset_csv(std::string text, const std::string& name);

// Writes `data` as CSV, atomically: an unnamed index column, "Target: MAP7", the features in
// order, "Treatment"; numbers in the shortest form that reads back to the same double.
void write_dataset_csv(const Dataset& data, const std::string& path);
// The same CSV text, for callers that want the bytes.
std::string dataset_csv_text(const Dataset& data);

// The bundled synthetic stand-in for the coursework data (tasks/synthetic_data.cpp):
// deterministic from `seed`, same schema, `rows` cells (at least kMinSplitRows).
Dataset make_synthetic_dataset(uint64_t seed, int64_t rows = kCourseworkRows);

}  // namespace convgrad
