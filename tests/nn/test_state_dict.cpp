// State dicts as safetensors: round trip, the file layout, atomic writes, every malformed
// file, and load-time name/shape checks.
#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "nn/nn.h"

using namespace convgrad;
namespace fs = std::filesystem;
using Catch::Contains;

namespace {

// A fresh directory under the system temp dir, removed when the test ends.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "convgrad_nn_XXXXXX").string();
    REQUIRE(::mkdtemp(&pattern[0]) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ignored);
    fs::remove_all(path, ignored);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void spit(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

// The 8-byte little-endian length, the header, the data.
std::string safetensors_bytes(const std::string& header, const std::string& data) {
  std::string bytes(8, '\0');
  const uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return bytes + header + data;
}

std::shared_ptr<Sequential> small_net(uint64_t seed, DType dtype = DType::Float32) {
  Generator gen(seed);
  return std::make_shared<Sequential>(std::vector<std::shared_ptr<Module>>{
      std::make_shared<Conv2d>(1, 2, 3, 1, 1, 1, true, dtype, gen), std::make_shared<ReLU>(),
      std::make_shared<Flatten>(), std::make_shared<Linear>(8, 1, true, dtype, gen)});
}

std::vector<std::string> dir_entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("save then load gives identical tensors in the same Variables") {
  TempDir dir;
  const std::string path = dir.file("net.safetensors");
  auto saved = small_net(1);
  save_state_dict(*saved, path);

  auto loaded = small_net(2);  // other seed: other weights
  const Variable weight = loaded->named_parameters()[0].second;
  const Tensor storage = weight.data();
  CHECK(weight.data().to_vector() != saved->named_parameters()[0].second.data().to_vector());
  const LoadReport report = load_state_dict(*loaded, path);
  CHECK(report.missing_keys.empty());
  CHECK(report.unexpected_keys.empty());
  const auto saved_params = saved->named_parameters();
  const auto loaded_params = loaded->named_parameters();
  REQUIRE(loaded_params.size() == 4);
  for (size_t i = 0; i < 4; ++i) {
    const auto& [name, want] = saved_params[i];
    const auto& [got_name, got] = loaded_params[i];
    CHECK(got_name == name);
    CHECK(got.dtype() == DType::Float32);
    CHECK(got.data().to_vector() == want.data().to_vector());  // bit-identical
  }
  CHECK(loaded->named_parameters()[0].second.id() == weight.id());
  CHECK(weight.data().shares_storage_with(storage));  // copied in place
}

TEST_CASE("the file is a standard safetensors file") {
  TempDir dir;
  const std::string path = dir.file("net.safetensors");
  auto net = small_net(3, DType::Float64);
  save_state_dict(*net, path, {{"format", "pt"}});
  const std::string bytes = slurp(path);

  // 8-byte little-endian header length, then a JSON object, padded to 8 bytes with spaces.
  REQUIRE(bytes.size() > 8);
  uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i) header_size = (header_size << 8) | static_cast<unsigned char>(bytes[i]);
  REQUIRE(header_size + 8 <= bytes.size());
  CHECK(header_size % 8 == 0);
  CHECK(bytes[8] == '{');
  const auto header = nlohmann::json::parse(bytes.substr(8, header_size));
  CHECK(header["__metadata__"]["format"] == "pt");
  CHECK(header["0.weight"]["dtype"] == "F64");
  CHECK(header["0.weight"]["shape"] == std::vector<int64_t>{2, 1, 3, 3});
  CHECK(header["0.weight"]["data_offsets"] == std::vector<uint64_t>{0, 144});  // 18 doubles
  CHECK(header["0.bias"]["data_offsets"] == std::vector<uint64_t>{144, 160});
  CHECK(header["3.weight"]["shape"] == std::vector<int64_t>{1, 8});
  CHECK(header["3.bias"]["data_offsets"] == std::vector<uint64_t>{224, 232});
  CHECK(bytes.size() == 8 + header_size + 232);  // data section holds exactly the tensors

  // The data are the raw little-endian values at their offsets.
  const Tensor& bias = net->named_parameters()[1].second.data();
  CHECK(std::memcmp(bytes.data() + 8 + header_size + 144, bias.raw_data(), 16) == 0);

  Metadata metadata;
  const TensorMap tensors = read_safetensors(path, &metadata);
  CHECK(metadata == Metadata{{"format", "pt"}});
  CHECK(tensors.size() == 4);
  CHECK(tensors.at("3.weight").to_vector() == net->named_parameters()[2].second.data().to_vector());
}

TEST_CASE("loading converts F64 files to a float32 module and back") {
  TempDir dir;
  auto net64 = small_net(4, DType::Float64);
  save_state_dict(*net64, dir.file("a.safetensors"));
  auto net32 = small_net(5, DType::Float32);
  load_state_dict(*net32, dir.file("a.safetensors"));
  const auto want = net64->named_parameters()[0].second.data().to_vector();
  const auto got = net32->named_parameters()[0].second.data().to_vector();
  CHECK(net32->named_parameters()[0].second.dtype() == DType::Float32);
  for (size_t i = 0; i < want.size(); ++i) CHECK(got[i] == static_cast<double>(static_cast<float>(want[i])));
}

TEST_CASE("write_safetensors and read_safetensors round trip a map, empty tensors included") {
  TempDir dir;
  TensorMap tensors{{"scalar", Tensor::scalar(2.5, DType::Float64)},
                    {"empty", Tensor::zeros({0, 3}, DType::Float32)},
                    {"m", Tensor::arange(6, DType::Float32).reshape({2, 3})}};
  write_safetensors(dir.file("t.safetensors"), tensors);
  const TensorMap back = read_safetensors(dir.file("t.safetensors"));
  REQUIRE(back.size() == 3);
  CHECK(back.at("scalar").shape() == Shape{});
  CHECK(back.at("scalar").item() == 2.5);
  CHECK(back.at("empty").shape() == Shape{0, 3});
  CHECK(back.at("m").to_vector() == std::vector<double>{0, 1, 2, 3, 4, 5});
  REQUIRE_THROWS_WITH(write_safetensors(dir.file("x"), TensorMap{{"__metadata__", Tensor::zeros({1}, DType::Float32)}}),
                      Contains("expected tensor names other than '' and '__metadata__', but got '__metadata__'"));
}

TEST_CASE("a failed write leaves the existing file untouched") {
  TempDir dir;
  const std::string path = dir.file("model.safetensors");
  spit(path, "previous contents");
  auto net = small_net(6);

  SECTION("the target is a directory: the final rename fails") {
    fs::create_directory(dir.file("taken"));
    REQUIRE_THROWS_WITH(save_state_dict(*net, dir.file("taken")),
                        Contains("write_safetensors: ") && Contains("taken") &&
                            Contains("the existing file, if any, is unchanged"));
    CHECK(fs::is_directory(dir.file("taken")));
    CHECK(dir_entries(dir.path) == std::vector<std::string>{"model.safetensors", "taken"});  // no temp left
  }
  SECTION("the disk fills up halfway (a file size limit)") {
    struct rlimit old_limit {};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
    auto old_handler = std::signal(SIGXFSZ, SIG_IGN);  // get EFBIG instead of being killed
    struct rlimit small = old_limit;
    small.rlim_cur = 100;  // the state dict needs about 200 bytes
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    bool threw = false;
    try {
      save_state_dict(*net, path);
    } catch (const Error& e) {
      threw = true;
      CHECK_THAT(e.what(), Contains("model.safetensors") && Contains("cannot write file"));
    }
    ::setrlimit(RLIMIT_FSIZE, &old_limit);
    std::signal(SIGXFSZ, old_handler);
    CHECK(threw);
    CHECK(slurp(path) == "previous contents");
    CHECK(dir_entries(dir.path) == std::vector<std::string>{"model.safetensors"});
  }
  SECTION("the directory is not writable") {
    if (::geteuid() == 0) {
      WARN("running as root: permission bits do not stop writes, so this section checks nothing");
    } else {
      fs::permissions(dir.path, fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write,
                      fs::perm_options::remove);
      REQUIRE_THROWS_WITH(save_state_dict(*net, path), Contains("cannot write file"));
      fs::permissions(dir.path, fs::perms::owner_write, fs::perm_options::add);
      CHECK(slurp(path) == "previous contents");
    }
  }
  SECTION("the directory does not exist") {
    REQUIRE_THROWS_WITH(save_state_dict(*net, dir.file("missing/model.safetensors")),
                        Contains("missing/model.safetensors") && Contains("cannot write file"));
  }
}

TEST_CASE("malformed safetensors files are clear errors naming the file") {
  TempDir dir;
  const std::string path = dir.file("bad.safetensors");
  const std::string prefix = "read_safetensors: '" + path + "': ";
  const std::string ok_entry = R"("w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]})";
  auto check = [&](const std::string& bytes, const std::string& message) {
    spit(path, bytes);
    REQUIRE_THROWS_WITH(read_safetensors(path), Contains(prefix) && Contains(message));
  };

  SECTION("missing file") {
    REQUIRE_THROWS_WITH(read_safetensors(dir.file("nope.safetensors")),
                        Contains("nope.safetensors") && Contains("cannot open file"));
  }
  SECTION("truncated before the header length") {
    check("", "truncated file: expected at least 8 bytes (the header length), but got 0 bytes");
    check("abc", "truncated file: expected at least 8 bytes (the header length), but got 3 bytes");
  }
  SECTION("header length past the end of the file") {
    std::string bytes = safetensors_bytes("{" + ok_entry + "}", std::string(8, '\0'));
    check(bytes.substr(0, 20), "expected a header length of at most 12 bytes (the rest of the file), but got ");
    std::string absurd(8, '\xff');
    check(absurd + "{}", "expected a header length of at most 2 bytes (the rest of the file), but got 18446744073709551615");
  }
  SECTION("header not JSON, or not an object") {
    check(safetensors_bytes("{\"w\": ", ""), "expected a JSON header, but it does not parse: ");
    check(safetensors_bytes("[1, 2]", ""), "expected the header to be a JSON object, but got array");
    check(safetensors_bytes("{\"w\": 3}", ""), "tensor 'w': expected an object with dtype, shape and data_offsets, but got number");
    check(safetensors_bytes(R"({"w": {"dtype": "F32", "shape": [2]}})", std::string(8, '\0')),
          "tensor 'w': expected a 'data_offsets' field, but it is missing");
  }
  SECTION("unsupported dtypes") {
    for (const char* dtype : {"BF16", "F16", "I64", "Q7"}) {
      CAPTURE(dtype);
      check(safetensors_bytes(std::string(R"({"w": {"dtype": ")") + dtype + R"(", "shape": [2], "data_offsets": [0, 8]}})",
                              std::string(8, '\0')),
            std::string("tensor 'w': expected dtype F32 or F64, but got '") + dtype + "' (convgrad reads float32 and float64 only)");
    }
  }
  SECTION("bad shapes") {
    check(safetensors_bytes(R"({"w": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}})", std::string(8, '\0')),
          "tensor 'w': expected shape to hold non-negative integers, but got [-2]");
    check(safetensors_bytes(R"({"w": {"dtype": "F32", "shape": 2, "data_offsets": [0, 8]}})", std::string(8, '\0')),
          "tensor 'w': expected shape to be a list of sizes, but got 2");
  }
  SECTION("data_offsets out of range") {
    check(safetensors_bytes("{" + ok_entry + "}", std::string(6, '\0')),
          "tensor 'w': expected data_offsets within the data section of 6 bytes, but got [0, 8]");
    check(safetensors_bytes(R"({"w": {"dtype": "F32", "shape": [0], "data_offsets": [8, 0]}})", std::string(8, '\0')),
          "tensor 'w': expected data_offsets with begin <= end, but got [8, 0]");
    check(safetensors_bytes(R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, -8]}})", std::string(8, '\0')),
          "tensor 'w': expected data_offsets to be [begin, end] with non-negative integers, but got [0,-8]");
  }
  SECTION("data_offsets inconsistent with shape x dtype") {
    check(safetensors_bytes(R"({"w": {"dtype": "F64", "shape": [2], "data_offsets": [0, 8]}})", std::string(8, '\0')),
          "tensor 'w': expected data_offsets spanning 16 bytes for shape [2] of F64, but got [0, 8] (8 bytes)");
  }
  SECTION("overlapping tensors") {
    check(safetensors_bytes(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},)"
                            R"( "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})",
                            std::string(12, '\0')),
          "expected non-overlapping data_offsets, but tensor 'a' [0, 8] overlaps tensor 'b' [4, 12]");
  }
  SECTION("bad metadata") {
    check(safetensors_bytes(R"({"__metadata__": {"n": 3}})", ""),
          "expected __metadata__ values to be strings, but 'n' is 3");
  }
}

TEST_CASE("load_state_dict names missing parameters and wrong shapes, and changes nothing then") {
  auto net = small_net(7);
  const auto before = net->named_parameters()[0].second.data().to_vector();
  StateDict state = state_dict(*small_net(8));
  CHECK(state.size() == 4);

  SECTION("wrong shape: name and both shapes") {
    state["3.weight"] = Tensor::zeros({1, 9}, DType::Float32);
    REQUIRE_THROWS_WITH(load_state_dict(*net, state),
                        "load_state_dict: 'state dict' into Sequential: expected '3.weight' to have shape [1, 8], "
                        "but got [1, 9]");
    REQUIRE_THROWS_WITH(load_state_dict(*net, state, false), Contains("expected '3.weight' to have shape [1, 8]"));
  }
  SECTION("missing names: all listed") {
    state.erase("0.bias");
    state.erase("3.weight");
    REQUIRE_THROWS_WITH(load_state_dict(*net, state),
                        "load_state_dict: 'state dict' into Sequential: expected every parameter, but missing: "
                        "0.bias, 3.weight");
  }
  SECTION("unexpected names") {
    state["extra.weight"] = Tensor::zeros({1}, DType::Float32);
    REQUIRE_THROWS_WITH(load_state_dict(*net, state),
                        "load_state_dict: 'state dict' into Sequential: expected only the module's parameters, but "
                        "got unexpected: extra.weight");
  }
  CHECK(net->named_parameters()[0].second.data().to_vector() == before);  // untouched by the failed load
}

TEST_CASE("non-strict loading reports what it could not match") {
  TempDir dir;
  TensorMap partial{{"0.weight", Tensor::ones({2, 1, 3, 3}, DType::Float64)},
                    {"other", Tensor::zeros({1}, DType::Float64)}};
  write_safetensors(dir.file("partial.safetensors"), partial);
  auto net = small_net(9);
  const auto bias_before = net->named_parameters()[1].second.data().to_vector();
  REQUIRE_THROWS_WITH(load_state_dict(*net, dir.file("partial.safetensors")),
                      Contains("partial.safetensors' into Sequential: expected every parameter, but missing: "
                               "0.bias, 3.weight, 3.bias; unexpected: other"));
  const LoadReport report = load_state_dict(*net, dir.file("partial.safetensors"), false);
  CHECK(report.missing_keys == std::vector<std::string>{"0.bias", "3.weight", "3.bias"});
  CHECK(report.unexpected_keys == std::vector<std::string>{"other"});
  CHECK(net->named_parameters()[0].second.data().to_vector() == std::vector<double>(9 * 2, 1.0));
  CHECK(net->named_parameters()[1].second.data().to_vector() == bias_before);
}

TEST_CASE("state_dict returns independent copies") {
  auto net = small_net(10);
  StateDict state = state_dict(*net);
  state.at("3.bias").fill(42.0);
  CHECK(net->named_parameters()[3].second.item() != 42.0);
}
