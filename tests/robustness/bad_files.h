// The well-formed files the robustness tests start from, made once per test run, and the
// byte-level edits that break safetensors files.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "robustness/cli_runner.h"

namespace convgrad::testing {

struct GoodFiles {
  ScratchDir dir{"good"};
  std::string csv_path;     // `convgrad data --rows 60 --out ...`: 60 cells, 100 features
  std::string csv;          // its text
  std::string init_path;    // an Autoencoder state dict (conv1, conv2, deconv), float32
  std::string init;         // its bytes
  std::string golden_case;  // tests/fixtures/golden/conv2d_k3_p0 (case.json + .npy files)
};

// Made on first use; the CSV by the convgrad binary itself, as a user makes one.
const GoodFiles& good_files();

// A safetensors file with its JSON header changed by `edit` (the length prefix follows).
std::string edit_safetensors_header(const std::string& bytes, const std::function<void(nlohmann::json&)>& edit);
// The header length prefix set to `length`, the rest unchanged.
std::string with_header_length(const std::string& bytes, uint64_t length);

// A .npy file with header text `header` (padded as NumPy pads it) and data `data`.
std::string npy_bytes(const std::string& header, const std::string& data);

}  // namespace convgrad::testing
