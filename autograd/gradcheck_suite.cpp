#include "autograd/gradcheck_suite.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "autograd/functions.h"
#include "autograd/kink.h"
#include "autograd/ops/conv_phases.h"

namespace convgrad {

namespace {

int64_t pick(Generator& gen, int64_t low, int64_t high) { return low + gen.randint(high - low + 1); }

Variable random_var(const Shape& shape, Generator& gen, double low = -1.0, double high = 1.0) {
  return Variable(uniform(shape, low, high, gen, DType::Float64), true);
}

// Values from a small integer set, so that max-pool windows contain ties.
Variable tied_var(const Shape& shape, Generator& gen) {
  Tensor t = Tensor::empty(shape, DType::Float64);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<double>()[i] = static_cast<double>(pick(gen, 0, 3));
  return Variable(t, true);
}

std::string pair_str(const Pair& p) { return "(" + std::to_string(p[0]) + ", " + std::to_string(p[1]) + ")"; }

// Output size of a convolution along one axis; <= 0 means the config is invalid.
int64_t conv_out(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d) {
  const int64_t span = in + 2 * p - d * (k - 1) - 1;  // floor division: negative means no window fits
  return span < 0 ? 0 : span / s + 1;
}

// groups for a convolution of C_in -> C_out channels: 1 most of the time, else a common
// divisor above 1 when there is one (2 and 3 with up to 6 channels).
int64_t pick_groups(Generator& gen, int64_t C_in, int64_t C_out) {
  if (gen.uniform() >= 0.3) return 1;
  for (int64_t groups : {3, 2})
    if (C_in % groups == 0 && C_out % groups == 0) return groups;
  return 1;
}
std::string groups_str(int64_t groups) { return groups == 1 ? "" : ", groups " + std::to_string(groups); }

// The ops on [N, C, H, W] images, or their batch-last forms on [C, H, W, N] (no groups there),
// the convolutions also with their ReLU fused (batch_last_relu; max_pool2d has none).
enum class Layout { nchw, batch_last, batch_last_relu };
Shape image_shape(Layout layout, int64_t N, int64_t C, int64_t H, int64_t W) {
  return layout == Layout::nchw ? Shape{N, C, H, W} : Shape{C, H, W, N};
}
std::string layout_str(Layout layout) {
  if (layout == Layout::batch_last_relu) return " (batch-last, ReLU fused)";
  return layout == Layout::nchw ? "" : " (batch-last)";
}
Activation fused(Layout layout) { return layout == Layout::batch_last_relu ? Activation::relu : Activation::none; }

GradcheckCase conv2d_case(Generator& gen, Layout layout) {
  while (true) {
    // Up to 6 channels each side: 4 or more take the direct kernels (tensor/conv_direct.h) when
    // stride and dilation are 1, which half of the cases are.
    const int64_t N = pick(gen, 1, 2), C_in = pick(gen, 1, 6), C_out = pick(gen, 1, 6);
    const int64_t H = pick(gen, 3, 8), W = pick(gen, 3, 8);
    Conv2dOptions o;
    const Pair k{pick(gen, 1, 3), pick(gen, 1, 3)};
    const bool unit = gen.uniform() < 0.5;
    o.stride = unit ? Pair{1, 1} : Pair{pick(gen, 1, 3), pick(gen, 1, 3)};
    o.padding = {pick(gen, 0, 2), pick(gen, 0, 2)};
    o.dilation = unit ? Pair{1, 1} : Pair{pick(gen, 1, 2), pick(gen, 1, 2)};
    if (conv_out(H, k[0], o.stride[0], o.padding[0], o.dilation[0]) < 1 ||
        conv_out(W, k[1], o.stride[1], o.padding[1], o.dilation[1]) < 1)
      continue;
    const bool bias = gen.uniform() < 0.7;
    o.groups = layout == Layout::nchw ? pick_groups(gen, C_in, C_out) : 1;
    const Shape weight{C_out, C_in / o.groups, k[0], k[1]}, x = image_shape(layout, N, C_in, H, W);
    GradcheckCase c;
    c.inputs = {random_var(x, gen), random_var(weight, gen), bias ? random_var({C_out}, gen) : Variable()};
    c.input_names = {"input", "weight", "bias"};
    if (!bias) c.inputs.pop_back();
    c.config = "x " + shape_str(x) + layout_str(layout) + ", w " + shape_str(weight) + ", s " + pair_str(o.stride) +
               ", p " + pair_str(o.padding) + ", d " + pair_str(o.dilation) + groups_str(o.groups) +
               (bias ? "" : ", no bias");
    c.fn = [o, layout](const std::vector<Variable>& in) {
      const Variable b = in.size() > 2 ? in[2] : Variable();
      return layout == Layout::nchw ? conv2d(in[0], in[1], b, o) : conv2d_batch_last(in[0], in[1], b, o, fused(layout));
    };
    return c;
  }
}

GradcheckCase conv_transpose2d_case(Generator& gen, Layout layout) {
  const int64_t N = pick(gen, 1, 2), C_in = pick(gen, 1, 4), C_out = pick(gen, 1, 6);  // 4+: the direct path
  const int64_t H = pick(gen, 1, 5), W = pick(gen, 1, 5);
  ConvTranspose2dOptions o;
  const Pair k{pick(gen, 1, 3), pick(gen, 1, 3)};
  for (int a = 0; a < 2; ++a) {
    o.stride[a] = pick(gen, 1, 3);
    o.dilation[a] = pick(gen, 1, 2);
    // every valid output_padding: 0 .. max(stride, dilation) - 1
    o.output_padding[a] = pick(gen, 0, std::max(o.stride[a], o.dilation[a]) - 1);
    // keep the output non-empty: (H-1)s - 2p + d(k-1) + op + 1 >= 1
    const int64_t span = ((a == 0 ? H : W) - 1) * o.stride[a] + o.dilation[a] * (k[a] - 1) + o.output_padding[a];
    o.padding[a] = std::min<int64_t>(pick(gen, 0, 2), span / 2);
  }
  const bool bias = gen.uniform() < 0.7;
  o.groups = layout == Layout::nchw ? pick_groups(gen, C_in, C_out) : 1;
  const Shape weight{C_in, C_out / o.groups, k[0], k[1]}, x = image_shape(layout, N, C_in, H, W);
  GradcheckCase c;
  c.inputs = {random_var(x, gen), random_var(weight, gen), bias ? random_var({C_out}, gen) : Variable()};
  c.input_names = {"input", "weight", "bias"};
  if (!bias) c.inputs.pop_back();
  c.config = "x " + shape_str(x) + layout_str(layout) + ", w " + shape_str(weight) + ", s " + pair_str(o.stride) +
             ", p " + pair_str(o.padding) + ", op " + pair_str(o.output_padding) + ", d " + pair_str(o.dilation) +
             groups_str(o.groups) + (bias ? "" : ", no bias");
  c.fn = [o, layout](const std::vector<Variable>& in) {
    const Variable b = in.size() > 2 ? in[2] : Variable();
    return layout == Layout::nchw ? conv_transpose2d(in[0], in[1], b, o)
                                  : conv_transpose2d_batch_last(in[0], in[1], b, o, fused(layout));
  };
  return c;
}

GradcheckCase max_pool2d_case(Generator& gen, Layout layout) {
  while (true) {
    const int64_t N = pick(gen, 1, 2), C = pick(gen, 1, 3), H = pick(gen, 2, 8), W = pick(gen, 2, 8);
    MaxPool2dOptions o;
    o.kernel_size = {pick(gen, 1, 3), pick(gen, 1, 3)};
    o.stride = {pick(gen, 1, 3), pick(gen, 1, 3)};
    o.dilation = {pick(gen, 1, 2), pick(gen, 1, 2)};
    o.padding = {pick(gen, 0, o.kernel_size[0] / 2), pick(gen, 0, o.kernel_size[1] / 2)};
    o.ceil_mode = gen.uniform() < 0.3;
    if (conv_out(H, o.kernel_size[0], o.stride[0], o.padding[0], o.dilation[0]) < 1 ||
        conv_out(W, o.kernel_size[1], o.stride[1], o.padding[1], o.dilation[1]) < 1)
      continue;
    const bool ties = gen.uniform() < 0.3;
    const Shape x = image_shape(layout, N, C, H, W);
    GradcheckCase c;
    c.inputs = {ties ? tied_var(x, gen) : random_var(x, gen)};
    c.input_names = {"input"};
    c.config = "x " + shape_str(x) + layout_str(layout) + ", k " + pair_str(o.kernel_size) + ", s " +
               pair_str(o.stride) + ", p " + pair_str(o.padding) + ", d " + pair_str(o.dilation) +
               (o.ceil_mode ? ", ceil" : "") + (ties ? ", ties" : "");
    const auto op = layout == Layout::nchw ? max_pool2d : max_pool2d_batch_last;
    c.fn = [o, op](const std::vector<Variable>& in) { return op(in[0], o); };
    return c;
  }
}

GradcheckCase linear_case(Generator& gen) {
  const int64_t N = pick(gen, 1, 4), in = pick(gen, 1, 6), out = pick(gen, 1, 5);
  const bool bias = gen.uniform() < 0.7;
  GradcheckCase c;
  c.inputs = {random_var({N, in}, gen), random_var({out, in}, gen)};
  c.input_names = {"input", "weight", "bias"};
  if (bias) c.inputs.push_back(random_var({out}, gen));
  c.config = "x " + shape_str({N, in}) + ", w " + shape_str({out, in}) + (bias ? "" : ", no bias");
  c.fn = [](const std::vector<Variable>& v) { return linear(v[0], v[1], v.size() > 2 ? v[2] : Variable()); };
  return c;
}

GradcheckCase matmul_case(Generator& gen) {
  const bool batched = gen.uniform() < 0.3;
  const int64_t B = pick(gen, 1, 3), M = pick(gen, 1, 5), K = pick(gen, 1, 5), N = pick(gen, 1, 5);
  const Shape a = batched ? Shape{B, M, K} : Shape{M, K};
  GradcheckCase c;
  c.inputs = {random_var(a, gen), random_var({K, N}, gen)};
  c.input_names = {"a", "b"};
  c.config = shape_str(a) + " @ " + shape_str({K, N});
  c.fn = [](const std::vector<Variable>& v) { return matmul(v[0], v[1]); };
  return c;
}

// A random shape of rank 1-4 with sizes 1-4, and a shape that broadcasts against it.
Shape random_shape(Generator& gen) {
  Shape s(static_cast<size_t>(pick(gen, 1, 4)));
  for (auto& d : s) d = pick(gen, 1, 4);
  return s;
}
Shape broadcastable_to(const Shape& s, Generator& gen) {
  Shape b(s.end() - pick(gen, 0, static_cast<int64_t>(s.size())), s.end());
  for (auto& d : b)
    if (gen.uniform() < 0.4) d = 1;
  return b;
}

using BinaryFn = Variable (*)(const Variable&, const Variable&);
GradcheckCase binary_case(Generator& gen, BinaryFn fn, const char* name, bool positive_rhs) {
  Shape a = random_shape(gen), b = broadcastable_to(a, gen);
  if (gen.uniform() < 0.5) std::swap(a, b);
  GradcheckCase c;
  c.inputs = {random_var(a, gen), positive_rhs ? random_var(b, gen, 0.5, 2.0) : random_var(b, gen)};
  c.input_names = {"a", "b"};
  c.config = std::string(name) + "(" + shape_str(a) + ", " + shape_str(b) + ")";
  c.fn = [fn](const std::vector<Variable>& v) { return fn(v[0], v[1]); };
  return c;
}

GradcheckCase unary_case(Generator& gen, std::function<Variable(const Variable&)> fn, const std::string& name,
                         double low, double high) {
  const Shape s = random_shape(gen);
  GradcheckCase c;
  c.inputs = {random_var(s, gen, low, high)};
  c.input_names = {"x"};
  c.config = name + "(" + shape_str(s) + ")";
  c.fn = [fn](const std::vector<Variable>& v) { return fn(v[0]); };
  return c;
}

// Random distinct dims (possibly negative) of a rank-r tensor; may be empty (= all).
std::vector<int64_t> random_dims(int64_t rank, Generator& gen) {
  std::vector<int64_t> dims;
  for (int64_t d = 0; d < rank; ++d)
    if (gen.uniform() < 0.4) dims.push_back(gen.uniform() < 0.5 ? d : d - rank);
  return dims;
}

std::string dims_str(const std::vector<int64_t>& dims) {
  std::string s = "{";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "}";
}

GradcheckCase reduce_case(Generator& gen, bool is_mean) {
  const Shape s = random_shape(gen);
  const auto dims = random_dims(static_cast<int64_t>(s.size()), gen);
  const bool keepdim = gen.uniform() < 0.5;
  GradcheckCase c;
  c.inputs = {random_var(s, gen)};
  c.input_names = {"x"};
  c.config = std::string(is_mean ? "mean" : "sum") + "(" + shape_str(s) + ", dims " + dims_str(dims) +
             (keepdim ? ", keepdim" : "") + ")";
  c.fn = [=](const std::vector<Variable>& v) { return is_mean ? mean(v[0], dims, keepdim) : sum(v[0], dims, keepdim); };
  return c;
}

GradcheckCase cat_case(Generator& gen) {
  const Shape base = random_shape(gen);
  const int64_t rank = static_cast<int64_t>(base.size());
  const int64_t dim = pick(gen, -rank, rank - 1), d = dim < 0 ? dim + rank : dim;
  const int64_t parts = pick(gen, 2, 3);
  GradcheckCase c;
  c.config = "cat(";
  for (int64_t i = 0; i < parts; ++i) {
    Shape s = base;
    s[d] = pick(gen, 1, 3);
    c.inputs.push_back(random_var(s, gen));
    c.input_names.push_back("x" + std::to_string(i));
    c.config += shape_str(s) + ", ";
  }
  c.config += "dim " + std::to_string(dim) + ")";
  c.fn = [dim](const std::vector<Variable>& v) { return cat(v, dim); };
  return c;
}

// Every mode, paddings up to what the mode allows (reflect < size, circular <= size), on
// images as small as 1 wide (constant and replicate), where one input feeds many outputs.
GradcheckCase pad2d_case(Generator& gen) {
  const PadMode modes[] = {PadMode::Constant, PadMode::Reflect, PadMode::Replicate, PadMode::Circular};
  const char* names[] = {"constant", "reflect", "replicate", "circular"};
  const int64_t m = pick(gen, 0, 3);
  const PadMode mode = modes[m];
  const int64_t smallest = mode == PadMode::Reflect ? 2 : 1;
  const Shape s{pick(gen, 1, 2), pick(gen, 1, 2), pick(gen, smallest, 5), pick(gen, smallest, 5)};
  const auto most = [&](int64_t size) {  // the largest padding the mode allows for this size
    return mode == PadMode::Reflect ? size - 1 : mode == PadMode::Circular ? size : 3;
  };
  Pad2d pad;
  pad.left = pick(gen, 0, std::min<int64_t>(3, most(s[3])));
  pad.right = pick(gen, 0, std::min<int64_t>(3, most(s[3])));
  pad.top = pick(gen, 0, std::min<int64_t>(3, most(s[2])));
  pad.bottom = pick(gen, 0, std::min<int64_t>(3, most(s[2])));
  GradcheckCase c;
  c.inputs = {random_var(s, gen)};
  c.input_names = {"x"};
  c.config = "pad2d(" + shape_str(s) + ", (" + std::to_string(pad.left) + ", " + std::to_string(pad.right) + ", " +
             std::to_string(pad.top) + ", " + std::to_string(pad.bottom) + "), " + names[m] + ")";
  c.fn = [pad, mode](const std::vector<Variable>& v) { return pad2d(v[0], pad, mode); };
  return c;
}

// Strides 1 to 3, padded and cropped: phases that read past x's edge, and x's rows and
// columns that no phase reads (their gradient is 0).
GradcheckCase phase_split_case(Generator& gen) {
  const Shape s{pick(gen, 1, 2), pick(gen, 1, 2), pick(gen, 1, 6), pick(gen, 1, 6)};
  const Pair stride{pick(gen, 1, 3), pick(gen, 1, 3)};
  const int64_t top = pick(gen, 0, 2), left = pick(gen, 0, 2), H_ph = pick(gen, 1, 4), W_ph = pick(gen, 1, 4);
  GradcheckCase c;
  c.inputs = {random_var(s, gen)};
  c.input_names = {"x"};
  c.config = "phase_split(" + shape_str(s) + ", s " + pair_str(stride) + ", top " + std::to_string(top) + ", left " +
             std::to_string(left) + ", " + std::to_string(H_ph) + "x" + std::to_string(W_ph) + ")";
  c.fn = [=](const std::vector<Variable>& v) { return phase_split(v[0], stride, top, left, H_ph, W_ph); };
  return c;
}

GradcheckCase select_slice_case(Generator& gen) {
  const Shape s = random_shape(gen);
  const int64_t rank = static_cast<int64_t>(s.size());
  const int64_t dim = pick(gen, -rank, rank - 1), size = s[dim < 0 ? dim + rank : dim];
  GradcheckCase c;
  c.inputs = {random_var(s, gen)};
  c.input_names = {"x"};
  if (gen.uniform() < 0.5) {
    const int64_t index = pick(gen, -size, size - 1);
    c.config = "select(" + shape_str(s) + ", dim " + std::to_string(dim) + ", index " + std::to_string(index) + ")";
    c.fn = [=](const std::vector<Variable>& v) { return select(v[0], dim, index); };
  } else {
    const int64_t start = pick(gen, 0, size - 1), end = pick(gen, start + 1, size + 1), step = pick(gen, 1, 2);
    c.config = "slice(" + shape_str(s) + ", dim " + std::to_string(dim) + ", " + std::to_string(start) + ":" +
               std::to_string(end) + ":" + std::to_string(step) + ")";
    c.fn = [=](const std::vector<Variable>& v) { return slice(v[0], dim, start, end, step); };
  }
  return c;
}

GradcheckCase reshape_case(Generator& gen) {
  const Shape s = random_shape(gen);
  const int64_t rank = static_cast<int64_t>(s.size());
  const int64_t start = pick(gen, 0, rank - 1), end = pick(gen, start, rank - 1);
  GradcheckCase c;
  c.inputs = {random_var(s, gen)};
  c.input_names = {"x"};
  c.config = "flatten(" + shape_str(s) + ", " + std::to_string(start) + ", " + std::to_string(end) + ") then reshape(-1)";
  // Multiply by a position-dependent constant so a wrong element order would show up.
  c.fn = [=](const std::vector<Variable>& v) {
    Variable flat = reshape(flatten(v[0], start, end), {-1});
    Variable ramp(Tensor::arange(flat.numel(), DType::Float64).to(flat.dtype()));
    return flat * ramp;
  };
  return c;
}

GradcheckCase loss_case(Generator& gen, const std::string& kind) {
  GradcheckCase c;
  const Reduction reduction = gen.uniform() < 0.5 ? Reduction::Mean : Reduction::Sum;
  const std::string red = reduction == Reduction::Mean ? "mean" : "sum";
  if (kind == "cross_entropy") {
    const int64_t N = pick(gen, 1, 5), C = pick(gen, 2, 5);
    std::vector<int64_t> targets(static_cast<size_t>(N));
    for (auto& t : targets) t = pick(gen, 0, C - 1);
    c.inputs = {random_var({N, C}, gen, -3, 3)};
    c.input_names = {"logits"};
    c.config = "cross_entropy(" + shape_str({N, C}) + ", " + red + ")";
    c.fn = [=](const std::vector<Variable>& v) { return cross_entropy(v[0], targets, reduction); };
    return c;
  }
  const Shape s = random_shape(gen);
  if (kind == "binary_cross_entropy") {
    c.inputs = {random_var(s, gen, 0.05, 0.95), random_var(s, gen, 0.0, 1.0)};
    c.fn = [=](const std::vector<Variable>& v) { return binary_cross_entropy(v[0], v[1], reduction); };
  } else {
    c.inputs = {random_var(s, gen), random_var(s, gen)};
    c.fn = [=](const std::vector<Variable>& v) { return mse_loss(v[0], v[1], reduction); };
  }
  c.input_names = {"input", "target"};
  c.config = kind + "(" + shape_str(s) + ", " + red + ")";
  return c;
}

// Keeps inputs away from ReLU's kink at 0 is not needed: gradcheck reports kinks.
const std::map<std::string, std::function<GradcheckCase(Generator&)>>& makers() {
  static const std::map<std::string, std::function<GradcheckCase(Generator&)>> table = {
      {"conv2d", [](Generator& g) { return conv2d_case(g, Layout::nchw); }},
      {"conv_transpose2d", [](Generator& g) { return conv_transpose2d_case(g, Layout::nchw); }},
      {"max_pool2d", [](Generator& g) { return max_pool2d_case(g, Layout::nchw); }},
      {"conv2d_batch_last", [](Generator& g) { return conv2d_case(g, Layout::batch_last); }},
      {"conv_transpose2d_batch_last", [](Generator& g) { return conv_transpose2d_case(g, Layout::batch_last); }},
      {"max_pool2d_batch_last", [](Generator& g) { return max_pool2d_case(g, Layout::batch_last); }},
      {"conv2d_batch_last_relu", [](Generator& g) { return conv2d_case(g, Layout::batch_last_relu); }},
      {"conv_transpose2d_batch_last_relu", [](Generator& g) { return conv_transpose2d_case(g, Layout::batch_last_relu); }},
      {"linear", linear_case},
      {"matmul", matmul_case},
      {"add", [](Generator& g) { return binary_case(g, static_cast<BinaryFn>(add), "add", false); }},
      {"sub", [](Generator& g) { return binary_case(g, static_cast<BinaryFn>(sub), "sub", false); }},
      {"mul", [](Generator& g) { return binary_case(g, static_cast<BinaryFn>(mul), "mul", false); }},
      {"div", [](Generator& g) { return binary_case(g, static_cast<BinaryFn>(div), "div", true); }},
      {"neg", [](Generator& g) { return unary_case(g, [](const Variable& x) { return neg(x); }, "neg", -1, 1); }},
      {"pow", [](Generator& g) {
         const double p = std::round(g.uniform(-2.0, 3.0) * 2) / 2;  // halves in [-2, 3]
         return unary_case(g, [p](const Variable& x) { return pow(x, p); }, "pow(p=" + std::to_string(p) + ")", 0.5, 2);
       }},
      {"square", [](Generator& g) { return unary_case(g, [](const Variable& x) { return square(x); }, "square", -2, 2); }},
      {"exp", [](Generator& g) { return unary_case(g, [](const Variable& x) { return exp(x); }, "exp", -2, 2); }},
      {"log", [](Generator& g) { return unary_case(g, [](const Variable& x) { return log(x); }, "log", 0.2, 3); }},
      {"sqrt", [](Generator& g) { return unary_case(g, [](const Variable& x) { return sqrt(x); }, "sqrt", 0.2, 3); }},
      {"relu", [](Generator& g) { return unary_case(g, [](const Variable& x) { return relu(x); }, "relu", -1, 1); }},
      {"sigmoid", [](Generator& g) { return unary_case(g, [](const Variable& x) { return sigmoid(x); }, "sigmoid", -4, 4); }},
      {"tanh", [](Generator& g) { return unary_case(g, [](const Variable& x) { return tanh(x); }, "tanh", -3, 3); }},
      {"sum", [](Generator& g) { return reduce_case(g, false); }},
      {"mean", [](Generator& g) { return reduce_case(g, true); }},
      {"reshape", reshape_case},
      {"cat", cat_case},
      {"pad2d", pad2d_case},
      {"phase_split", phase_split_case},
      {"select", select_slice_case},
      {"mse_loss", [](Generator& g) { return loss_case(g, "mse_loss"); }},
      {"binary_cross_entropy", [](Generator& g) { return loss_case(g, "binary_cross_entropy"); }},
      {"cross_entropy", [](Generator& g) { return loss_case(g, "cross_entropy"); }},
  };
  return table;
}

}  // namespace

std::vector<std::string> gradcheck_suite_ops() {
  // CNN layers first, then the rest in name order.
  std::vector<std::string> names = {"conv2d",         "conv_transpose2d",      "max_pool2d",
                                    "conv2d_batch_last", "conv_transpose2d_batch_last", "max_pool2d_batch_last",
                                    "conv2d_batch_last_relu", "conv_transpose2d_batch_last_relu",
                                    "linear",         "matmul"};
  for (const auto& [name, maker] : makers())
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  return names;
}

GradcheckCase make_gradcheck_case(const std::string& op, Generator& gen) {
  const auto& table = makers();
  auto it = table.find(op);
  if (it == table.end()) {
    std::string valid;
    for (const auto& name : gradcheck_suite_ops()) valid += (valid.empty() ? "" : ", ") + name;
    throw Error("gradcheck: expected --op all or one of " + valid + ", but got '" + op + "'");
  }
  return it->second(gen);
}

std::vector<GradcheckSuiteRow> run_gradcheck_suite(const std::string& op, uint64_t seed, int configs,
                                                   std::ostream* log) {
  std::vector<std::string> ops = op == "all" ? gradcheck_suite_ops() : std::vector<std::string>{op};
  if (op != "all") {
    Generator probe(seed);
    make_gradcheck_case(op, probe);  // validates the name before any work
  }
  std::vector<GradcheckSuiteRow> rows;
  for (size_t k = 0; k < ops.size(); ++k) {
    // Each op gets its own stream, so `--op X` reproduces X's row of `--op all`.
    uint64_t name_hash = kFingerprintSeed;  // a portable hash of the op's name
    for (char ch : ops[k]) name_hash = fingerprint_mix(name_hash, static_cast<unsigned char>(ch));
    Generator gen(seed ^ name_hash);
    GradcheckSuiteRow row;
    row.op = ops[k];
    for (int i = 0; i < configs; ++i) {
      GradcheckCase c = make_gradcheck_case(ops[k], gen);
      GradcheckOptions options;
      options.input_names = c.input_names;
      options.seed = gen.next_u64();
      GradcheckResult r;
      try {
        r = gradcheck(c.fn, c.inputs, options);
      } catch (const Error& e) {
        r.passed = false;
        if (row.first_failure.empty()) row.first_failure = c.config + ": error: " + e.what();
      }
      ++row.configs;
      row.passed += r.passed ? 1 : 0;
      row.checked += r.checked;
      row.kinks += r.kinks;
      row.max_abs_error = std::max(row.max_abs_error, r.max_abs_error);
      if (!r.passed && row.first_failure.empty()) row.first_failure = c.config + ": " + r.report();
    }
    if (log) {
      *log << "\r[" << k + 1 << "/" << ops.size() << "] " << row.op << ": " << row.passed << "/" << row.configs
           << " configurations passed" << std::string(20, ' ') << std::flush;
    }
    rows.push_back(row);
  }
  if (log) *log << "\n";
  return rows;
}

std::string format_gradcheck_table(const std::vector<GradcheckSuiteRow>& rows) {
  std::ostringstream out;
  char line[256];
  std::snprintf(line, sizeof line, "%-33s %8s %8s %10s %7s %12s  %s\n", "op", "configs", "passed", "elements",
                "kinks", "max|err|", "result");
  out << line << std::string(86, '-') << "\n";
  int ok = 0, bad = 0;
  for (const auto& r : rows) {
    const bool pass = r.passed == r.configs;
    (pass ? ok : bad) += 1;
    std::snprintf(line, sizeof line, "%-33s %8d %8d %10lld %7lld %12.3g  %s\n", r.op.c_str(), r.configs, r.passed,
                  static_cast<long long>(r.checked), static_cast<long long>(r.kinks), r.max_abs_error,
                  pass ? "ok" : "FAILED");
    out << line;
  }
  for (const auto& r : rows)
    if (!r.first_failure.empty()) out << "\nfirst failure of " << r.op << ": " << r.first_failure << "\n";
  out << "\ngradcheck: " << ok << " passed, " << bad << " failed\n";
  return out.str();
}

}  // namespace convgrad
