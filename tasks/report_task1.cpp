// Task 1 report pieces shared by the BSc and MSc sections.
#include <algorithm>
#include <cmath>

#include "tasks/report_sections.h"
#include "tasks/report_stats.h"
#include "tensor/error.h"

namespace convgrad {
namespace task1_report {

namespace {

std::string gene_list(const ReportContext& context, const std::vector<size_t>& features, const std::vector<double>& mse) {
  std::string out;
  for (size_t k = 0; k < features.size(); ++k) {
    const size_t p = features[k];
    out += (k ? ", " : "") + html_escape(gene_name(context.feature_names, p)) + " (Feature " + std::to_string(p + 1) +
           ", " + fmt(mse[p], 3) + ")";
  }
  return out;
}

size_t index_of_max(const std::vector<double>& v) {
  return static_cast<size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}
size_t index_of_min(const std::vector<double>& v) {
  return static_cast<size_t>(std::min_element(v.begin(), v.end()) - v.begin());
}

}  // namespace

std::string training_facts(const JsonField& phase, const std::string& loss_html, bool has_validation) {
  const double best = number_or_nan(phase["best_epoch"]);
  const double run = number_or_nan(phase["epochs_run"]);
  const double patience = number_or_nan(phase["max_patience"]);
  std::vector<std::pair<std::string, std::string>> rows = {
      {"epochs run", fmt_int(run)},
      {"best epoch (weights restored)", fmt_int(best)},
  };
  if (std::isfinite(patience)) {
    bool stopped = std::isfinite(run) && std::isfinite(best) && run == best + patience;
    if (phase["stopped_early"].present() && phase["stopped_early"].value->is_boolean())
      stopped = phase["stopped_early"].value->get<bool>();
    rows.push_back({"early stopping", stopped ? "triggered after " + fmt_int(patience) +
                                                    " epochs without a strict improvement (max_patience = " +
                                                    fmt_int(patience) + ")"
                                              : "not triggered: the epoch limit" +
                                                    std::string(phase["capped"].present() &&
                                                                        phase["capped"].value->is_boolean() &&
                                                                        phase["capped"].value->get<bool>()
                                                                    ? " (--max-epochs)"
                                                                    : "") +
                                                    " ended training first (max_patience = " + fmt_int(patience) + ")"});
  }
  if (std::isfinite(best) && best >= 1) {
    const size_t e = static_cast<size_t>(best) - 1;
    if (phase["train_curve"].present()) {
      const std::vector<double> train = require_numbers(phase["train_curve"]);
      if (e < train.size()) rows.push_back({"training " + loss_html + " at the best epoch", fmt(train[e], 4)});
    }
    if (has_validation && phase["val_curve"].present()) {
      const std::vector<double> val = require_numbers(phase["val_curve"]);
      if (e < val.size()) rows.push_back({"validation " + loss_html + " at the best epoch", fmt(val[e], 4)});
    }
  }
  return html_facts(rows);
}

std::string curve_discussion(const JsonField& phase, const std::string& figure_ref) {
  if (!phase["train_curve"].present() || !phase["val_curve"].present()) return "";
  const std::vector<double> train = require_numbers(phase["train_curve"]);
  const std::vector<double> val = require_numbers(phase["val_curve"]);
  const double best = number_or_nan(phase["best_epoch"]);
  const double run = number_or_nan(phase["epochs_run"]);
  if (train.empty() || val.empty() || !(best >= 1) || static_cast<size_t>(best) > std::min(train.size(), val.size()))
    return "";
  const size_t e = static_cast<size_t>(best) - 1;
  const double fall = val.front() / val[e];
  const double gap = (val[e] - train[e]) / train[e];
  std::string out = "<p>In " + figure_ref + " the validation loss falls from " + fmt(val.front(), 3) + " after the first "
                    "epoch to " + fmt(val[e], 3) + " at epoch " + fmt_int(best) + " (a factor " + fmt(fall, 3) + "). ";
  if (std::fabs(gap) < 0.1) {
    out += "It stays within " + fmt(std::fabs(gap) * 100, 2) + "% of the training loss, so the model generalises "
           "well and overfits little; ";
  } else if (gap > 0) {
    out += "It ends " + fmt(gap * 100, 2) + "% above the training loss: a generalisation gap, the model fits the "
           "training cells better than new ones; ";
  } else {
    out += "It ends " + fmt(-gap * 100, 2) + "% below the training loss (the validation cells happen to be easier); ";
  }
  bool stopped = std::isfinite(run) && run > best;
  if (phase["stopped_early"].present() && phase["stopped_early"].value->is_boolean())
    stopped = phase["stopped_early"].value->get<bool>();
  if (stopped) {
    out += "after epoch " + fmt_int(best) + " it stops improving, and early stopping ends training at epoch " +
           fmt_int(run) + " and restores the best weights.</p>\n";
  } else if (std::isfinite(run) && run > best) {
    out += "the best validation loss came at epoch " + fmt_int(best) + "; the epoch limit ended training at epoch " +
           fmt_int(run) + " before early stopping triggered, and the best weights were restored.</p>\n";
  } else {
    out += "it was still improving when the epoch limit ended training.</p>\n";
  }
  return out;
}

std::string per_feature_discussion(const ReportContext& context, const std::vector<double>& mse, bool unet) {
  const HeatmapSummary s = summarise_heatmap(mse);
  const size_t worst_row = index_of_max(s.row_mean), best_row = index_of_min(s.row_mean);
  const size_t worst_col = index_of_max(s.col_mean), best_col = index_of_min(s.col_mean);
  const double row_spread = s.row_mean[worst_row] / s.row_mean[best_row];
  const double col_spread = s.col_mean[worst_col] / s.col_mean[best_col];
  const double tap_ratio = s.multi_tap_mean / s.single_tap_mean;
  std::string out = "<p>The per-feature errors add up to the test MSE<sub>reconstruct</sub> (" + fmt(s.total, 4) +
                    "), so the average gene contributes " + fmt(s.total / 100.0, 3) +
                    " (log<sub>2</sub> expression)². They are far from uniform: the hardest genes to reconstruct are " +
                    gene_list(context, s.highest, mse) + "; the easiest are " + gene_list(context, s.lowest, mse) +
                    ".</p>\n<ul>\n";
  out += "<li><b>Rows versus columns.</b> Row means range from " + fmt(s.row_mean[best_row], 3) + " (row " +
         std::to_string(best_row) + ") to " + fmt(s.row_mean[worst_row], 3) + " (row " + std::to_string(worst_row) +
         "), a factor " + fmt(row_spread, 2) + "; column means from " + fmt(s.col_mean[best_col], 3) + " to " +
         fmt(s.col_mean[worst_col], 3) + ", a factor " + fmt(col_spread, 2) + ". ";
  out += row_spread > 1.15 * col_spread
             ? "The error changes more between rows than between columns: a row of the image is ten consecutive "
               "features, so the pattern follows groups of neighbouring genes rather than positions in the image."
             : "Rows and columns vary by similar amounts, so the pattern is not simply a band of consecutive features.";
  out += "</li>\n<li><b>Why some genes are harder.</b> A gene whose expression barely varies between cells is easy: "
         "predicting its typical level already gives a small error. A gene that varies a lot, or that often drops to "
         "zero (drop-outs of lowly expressed genes), is hard unless its value can be inferred from the genes around "
         "it. The network only sees genes through 3×3 neighbourhoods and a 2×2 pooling, so a gene is reconstructed "
         "well when it co-varies with its neighbours in the 10×10 layout (genes of one pathway are numbered "
         "consecutively) and badly when it is unrelated to them — the layout is arbitrary, not a real image.</li>\n";
  out += "<li><b>The decoder's grid.</b> The stride-2 transposed convolution builds output pixels with an even index "
         "(and the last one) from one latent position per axis, the others from two. The mean error of the pixels "
         "built from a single latent position in both directions is " + fmt(s.single_tap_mean, 3) +
         ", of the others " + fmt(s.multi_tap_mean, 3) + " (ratio " + fmt(tap_ratio, 3) + "). ";
  if (unet) {
    out += "In the U-Net the last convolutions also see the full-resolution skip connection, so this upsampling "
           "pattern " + std::string(std::fabs(tap_ratio - 1.0) < 0.15 ? "is, as expected, barely visible."
                                                                       : "remains visible even with the skip connection.");
  } else {
    out += std::fabs(tap_ratio - 1.0) < 0.15
               ? "The difference is small: the upsampling grid leaves little trace here."
               : "The difference shows as a checkerboard: the single transposed convolution of the decoder has to "
                 "rebuild every pixel from the coarse 5×5 code, and how it does so depends on the pixel's parity.";
  }
  out += "</li>\n</ul>\n";
  return out;
}

std::string per_feature_table(const ReportContext& context, const std::vector<double>& mse) {
  double lo = INFINITY, hi = -INFINITY;
  for (double v : mse)
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  std::string out = "<table class=\"grid\"><thead><tr><th>row \\ col</th>";
  for (int c = 0; c < 10; ++c) out += "<th>" + std::to_string(c) + "</th>";
  out += "</tr></thead><tbody>\n";
  for (size_t r = 0; r < 10; ++r) {
    out += "<tr><th>" + std::to_string(r) + "</th>";
    for (size_t c = 0; c < 10; ++c) {
      const size_t p = 10 * r + c;
      const double t = hi > lo ? (mse[p] - lo) / (hi - lo) : 0.5;
      const std::string name = gene_name(context.feature_names, p);
      out += "<td style=\"background:" + viridis_hex(t) + ";color:" + (viridis_is_light(t) ? "#000" : "#fff") +
             "\" title=\"Feature " + std::to_string(p + 1) + ": " + html_escape(name) + "\">" + "<b>" +
             html_escape(name) + "</b>F" + std::to_string(p + 1) + " · " + fmt(mse[p], 3) + "</td>";
    }
    out += "</tr>\n";
  }
  return out + "</tbody></table>\n";
}

std::string latent_shape_reasoning(const JsonField& latent_shape, bool unet) {
  const int c2 = unet ? 16 : 8;
  std::string shape = "n/a";
  long long count = -1;
  bool matches = false;
  if (latent_shape.present()) {
    const std::vector<double> dims = require_numbers(latent_shape);
    shape = "[";
    count = 1;
    for (size_t i = 0; i < dims.size(); ++i) {
      shape += (i ? ", " : "") + fmt_int(dims[i]);
      count *= std::llround(dims[i]);
    }
    shape += "]";
    matches = dims.size() == 3 && dims[0] == c2 && dims[1] == 5 && dims[2] == 5;
  }
  std::string out = "<p>The output size of a convolution or pooling layer with input size <i>H</i>, kernel <i>k</i>, "
                    "padding <i>p</i> and stride <i>s</i> is ⌊(<i>H</i> + 2<i>p</i> − <i>k</i>)/<i>s</i>⌋ + 1. "
                    "Starting from one cell reshaped to 1 × 10 × 10 (channels × rows × columns):</p>\n<ol>\n";
  out += "<li>Conv2d, 8 filters 3×3, padding 1, stride 1: (10 + 2 − 3)/1 + 1 = 10, so <b>8 × 10 × 10</b> (ReLU keeps "
         "the shape).</li>\n";
  out += "<li>MaxPool2d, window 2×2, stride 2: ⌊(10 − 2)/2⌋ + 1 = 5, so <b>8 × 5 × 5</b>.</li>\n";
  out += std::string("<li>Conv2d, ") + (unet ? "16" : "8") + " filters 3×3, padding 1: (5 + 2 − 3)/1 + 1 = 5, so <b>" +
         std::to_string(c2) + " × 5 × 5</b>.</li>\n</ol>\n";
  out += "<p>The lower-dimensional representation of each cell is therefore a tensor of shape " +
         std::string("<b>[") + std::to_string(c2) + ", 5, 5]</b> (a batch of <i>N</i> cells: [<i>N</i>, " +
         std::to_string(c2) + ", 5, 5]); the run recorded <code>latent_shape</code> = " + shape + (matches ? ", as computed" : "") +
         (count > 0 ? " — " + std::to_string(count) + " numbers per cell" : "") + ". ";
  out += "It is lower-dimensional in space: a 5 × 5 grid instead of 10 × 10, each position summarising a patch of "
         "neighbouring genes. With " + std::to_string(c2) + " channels it holds " + std::to_string(c2 * 25) +
         " numbers, " + (c2 * 25 > 100 ? "more than the 100 inputs" : "fewer than the 100 inputs");
  out += unet ? ". In the U-Net the skip connection also carries the full-resolution 8 × 10 × 10 activations around "
                "this bottleneck, so the reconstruction does not rest on it alone; in Task 1.2 it is the input of the "
                "regression head.</p>\n"
              : ", so the compression comes from the coarse grid and from the decoder having to rebuild 100 pixels "
                "from it, not from the count.</p>\n";
  return out;
}

std::string latent_scatter_discussion(const JsonField& scatter, const std::string& figure_ref, bool unet) {
  const std::vector<double> a = require_numbers(scatter["elem_1_0_1"]);
  const std::vector<double> b = require_numbers(scatter["elem_0_0_0"]);
  const std::vector<double> map7 = require_numbers(scatter["map7"]);
  const double r_a = pearson(a, map7), r_b = pearson(b, map7), r_ab = pearson(a, b);
  size_t zeros_a = 0, zeros_b = 0;
  for (double v : a) zeros_a += v == 0.0;
  for (double v : b) zeros_b += v == 0.0;
  auto strength = [](double r) {
    const double m = std::fabs(r);
    return m >= 0.6 ? "strongly" : m >= 0.3 ? "moderately" : m >= 0.1 ? "weakly" : "hardly";
  };
  // An element that is the same for every cell (a ReLU that never fires there) has no correlation.
  auto describe = [&](const char* element, const std::vector<double>& values, double r) {
    if (std::isfinite(r)) return std::string(element) + " is " + strength(r) + " correlated with MAP7 (Pearson <i>r</i> = " +
                                 fmt_fixed(r, 2) + ")";
    return std::string(element) + " is " + fmt(values.empty() ? NAN : values.front(), 3) +
           " for every test cell, so it carries no information about MAP7" +
           (values.empty() || values.front() == 0.0 ? " (its ReLU is inactive for all cells: a 'dead' unit)" : "");
  };
  std::string out = "<p>" + figure_ref + " places each of the " + std::to_string(a.size()) +
                    " test cells by two of its latent numbers. " + describe("Element [1, 0, 1]", a, r_a) + "; " +
                    describe("element [0, 0, 0]", b, r_b) + ".";
  out += std::isfinite(r_ab) ? " The two elements have <i>r</i> = " + fmt_fixed(r_ab, 2) + " with each other. " : " ";
  if (std::isfinite(r_a) && std::isfinite(r_b) && zeros_a + zeros_b > 0) {
    out += std::to_string(zeros_b) + " and " + std::to_string(zeros_a) +
           " cells sit exactly at 0 on the horizontal and vertical axis: the ReLU after the last convolution "
           "clips negative values, so the points pile up on the axes. ";
  }
  if (!std::isfinite(r_a) && !std::isfinite(r_b)) {
    return out + "The plot collapses to a single point. These two positions happen to be switched off for every "
                 "cell; the information the encoder keeps is carried by its other elements, which the regressor "
                 "below uses all of.</p>\n";
  }
  out += "Both elements are computed from the top-left corner of the image (input rows 0–4, columns 0–4 for "
         "[0, 0, 0] and 0–6 for [1, 0, 1]), which includes row 0, Features 1–10: the ten genes the coursework names "
         "as most correlated with MAP7. " + std::string(unet ? "The U-Net of Task 1.1" : "The encoder") +
         " was trained only to reconstruct the genes, never shown MAP7, "
         "so any colour gradient across the cloud means that information about MAP7 survives the compression. "
         "Two of the representation's numbers are only a slice of it, so the colours overlap: a regressor that "
         "uses all of them (below) does better than any single pair.</p>\n";
  return out;
}

std::string prediction_discussion(const JsonField& predictions, double r2, double test_mse,
                                  const std::string& figure_ref) {
  std::string out = "<p>The coefficient of determination <i>R</i>² = 1 − Σ(<i>y</i> − <i>ŷ</i>)² / Σ(<i>y</i> − "
                    "<i>ȳ</i>)² is the fraction of the test-set variance of MAP7 that the model explains: 1 is a "
                    "perfect prediction, 0 is no better than predicting the mean for every cell.";
  if (!predictions.present()) return out + "</p>\n";
  const std::vector<double> truth = require_numbers(predictions["true"]);
  const std::vector<double> predicted = require_numbers(predictions["predicted"]);
  const double variance = variance_of(truth);
  const double slope = slope_of(truth, predicted);
  out += " On the " + std::to_string(truth.size()) + " test cells MAP7 has variance " + fmt(variance, 3) +
         " (log<sub>2</sub> expression)² — the MSE of always predicting the mean — against a test MSE<sub>regress</sub> "
         "of " + fmt(test_mse, 3) + ", hence <i>R</i>² = " + fmt_fixed(r2, 3) + "; a typical error is ±" +
         fmt(std::sqrt(test_mse), 2) + " log<sub>2</sub> units, i.e. a factor " + fmt(std::pow(2.0, std::sqrt(test_mse)), 2) +
         " in concentration.</p>\n<p>";
  if (r2 >= 0.75) out += "This is a strong fit. ";
  else if (r2 >= 0.5) out += "The model captures most, but clearly not all, of the variation of MAP7. ";
  else if (r2 >= 0.2) out += "The model captures only part of the variation of MAP7. ";
  else out += "The model explains little of the variation of MAP7. ";
  out += "In " + figure_ref + " the points scatter around the dashed line <i>y</i> = <i>x</i>; the least-squares slope "
         "of predicted on true MAP7 is " + fmt_fixed(slope, 2) + ". ";
  if (slope < 0.9) {
    out += "A slope below 1 means the predictions are pulled towards the mean: high MAP7 is under-predicted and low "
           "MAP7 over-predicted, as expected when part of the variation is not explained (MSE training shrinks "
           "uncertain predictions towards the average).";
  } else {
    out += "A slope close to 1 means there is little systematic shrinkage towards the mean.";
  }
  out += " The remaining error reflects what the 100 genes cannot say about MAP7 in these cells (measurement noise, "
         "genes not in the panel) as well as what this small network does not learn.</p>\n";
  return out;
}

}  // namespace task1_report
}  // namespace convgrad
