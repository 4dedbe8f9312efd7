// The golden-case runner: passes real cases, and reports tampered, unreadable and
// unknown cases as failed, unreadable and skipped (never as passed).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tasks/golden.h"
#include "tensor/npy.h"

using namespace convgrad;
namespace fs = std::filesystem;

namespace {
const std::string kGolden = std::string(CONVGRAD_FIXTURES_DIR) + "/golden";

fs::path fresh_dir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("convgrad_golden_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Runs a copy of golden case `source` (in a fresh folder `name`) after `edit` changed its
// case.json (given as JSON) or its files (in the folder given).
using CaseEdit = std::function<void(nlohmann::json&, const fs::path&)>;
GoldenResult run_edited_copy(const std::string& source, const std::string& name, const CaseEdit& edit) {
  fs::path dir = fresh_dir(name) / source;
  fs::copy(kGolden + "/" + source, dir);
  nlohmann::json spec = nlohmann::json::parse(std::ifstream(dir / "case.json"));
  edit(spec, dir);
  std::ofstream(dir / "case.json") << spec.dump(1);
  return run_golden_case(dir.string());
}
}  // namespace

TEST_CASE("golden runner passes a real case and fails a tampered one") {
  CHECK(run_golden_case(kGolden + "/conv2d_k3_s2_p1").status == GoldenResult::Status::Passed);

  fs::path dir = fresh_dir("tampered") / "conv2d_k3_s2_p1";
  fs::copy(kGolden + "/conv2d_k3_s2_p1", dir);
  Tensor out = read_npy((dir / "output_output.npy").string());
  out.data<double>()[7] += 1e-6;  // far above the 1e-8 tolerance
  write_npy((dir / "output_output.npy").string(), out);
  GoldenResult r = run_golden_case(dir.string());
  CHECK(r.status == GoldenResult::Status::Failed);
  CHECK(r.worst == "output");
  CHECK(r.output_error == Approx(1e-6).epsilon(1e-3));
}

TEST_CASE("golden runner: a float32 reference passes at the float32 tolerance, and a larger error still fails") {
  const std::string kFloat32 = std::string(CONVGRAD_FIXTURES_DIR) + "/golden_float32";
  const GoldenResult real = run_golden_case(kFloat32 + "/model_msc_unet_batch5");
  CHECK(real.status == GoldenResult::Status::Passed);
  CHECK(real.float32);
  CHECK(real.grad_error > kGoldenTolerance);  // PyTorch's float32 rounding: it would fail at float64's tolerance
  CHECK(real.grad_error <= kGoldenToleranceFloat32);

  fs::path dir = fresh_dir("tampered_float32") / "conv2d_groups2_k3_p1";
  fs::copy(kFloat32 + "/conv2d_groups2_k3_p1", dir);
  Tensor grad = read_npy((dir / "grad_weight.npy").string());
  REQUIRE(grad.dtype() == DType::Float32);
  grad.data<float>()[3] += 1e-4f;  // 10x the float32 tolerance
  write_npy((dir / "grad_weight.npy").string(), grad);
  const GoldenResult r = run_golden_case(dir.string());
  CHECK(r.status == GoldenResult::Status::Failed);
  CHECK(r.worst == "grad weight");
}

TEST_CASE("golden runner skips unknown ops and reports unreadable cases") {
  fs::path root = fresh_dir("mixed");
  fs::create_directories(root / "a_unknown");
  std::ofstream(root / "a_unknown" / "case.json") << R"({"op": "conv3d"})";
  fs::create_directories(root / "b_broken_json");
  std::ofstream(root / "b_broken_json" / "case.json") << "{\"op\": \"relu\",";
  fs::create_directories(root / "c_missing_file");
  std::ofstream(root / "c_missing_file" / "case.json")
      << R"({"op": "relu", "inputs": {"input": "nope.npy"}, "outputs": {}, "grads": {}})";

  std::ostringstream log;
  auto results = run_golden_dir(root.string(), log);
  REQUIRE(results.size() == 3);
  CHECK(results[0].status == GoldenResult::Status::Skipped);
  CHECK(results[0].message == "unknown op 'conv3d'");
  CHECK(results[1].status == GoldenResult::Status::Unreadable);
  CHECK_THAT(results[1].message, Catch::Contains("b_broken_json/case.json: expected valid JSON"));
  CHECK(results[2].status == GoldenResult::Status::Unreadable);
  CHECK_THAT(results[2].message, Catch::Contains("nope.npy: cannot open file"));
  CHECK(golden_exit_code(results) == 1);
  CHECK_THAT(log.str(), Catch::Contains("golden: 0 passed, 2 failed, 1 skipped"));
}

TEST_CASE("golden runner: a model case with a configuration the coursework networks lack is skipped, saying which") {
  // Copies of the multi-task case with one change to case.json each.
  // (edit_config: only case.json's config changes.)
  const auto edited = [](const std::string& name, const std::function<void(nlohmann::json&)>& edit_config) {
    return run_edited_copy("model_msc_multitask_alpha0.1", name,
                           [&](nlohmann::json& spec, const fs::path&) { edit_config(spec["config"]); });
  };
  const GoldenResult same = edited("model_same", [](nlohmann::json& config) { config["model"] = "unet_multitask"; });
  CHECK(same.status == GoldenResult::Status::Passed);

  const GoldenResult order =
      edited("model_up_first", [](nlohmann::json& config) { config["concat_order"] = "up_first"; });
  CHECK(order.status == GoldenResult::Status::Skipped);
  CHECK_THAT(order.message, Catch::StartsWith("not supported: concat_order 'up_first'"));

  const GoldenResult loss = edited("model_l1", [](nlohmann::json& config) { config["loss"] = "l1_regress"; });
  CHECK(loss.status == GoldenResult::Status::Skipped);
  CHECK_THAT(loss.message, Catch::StartsWith("not supported: loss 'l1_regress' for model 'unet-multitask'"));

  // The multi-task U-Net has the multi-task sum and nothing else.
  const GoldenResult single = edited("model_single_loss", [](nlohmann::json& config) { config["loss"] = "mse_mean"; });
  CHECK(single.status == GoldenResult::Status::Skipped);
  CHECK_THAT(single.message, Catch::StartsWith("not supported: loss 'mse_mean' for model 'unet-multitask'"));

  const GoldenResult output = run_edited_copy("model_msc_multitask_alpha0.1", "model_flatten",
                                              [](nlohmann::json& spec, const fs::path&) {
    spec["outputs"]["flatten"] = spec["outputs"]["bottleneck"];
  });
  CHECK(output.status == GoldenResult::Status::Unreadable);
  CHECK_THAT(output.message, Catch::Contains("expected outputs the model produces (bottleneck, concat, conv1_relu, "));
  CHECK_THAT(output.message, Catch::EndsWith("but got \"flatten\""));
}

TEST_CASE("golden runner: without grad_output, a forward-only case checks its outputs, a scalar loss's backward "
          "starts from 1, and gradients of anything else are an error") {
  const auto forward_only = [](nlohmann::json& spec, const fs::path&) {
    spec.erase("grad_output");
    spec["grads"] = nlohmann::json::object();
  };
  const GoldenResult forward = run_edited_copy("conv2d_k3_p0", "forward_only", forward_only);
  CHECK(forward.status == GoldenResult::Status::Passed);
  CHECK_FALSE(forward.has_grads);
  const GoldenResult tampered = run_edited_copy("conv2d_k3_p0", "forward_only_tampered",
                                                [&](nlohmann::json& spec, const fs::path& dir) {
    forward_only(spec, dir);
    Tensor out = read_npy((dir / "output_output.npy").string());
    out.data<double>()[0] += 1e-6;
    write_npy((dir / "output_output.npy").string(), out);
  });
  CHECK(tampered.status == GoldenResult::Status::Failed);

  // The model's loss is a scalar: its gradients and Adam step as with grad_output = 1.
  const GoldenResult loss = run_edited_copy("model_bsc_autoencoder", "scalar_loss",
                                   [](nlohmann::json& spec, const fs::path&) { spec.erase("grad_output"); });
  CHECK(loss.status == GoldenResult::Status::Passed);
  CHECK(loss.has_grads);

  const GoldenResult missing = run_edited_copy("conv2d_k3_p0", "no_grad_output",
                                      [](nlohmann::json& spec, const fs::path&) { spec.erase("grad_output"); });
  CHECK(missing.status == GoldenResult::Status::Unreadable);
  CHECK_THAT(missing.message, Catch::Contains("/case.json: expected \"grad_output\" (the upstream gradient "
                                              "dL/d(output), shape [2, 3, 4, 5]) for the case's gradients"));

  const GoldenResult wrong = run_edited_copy("conv2d_k3_p0", "wrong_grad_output",
                                             [](nlohmann::json&, const fs::path& dir) {
    write_npy((dir / "grad_output.npy").string(), Tensor::zeros({2, 4}, DType::Float64));
  });
  CHECK(wrong.status == GoldenResult::Status::Unreadable);
  CHECK_THAT(wrong.message, Catch::EndsWith("grad_output.npy: expected grad_output of the output's shape "
                                            "[2, 3, 4, 5], but got [2, 4]"));
}

TEST_CASE("golden runner rejects a folder without cases") {
  fs::path root = fresh_dir("empty");
  std::ostringstream log;
  REQUIRE_THROWS_WITH(run_golden_dir(root.string(), log), Catch::Contains("expected case folders"));
}
