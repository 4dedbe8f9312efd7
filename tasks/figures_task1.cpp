// Task 1 figures that show the test set: the per-feature MSE heatmap, the latent scatter and
// predicted vs true MAP7; and task1_figures, which picks the figures of a variant.
#include "tasks/figures_task1.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "tensor/error.h"

namespace convgrad {

namespace {

using namespace figure_style;

constexpr const char* kMap7Unit = "log_2 expression";

// Data-file strings are double-quoted; hover text must also survive XML. Keep them plain.
std::string data_string(const std::string& text) {
  std::string out;
  for (char c : text) out += (c == '"' || c == '\'' || c == '<' || c == '>' || c == '&' || c == '\\') ? '_' : c;
  return out;
}

std::pair<double, double> finite_range(const std::vector<double>& values) {
  double lo = INFINITY, hi = -INFINITY;
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (!(lo <= hi)) return {0.0, 1.0};
  if (lo == hi) return {lo - 0.5, hi + 0.5};
  return {lo, hi};
}

}  // namespace

FigureSpec per_feature_mse_figure(const std::string& name, const std::string& model, const std::vector<double>& mse,
                                  const std::vector<std::string>& feature_names) {
  CONVGRAD_CHECK(mse.size() == 100, "figure '", name, "': expected 100 per-feature MSEs, but got ", mse.size());
  const auto [lo, hi] = finite_range(mse);
  std::ostringstream table;
  table << "# row i, column j, test MSE of pixel (i, j) = Feature 10i+j+1, label colour, gene, hover text\n";
  for (size_t p = 0; p < 100; ++p) {
    const size_t row = p / 10, col = p % 10;
    const std::string gene = data_string(gene_name(feature_names, p));
    const std::string feature = p < feature_names.size() ? data_string(feature_names[p]) : gene;
    // Light cells (the top of viridis) get black text, dark cells white.
    const bool light = std::isfinite(mse[p]) && (mse[p] - lo) / (hi - lo) > 0.62;
    table << row << ' ' << col << ' ' << gp_number(mse[p]) << ' ' << (light ? "0x000000" : "0xFFFFFF") << " \""
          << gene << "\" \"" << feature << "\\nMSE = " << gp_number(std::round(mse[p] * 1e4) / 1e4)
          << "\\npixel [" << row << ", " << col << "]\"\n";
  }
  FigureSpec spec;
  spec.name = name;
  spec.caption = model + ": test-set reconstruction MSE of each of the 100 features, laid out as the 10×10 input "
                         "image (pixel [i, j] is Feature 10i + j + 1).";
  spec.width = 820;
  spec.height = 720;
  spec.data.push_back({name + ".dat", table.str()});
  std::string s;
  s += "set title " + gp_quote(model + ": per-feature reconstruction MSE on the test set") + "\n";
  s += "set xlabel 'column j    (pixel [i, j] holds Feature 10i + j + 1)'\nset ylabel 'row i'\n";
  s += "set xrange [-0.5:9.5]\nset yrange [9.5:-0.5]\nset xtics 0,1,9 scale 0\nset ytics 0,1,9 scale 0\n";
  s += "set size ratio -1\nset tics out\n" + std::string(kViridisPalette);
  s += "set cbrange [" + gp_number(lo) + ":" + gp_number(hi) + "]\n";
  s += "set cblabel 'per-feature test MSE  ((log_2 expression)^2)' offset -0.5,0\n";
  s += "# Columns: 1 row, 2 column, 3 MSE, 4 label colour, 5 gene, 6 hover text (a tooltip in the SVG).\n";
  s += "plot '" + name + ".dat' using 2:1:3 with image pixels notitle, \\\n";
  s += "     '' using 2:1:(sprintf(\"%s\\n%.3f\", strcol(5), $3)):4 with labels font ',9.5' tc rgb variable "
       "noenhanced notitle, \\\n";
  s += "     '' using 2:1:6 with labels hypertext point pt 5 ps 5 lc rgb '#FF000000' noenhanced notitle\n";
  spec.script = s;
  return spec;
}

FigureSpec latent_scatter_figure(const std::string& name, const std::string& model, const JsonField& scatter) {
  const std::vector<double> y = require_numbers(scatter["elem_1_0_1"]);
  const std::vector<double> x = require_numbers(scatter["elem_0_0_0"], static_cast<long long>(y.size()));
  const std::vector<double> map7 = require_numbers(scatter["map7"], static_cast<long long>(y.size()));
  std::ostringstream table;
  table << "# latent element [0,0,0]  latent element [1,0,1]  MAP7 (log2 expression)  (" << scatter.where << ")\n";
  for (size_t i = 0; i < y.size(); ++i)
    table << gp_number(x[i]) << ' ' << gp_number(y[i]) << ' ' << gp_number(map7[i]) << '\n';
  FigureSpec spec;
  spec.name = name;
  spec.caption = str_cat(model, " latent representation of the ", y.size(),
                         " test cells: element [1,0,1] against element [0,0,0], coloured by MAP7.");
  spec.width = 820;
  spec.height = 620;
  spec.data.push_back({name + ".dat", table.str()});
  std::string s;
  s += "set title " + gp_quote(str_cat(model, " latent space, test set (", y.size(), " cells)")) + "\n";
  s += "set xlabel 'latent element [0,0,0]  (channel 0, row 0, column 0)'\n";
  s += "set ylabel 'latent element [1,0,1]  (channel 1, row 0, column 1)'\n";
  s += "set grid lc rgb '#DDDDDD'\nset offsets graph 0.03, graph 0.03, graph 0.03, graph 0.03\n";
  s += kViridisPalette + std::string("set cblabel 'MAP7 (") + kMap7Unit + ")'\n";
  s += "plot '" + name + ".dat' using 1:2:3 with points pt 7 ps 0.75 lc palette notitle\n";
  spec.script = s;
  return spec;
}

FigureSpec predicted_vs_true_figure(const std::string& name, const std::string& model, const JsonField& predictions,
                                    double r2) {
  const std::vector<double> truth = require_numbers(predictions["true"]);
  const std::vector<double> predicted =
      require_numbers(predictions["predicted"], static_cast<long long>(truth.size()));
  std::vector<double> both = truth;
  both.insert(both.end(), predicted.begin(), predicted.end());
  auto [lo, hi] = finite_range(both);
  const double pad = 0.04 * (hi - lo);
  lo -= pad;
  hi += pad;
  std::ostringstream table;
  table << "# true MAP7  predicted MAP7  (log2 expression; " << predictions.where << ")\n";
  for (size_t i = 0; i < truth.size(); ++i) table << gp_number(truth[i]) << ' ' << gp_number(predicted[i]) << '\n';
  const std::string r2_text = std::isfinite(r2) ? str_cat(std::round(r2 * 1000) / 1000) : "n/a";
  FigureSpec spec;
  spec.name = name;
  spec.caption = str_cat(model, ": predicted against true MAP7 for the ", truth.size(),
                         " test cells; the dashed line is y = x (perfect prediction). Test R² = ", r2_text, ".");
  spec.width = 700;
  spec.height = 680;
  spec.data.push_back({name + ".dat", table.str()});
  char r2_buffer[32];
  std::snprintf(r2_buffer, sizeof(r2_buffer), "%.3f", r2);
  std::string s;
  s += "set title " + gp_quote(str_cat(model, ": test set (", truth.size(), " cells), R^{2} = ",
                                       std::isfinite(r2) ? r2_buffer : "n/a")) + "\n";
  s += str_cat("set xlabel 'true MAP7 (", kMap7Unit, ")'\nset ylabel 'predicted MAP7 (", kMap7Unit, ")'\n");
  s += "set xrange [" + gp_number(lo) + ":" + gp_number(hi) + "]\nset yrange [" + gp_number(lo) + ":" +
       gp_number(hi) + "]\n";
  s += "set size square\nset grid lc rgb '#DDDDDD'\nset key top left Left reverse opaque box lc rgb '#BBBBBB'\n";
  s += "plot '" + name + ".dat' using 1:2 with points pt 7 ps 0.7 lc rgb '#550072B2' title 'test cell', \\\n";
  s += "     x with lines lw 2 dt 2 lc rgb 'black' title 'y = x (perfect prediction)'\n";
  spec.script = s;
  return spec;
}

std::vector<FigureSpec> task1_figures(const nlohmann::json& results, const std::string& variant) {
  CONVGRAD_CHECK(variant == "bsc" || variant == "msc", "figures: expected the Task 1 variant bsc or msc, but got '",
                 variant, "'");
  const JsonField root = json_root(results);
  const JsonField section = root["task1_" + variant];
  if (!section.present()) return {};
  const bool bsc = variant == "bsc";
  const std::string prefix = "task1_" + variant + "_";
  const std::string model = bsc ? "CNN autoencoder" : "U-Net";
  std::vector<std::string> names;
  if (root["feature_names"].present()) names = require_strings(root["feature_names"]);

  std::vector<FigureSpec> figures;
  const JsonField net = section[bsc ? "autoencoder" : "unet"];
  if (net.present()) {
    figures.push_back(loss_curve_figure(prefix + (bsc ? "autoencoder_loss" : "unet_loss"), model + " training",
                                        "MSE_{reconstruct}", "(log_2 expression)^2", net));
    if (net["per_feature_test_mse"].present())
      figures.push_back(per_feature_mse_figure(prefix + "per_feature_mse", model,
                                               require_numbers(net["per_feature_test_mse"], 100), names));
  }
  if (section["latent_scatter"].present())
    figures.push_back(latent_scatter_figure(prefix + "latent_scatter", bsc ? "Encoder" : "U-Net contracting path",
                                            section["latent_scatter"]));
  if (bsc) {
    const JsonField reg = section["regressor"];
    if (reg.present()) {
      figures.push_back(loss_curve_figure(prefix + "regressor_loss", "Regressor on the frozen encoder",
                                          "MSE_{regress}", "(log_2 expression)^2", reg));
      if (reg["test_predictions"].present())
        figures.push_back(predicted_vs_true_figure(prefix + "predicted_vs_true", "Regressor on the frozen encoder",
                                                   reg["test_predictions"], number_or_nan(reg["test_r2"])));
    }
    return figures;
  }
  const JsonField multi = section["multitask"];
  if (multi.present()) {
    if (multi["alpha_search"].present()) {
      figures.push_back(alpha_search_figure(prefix + "alpha_search", multi));
      bool curves = multi["alpha_search"].value->is_array();
      for (const nlohmann::json& entry : *multi["alpha_search"].value)
        curves = curves && entry.is_object() && entry.contains("train_curve") && entry.contains("val_curve");
      if (curves && multi["best_alpha"].present())
        figures.push_back(multitask_loss_figure(prefix + "multitask_loss", multi));
    }
    if (multi["test_predictions"].present())
      figures.push_back(predicted_vs_true_figure(prefix + "predicted_vs_true", "Multi-task U-Net",
                                                 multi["test_predictions"], number_or_nan(multi["test_r2"])));
  }
  return figures;
}

}  // namespace convgrad
