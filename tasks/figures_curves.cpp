// Task 1 training curves: one phase's loss per epoch, the MSc alpha search, the multi-task
// retrain. Declared in figures_task1.h.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "tasks/figures_task1.h"
#include "tensor/error.h"

namespace convgrad {

namespace figure_style {
const std::string kBlue = "#0072B2";
const std::string kOrange = "#E69F00";
const std::string kVermillion = "#D55E00";
const std::string kGreen = "#009E73";
const std::string kPurple = "#CC79A7";
const std::string kSky = "#56B4E9";
const std::string kViridisPalette =
    "set palette defined (0 '#440154', 1 '#482878', 2 '#3E4A89', 3 '#31688E', 4 '#26828E', "
    "5 '#1F9E89', 6 '#35B779', 7 '#6DCD59', 8 '#B4DE2C', 9 '#FDE725')\n";

std::string log_y_if_wide(const std::vector<double>& values) {
  double lo = INFINITY, hi = 0.0;
  for (double v : values) {
    if (!(v > 0.0) || !std::isfinite(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  return hi > 8.0 * lo ? "set logscale y\nset mytics 10\n" : "";
}
}  // namespace figure_style

namespace {

using namespace figure_style;

// One column of a data file per curve; shorter curves are padded with NaN (gnuplot skips it).
std::string curves_table(const std::string& header, const std::vector<std::vector<double>>& curves) {
  size_t rows = 0;
  for (const auto& curve : curves) rows = std::max(rows, curve.size());
  std::ostringstream out;
  out << header;
  for (size_t e = 0; e < rows; ++e) {
    out << e + 1;
    for (const auto& curve : curves) out << ' ' << (e < curve.size() ? gp_number(curve[e]) : "NaN");
    out << '\n';
  }
  return out.str();
}

// A vertical line at `epoch` with a key entry `title` (the key entry is a NaN series).
std::string epoch_marker(const std::string& tag, long long epoch, const std::string& colour, int dash) {
  return str_cat(tag, "_epoch = ", epoch, "\nset arrow from ", tag, "_epoch, graph 0 to ", tag,
                 "_epoch, graph 1 nohead lw 1.8 dt ", dash, " lc rgb '", colour, "' front\n");
}

std::string common_axes(const std::string& title, const std::string& ylabel) {
  return "set title " + gp_quote(title) + "\nset xlabel 'epoch'\nset ylabel " + gp_quote(ylabel) +
         "\nset grid lc rgb '#DDDDDD'\nset key below horizontal maxcols 2 Left reverse height 1\n";
}

}  // namespace

FigureSpec loss_curve_figure(const std::string& name, const std::string& title, const std::string& loss,
                             const std::string& loss_unit, const JsonField& phase) {
  const std::vector<double> train = require_numbers(phase["train_curve"]);
  const std::vector<double> val = require_numbers(phase["val_curve"]);
  const long long best = require_integer(phase["best_epoch"]);
  const long long run = phase["epochs_run"].present() ? require_integer(phase["epochs_run"])
                                                      : static_cast<long long>(val.size());
  const double patience = number_or_nan(phase["max_patience"]);
  bool early_stopped = std::isfinite(patience) ? run == best + static_cast<long long>(patience) : run > best;
  if (phase["stopped_early"].present() && phase["stopped_early"].value->is_boolean())
    early_stopped = phase["stopped_early"].value->get<bool>();

  FigureSpec spec;
  spec.name = name;
  spec.caption = title + ": training and validation " + loss + " per epoch.";
  spec.data.push_back({name + ".dat", curves_table("# epoch  train  validation  (" + phase.where + ")\n",
                                                   {train, val})});
  std::string s = common_axes(title, loss + (loss_unit.empty() ? "" : "  (" + loss_unit + ")"));
  std::vector<double> all = train;
  all.insert(all.end(), val.begin(), val.end());
  s += log_y_if_wide(all);
  s += "set autoscale yfix\nset offsets 0, 0, graph 0.04, graph 0.04\n";
  s += str_cat("set xrange [0:", run + 1, "]\n");
  s += epoch_marker("best", best, kVermillion, 2);
  std::string stop_title;
  if (run > best || early_stopped) {
    s += epoch_marker("stop", run, "#555555", 3);
    stop_title = early_stopped
                     ? str_cat("early stop at epoch ", run,
                               std::isfinite(patience) ? str_cat(" (patience ", patience, ")") : "")
                     : str_cat("training ended at epoch ", run, " (epoch cap)");
  }
  s += "plot '" + name + ".dat' using 1:2 with lines lw 2.2 lc rgb '" + kBlue + "' title 'training set', \\\n";
  s += "     '' using 1:3 with lines lw 2.2 lc rgb '" + kOrange + "' title 'validation set', \\\n";
  s += "     '' using 1:($1 == best_epoch ? $3 : NaN) with points pt 7 ps 1.3 lc rgb '" + std::string(kVermillion) +
       "' notitle, \\\n";
  s += str_cat("     NaN with lines lw 1.8 dt 2 lc rgb '", kVermillion, "' title ",
               gp_quote(str_cat("best epoch ", best, " (weights restored)")));
  if (!stop_title.empty()) s += ", \\\n     NaN with lines lw 1.8 dt 3 lc rgb '#555555' title " + gp_quote(stop_title);
  spec.script = s + "\n";
  return spec;
}

FigureSpec alpha_search_figure(const std::string& name, const JsonField& multitask) {
  const JsonField search = multitask["alpha_search"];
  CONVGRAD_CHECK(search.present() && search.value->is_array(), search.where, ": expected an array, but got ",
                 search.present() ? search.value->type_name() : "nothing");
  const double best_alpha = number_or_nan(multitask["best_alpha"]);
  const size_t n = search.value->size();
  const std::string colours[] = {kBlue, kOrange, kGreen, kPurple, kSky, kVermillion};

  FigureSpec spec;
  spec.name = name;
  spec.caption = "Task 1.2 (MSc): the search for α; validation L_{multi} and MSE_{regress} per epoch for each α, "
                 "the chosen α drawn thicker.";
  spec.width = 820;
  spec.height = 800;
  std::vector<std::vector<double>> l_multi, regress;
  std::vector<double> alphas, best_epochs;
  bool has_curves = true;
  for (size_t k = 0; k < n; ++k) {
    const JsonField entry{&(*search.value)[k], str_cat(search.where, "[", k, "]")};
    alphas.push_back(require_number(entry["alpha"]));
    best_epochs.push_back(number_or_nan(entry["best_epoch"]));
    has_curves = has_curves && entry["val_curve"].present() && entry["val_mse_regress_curve"].present();
    if (has_curves) {
      l_multi.push_back(require_numbers(entry["val_curve"]));
      regress.push_back(require_numbers(entry["val_mse_regress_curve"]));
    }
  }
  auto alpha_title = [&](size_t k) {
    const bool chosen = alphas[k] == best_alpha;
    return gp_quote(str_cat("α = ", gp_number(alphas[k]), chosen ? " (chosen)" : "",
                            std::isfinite(best_epochs[k]) ? str_cat(", best epoch ", best_epochs[k]) : ""));
  };
  std::string s;
  if (!has_curves) {  // only the summary numbers: validation MSE_regress against alpha
    std::ostringstream table;
    table << "# alpha  val_mse_regress  best_epoch\n";
    for (size_t k = 0; k < n; ++k) {
      const JsonField entry{&(*search.value)[k], ""};
      table << gp_number(alphas[k]) << ' ' << gp_number(number_or_nan(entry["val_mse_regress"])) << ' '
            << gp_number(best_epochs[k]) << '\n';
    }
    spec.height = 520;
    spec.data.push_back({name + ".dat", table.str()});
    s += "set title 'Search for α: validation MSE_{regress} at each α''s best epoch'\n";
    s += "set xlabel 'α (log scale)'\nset ylabel 'validation MSE_{regress} ((log_2 expression)^2)'\n";
    s += "set logscale x\nset grid\nset offsets graph 0.1, graph 0.1, graph 0.1, graph 0.1\n";
    s += "plot '" + name + ".dat' using 1:2 with linespoints pt 7 ps 1.5 lw 2 lc rgb '" + kBlue + "' notitle\n";
    spec.script = s;
    return spec;
  }
  std::vector<std::vector<double>> columns = l_multi;
  columns.insert(columns.end(), regress.begin(), regress.end());
  spec.data.push_back({name + ".dat", curves_table(str_cat("# epoch, then validation L_multi for each of the ", n,
                                                           " alphas, then validation MSE_regress for each\n"),
                                                   columns)});
  s += "set multiplot layout 2,1 title 'Search for α in L_{multi} = MSE_{regress} + α MSE_{reconstruct}' "
       "font ',15'\n";
  s += "set xlabel 'epoch'\nset grid lc rgb '#DDDDDD'\nset key below horizontal maxcols 3 Left reverse width -4 height 1\n";
  std::vector<double> all;
  for (const auto& c : l_multi) all.insert(all.end(), c.begin(), c.end());
  s += log_y_if_wide(all);
  s += "set title 'validation L_{multi} (the loss that early stopping monitors)'\n";
  s += "set ylabel 'validation L_{multi}'\nplot ";
  for (size_t k = 0; k < n; ++k) {
    const bool chosen = alphas[k] == best_alpha;
    s += str_cat(k ? ", \\\n     " : "", "'", name, ".dat' using 1:", k + 2, " with lines lw ", chosen ? 3.0 : 1.5,
                 " lc rgb '", colours[k % 6], "' title ", alpha_title(k));
  }
  s += "\nunset logscale y\n";
  all.clear();
  for (const auto& c : regress) all.insert(all.end(), c.begin(), c.end());
  s += log_y_if_wide(all);
  s += "set title 'validation MSE_{regress} (the metric that chooses α); dots: each α''s best epoch'\n";
  s += "set ylabel 'validation MSE_{regress}'\nplot ";
  for (size_t k = 0; k < n; ++k) {
    const bool chosen = alphas[k] == best_alpha;
    const size_t column = n + k + 2;
    s += str_cat(k ? ", \\\n     " : "", "'", name, ".dat' using 1:", column, " with lines lw ", chosen ? 3.0 : 1.5,
                 " lc rgb '", colours[k % 6], "' title ", alpha_title(k), ", \\\n     '' using 1:($1 == ",
                 gp_number(best_epochs[k]), " ? $", column, " : NaN) with points pt 7 ps 1.4 lc rgb '",
                 colours[k % 6], "' notitle");
  }
  s += "\nunset multiplot\n";
  spec.script = s;
  return spec;
}

FigureSpec multitask_loss_figure(const std::string& name, const JsonField& multitask) {
  const JsonField search = multitask["alpha_search"];
  const double best_alpha = require_number(multitask["best_alpha"]);
  CONVGRAD_CHECK(search.present() && search.value->is_array(), search.where, ": expected an array");
  JsonField chosen;
  for (size_t k = 0; k < search.value->size(); ++k) {
    const JsonField entry{&(*search.value)[k], str_cat(search.where, "[", k, "]")};
    if (require_number(entry["alpha"]) == best_alpha) chosen = entry;
  }
  CONVGRAD_CHECK(chosen.present(), multitask.where, ": expected best_alpha ", best_alpha,
                 " to be one of the alphas in alpha_search, but it is not");
  const std::string alpha = gp_number(best_alpha);
  FigureSpec spec = loss_curve_figure(name, "Multi-task U-Net with the chosen α = " + alpha, "L_{multi}",
                                      "", chosen);
  spec.caption = "Task 1.2 (MSc): L_{multi} per epoch for the chosen α = " + alpha +
                 " (search run) and the final retraining from a fresh initialisation.";
  if (!multitask["retrain_curve"].present()) return spec;
  const std::vector<double> retrain = require_numbers(multitask["retrain_curve"]);
  std::vector<std::vector<double>> columns = {retrain};
  if (multitask["retrain_val_curve"].present()) columns.push_back(require_numbers(multitask["retrain_val_curve"]));
  spec.data.push_back({name + "_retrain.dat",
                       curves_table("# epoch  training L_multi of the final retrain  (validation L_multi)\n", columns)});
  spec.script.pop_back();  // the newline ending the plot command: append one more series
  spec.script += str_cat(", \\\n     '", name, "_retrain.dat' using 1:2 with lines lw 2 dt (8,4) lc rgb '", kGreen,
                         "' title ", gp_quote(str_cat("final retrain, training set (", retrain.size(), " epochs)")));
  if (columns.size() > 1)
    spec.script += str_cat(", \\\n     '' using 1:3 with lines lw 2 dt (8,4) lc rgb '", kPurple,
                           "' title 'final retrain, validation set'");
  spec.script += "\n";
  return spec;
}

}  // namespace convgrad
