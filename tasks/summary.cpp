#include "tasks/summary.h"

#include <algorithm>
#include <iomanip>
#include <memory>
#include <sstream>

#include "tasks/models.h"
#include "tensor/conv_kernels.h"

namespace convgrad {

ModelKind parse_model_kind(const std::string& name) {
  if (name == "autoencoder") return ModelKind::Autoencoder;
  if (name == "regressor") return ModelKind::Regressor;
  if (name == "unet") return ModelKind::UNet;
  if (name == "unet-multitask") return ModelKind::UNetMultitask;
  throw Error(str_cat("summary: expected autoencoder, regressor, unet or unet-multitask, but got \"", name, "\""));
}

const char* model_kind_name(ModelKind kind) {
  switch (kind) {
    case ModelKind::Autoencoder: return "autoencoder";
    case ModelKind::Regressor: return "regressor";
    case ModelKind::UNet: return "unet";
    case ModelKind::UNetMultitask: return "unet-multitask";
  }
  return "?";
}

std::string conv_size_formula(int64_t in, int64_t kernel, int64_t stride, int64_t padding, int64_t dilation) {
  return str_cat("floor((", in, " + 2·", padding, " − ", dilation, "·(", kernel, "−1) − 1)/", stride, ") + 1 = ",
                 conv_output_size(in, kernel, stride, padding, dilation));
}

std::string conv_transpose_size_formula(int64_t in, int64_t kernel, int64_t stride, int64_t padding,
                                        int64_t output_padding, int64_t dilation) {
  return str_cat("(", in, " − 1)·", stride, " − 2·", padding, " + ", dilation, "·(", kernel, "−1) + ", output_padding,
                 " + 1 = ", conv_transpose_output_size(in, kernel, stride, padding, output_padding, dilation));
}

std::string concat_fit_note(const Shape& skip, int64_t up_channels, int64_t up_in, int64_t kernel, int64_t stride,
                            int64_t padding, int64_t output_padding, int64_t dilation) {
  const int64_t up = conv_transpose_output_size(up_in, kernel, stride, padding, output_padding, dilation);
  const int64_t target = skip[1];
  const std::string up_shape = shape_str({up_channels, up, up});
  if (up == target && skip[2] == up) {
    return str_cat("skip ", shape_str(skip), " and up ", up_shape, " fit: both are ", up, "×", up,
                   ", so cat along dim 1 gives ", shape_str({skip[0] + up_channels, up, up}));
  }
  std::string note = str_cat("skip ", shape_str(skip), " and up ", up_shape, " would not fit (", target, "×", skip[2],
                             " vs ", up, "×", up, ")");
  const int64_t limit = std::max(stride, dilation);
  const int64_t without = conv_transpose_output_size(up_in, kernel, stride, padding, 0, dilation);
  if (target - without >= 0 && target - without < limit) {
    return str_cat(note, "; output_padding = ", target, " − ", without, " = ", target - without,
                   " makes them fit");
  }
  for (int64_t p = 0; p <= kernel; ++p) {  // else look for a padding with a valid output_padding
    const int64_t base = conv_transpose_output_size(up_in, kernel, stride, p, 0, dilation);
    if (target - base >= 0 && target - base < limit) {
      return str_cat(note, "; no output_padding in [0, ", limit, ") helps, but padding = ", p,
                     " with output_padding = ", target - base, " makes them fit");
    }
  }
  return str_cat(note, "; no output_padding or padding of this up-convolution makes them fit: crop the skip "
                       "instead, as the original U-Net does");
}

namespace {

template <typename M>
const M& child(const Module& model, const std::string& name) {
  for (const auto& [child_name, module] : model.children()) {
    if (child_name != name) continue;
    const M* typed = dynamic_cast<const M*>(module.get());
    CONVGRAD_CHECK(typed != nullptr, "summary: expected ", model.name(), ".", name, " to be another kind of layer, but got ",
                   module->name());
    return *typed;
  }
  throw Error(str_cat("summary: expected a layer '", name, "' in ", model.name(), ", but got none"));
}

// "H_out = W_out = <formula>" when both dimensions agree, else one line each.
std::vector<std::string> size_lines(const std::string& h, const std::string& w) {
  if (h == w) return {"H_out = W_out = " + h};
  return {"H_out = " + h, "W_out = " + w};
}

// Walks the layers in order, applying the formulas to the running per-sample shape.
class Builder {
 public:
  explicit Builder(Shape input) : current_(std::move(input)) {}

  void conv(const std::string& name, const Conv2d& c, const char* activation, bool trainable = true) {
    const auto& o = c.options();
    const Pair k = c.kernel_size();
    LayerSummary l = start(name, c, activation, trainable);
    l.formulas = size_lines(conv_size_formula(current_[1], k[0], o.stride[0], o.padding[0], o.dilation[0]),
                            conv_size_formula(current_[2], k[1], o.stride[1], o.padding[1], o.dilation[1]));
    l.output = {c.out_channels(), conv_output_size(current_[1], k[0], o.stride[0], o.padding[0], o.dilation[0]),
                conv_output_size(current_[2], k[1], o.stride[1], o.padding[1], o.dilation[1])};
    l.params_formula = str_cat(c.out_channels(), "·", c.in_channels(), "·", k[0], "·", k[1], " + ", c.out_channels(),
                               " = ", l.params);
    push(std::move(l));
  }

  void conv_transpose(const std::string& name, const ConvTranspose2d& c, const char* activation, int64_t target) {
    const auto& o = c.options();
    const Pair k = c.kernel_size();
    LayerSummary l = start(name, c, activation, true);
    const int64_t in = current_[1];
    l.formulas = size_lines(
        conv_transpose_size_formula(in, k[0], o.stride[0], o.padding[0], o.output_padding[0], o.dilation[0]),
        conv_transpose_size_formula(current_[2], k[1], o.stride[1], o.padding[1], o.output_padding[1], o.dilation[1]));
    const int64_t without = conv_transpose_output_size(in, k[0], o.stride[0], o.padding[0], 0, o.dilation[0]);
    const int64_t needed = output_padding_for(in, target, k[0], o.stride[0], o.padding[0], o.dilation[0]);
    l.formulas.push_back(str_cat("output_padding: without it ",
                                 conv_transpose_size_formula(in, k[0], o.stride[0], o.padding[0], 0, o.dilation[0]),
                                 "; the target ", target, " needs output_padding = ", target, " − ", without, " = ",
                                 needed, " (allowed: < stride ", o.stride[0], ")"));
    l.output = {c.out_channels(),
                conv_transpose_output_size(in, k[0], o.stride[0], o.padding[0], o.output_padding[0], o.dilation[0]),
                conv_transpose_output_size(current_[2], k[1], o.stride[1], o.padding[1], o.output_padding[1],
                                           o.dilation[1])};
    // ConvTranspose2d's weight is [C_in, C_out, K_h, K_w].
    l.params_formula = str_cat(c.in_channels(), "·", c.out_channels(), "·", k[0], "·", k[1], " + ", c.out_channels(),
                               " = ", l.params);
    push(std::move(l));
  }

  void pool(const std::string& name, const MaxPool2d& p, bool trainable = true) {
    const auto& o = p.options();
    LayerSummary l = start(name, p, nullptr, trainable);
    const int64_t s_h = o.stride[0] == 0 ? o.kernel_size[0] : o.stride[0];
    const int64_t s_w = o.stride[1] == 0 ? o.kernel_size[1] : o.stride[1];
    l.formulas = size_lines(conv_size_formula(current_[1], o.kernel_size[0], s_h, o.padding[0], o.dilation[0]),
                            conv_size_formula(current_[2], o.kernel_size[1], s_w, o.padding[1], o.dilation[1]));
    l.output = {current_[0], pool_output_size(current_[1], o.kernel_size[0], s_h, o.padding[0], o.dilation[0], false),
                pool_output_size(current_[2], o.kernel_size[1], s_w, o.padding[1], o.dilation[1], false)};
    l.params_formula = "no parameters";
    push(std::move(l));
  }

  // cat([skip, current], dim 1): the channels add up, H and W must agree.
  void cat(const Shape& skip, const ConvTranspose2d& up, int64_t up_in) {
    LayerSummary l;
    l.name = "cat";
    l.module = "cat([skip, up], dim=1)";
    const auto& o = up.options();
    l.formulas = {str_cat("C = ", skip[0], " + ", current_[0], " = ", skip[0] + current_[0]),
                  concat_fit_note(skip, up.out_channels(), up_in, up.kernel_size()[0], o.stride[0], o.padding[0],
                                  o.output_padding[0], o.dilation[0]),
                  "if output_padding were 0: " + concat_fit_note(skip, up.out_channels(), up_in, up.kernel_size()[0],
                                                                 o.stride[0], o.padding[0], 0, o.dilation[0])};
    CONVGRAD_CHECK(skip[1] == current_[1] && skip[2] == current_[2], "summary: expected the skip ", shape_str(skip),
                   " and the up-convolution ", shape_str(current_), " to agree in H and W, but they do not");
    l.output = {skip[0] + current_[0], current_[1], current_[2]};
    l.params_formula = "no parameters";
    push(std::move(l));
  }

  void flatten(const Shape& from) {
    LayerSummary l;
    l.name = "flatten";
    l.module = "Flatten(start_dim=1)";
    current_ = from;
    std::string product;
    int64_t n = 1;
    for (const int64_t d : from) {
      product += (product.empty() ? "" : "·") + std::to_string(d);
      n *= d;
    }
    l.formulas = {str_cat("features = ", product, " = ", n)};
    l.output = {n};
    l.params_formula = "no parameters";
    push(std::move(l));
  }

  void linear(const std::string& name, const Linear& lin) {
    LayerSummary l = start(name, lin, nullptr, true);
    CONVGRAD_CHECK(current_.size() == 1 && current_[0] == lin.in_features(), "summary: expected ", lin.in_features(),
                   " features into ", name, ", but got ", shape_str(current_));
    l.formulas = {str_cat("out = out_features = ", lin.out_features())};
    l.output = {lin.out_features()};
    l.params_formula = str_cat(lin.out_features(), "·", lin.in_features(), " + ", lin.out_features(), " = ", l.params);
    push(std::move(l));
  }

  const Shape& current() const { return current_; }
  std::vector<LayerSummary>& layers() { return layers_; }

 private:
  LayerSummary start(const std::string& name, const Module& m, const char* activation, bool trainable) const {
    LayerSummary l;
    l.name = name;
    l.module = m.describe() + (activation ? str_cat(" + ", activation) : "");
    l.params = m.parameter_count();
    l.trainable = trainable;
    return l;
  }
  void push(LayerSummary l) {
    current_ = l.output;
    layers_.push_back(std::move(l));
  }

  Shape current_;
  std::vector<LayerSummary> layers_;
};

Shape per_sample(const Variable& v) { return Shape(v.shape().begin() + 1, v.shape().end()); }

constexpr int64_t kBatch = 2;  // the zero input is [2, 1, 10, 10]: a batch, to keep N apart

void summarize_autoencoder(Builder& b, bool regressor) {
  Generator gen(0);
  auto ae = std::make_shared<Autoencoder>(DType::Float64, gen);
  b.conv("conv1", child<Conv2d>(*ae, "conv1"), "ReLU", !regressor);
  b.pool("pool", child<MaxPool2d>(*ae, "pool"), !regressor);
  b.conv("conv2", child<Conv2d>(*ae, "conv2"), "ReLU", !regressor);
  NoGradGuard no_grad;
  const auto t = ae->trace(Variable(Tensor::zeros({kBatch, 1, 10, 10}, DType::Float64)));
  std::vector<Shape> actual{per_sample(from_batch_last(t.conv1_relu)), per_sample(from_batch_last(t.pool)),
                            per_sample(from_batch_last(t.z))};
  if (!regressor) {
    b.conv_transpose("deconv", child<ConvTranspose2d>(*ae, "deconv"), "ReLU", 10);
    actual.push_back(per_sample(t.xhat));
  } else {
    Regressor reg(ae, DType::Float64, gen);
    b.flatten(b.current());
    b.linear("head", child<Linear>(reg, "head"));
    actual.push_back(per_sample(flatten(from_batch_last(t.z))));
    actual.push_back({reg.predict_from_batch_last(t.z).numel() / kBatch});
  }
  for (size_t i = 0; i < actual.size(); ++i) b.layers()[i].forward_output = actual[i];
}

void summarize_unet(Builder& b, bool multitask) {
  Generator gen(0);
  UNet net(multitask, DType::Float64, gen);
  b.conv("conv1", child<Conv2d>(net, "conv1"), "ReLU  (the skip)");
  const Shape skip = b.current();
  b.pool("pool", child<MaxPool2d>(net, "pool"));
  b.conv("conv2", child<Conv2d>(net, "conv2"), "ReLU  (the bottleneck)");
  const Shape bottleneck = b.current();
  const auto& up = child<ConvTranspose2d>(net, "up");
  b.conv_transpose("up", up, "ReLU", skip[1]);
  b.cat(skip, up, bottleneck[1]);
  b.conv("conv3", child<Conv2d>(net, "conv3"), "ReLU");
  b.conv("conv4", child<Conv2d>(net, "conv4"), nullptr);
  NoGradGuard no_grad;
  const auto t = net.trace(Variable(Tensor::zeros({kBatch, 1, 10, 10}, DType::Float64)));
  std::vector<Shape> actual;
  for (const Variable& v : {t.conv1_relu, t.pool, t.bottleneck, t.up_relu, t.concat, t.conv3_relu})
    actual.push_back(per_sample(from_batch_last(v)));
  actual.push_back(per_sample(t.xhat));
  if (multitask) {
    b.flatten(bottleneck);
    b.linear("head", child<Linear>(net, "head"));
    actual.push_back(per_sample(flatten(from_batch_last(t.bottleneck))));
    actual.push_back({t.yhat.numel() / kBatch});
  }
  for (size_t i = 0; i < actual.size(); ++i) b.layers()[i].forward_output = actual[i];
}

}  // namespace

ModelSummary summarize_model(ModelKind kind) {
  ModelSummary s;
  s.input = {1, 10, 10};
  Builder b(s.input);
  switch (kind) {
    case ModelKind::Autoencoder:
      s.title = "Autoencoder (BSc Task 1.1): encoder conv1, pool, conv2; decoder deconv";
      summarize_autoencoder(b, false);
      break;
    case ModelKind::Regressor:
      s.title = "Regressor (BSc Task 1.2): the frozen encoder of the autoencoder, flatten, head";
      summarize_autoencoder(b, true);
      break;
    case ModelKind::UNet:
      s.title = "U-Net (MSc Task 1.1): contracting path conv1, pool, conv2; expanding path up, cat, conv3, conv4";
      summarize_unet(b, false);
      break;
    case ModelKind::UNetMultitask:
      s.title = "Multi-task U-Net (MSc Task 1.2): the U-Net, plus flatten(bottleneck) and head for MAP7";
      summarize_unet(b, true);
      break;
  }
  s.layers = std::move(b.layers());
  for (const LayerSummary& l : s.layers) {
    CONVGRAD_CHECK(l.output == l.forward_output, "summary: expected the formulas and the forward pass to agree on ",
                   l.name, ", but got ", shape_str(l.output), " and ", shape_str(l.forward_output));
    s.total_params += l.params;
    if (l.trainable) s.trainable_params += l.params;
  }
  return s;
}

std::string format_summary(const ModelSummary& s) {
  std::ostringstream out;
  out << s.title << "\n";
  out << "input " << shape_str(s.input) << " per cell (its 100 features, reshaped row-major to 10×10)\n\n";
  for (const LayerSummary& l : s.layers) {
    out << std::left << std::setw(9) << l.name << l.module << (l.trainable ? "" : "  [frozen]") << "\n";
    out << "         output " << std::setw(14) << shape_str(l.output) << " params " << l.params_formula << "\n";
    for (const std::string& f : l.formulas) out << "         " << f << "\n";
  }
  out << "\ntotal parameters: " << s.total_params << " (trainable: " << s.trainable_params << ")\n";
  out << "check: every output shape above, from the formulas, equals the shape of a forward pass of the model on a "
         "zero input ["
      << kBatch << ", 1, 10, 10]\n";
  return out.str();
}

Shape latent_shape(ModelKind kind) {
  const bool unet = kind == ModelKind::UNet || kind == ModelKind::UNetMultitask;
  const ModelSummary s = summarize_model(unet ? ModelKind::UNet : ModelKind::Autoencoder);
  return s.layers[2].output;  // conv1, pool, conv2: conv2's output is the latent
}

std::vector<std::string> latent_shape_reasoning(ModelKind kind) {
  const bool unet = kind == ModelKind::UNet || kind == ModelKind::UNetMultitask;
  const ModelSummary s = summarize_model(unet ? ModelKind::UNet : ModelKind::Autoencoder);
  std::vector<std::string> lines{str_cat("input x: ", shape_str(s.input), " (100 features as a 10×10 image)")};
  for (size_t i = 0; i < 3; ++i) {
    const LayerSummary& l = s.layers[i];
    lines.push_back(str_cat(l.name, " ", l.module, ": ", l.formulas.front(), " → ", shape_str(l.output)));
  }
  const Shape z = s.layers[2].output;
  lines.push_back(str_cat("latent z = conv2's output: ", shape_str(z), " = ", z[0], " filters × ", z[1], " × ", z[2],
                          " = ", shape_numel(z), " values per cell (padding 1 keeps the size in each convolution; "
                                                 "only the pooling halves it)"));
  return lines;
}

}  // namespace convgrad
