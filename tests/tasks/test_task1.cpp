// Task 1 end to end on a small synthetic dataset: split sizes, the image layout, the frozen
// encoder, determinism of results.json, every DESIGN.md key, --init-from, --save-models and
// an unwritable --out. Runs are short (200 rows, --max-epochs 2) to keep ctest fast.
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "tasks/models.h"
#include "tasks/task1.h"
#include "tensor/atomic_file.h"
#include "tensor/blas.h"

using namespace convgrad;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Every folder of this test run lives under one parent, removed when the tests end.
struct TempRoot {
  fs::path path = fs::temp_directory_path() / ("convgrad_task1_" + std::to_string(::getpid()));
  ~TempRoot() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

fs::path temp_dir(const std::string& tag) {
  static const TempRoot root;
  const fs::path dir = root.path / tag;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// A 200-row synthetic CSV, written once per test run.
const std::string& small_csv() {
  static const std::string path = [] {
    const std::string p = (temp_dir("data") / "small.csv").string();
    write_dataset_csv(make_synthetic_dataset(3, 200), p);
    return p;
  }();
  return path;
}

CommonOptions short_run(const std::string& tag) {
  CommonOptions o;
  o.data = small_csv();
  o.out = temp_dir(tag).string();
  o.seed = 5;
  o.threads = 1;
  o.quiet = true;
  o.max_epochs = 2;
  return o;
}

// Without figures (gnuplot) unless asked: the runs here check results.json.
json run_quietly(const CommonOptions& o, const std::string& variant, bool with_figures = false) {
  std::streambuf* saved = std::cout.rdbuf(nullptr);  // figure messages, if any
  json doc;
  try {
    doc = run_task1_command(o, variant, with_figures);
  } catch (...) {
    std::cout.rdbuf(saved);
    throw;
  }
  std::cout.rdbuf(saved);
  return doc;
}

void require_keys(const json& j, const std::vector<std::string>& keys, const std::string& where) {
  for (const std::string& key : keys) {
    CAPTURE(where, key);
    CHECK(j.contains(key));
  }
}

}  // namespace

TEST_CASE("task1: splits in file order, 70% / 10% / rest, and images reshaped row-major") {
  const Dataset data = make_synthetic_dataset(3, 200);
  CommonOptions o;
  Task1Context ctx(o, data);
  CHECK(ctx.train().rows() == 140);
  CHECK(ctx.val().rows() == 20);
  CHECK(ctx.test().rows() == 40);
  CHECK(coursework_split(kCourseworkRows).train == 1848);
  // Feature k of row 141 (the second validation row) is pixel ((k−1)/10, (k−1)%10).
  for (const int64_t k : {1, 10, 11, 57, 100}) {
    CAPTURE(k);
    CHECK(ctx.val().x.at({1, 0, (k - 1) / 10, (k - 1) % 10}) ==
          static_cast<float>(data.features[141 * 100 + (k - 1)]));
  }
  CHECK(ctx.test().y.at({0}) == static_cast<float>(data.target[160]));
}

TEST_CASE("task1: the frozen encoder gets no gradient and stays bit-identical while the head trains") {
  Generator gen(1);
  auto ae = std::make_shared<Autoencoder>(DType::Float64, gen);
  Regressor regressor(ae, DType::Float64, gen);
  ae->freeze();
  const StateDict before = state_dict(*ae);
  const Dataset data = make_synthetic_dataset(3, 200);
  const Examples train = make_image_examples(data, 0, 140, DType::Float64);
  const Examples val = make_image_examples(data, 140, 160, DType::Float64);

  mse_regress(regressor.forward(Variable(train.x)), Variable(train.y)).backward();
  for (const auto& [name, p] : ae->named_parameters()) {
    CAPTURE(name);
    CHECK_FALSE(p.grad().defined());
  }
  for (const auto& [name, p] : regressor.named_parameters()) CHECK(p.grad().defined());
  CHECK(regressor.named_parameters().size() == 2);  // head.weight, head.bias only

  TrainOptions o;
  o.max_epochs = 3;
  o.max_patience = 10;
  const LossFn loss = [&](const Batch& b, LossParts*) { return mse_regress(regressor.forward(b.x), b.y); };
  const Tensor head_before = regressor.parameters()[0].data().clone();
  train_phase(regressor.parameters(), loss, train, val, o);
  CHECK(regressor.parameters()[0].data().to_vector() != head_before.to_vector());
  for (const auto& [name, tensor] : state_dict(*ae)) {
    CAPTURE(name);
    CHECK(std::memcmp(tensor.raw_data(), before.at(name).raw_data(), tensor.numel() * sizeof(double)) == 0);
  }
}

TEST_CASE("task1: seeds per phase, R² and MSE") {
  CHECK(phase_seed(0, "task1_bsc.autoencoder") == phase_seed(0, "task1_bsc.autoencoder"));
  CHECK(phase_seed(0, "task1_bsc.autoencoder") != phase_seed(1, "task1_bsc.autoencoder"));
  CHECK(phase_seed(0, "task1_bsc.autoencoder") != phase_seed(0, "task1_bsc.regressor"));
  // y = 1, 2, 3, 4 (mean 2.5, SS_tot 5); ŷ off by 1 twice: SS_res 2, R² = 1 − 2/5.
  CHECK(r2_score({1, 2, 3, 4}, {1, 3, 3, 5}) == Approx(0.6));
  CHECK(mean_squared_error({1, 2, 3, 4}, {1, 3, 3, 5}) == Approx(0.5));
  REQUIRE_THROWS_WITH(r2_score({2, 2}, {1, 3}), Catch::StartsWith("r2_score: expected targets that vary"));
}

TEST_CASE("task1: same seed and threads give the same results.json apart from timings_s") {
  const std::string variant = GENERATE(as<std::string>{}, "bsc", "msc");
  CAPTURE(variant);
  const CommonOptions first = short_run("det_a");
  const json a = run_quietly(first, variant);
  const json b = run_quietly(short_run("det_b"), variant);
  const json a_file = json::parse(read_file(first.out + "/results.json"));
  CHECK(a_file == a);
  json a_cut = a, b_cut = b;
  a_cut.erase("timings_s");
  b_cut.erase("timings_s");
  CHECK(a_cut.dump() == b_cut.dump());

  CommonOptions other = short_run("det_c");
  other.seed = 6;
  json c = run_quietly(other, variant);
  c.erase("timings_s");
  CHECK(c["task1_" + variant].dump() != a_cut["task1_" + variant].dump());
}

TEST_CASE("task1 msc: the phases side by side on 2 threads give the results of one after another") {
  const json one = run_quietly(short_run("threads_1"), "msc");
  CommonOptions two_threads = short_run("threads_2");
  two_threads.threads = 2;
  const json two = run_quietly(two_threads, "msc");
  set_num_threads(1);
  CHECK(two["threads"] == 2);
  json one_cut = one, two_cut = two;
  for (json* j : {&one_cut, &two_cut}) {
    j->erase("timings_s");
    j->erase("threads");
  }
  CHECK(one_cut.dump() == two_cut.dump());
  // Every phase's time is recorded, also when phases run side by side.
  for (const char* phase : {"task1_msc.unet", "task1_msc.multitask.alpha_0.1", "task1_msc.multitask.alpha_1",
                            "task1_msc.multitask.alpha_10", "task1_msc.multitask.retrain", "task1_msc.total"}) {
    CAPTURE(phase);
    CHECK(two["timings_s"].contains(phase));
  }
}

TEST_CASE("task1: results.json holds every DESIGN.md key and the extra ones") {
  const json bsc = run_quietly(short_run("keys_bsc"), "bsc");
  require_keys(bsc, {"task1_bsc", "timings_s", "feature_names", "dataset", "seed", "dtype", "threads"}, "top");
  CHECK(bsc["feature_names"].size() == 100);
  CHECK(bsc["dataset"]["split"] == json{{"train", 140}, {"val", 20}, {"test", 40}});
  const json& t = bsc["task1_bsc"];
  const std::vector<std::string> phase_keys{"epochs_run", "best_epoch", "train_curve", "val_curve",
                                            "running_loss_curve", "max_patience"};
  require_keys(t["autoencoder"], phase_keys, "autoencoder");
  require_keys(t["autoencoder"], {"test_mse_reconstruct", "per_feature_test_mse"}, "autoencoder");
  CHECK(t["autoencoder"]["per_feature_test_mse"].size() == 100);
  CHECK(t["autoencoder"]["train_curve"].size() == 2);
  CHECK(t["latent_shape"] == json{8, 5, 5});
  require_keys(t["latent_scatter"], {"elem_1_0_1", "elem_0_0_0", "map7"}, "latent_scatter");
  CHECK(t["latent_scatter"]["map7"].size() == 40);
  require_keys(t["regressor"], phase_keys, "regressor");
  require_keys(t["regressor"], {"test_mse", "test_r2", "encoder_unchanged", "test_predictions"}, "regressor");
  CHECK(t["regressor"]["encoder_unchanged"] == true);
  CHECK(t["regressor"]["test_predictions"]["predicted"].size() == 40);

  const json msc = run_quietly(short_run("keys_msc"), "msc");
  const json& m = msc["task1_msc"];
  require_keys(m["unet"], phase_keys, "unet");
  require_keys(m["unet"], {"test_mse_reconstruct", "per_feature_test_mse"}, "unet");
  CHECK(m["latent_shape"] == json{16, 5, 5});
  require_keys(m["latent_scatter"], {"elem_1_0_1", "elem_0_0_0", "map7"}, "msc latent_scatter");
  require_keys(m["multitask"], {"alpha_search", "best_alpha", "retrain_epochs", "retrain_curve", "test_r2",
                                "test_mse_regress", "test_mse_reconstruct", "test_predictions"}, "multitask");
  REQUIRE(m["multitask"]["alpha_search"].size() == 3);
  for (const json& a : m["multitask"]["alpha_search"]) {
    require_keys(a, {"alpha", "best_epoch", "val_mse_regress", "epochs_run", "train_curve", "val_curve",
                     "val_mse_regress_curve"}, "alpha_search");
    // The score of α is the restored epoch's validation MSE_regress.
    CHECK(a["val_mse_regress"] == a["val_mse_regress_curve"][a["best_epoch"].get<int>() - 1]);
  }
  CHECK(m["multitask"]["retrain_curve"].size() == m["multitask"]["retrain_epochs"].get<size_t>());
  require_keys(msc["timings_s"], {"task1_msc.unet", "task1_msc.multitask.alpha_0.1", "task1_msc.multitask.alpha_1",
                                  "task1_msc.multitask.alpha_10", "task1_msc.multitask.retrain"}, "timings");
}

TEST_CASE("task1: --init-from loads what it names, lists the rest, and rejects a wrong shape") {
  const std::string fixtures = CONVGRAD_FIXTURES_DIR;
  CommonOptions o = short_run("init");
  o.init_from = fixtures + "/parity/msc_init.safetensors";
  const json msc = run_quietly(o, "msc");
  CHECK(msc["task1_msc"]["unet"]["init_from"]["loaded"].size() == 10);  // no head in the 1.1 U-Net
  CHECK(msc["task1_msc"]["unet"]["init_from"]["seeded"].empty());
  CHECK(msc["task1_msc"]["multitask"]["alpha_search"][0]["init_from"]["loaded"].size() == 12);

  // The U-Net's conv2 is [16, 8, 3, 3]; the autoencoder's is [8, 8, 3, 3].
  REQUIRE_THROWS_WITH(run_quietly(o, "bsc"), Catch::Contains("'conv2.weight' to have shape [8, 8, 3, 3], but got "
                                                             "[16, 8, 3, 3]"));
}

TEST_CASE("task1: --save-models writes state dicts that load back; figures; a bad --out fails before training") {
  CommonOptions o = short_run("save");
  o.save_models = o.out + "/models";
  run_quietly(o, "bsc", /*with_figures=*/true);
  CHECK(fs::exists(o.out + "/results.json"));
  int scripts = 0;  // a gnuplot script per figure, whether or not gnuplot is installed
  for (const auto& entry : fs::directory_iterator(o.out + "/figures")) scripts += entry.path().extension() == ".gp";
  CHECK(scripts >= 4);
  Generator gen(0);
  Autoencoder ae(DType::Float32, gen);
  CHECK(load_state_dict(ae, o.save_models + "/task1_bsc.autoencoder.safetensors").missing_keys.empty());
  CHECK(fs::exists(o.save_models + "/task1_bsc.regressor.safetensors"));

  CommonOptions bad = short_run("bad");
  const std::string file = bad.out + "/a_file";
  std::ofstream(file) << "x";
  bad.out = file + "/results";
  bad.data = "/nonexistent.csv";  // never reached: --out is checked first
  REQUIRE_THROWS_WITH(run_quietly(bad, "bsc"), Catch::StartsWith("--out: expected a writable folder, but cannot create"));
}
