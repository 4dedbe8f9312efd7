#include "tasks/golden.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "nn/nn.h"
#include "optim/optim.h"
#include "tasks/models.h"
#include "tensor/atomic_file.h"
#include "tensor/npy.h"

namespace convgrad {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// What a case provides, with the .npy files already loaded.
struct GoldenCase {
  std::string dir;
  json spec;
  bool float32 = false;  // "dtype": "float32", or any float32 file: PyTorch computed it in float32
  std::map<std::string, Tensor> inputs, params, outputs, grads, extra;
  std::vector<std::string> input_order;  // the roles of "inputs" in case.json's order (cat's default order)
  Tensor grad_output;
};

// The engine runs every case in float64: a float32 file is widened first (and marks the case float32).
Tensor load_array(GoldenCase& c, const std::string& file) {
  const Tensor t = read_npy((fs::path(c.dir) / file).string());
  if (t.dtype() == DType::Float32) c.float32 = true;
  return t.to(DType::Float64);
}

std::map<std::string, Tensor> load_group(GoldenCase& c, const char* key) {
  std::map<std::string, Tensor> group;
  if (!c.spec.contains(key)) return group;
  for (const auto& [role, file] : c.spec.at(key).items()) {
    CONVGRAD_CHECK(file.is_string(), c.dir, "/case.json: expected a file name for ", key, ".", role, ", but got ", file.dump());
    group[role] = load_array(c, file.get<std::string>());
  }
  return group;
}

// Parses DIR/case.json. NOTE: nested at most 32 levels (a real case has 4): nlohmann's
// dump() and copies recurse, and a file of 100,000 '[' would overflow the stack.
constexpr int kMaxCaseDepth = 32;
json parse_case_json(const std::string& dir) {
  const std::string path = (fs::path(dir) / "case.json").string();
  const auto limit_depth = [&path](int depth, json::parse_event_t, json&) {
    CONVGRAD_CHECK(depth <= kMaxCaseDepth, path, ": expected JSON nested at most ", kMaxCaseDepth,
                   " levels deep, but it is nested deeper");
    return true;
  };
  try {
    return json::parse(read_file(path), limit_depth);
  } catch (const json::exception& e) {
    throw Error(path + ": expected valid JSON, but got a parse error: " + e.what());
  }
}

GoldenCase load_case(const std::string& dir) {
  GoldenCase c;
  c.dir = dir;
  const std::string path = (fs::path(dir) / "case.json").string();
  c.spec = parse_case_json(dir);
  CONVGRAD_CHECK(c.spec.is_object() && c.spec.contains("op") && c.spec.at("op").is_string(), path,
                 ": expected an object with a string \"op\", but got none");
  c.float32 = c.spec.contains("dtype") && c.spec.at("dtype") == "float32";
  c.inputs = load_group(c, "inputs");
  // json sorts an object's keys; the file's order of "inputs" is cat's order (x10 after x9, not x1).
  // (Parsed again as ordered_json: the first parse has already bounded its depth.)
  const nlohmann::ordered_json ordered = nlohmann::ordered_json::parse(read_file(path));
  if (ordered.contains("inputs") && ordered.at("inputs").is_object())
    for (const auto& item : ordered.at("inputs").items()) c.input_order.push_back(item.key());
  c.params = load_group(c, "params");
  c.outputs = load_group(c, "outputs");
  c.grads = load_group(c, "grads");
  c.extra = load_group(c, "extra");
  if (c.spec.contains("grad_output") && c.spec.at("grad_output").is_string())
    c.grad_output = load_array(c, c.spec.at("grad_output").get<std::string>());
  return c;
}

// Named lookups that fail with the case and role in the message.
const Tensor& need(const std::map<std::string, Tensor>& group, const std::string& role, const GoldenCase& c,
                   const char* kind) {
  auto it = group.find(role);
  CONVGRAD_CHECK(it != group.end(), c.dir, "/case.json: expected ", kind, " \"", role, "\", but the case has none");
  return it->second;
}

// A PyTorch int-or-pair argument: 3 or [3, 5].
Pair pair_of(const json& config, const char* key, int64_t fallback) {
  if (!config.contains(key) || config.at(key).is_null()) return {fallback, fallback};
  const json& v = config.at(key);
  if (v.is_number_integer()) return {v.get<int64_t>(), v.get<int64_t>()};
  CONVGRAD_CHECK(v.is_array() && v.size() == 2, "golden: expected ", key, " to be an integer or a pair, but got ", v.dump());
  return {v[0].get<int64_t>(), v[1].get<int64_t>()};
}

// Compares got against want and folds the error into the result.
class Comparison {
 public:
  explicit Comparison(GoldenResult& result) : result_(result) {}
  void output(const std::string& what, const Tensor& got, const Tensor& want) { fold(what, got, want, result_.output_error); }
  void grad(const std::string& what, const Tensor& got, const Tensor& want) {
    result_.has_grads = true;
    fold(what, got, want, result_.grad_error);
  }

 private:
  void fold(const std::string& what, const Tensor& got, const Tensor& want, double& worst_of_kind) {
    double error = 0.0;
    if (!got.defined()) {
      error = INFINITY;  // a gradient that never arrived
    } else {
      CONVGRAD_CHECK(shape_numel(got.shape()) == shape_numel(want.shape()), "golden: ", what, ": expected shape ",
                     shape_str(want.shape()), ", but got ", shape_str(got.shape()));
      const auto g = got.to_vector(), w = want.to_vector();
      for (size_t i = 0; i < g.size(); ++i) {
        const double e = std::fabs(g[i] - w[i]) / std::max(1.0, std::fabs(w[i]));
        if (!(e <= error)) error = e;  // NaN counts as the worst
      }
    }
    if (!(error <= worst_of_kind)) worst_of_kind = error;
    if (!(error <= worst_error_)) {
      worst_error_ = error;
      result_.worst = what;
    }
  }
  GoldenResult& result_;
  double worst_error_ = -1.0;
};

// Whether the case has anything that needs a backward pass: gradients, or an Adam step from them.
bool needs_backward(const GoldenCase& c) {
  if (!c.grads.empty()) return true;
  for (const auto& [role, t] : c.extra)
    if (role.rfind("after_adam_step1.", 0) == 0) return true;
  return false;
}

// y.backward(dL/dy) with the case's grad_output. Without one: nothing, for a forward-only case
// (no grads); 1 for a scalar y (as PyTorch's loss.backward()); otherwise an error.
void backward_from_case(const GoldenCase& c, const Variable& y) {
  const std::string grad_output_file = c.spec.value("grad_output", json()).is_string()
                                           ? c.spec.at("grad_output").get<std::string>()
                                           : std::string();
  if (c.grad_output.defined()) {
    CONVGRAD_CHECK(c.grad_output.numel() == y.numel(), c.dir, "/", grad_output_file,
                   ": expected grad_output of the output's shape ", shape_str(y.shape()), ", but got ",
                   shape_str(c.grad_output.shape()));
    y.backward(c.grad_output.reshape(y.shape()));
  } else if (needs_backward(c)) {
    CONVGRAD_CHECK(y.numel() == 1, c.dir, "/case.json: expected \"grad_output\" (the upstream gradient dL/d(output), ",
                   "shape ", shape_str(y.shape()), ") for the case's gradients, but the case has none");
    y.backward(Tensor::ones(y.shape(), y.dtype()));
  }
}

Variable leaf(const Tensor& t) { return Variable(t.clone(), true); }
Variable optional_leaf(const std::map<std::string, Tensor>& group, const std::string& role) {
  auto it = group.find(role);
  return it == group.end() ? Variable() : leaf(it->second);
}
Tensor grad_of(const Variable& v) { return v.defined() ? v.grad() : Tensor(); }

void compare_param_grads(Comparison& cmp, const GoldenCase& c, const std::map<std::string, Variable>& vars) {
  for (const auto& [role, want] : c.grads) {
    auto it = vars.find(role);
    CONVGRAD_CHECK(it != vars.end(), c.dir, ": expected a gradient for \"", role, "\" that the op has, but it has none");
    cmp.grad("grad " + role, grad_of(it->second), want);
  }
}

// A feature PyTorch has and the engine does not: the case is skipped, saying which.
struct Unsupported : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Conv2d's padding="same" (stride 1): d (K - 1) padding in all, half on each side; when it is
// odd PyTorch puts the extra row (column) at the bottom (right). That equals padding by the
// larger half on both sides and dropping the first output row (column): the `crop` returned.
struct SamePadding {
  Pair padding{0, 0}, crop{0, 0};
};
SamePadding same_padding(Pair kernel, Pair dilation) {
  SamePadding same;
  for (int i = 0; i < 2; ++i) {
    const int64_t total = dilation[i] * (kernel[i] - 1);
    same.padding[i] = total - total / 2;
    same.crop[i] = total % 2;
  }
  return same;
}

void run_conv(const GoldenCase& c, Comparison& cmp, bool transposed) {
  const json& config = c.spec.at("config");
  const std::string padding_mode = config.value("padding_mode", "zeros");
  // PyTorch's ConvTranspose2d itself accepts only 'zeros'.
  if (transposed && padding_mode != "zeros") throw Unsupported("padding_mode '" + padding_mode + "' for conv_transpose2d");
  Variable x = leaf(need(c.inputs, "input", c, "input"));
  Variable w = leaf(need(c.params, "weight", c, "param"));
  Variable b = optional_leaf(c.params, "bias");
  const int64_t groups = config.value("groups", int64_t{1});
  Variable y;
  if (transposed) {
    ConvTranspose2dOptions o;
    o.stride = pair_of(config, "stride", 1);
    o.padding = pair_of(config, "padding", 0);
    o.output_padding = pair_of(config, "output_padding", 0);
    o.dilation = pair_of(config, "dilation", 1);
    o.groups = groups;
    y = conv_transpose2d(x, w, b, o);
  } else {
    Conv2dOptions o;
    o.stride = pair_of(config, "stride", 1);
    o.dilation = pair_of(config, "dilation", 1);
    o.groups = groups;
    Pair crop{0, 0};
    const json padding = config.value("padding", json(0));
    if (padding.is_string()) {  // PyTorch's padding="valid" or "same"
      const std::string mode = padding.get<std::string>();
      if (mode == "same") {
        CONVGRAD_CHECK(o.stride == (Pair{1, 1}), c.dir, "/case.json: padding='same' needs stride 1, as in PyTorch");
        const SamePadding same = same_padding({w.size(2), w.size(3)}, o.dilation);
        o.padding = same.padding;
        crop = same.crop;
      } else {
        CONVGRAD_CHECK(mode == "valid", c.dir, "/case.json: expected padding 'same', 'valid', an integer or a pair, but got '",
                       mode, "'");
      }
    } else {
      o.padding = pair_of(config, "padding", 0);
    }
    if (padding_mode == "zeros") {
      y = conv2d(x, w, b, o);
      if (crop[0] != 0) y = slice(y, 2, crop[0], y.size(2));
      if (crop[1] != 0) y = slice(y, 3, crop[1], y.size(3));
    } else {  // as PyTorch's Conv2d: F.pad(x, padding, mode) first, then a convolution without padding
      // The same total padding per axis (padding + crop: 'same' with an odd total), the odd
      // one on the bottom (right) as PyTorch puts it.
      Pad2d pad;
      pad.top = o.padding[0] - crop[0];
      pad.bottom = o.padding[0];
      pad.left = o.padding[1] - crop[1];
      pad.right = o.padding[1];
      o.padding = {0, 0};
      y = conv2d(pad2d(x, pad, pad_mode_from_name(padding_mode)), w, b, o);
    }
  }
  cmp.output("output", y.data(), need(c.outputs, "output", c, "output"));
  backward_from_case(c, y);
  compare_param_grads(cmp, c, {{"input", x}, {"weight", w}, {"bias", b}});
}

void run_max_pool(const GoldenCase& c, Comparison& cmp) {
  const json& config = c.spec.at("config");
  MaxPool2dOptions o;
  o.kernel_size = pair_of(config, "kernel_size", 1);
  o.stride = pair_of(config, "stride", 0);
  o.padding = pair_of(config, "padding", 0);
  o.dilation = pair_of(config, "dilation", 1);
  o.ceil_mode = config.value("ceil_mode", false);
  Variable x = leaf(need(c.inputs, "input", c, "input"));
  MaxPool2dResult r = max_pool2d_with_indices(x, o);
  cmp.output("output", r.output.data(), need(c.outputs, "output", c, "output"));
  if (c.outputs.count("indices")) {
    std::vector<double> idx(r.indices.begin(), r.indices.end());
    cmp.output("indices", Tensor::from_vector(idx, r.output.shape(), DType::Float64), c.outputs.at("indices"));
  }
  backward_from_case(c, r.output);
  compare_param_grads(cmp, c, {{"input", x}});
}

void run_linear(const GoldenCase& c, Comparison& cmp) {
  Variable x = leaf(need(c.inputs, "input", c, "input"));
  Variable w = leaf(need(c.params, "weight", c, "param"));
  Variable b = optional_leaf(c.params, "bias");
  Variable y = linear(x, w, b);
  cmp.output("output", y.data(), need(c.outputs, "output", c, "output"));
  backward_from_case(c, y);
  compare_param_grads(cmp, c, {{"input", x}, {"weight", w}, {"bias", b}});
}

void run_cat(const GoldenCase& c, Comparison& cmp) {
  const json& config = c.spec.at("config");
  std::vector<std::string> order;
  if (config.contains("order")) order = config.at("order").get<std::vector<std::string>>();
  else order = c.input_order;
  std::vector<Variable> xs;
  std::map<std::string, Variable> vars;
  for (const auto& role : order) {
    xs.push_back(leaf(need(c.inputs, role, c, "input")));
    vars[role] = xs.back();
  }
  Variable y = cat(xs, config.value("dim", 0));
  cmp.output("output", y.data(), need(c.outputs, "output", c, "output"));
  backward_from_case(c, y);
  compare_param_grads(cmp, c, vars);
}

void run_relu(const GoldenCase& c, Comparison& cmp) {
  Variable x = leaf(need(c.inputs, "input", c, "input"));
  Variable y = relu(x);
  cmp.output("output", y.data(), need(c.outputs, "output", c, "output"));
  backward_from_case(c, y);
  compare_param_grads(cmp, c, {{"input", x}});
}

void run_mse(const GoldenCase& c, Comparison& cmp) {
  // config.kind; a case that gives PyTorch's `reduction` instead means the same for mean and sum.
  const json& config = c.spec.at("config");
  const std::string kind = config.value("kind", config.value("reduction", "mean"));
  Variable input = leaf(need(c.inputs, "input", c, "input"));
  Variable target = leaf(need(c.inputs, "target", c, "input"));
  Variable loss;
  if (kind == "mean") loss = mse_loss(input, target, Reduction::Mean);
  else if (kind == "sum") loss = mse_loss(input, target, Reduction::Sum);
  else if (kind == "reconstruct") loss = mse_reconstruct(input, target);
  else if (kind == "regress") loss = mse_regress(input, target);
  else throw Error(c.dir + "/case.json: expected mse kind mean, sum, reconstruct or regress, but got '" + kind + "'");
  cmp.output("loss", loss.data(), need(c.outputs, "loss", c, "output"));
  backward_from_case(c, loss);
  compare_param_grads(cmp, c, {{"input", input}, {"target", target}});
}

// Copies the case's params into a model's parameters by PyTorch name; every model
// parameter must be given, with the right shape.
void load_model_params(Module& model, const GoldenCase& c) {
  for (auto& [name, param] : model.named_parameters()) {
    const Tensor& value = need(c.params, name, c, "param");
    CONVGRAD_CHECK(value.shape() == param.shape(), c.dir, ": param ", name, ": expected shape ",
                   shape_str(param.shape()), ", but got ", shape_str(value.shape()));
    param.data().copy_from(value.to(param.dtype()));
  }
}

void compare_model_grads(Comparison& cmp, const GoldenCase& c, const Module& model) {
  std::map<std::string, Variable> vars;
  for (const auto& [name, param] : model.named_parameters()) vars[name] = param;
  compare_param_grads(cmp, c, vars);
}

void compare_outputs(Comparison& cmp, const GoldenCase& c, const std::map<std::string, Variable>& got) {
  for (const auto& [role, want] : c.outputs) {
    auto it = got.find(role);
    if (it == got.end()) {
      std::string names;
      for (const auto& [name, value] : got) names += (names.empty() ? "" : ", ") + name;
      throw Error(str_cat(c.dir, ": expected outputs the model produces (", names, "), but got \"", role, "\""));
    }
    cmp.output(role, it->second.data(), want);
  }
}

// One Adam(lr) step from the gradients just computed, compared with extra "after_adam_step1.<name>".
void compare_one_adam_step(Comparison& cmp, const GoldenCase& c, Module& model) {
  bool any = false;
  for (const auto& [role, t] : c.extra) any = any || role.rfind("after_adam_step1.", 0) == 0;
  if (!any) return;
  AdamOptions options;
  options.lr = c.spec.at("config").value("adam_lr", 1e-3);
  Adam adam(model.parameters(), options);
  adam.step();
  for (const auto& [name, param] : model.named_parameters()) {
    auto it = c.extra.find("after_adam_step1." + name);
    if (it != c.extra.end()) cmp.output("after Adam step 1: " + name, param.data(), it->second);
  }
}

// The model case's config.loss (PyTorch's names for the coursework's losses), default `fallback`;
// "multitask" for the multi-task sum, which only `unet-multitask` has (and it has only that one).
std::string model_loss_name(const json& config, const std::string& fallback, bool multitask) {
  const std::string given = config.value("loss", fallback);
  std::string name = given;
  name.erase(std::remove(name.begin(), name.end(), ' '), name.end());
  if (name == "mse_regress+alpha*mse_reconstruct") name = "multitask";
  const bool known = name == "multitask" || name == "mse_reconstruct" || name == "mse_regress" || name == "mse_mean" ||
                     name == "mse_sum";
  if (!known || (name == "multitask") != multitask) {
    throw Unsupported("loss '" + given + "' for model '" + config.value("model", "") + "' (mse_reconstruct, " +
                      "mse_regress, mse_mean, mse_sum; mse_regress + alpha*mse_reconstruct for unet-multitask)");
  }
  return name;
}

// The loss named by model_loss_name (not "multitask", which run_model builds from its parts).
Variable model_loss(const std::string& name, const Variable& prediction, const Variable& target) {
  if (name == "mse_reconstruct") return mse_reconstruct(prediction, target);
  if (name == "mse_regress") return mse_regress(prediction, target);
  if (name == "mse_mean") return mse_loss(prediction, target, Reduction::Mean);
  return mse_loss(prediction, target, Reduction::Sum);
}

void run_model(const GoldenCase& c, Comparison& cmp) {
  const json& config = c.spec.at("config");
  std::string kind = config.value("model", "");
  std::replace(kind.begin(), kind.end(), '_', '-');  // unet_multitask as unet-multitask
  const std::string concat_order = config.value("concat_order", "skip_first");
  if (concat_order != "skip_first") {
    throw Unsupported("concat_order '" + concat_order + "' (the coursework U-Net concatenates [skip, up]: skip_first)");
  }
  Generator gen(0);
  if (kind == "autoencoder") {
    Autoencoder model(DType::Float64, gen);
    load_model_params(model, c);
    Variable x(need(c.inputs, "x", c, "input"));
    auto t = model.trace(x);
    Variable loss = model_loss(model_loss_name(config, "mse_reconstruct", false), t.xhat, x);
    compare_outputs(cmp, c, {{"conv1_relu", from_batch_last(t.conv1_relu)}, {"pool", from_batch_last(t.pool)},
                             {"encoder_z", from_batch_last(t.z)}, {"xhat", t.xhat}, {"loss", loss}});
    backward_from_case(c, loss);
    compare_model_grads(cmp, c, model);
    compare_one_adam_step(cmp, c, model);
  } else if (kind == "regressor") {
    Regressor model(nullptr, DType::Float64, gen);
    load_model_params(model, c);
    Variable yhat = model.predict_from_latent(Variable(need(c.inputs, "features", c, "input")));
    Variable loss = model_loss(model_loss_name(config, "mse_regress", false), yhat, Variable(need(c.inputs, "y", c, "input")));
    compare_outputs(cmp, c, {{"yhat", yhat}, {"loss", loss}});
    backward_from_case(c, loss);
    compare_model_grads(cmp, c, model);
    compare_one_adam_step(cmp, c, model);
  } else if (kind == "unet" || kind == "unet-multitask") {
    const bool multitask = kind == "unet-multitask";
    const std::string loss_name =
        model_loss_name(config, multitask ? "mse_regress + alpha*mse_reconstruct" : "mse_reconstruct", multitask);
    UNet model(multitask, DType::Float64, gen);
    load_model_params(model, c);
    Variable x(need(c.inputs, "x", c, "input"));
    auto t = model.trace(x);
    std::map<std::string, Variable> got = {{"xhat", t.xhat}};
    for (const auto& [name, v] : {std::pair{"conv1_relu", t.conv1_relu}, {"pool", t.pool}, {"bottleneck", t.bottleneck},
                                  {"up_relu", t.up_relu}, {"concat", t.concat}, {"conv3_relu", t.conv3_relu}})
      got[name] = from_batch_last(v);
    Variable loss = multitask ? mse_reconstruct(t.xhat, x) : model_loss(loss_name, t.xhat, x);
    got[multitask ? "mse_reconstruct" : loss_name] = loss;
    if (multitask) {
      Variable regress = mse_regress(t.yhat, Variable(need(c.inputs, "y", c, "input")));
      const double alpha = config.value("alpha", 1.0);
      loss = regress + loss * alpha;  // L_multi = MSE_regress + α MSE_reconstruct
      got["yhat"] = t.yhat;
      got["mse_regress"] = regress;
    }
    got["loss"] = loss;
    compare_outputs(cmp, c, got);
    backward_from_case(c, loss);
    compare_model_grads(cmp, c, model);
    compare_one_adam_step(cmp, c, model);
  } else {
    throw Error(c.dir + "/case.json: expected model autoencoder, regressor, unet or unet-multitask, but got '" + kind + "'");
  }
}

void run_adam_steps(const GoldenCase& c, Comparison& cmp, bool decoupled) {
  const json& config = c.spec.at("config");
  std::vector<std::string> names;
  std::vector<Variable> params;
  for (const auto& [name, value] : c.params) {
    names.push_back(name);
    params.push_back(leaf(value));
  }
  AdamOptions options;
  options.lr = config.value("lr", 1e-3);
  if (config.contains("betas")) options.betas = {config.at("betas")[0].get<double>(), config.at("betas")[1].get<double>()};
  options.eps = config.value("eps", 1e-8);
  options.weight_decay = config.value("weight_decay", decoupled ? 1e-2 : 0.0);
  options.amsgrad = config.value("amsgrad", false);
  options.maximize = config.value("maximize", false);
  std::unique_ptr<Adam> adam = decoupled ? std::make_unique<AdamW>(params, options) : std::make_unique<Adam>(params, options);
  const int steps = config.value("steps", 1);
  for (int t = 1; t <= steps; ++t) {
    const std::string step = "step" + std::to_string(t) + "_";
    for (size_t i = 0; i < params.size(); ++i) params[i].set_grad(need(c.extra, step + "grad_" + names[i], c, "extra").clone());
    adam->step();
    for (size_t i = 0; i < params.size(); ++i) {
      const AdamState& state = adam->state(params[i]);
      cmp.output(step + "param_" + names[i], params[i].data(), need(c.extra, step + "param_" + names[i], c, "extra"));
      cmp.output(step + "exp_avg_" + names[i], state.exp_avg, need(c.extra, step + "exp_avg_" + names[i], c, "extra"));
      cmp.output(step + "exp_avg_sq_" + names[i], state.exp_avg_sq,
                 need(c.extra, step + "exp_avg_sq_" + names[i], c, "extra"));
      auto v_max = c.extra.find(step + "max_exp_avg_sq_" + names[i]);  // AMSGrad's, when the case has it
      if (v_max != c.extra.end()) cmp.output(v_max->first, state.max_exp_avg_sq, v_max->second);
    }
  }
}

using Runner = std::function<void(const GoldenCase&, Comparison&)>;

const std::map<std::string, Runner>& runners() {
  static const std::map<std::string, Runner> table = {
      {"conv2d", [](const GoldenCase& c, Comparison& m) { run_conv(c, m, false); }},
      {"conv_transpose2d", [](const GoldenCase& c, Comparison& m) { run_conv(c, m, true); }},
      {"max_pool2d", run_max_pool},
      {"linear", run_linear},
      {"cat", run_cat},
      {"relu", run_relu},
      {"mse", run_mse},
      {"model", run_model},
      {"adam_steps", [](const GoldenCase& c, Comparison& m) { run_adam_steps(c, m, false); }},
      {"adamw_steps", [](const GoldenCase& c, Comparison& m) { run_adam_steps(c, m, true); }},
  };
  return table;
}

}  // namespace

GoldenResult run_golden_case(const std::string& case_dir) {
  GoldenResult result;
  result.name = fs::path(case_dir).filename().string();
  try {
    // The op first, so that a case of an unknown op is skipped even if its files differ.
    const json spec = parse_case_json(case_dir);
    result.op = spec.is_object() && spec.contains("op") && spec.at("op").is_string() ? spec.at("op").get<std::string>() : "";
    auto runner = runners().find(result.op);
    if (runner == runners().end()) {
      result.status = GoldenResult::Status::Skipped;
      result.message = result.op.empty() ? "no \"op\" in case.json" : "unknown op '" + result.op + "'";
      return result;
    }
    const GoldenCase c = load_case(case_dir);
    result.float32 = c.float32;
    Comparison cmp(result);
    runner->second(c, cmp);
    const double tolerance = golden_tolerance(result);
    const bool ok = result.output_error <= tolerance && result.grad_error <= tolerance;
    result.status = ok ? GoldenResult::Status::Passed : GoldenResult::Status::Failed;
  } catch (const Unsupported& e) {
    result.status = GoldenResult::Status::Skipped;
    result.message = std::string("not supported: ") + e.what();
  } catch (const std::exception& e) {
    result.status = GoldenResult::Status::Unreadable;
    result.message = e.what();
  }
  return result;
}

namespace {
// The table's gradient column: the worst error, or "-" for a forward-only case.
std::string grad_column(const GoldenResult& r) {
  if (!r.has_grads) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.2e", r.grad_error);
  return text;
}
}  // namespace

std::vector<GoldenResult> run_golden_dir(const std::string& dir, std::ostream& out) {
  CONVGRAD_CHECK(fs::is_directory(dir), dir, ": expected a folder of golden cases, but it is not a folder");
  std::vector<std::string> case_dirs;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_directory()) case_dirs.push_back(entry.path().string());
  std::sort(case_dirs.begin(), case_dirs.end());
  CONVGRAD_CHECK(!case_dirs.empty(), dir, ": expected case folders (each with case.json), but found none");

  std::vector<GoldenResult> results;
  char line[512];
  std::snprintf(line, sizeof line, "%-34s %-17s %12s %12s  %s\n", "case", "op", "outputs", "gradients", "result");
  out << line << std::string(90, '-') << "\n";
  int passed = 0, failed = 0, skipped = 0, float32 = 0;
  for (const auto& case_dir : case_dirs) {
    GoldenResult r = run_golden_case(case_dir);
    if (r.float32) ++float32;
    const char* reference = r.float32 ? " (float32 reference)" : "";
    switch (r.status) {
      case GoldenResult::Status::Passed:
        ++passed;
        std::snprintf(line, sizeof line, "%-34s %-17s %12.2e %12s  passed%s\n", r.name.c_str(), r.op.c_str(),
                      r.output_error, grad_column(r).c_str(), reference);
        break;
      case GoldenResult::Status::Failed:
        ++failed;
        std::snprintf(line, sizeof line, "%-34s %-17s %12.2e %12s  FAILED (worst: %s)%s\n", r.name.c_str(),
                      r.op.c_str(), r.output_error, grad_column(r).c_str(), r.worst.c_str(), reference);
        break;
      case GoldenResult::Status::Skipped:
        ++skipped;
        std::snprintf(line, sizeof line, "%-34s %-17s %12s %12s  skipped (%s)\n", r.name.c_str(), r.op.c_str(), "-",
                      "-", r.message.c_str());
        break;
      case GoldenResult::Status::Unreadable:
        ++failed;
        std::snprintf(line, sizeof line, "%-34s %-17s %12s %12s  ERROR\n", r.name.c_str(), r.op.c_str(), "-", "-");
        break;
    }
    out << line;
    // Why a case could not be read: one line on stderr, as every other convgrad error.
    if (r.status == GoldenResult::Status::Unreadable) std::cerr << "convgrad: error: " << r.message << "\n";
    results.push_back(r);
  }
  out << "\ngolden: " << passed << " passed, " << failed << " failed, " << skipped << " skipped"
      << " (tolerance " << kGoldenTolerance;
  if (float32 > 0) out << "; " << kGoldenToleranceFloat32 << " for the " << float32 << " with a float32 reference";
  out << "; error = max |got - want| / max(1, |want|))\n";
  return results;
}

int golden_exit_code(const std::vector<GoldenResult>& results) {
  for (const auto& r : results)
    if (r.status == GoldenResult::Status::Failed || r.status == GoldenResult::Status::Unreadable) return 1;
  return 0;
}

}  // namespace convgrad
