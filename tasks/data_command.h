// `convgrad data [--out FILE] [--seed N] [--rows N]`: writes the bundled synthetic
// stand-in dataset as a coursework-style CSV.
#pragma once

#include <cstdint>
#include <string>

namespace convgrad {

// The coursework's file name; a sensible default for --out.
inline constexpr const char* kDefaultDataFile = "gene_expression_transcriptomic_data.csv";

// Generates make_synthetic_dataset(seed, rows), writes it to out_path atomically (creating
// missing parent directories) and prints one line saying what was written.
void run_data_command(const std::string& out_path, uint64_t seed, int64_t rows);

}  // namespace convgrad
