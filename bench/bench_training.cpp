// One training epoch of each coursework network on the 1848 training rows of the bundled
// synthetic dataset (float32, Adam lr 1e-3, shuffled batches of 32, the last one partial):
//   epoch_ms       the batch loop alone (gather, forward, backward, Adam step), written
//                  here exactly as tasks/training.cpp runs it;
//                  on N threads each batch is split in N parts trained side by side
//                  (TrainOptions::batch_parts = N; the coursework's phases keep 1 part
//                  and run side by side instead);
//   epoch_eval_ms  one epoch of the real loop, train_phase(): the batch loop plus the loss
//                  on the whole training and validation sets after it, as every coursework
//                  epoch does;
//   evaluate_ms    those two whole-set losses alone (evaluate_loss, kEvalChunk rows at a time).
// And Task 2 (graph/): the whole analysis of the first 400 cells over Features 1–10.
#include <cmath>
#include <memory>

#include "bench/bench_util.h"
#include "graph/graph.h"
#include "nn/losses.h"
#include "optim/adam.h"
#include "tasks/dataset.h"
#include "tasks/models.h"
#include "tasks/task1.h"
#include "tasks/training.h"
#include "tensor/blas.h"
#include "tensor/elementwise.h"
#include "tensor/random.h"

namespace convgrad::bench {

namespace {

constexpr DType kF32 = DType::Float32;

const Dataset& dataset() {
  static const Dataset data = make_synthetic_dataset(0);
  return data;
}

struct Splits {
  Examples train, val;
};
const Splits& splits() {
  static const Splits s = [] {
    const Split split = coursework_split(dataset().rows);
    return Splits{make_image_examples(dataset(), 0, split.train, kF32),
                  make_image_examples(dataset(), split.train, split.train + split.val, kF32)};
  }();
  return s;
}

// A model under training: its parameters, its loss, its optimizer and batch buffers that
// live across epochs (as in train_phase).
struct EpochCase {
  std::shared_ptr<Module> model;  // keeps the network alive
  std::shared_ptr<Module> extra;  // the frozen encoder of the regressor
  std::vector<Variable> params;
  LossFn loss;
  std::unique_ptr<Adam> optimizer;
  Generator shuffle_gen{1};
  Tensor full_x, full_y, part_x, part_y;

  EpochCase(std::shared_ptr<Module> m, std::vector<Variable> p, LossFn l)
      : model(std::move(m)), params(std::move(p)), loss(std::move(l)) {
    optimizer = std::make_unique<Adam>(params, AdamOptions{1e-3});
    const Examples& train = splits().train;
    const int64_t rest = train.rows() % 32;
    full_x = Tensor::empty({32, 1, 10, 10}, kF32);
    full_y = Tensor::empty({32}, kF32);
    part_x = Tensor::empty({rest, 1, 10, 10}, kF32);
    part_y = Tensor::empty({rest}, kF32);
  }

  // The batch loop of tasks/training.cpp's train_phase, one epoch.
  void train_epoch() {
    const Examples& train = splits().train;
    const int64_t rows = train.rows();
    const std::vector<int64_t> order = randperm(rows, shuffle_gen);
    for (int64_t begin = 0; begin < rows; begin += 32) {
      const int64_t end = std::min(rows, begin + 32);
      Tensor& x = end - begin == 32 ? full_x : part_x;
      Tensor& y = end - begin == 32 ? full_y : part_y;
      gather_rows(train.x, order, begin, end, x);
      gather_rows(train.y, order, begin, end, y);
      const double value = batch_gradients(params, loss, Batch{Variable(x), Variable(y)}, get_num_threads());
      if (!std::isfinite(value)) throw Error("bench: the loss is not finite");
      for (const Variable& p : params)  // the loop checks every gradient before the step
        if (p.grad().defined() && !all_finite(p.grad())) throw Error("bench: a gradient is not finite");
      optimizer->step();
    }
  }

  // The whole-set evaluations alone, as train_phase runs them after each epoch.
  void evaluate() {
    LossParts parts;
    evaluate_loss(loss, splits().train, kEvalChunk, &parts);
    evaluate_loss(loss, splits().val, kEvalChunk, &parts);
  }

  // One epoch of the real loop, whole-set evaluations included.
  void train_epoch_with_eval() {
    TrainOptions o;
    o.phase = "bench";
    o.max_epochs = 1;
    o.early_stopping = false;
    o.shuffle_seed = shuffle_gen.next_u64();
    o.batch_parts = get_num_threads();
    train_phase(params, loss, splits().train, splits().val, o);
  }
};

std::shared_ptr<EpochCase> autoencoder_case() {
  Generator gen(0);
  auto ae = std::make_shared<Autoencoder>(kF32, gen);
  LossFn loss = [ae](const Batch& b, LossParts*) { return ae->reconstruction_loss(b.x); };
  return std::make_shared<EpochCase>(ae, ae->parameters(), loss);
}

std::shared_ptr<EpochCase> regressor_case() {
  Generator gen(0);
  auto ae = std::make_shared<Autoencoder>(kF32, gen);
  auto regressor = std::make_shared<Regressor>(ae, kF32, gen);
  ae->freeze();
  LossFn loss = [regressor](const Batch& b, LossParts*) { return mse_regress(regressor->forward(b.x), b.y); };
  auto c = std::make_shared<EpochCase>(regressor, regressor->parameters(), loss);
  c->extra = ae;
  return c;
}

std::shared_ptr<EpochCase> unet_case() {
  Generator gen(0);
  auto net = std::make_shared<UNet>(false, kF32, gen);
  LossFn loss = [net](const Batch& b, LossParts*) { return net->reconstruction_loss(b.x); };
  return std::make_shared<EpochCase>(net, net->parameters(), loss);
}

// L_multi = MSE_regress + α·MSE_reconstruct, as tasks/task1_msc.cpp's multitask_loss (α = 1).
std::shared_ptr<EpochCase> multitask_case() {
  Generator gen(0);
  auto net = std::make_shared<UNet>(true, kF32, gen);
  LossFn loss = [net](const Batch& b, LossParts* parts) {
    const UNet::Trace t = net->trace_batch_last(b.x);
    const Variable regress = mse_regress(t.yhat, b.y);
    const Variable reconstruct = mse_reconstruct_batch_last(t.xhat_batch_last, t.input);
    if (parts != nullptr) {
      (*parts)["mse_regress"] = regress.item();
      (*parts)["mse_reconstruct"] = reconstruct.item();
    }
    return regress + 1.0 * reconstruct;
  };
  return std::make_shared<EpochCase>(net, net->parameters(), loss);
}

}  // namespace

std::vector<Item> training_items() {
  std::vector<Item> items;
  const std::pair<const char*, std::shared_ptr<EpochCase>> cases[] = {
      {"autoencoder", autoencoder_case()}, {"regressor", regressor_case()},
      {"unet", unet_case()}, {"unet_multitask", multitask_case()}};
  for (const auto& [name, c] : cases) {
    items.push_back(Item{"epoch_ms", name, [c = c] { c->train_epoch(); }, 1e-4});
  }
  for (const auto& [name, c] : cases) {
    items.push_back(Item{"epoch_eval_ms", name, [c = c] { c->train_epoch_with_eval(); }, 1e-4});
  }
  for (const auto& [name, c] : cases) {
    items.push_back(Item{"evaluate_ms", name, [c = c] { c->evaluate(); }, 1e-4});
  }

  // Task 2: the first 400 cells over Feature 1..10.
  auto X = std::make_shared<std::vector<double>>();
  for (int64_t i = 0; i < 400; ++i)
    for (int64_t k = 0; k < 10; ++k) X->push_back(dataset().features[i * dataset().n_features() + k]);
  auto treatment = std::make_shared<std::vector<int>>(dataset().treatment.begin(), dataset().treatment.begin() + 400);
  items.push_back(Item{"task2_sweep_ms", "", [X, treatment] {
                         graph::analyse_similarity_graph(X->data(), 400, 10, *treatment);
                       }, 0.05});
  return items;
}

}  // namespace convgrad::bench
