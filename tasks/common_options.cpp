#include "tasks/common_options.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <unistd.h>

#include "tensor/atomic_file.h"
#include "tensor/blas.h"
#include "tensor/error.h"

namespace convgrad {

CLI::Validator seed_value() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        uint64_t value = 0;
        const char* end = text.data() + text.size();
        const auto [stop, error] = std::from_chars(text.data(), end, value);
        if (!text.empty() && error == std::errc() && stop == end) return "";
        return "expected an integer from 0 to 18446744073709551615, but got " + text;
      },
      "UINT64");
}

void add_common_options(CLI::App* cmd, CommonOptions& o) {
  cmd->add_option("--data", o.data, "The coursework CSV (default: the bundled synthetic dataset, seed 0)");
  cmd->add_option("--out", o.out, "Output folder for results.json and figures")->capture_default_str();
  cmd->add_option("--seed", o.seed, "Seed for model initialisation and shuffling (not the data)")
      ->capture_default_str()
      ->check(seed_value());
  cmd->add_option("--threads", o.threads,
                  "Threads: independent training phases run side by side, one per thread (default: all cores)")
      ->check(CLI::Range(0, 4096));
  cmd->add_flag("--no-shuffle", o.no_shuffle, "Mini-batches in file order instead of reshuffled each epoch");
  cmd->add_flag("--quiet", o.quiet, "No progress line and no informational output");
  cmd->add_option("--max-epochs", o.max_epochs, "Cap every training phase at N epochs (0 = no cap)")
      ->check(CLI::Range(0, 1'000'000'000));
  cmd->add_option("--dtype", o.dtype, "float32 or float64 (float64 for exact comparison with PyTorch)")
      ->capture_default_str()
      ->check(CLI::IsMember({"float32", "float64"}));
  cmd->add_option("--init-from", o.init_from, "Initial weights (safetensors) for every freshly initialised model")
      ->check(CLI::ExistingFile);
  cmd->add_option("--save-models", o.save_models, "Folder for the trained weights as safetensors state dicts");
}

Dataset load_dataset(const CommonOptions& o) {
  if (!o.data.empty()) {
    Dataset data = read_dataset_csv(o.data);
    if (!o.quiet) std::cout << "data: " << o.data << ": " << data.rows << " rows, " << data.n_features() << " features\n";
    return data;
  }
  Dataset data = make_synthetic_dataset(/*seed=*/0);
  if (!o.quiet) {
    std::cout << "data: no --data given: using the bundled synthetic dataset (seed 0, " << data.rows
              << " rows; `convgrad data` writes it as CSV)\n";
  }
  return data;
}

void ensure_writable_dir(const std::string& dir, const char* option) {
  namespace fs = std::filesystem;
  CONVGRAD_CHECK(!dir.empty(), option, ": expected a folder, but got an empty path");
  std::error_code error;
  fs::create_directories(dir, error);
  if (error || !fs::is_directory(dir)) {
    throw Error(str_cat(option, ": expected a writable folder, but cannot create \"", dir, "\"",
                        error ? ": " + error.message() : std::string(": it is not a folder")));
  }
  const fs::path probe = fs::path(dir) / str_cat(".convgrad_write_probe_", ::getpid());
  {
    std::ofstream file(probe);
    file << "probe\n";
    file.flush();
    if (!file) {
      throw Error(str_cat(option, ": expected a writable folder, but cannot write a file in \"", dir, "\""));
    }
  }
  fs::remove(probe, error);
  remove_stale_temporaries(dir);  // what a run killed while writing here left behind
}

int apply_threads(const CommonOptions& o) {
  if (o.threads > 0) set_num_threads(o.threads);
  return get_num_threads();
}

}  // namespace convgrad
