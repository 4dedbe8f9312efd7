#include "robustness/bad_files.h"

#include <cstring>
#include <stdexcept>

#include "nn/state_dict.h"
#include "tasks/models.h"

namespace convgrad::testing {

const GoodFiles& good_files() {
  static const GoodFiles* files = [] {
    auto* made = new GoodFiles;
    made->csv_path = made->dir / "cells.csv";
    const CliRun data = run_convgrad({"data", "--rows", "60", "--out", made->csv_path});
    if (data.exit_code != 0) throw std::runtime_error("convgrad data failed: " + data.err);
    made->csv = read_bytes(made->csv_path);

    Generator gen(7);
    Autoencoder model(DType::Float32, gen);
    made->init_path = made->dir / "init.safetensors";
    save_state_dict(model, made->init_path);
    made->init = read_bytes(made->init_path);

    made->golden_case = std::string(CONVGRAD_FIXTURES_DIR) + "/golden/conv2d_k3_p0";
    return made;
  }();
  return *files;
}

namespace {
uint64_t header_length(const std::string& bytes) {
  if (bytes.size() < 8) throw std::invalid_argument("not a safetensors file");
  uint64_t length = 0;
  std::memcpy(&length, bytes.data(), 8);  // little-endian, as on every machine we test on
  return length;
}
}  // namespace

std::string with_header_length(const std::string& bytes, uint64_t length) {
  std::string edited = bytes;
  std::memcpy(&edited[0], &length, 8);
  return edited;
}

std::string edit_safetensors_header(const std::string& bytes, const std::function<void(nlohmann::json&)>& edit) {
  const uint64_t length = header_length(bytes);
  nlohmann::json header = nlohmann::json::parse(bytes.substr(8, length));
  edit(header);
  const std::string text = header.dump();
  return with_header_length(std::string(8, '\0'), text.size()) + text + bytes.substr(8 + length);
}

std::string npy_bytes(const std::string& header, const std::string& data) {
  std::string padded = header;
  padded.append((64 - (10 + padded.size() + 1) % 64) % 64, ' ');
  padded += '\n';
  std::string bytes = "\x93NUMPY\x01";
  bytes += '\0';
  bytes += static_cast<char>(padded.size() & 0xff);
  bytes += static_cast<char>(padded.size() >> 8);
  return bytes + padded + data;
}

}  // namespace convgrad::testing
