// Task 1, MSc variant: 1.1 U-Net reconstruction, 1.2 the multi-task U-Net with the α search
// and the final retraining.
#include <sstream>

#include "tasks/models.h"
#include "tasks/summary.h"
#include "tasks/task1.h"

namespace convgrad {

using nlohmann::json;

namespace {

constexpr double kAlphas[] = {0.1, 1.0, 10.0};

std::string alpha_str(double alpha) {
  std::ostringstream s;
  s << alpha;  // 0.1, 1, 10
  return s.str();
}

// 1.1: the U-Net trained on MSE_reconstruct, exactly like the BSc autoencoder.
json train_unet(Task1Context& ctx, std::shared_ptr<UNet>& net, std::ostream* out) {
  const std::string phase = "task1_msc.unet";
  Generator gen = ctx.init_generator(phase);
  net = std::make_shared<UNet>(/*multitask=*/false, ctx.dtype(), gen);
  const json init = ctx.apply_init_from(*net, phase, out);
  if (out != nullptr) {
    *out << "\nTask 1.1 (MSc): U-Net, " << net->parameter_count() << " parameters; MSE_reconstruct, Adam lr 1e-3, "
         << "batches of 32, at most 100 epochs, early stopping with max_patience 5\n";
  }
  const LossFn loss = [&net](const Batch& b, LossParts*) { return net->reconstruction_loss(b.x); };
  const TrainOptions options = ctx.train_options(phase, 100, 5, out, *net, phase);
  const TrainResult r = train_phase(net->parameters(), loss, ctx.train(), ctx.val(), options);
  ctx.record_seconds(phase, r.seconds);
  ctx.save_model(*net, phase, out);

  const Tensor xhat = map_batches([&net](const Batch& b) { return net->forward(b.x); }, ctx.test());
  const std::vector<double> per_feature = per_feature_mse(ctx.test().x, xhat);
  double test_mse = 0.0;
  for (const double v : per_feature) test_mse += v;
  if (out != nullptr) *out << phase << ": test MSE_reconstruct " << test_mse << "\n";
  json j = phase_json(r, 5);
  j["test_mse_reconstruct"] = test_mse;
  j["per_feature_test_mse"] = per_feature;
  if (!init.is_null()) j["init_from"] = init;
  return j;
}

// L_multi = MSE_regress + α·MSE_reconstruct on a batch; evaluation also records both parts.
LossFn multitask_loss(const std::shared_ptr<UNet>& net, double alpha) {
  return [net, alpha](const Batch& b, LossParts* parts) {
    const UNet::Trace t = net->trace_batch_last(b.x);
    const Variable regress = mse_regress(t.yhat, b.y);
    const Variable reconstruct = mse_reconstruct_batch_last(t.xhat_batch_last, t.input);
    if (parts != nullptr) {
      (*parts)["mse_regress"] = regress.item();
      (*parts)["mse_reconstruct"] = reconstruct.item();
    }
    return regress + alpha * reconstruct;
  };
}

// A fresh multi-task U-Net for `phase` (seeded, then --init-from).
std::shared_ptr<UNet> fresh_multitask(Task1Context& ctx, const std::string& phase, json& init, std::ostream* out) {
  Generator gen = ctx.init_generator(phase);
  auto net = std::make_shared<UNet>(/*multitask=*/true, ctx.dtype(), gen);
  init = ctx.apply_init_from(*net, phase, out);
  return net;
}

// One α of the search: fresh initialisation, early stopping on validation L_multi.
std::string alpha_phase(double alpha) { return "task1_msc.multitask.alpha_" + alpha_str(alpha); }

json search_alpha(Task1Context& ctx, double alpha, std::ostream* out) {
  const std::string phase = alpha_phase(alpha);
  if (out != nullptr) {
    *out << "\nTask 1.2 (MSc): multi-task U-Net, L_multi = MSE_regress + α·MSE_reconstruct with α = " << alpha_str(alpha)
         << " (of 0.1, 1, 10): fresh initialisation, Adam lr 1e-3, batches of 32, at most 1000 epochs, early "
         << "stopping on validation L_multi with max_patience 10\n";
  }
  json init;
  const auto net = fresh_multitask(ctx, phase, init, out);
  const LossFn loss = multitask_loss(net, alpha);
  const TrainOptions options = ctx.train_options(phase, 1000, 10, out, *net, phase);
  const TrainResult r = train_phase(net->parameters(), loss, ctx.train(), ctx.val(), options);
  ctx.record_seconds(phase, r.seconds);
  LossParts parts;  // the restored weights' validation MSE_regress: α's score
  evaluate_loss(loss, ctx.val(), kEvalChunk, &parts);
  if (out != nullptr) {
    *out << phase << ": validation MSE_regress of the restored epoch " << r.best_epoch << ": " << parts["mse_regress"]
         << "\n";
  }
  json j = phase_json(r, 10);
  j["alpha"] = alpha;
  j["val_mse_regress"] = parts["mse_regress"];
  j["val_mse_reconstruct"] = parts["mse_reconstruct"];
  j["val_mse_regress_curve"] = r.val_parts.at("mse_regress");
  j["val_mse_reconstruct_curve"] = r.val_parts.at("mse_reconstruct");
  j["train_mse_regress_curve"] = r.train_parts.at("mse_regress");
  if (!init.is_null()) j["init_from"] = init;
  return j;
}

// α chosen by the validation MSE_regress of the three searches' restored weights, then the
// final model: a fresh initialisation, exactly that α's best epoch count, no early stopping.
json retrain(Task1Context& ctx, const json& search, std::ostream* out) {
  json result;
  size_t best = 0;
  for (size_t i = 1; i < search.size(); ++i) {
    // Strictly lower wins: on a tie the smaller α (searched first) stays.
    if (search[i]["val_mse_regress"].get<double>() < search[best]["val_mse_regress"].get<double>()) best = i;
  }
  const double alpha = kAlphas[best];
  const int epochs = search[best]["best_epoch"].get<int>();
  result["alpha_search"] = search;
  result["best_alpha"] = alpha;
  result["retrain_epochs"] = epochs;

  // The final model: a fresh initialisation, exactly `epochs` epochs, no early stopping.
  const std::string phase = "task1_msc.multitask.retrain";
  if (out != nullptr) {
    *out << "\nTask 1.2 (MSc): best α = " << alpha_str(alpha) << " (validation MSE_regress "
         << search[best]["val_mse_regress"].get<double>() << "); retraining from a fresh initialisation for exactly "
         << epochs << " epochs\n";
  }
  json init;
  const auto net = fresh_multitask(ctx, phase, init, out);
  const LossFn loss = multitask_loss(net, alpha);
  TrainOptions options = ctx.train_options(phase, epochs, 10, out, *net, "task1_msc.multitask");
  options.early_stopping = false;
  const TrainResult r = train_phase(net->parameters(), loss, ctx.train(), ctx.val(), options);
  ctx.record_seconds(phase, r.seconds);
  ctx.save_model(*net, "task1_msc.multitask", out);
  result["retrain_curve"] = r.train_curve;
  result["retrain_val_curve"] = r.val_curve;
  result["retrain_running_loss_curve"] = r.running_loss_curve;
  if (!init.is_null()) result["retrain_init_from"] = init;

  // Test set: R² and MSE_regress of MAP7, MSE_reconstruct of the images.
  const Tensor yhat_t = map_batches([&net](const Batch& b) { return net->trace(b.x).yhat; }, ctx.test());
  const Tensor xhat = map_batches([&net](const Batch& b) { return net->trace(b.x).xhat; }, ctx.test());
  const std::vector<double> y = ctx.test().y.to_vector(), yhat = yhat_t.to_vector();
  const std::vector<double> per_feature = per_feature_mse(ctx.test().x, xhat);
  double test_reconstruct = 0.0;
  for (const double v : per_feature) test_reconstruct += v;
  result["test_r2"] = r2_score(y, yhat);
  result["test_mse_regress"] = mean_squared_error(y, yhat);
  result["test_mse_reconstruct"] = test_reconstruct;
  result["per_feature_test_mse"] = per_feature;
  result["test_predictions"] = json{{"true", y}, {"predicted", yhat}};
  if (out != nullptr) {
    *out << phase << ": test R² " << result["test_r2"].get<double>() << ", test MSE_regress "
         << result["test_mse_regress"].get<double>() << ", test MSE_reconstruct " << test_reconstruct << "\n";
  }
  return result;
}

// 1.1 and the latent space.
json run_unet(Task1Context& ctx, std::ostream* out) {
  json result;
  std::shared_ptr<UNet> net;
  result["unet"] = train_unet(ctx, net, out);

  const Shape shape = latent_shape(ModelKind::UNet);
  const std::vector<std::string> reasoning = latent_shape_reasoning(ModelKind::UNet);
  if (out != nullptr) {
    *out << "\nThe U-Net's bottleneck (the lower-dimensional representation)\n";
    for (const std::string& line : reasoning) *out << "  " << line << "\n";
  }
  const Tensor z = map_batches([&net](const Batch& b) { return from_batch_last(net->trace(b.x).bottleneck); }, ctx.test());
  CONVGRAD_CHECK(Shape(z.shape().begin() + 1, z.shape().end()) == shape, "task1_msc: expected latents ",
                 shape_str(shape), ", but got ", shape_str(z.shape()));
  result["latent_shape"] = shape;
  result["latent_shape_reasoning"] = reasoning;
  result["latent_scatter"] = latent_scatter_json(z, ctx.test().y);
  return result;
}

}  // namespace

// Side by side, the three α searches start first (up to 1000 epochs each), the largest α
// first, and the retraining as soon as they have ended: they make the longest chain.
Task1Jobs task1_msc_jobs(Task1Context& ctx) {
  struct Parts {
    json unet;
    json search[std::size(kAlphas)];
    json multitask;
  };
  auto parts = std::make_shared<Parts>();
  Task1Jobs jobs;
  jobs.jobs.push_back(PhaseJob{"task1_msc.unet", {}, 1, [&ctx, parts](std::ostream* out) {
                                 parts->unet = run_unet(ctx, out);
                               }});
  std::vector<std::string> searches;
  for (size_t i = 0; i < std::size(kAlphas); ++i) {
    searches.push_back(alpha_phase(kAlphas[i]));
    jobs.jobs.push_back(PhaseJob{searches.back(), {}, 2 + static_cast<int>(i), [&ctx, parts, i](std::ostream* out) {
                                   parts->search[i] = search_alpha(ctx, kAlphas[i], out);
                                 }});
  }
  jobs.jobs.push_back(PhaseJob{"task1_msc.multitask.retrain", searches, 10, [&ctx, parts](std::ostream* out) {
                                 json search = json::array();
                                 for (const json& s : parts->search) search.push_back(s);
                                 parts->multitask = retrain(ctx, search, out);
                               }});
  jobs.result = [parts] {
    json result = parts->unet;
    result["multitask"] = parts->multitask;
    return result;
  };
  return jobs;
}

}  // namespace convgrad
