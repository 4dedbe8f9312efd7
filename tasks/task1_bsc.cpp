// Task 1, BSc variant: 1.1 the CNN autoencoder, 1.2 its latent space and a regressor on
// the frozen encoder.
#include <cstring>

#include "tasks/models.h"
#include "tasks/summary.h"
#include "tasks/task1.h"

namespace convgrad {

using nlohmann::json;

namespace {

// Whether every tensor of `a` equals the one of `b` bit for bit.
bool bit_identical(const StateDict& a, const StateDict& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [name, tensor] : a) {
    const auto other = b.find(name);
    if (other == b.end() || other->second.shape() != tensor.shape() || other->second.dtype() != tensor.dtype()) {
      return false;
    }
    const size_t bytes = static_cast<size_t>(tensor.numel()) * dtype_size(tensor.dtype());
    if (std::memcmp(tensor.raw_data(), other->second.raw_data(), bytes) != 0) return false;
  }
  return true;
}

// 1.1: train the autoencoder on MSE_reconstruct; the test-set reconstruction errors.
json train_autoencoder(Task1Context& ctx, std::shared_ptr<Autoencoder>& ae, std::ostream* out) {
  const std::string phase = "task1_bsc.autoencoder";
  Generator gen = ctx.init_generator(phase);
  ae = std::make_shared<Autoencoder>(ctx.dtype(), gen);
  const json init = ctx.apply_init_from(*ae, phase, out);
  if (out != nullptr) {
    *out << "\nTask 1.1 (BSc): CNN autoencoder, " << ae->parameter_count() << " parameters; MSE_reconstruct, Adam "
         << "lr 1e-3, batches of 32, at most 100 epochs, early stopping with max_patience 5\n";
  }
  const LossFn loss = [&ae](const Batch& b, LossParts*) { return ae->reconstruction_loss(b.x); };
  const TrainOptions options = ctx.train_options(phase, 100, 5, out, *ae, phase);
  const TrainResult r = train_phase(ae->parameters(), loss, ctx.train(), ctx.val(), options);
  ctx.record_seconds(phase, r.seconds);
  ctx.save_model(*ae, phase, out);

  const Tensor xhat = map_batches([&ae](const Batch& b) { return ae->forward(b.x); }, ctx.test());
  const std::vector<double> per_feature = per_feature_mse(ctx.test().x, xhat);
  double test_mse = 0.0;  // MSE_reconstruct = mean_i Σ_p (x − x̂)² = Σ_p MSE^p
  for (const double v : per_feature) test_mse += v;
  if (out != nullptr) {
    *out << phase << ": test MSE_reconstruct " << test_mse << " (per feature: mean " << test_mse / 100.0 << ")\n";
  }
  json j = phase_json(r, 5);
  j["test_mse_reconstruct"] = test_mse;
  j["per_feature_test_mse"] = per_feature;
  if (!init.is_null()) j["init_from"] = init;
  return j;
}

// 1.2: the regressor flatten → Linear(200, 1) on the frozen encoder.
json train_regressor(Task1Context& ctx, const std::shared_ptr<Autoencoder>& ae, std::ostream* out) {
  const std::string phase = "task1_bsc.regressor";
  Generator gen = ctx.init_generator(phase);
  auto regressor = std::make_shared<Regressor>(ae, ctx.dtype(), gen);
  const json init = ctx.apply_init_from(*regressor, phase, out);
  ae->freeze();  // requires_grad off: no graph through the encoder, Adam never sees it
  const StateDict encoder_before = state_dict(*ae);
  if (out != nullptr) {
    *out << "\nTask 1.2 (BSc): regressor flatten → Linear(200, 1) on the frozen encoder, "
         << regressor->parameter_count() << " trainable parameters; MSE_regress, Adam lr 1e-3, batches of 32, at "
         << "most 1000 epochs, early stopping with max_patience 10\n";
  }
  const LossFn loss = [&regressor](const Batch& b, LossParts*) { return mse_regress(regressor->forward(b.x), b.y); };
  const TrainOptions options = ctx.train_options(phase, 1000, 10, out, *regressor, phase);
  const TrainResult r = train_phase(regressor->parameters(), loss, ctx.train(), ctx.val(), options);
  ctx.record_seconds(phase, r.seconds);
  const bool unchanged = bit_identical(encoder_before, state_dict(*ae));
  CONVGRAD_CHECK(unchanged, phase, ": expected the frozen encoder's weights to stay bit-identical, but they changed");
  ctx.save_model(*regressor, phase, out);

  const std::vector<double> y = ctx.test().y.to_vector();
  const std::vector<double> yhat =
      map_batches([&regressor](const Batch& b) { return regressor->forward(b.x); }, ctx.test()).to_vector();
  const double r2 = r2_score(y, yhat), mse = mean_squared_error(y, yhat);
  if (out != nullptr) {
    *out << phase << ": test R² " << r2 << ", test MSE_regress " << mse
         << "; encoder weights bit-identical before and after: yes\n";
  }
  json j = phase_json(r, 10);
  j["test_mse"] = mse;
  j["test_r2"] = r2;
  j["encoder_unchanged"] = unchanged;
  j["test_predictions"] = json{{"true", y}, {"predicted", yhat}};
  if (!init.is_null()) j["init_from"] = init;
  return j;
}

// The whole variant, in order: 1.1, the latent space, 1.2.
json run_bsc(Task1Context& ctx, std::ostream* out) {
  json result;
  std::shared_ptr<Autoencoder> ae;
  result["autoencoder"] = train_autoencoder(ctx, ae, out);

  // 1.2: the latent shape, by the formulas (checked against a forward pass).
  const Shape shape = latent_shape(ModelKind::Autoencoder);
  const std::vector<std::string> reasoning = latent_shape_reasoning(ModelKind::Autoencoder);
  if (out != nullptr) {
    *out << "\nTask 1.2 (BSc): the encoder's output (the lower-dimensional representation)\n";
    for (const std::string& line : reasoning) *out << "  " << line << "\n";
  }
  const Tensor z = map_batches([&ae](const Batch& b) { return ae->encode(b.x); }, ctx.test());
  CONVGRAD_CHECK(Shape(z.shape().begin() + 1, z.shape().end()) == shape, "task1_bsc: expected latents ",
                 shape_str(shape), ", but got ", shape_str(z.shape()));
  result["latent_shape"] = shape;
  result["latent_shape_reasoning"] = reasoning;
  result["latent_scatter"] = latent_scatter_json(z, ctx.test().y);

  result["regressor"] = train_regressor(ctx, ae, out);
  return result;
}

}  // namespace

Task1Jobs task1_bsc_jobs(Task1Context& ctx) {
  auto result = std::make_shared<json>();
  Task1Jobs jobs;
  jobs.jobs.push_back(PhaseJob{"task1_bsc", {}, 0, [&ctx, result](std::ostream* out) { *result = run_bsc(ctx, out); }});
  jobs.result = [result] { return *result; };
  return jobs;
}

}  // namespace convgrad
