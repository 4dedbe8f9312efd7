#include "tasks/data_command.h"

#include <filesystem>
#include <iostream>

#include "tasks/dataset.h"
#include "tensor/error.h"

namespace convgrad {

void run_data_command(const std::string& out_path, uint64_t seed, int64_t rows) {
  CONVGRAD_CHECK(!out_path.empty(), "data: expected an output file (--out), but got an empty path");
  const Dataset data = make_synthetic_dataset(seed, rows);
  const std::filesystem::path parent = std::filesystem::path(out_path).parent_path();
  if (!parent.empty()) {
    std::error_code error;
    std::filesystem::create_directories(parent, error);
    if (error) throw Error(str_cat("data: cannot create the directory \"", parent.string(), "\": ", error.message()));
  }
  write_dataset_csv(data, out_path);
  std::cout << "data: wrote " << out_path << ": " << data.rows << " rows x " << data.n_features() + 3
            << " columns (index, " << kTargetColumn << ", Feature 1.." << data.n_features() << ", "
            << kTreatmentColumn << "), bundled synthetic dataset, seed " << seed << "\n";
}

}  // namespace convgrad
