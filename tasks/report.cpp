#include "tasks/report.h"

#include <cmath>
#include <filesystem>
#include <system_error>

#include "tasks/figures.h"
#include "tasks/report_sections.h"
#include "tensor/atomic_file.h"
#include "tensor/error.h"

namespace convgrad {

namespace {

std::string contents(const JsonField& root) {
  std::string out = "<nav class=\"toc\"><b>Contents</b><ul>\n";
  if (root["task1_bsc"].present())
    out += "<li><a href=\"#task1-bsc\">Task 1 (BSc version)</a>: <a href=\"#task1-bsc-1-1\">1.1 CNN autoencoder</a> · "
           "<a href=\"#task1-bsc-1-2\">1.2 Regression on the encoder's output</a></li>\n";
  if (root["task1_msc"].present())
    out += "<li><a href=\"#task1-msc\">Task 1 (MSc version)</a>: <a href=\"#task1-msc-1-1\">1.1 U-Net</a> · "
           "<a href=\"#task1-msc-1-2\">1.2 Multi-task learning</a></li>\n";
  if (root["task2"].present())
    out += "<li><a href=\"#task2\">Task 2</a>: <a href=\"#task2-1\">2.1 Sparse graph construction</a> · "
           "<a href=\"#task2-2\">2.2 Degree centrality</a></li>\n";
  return out + "<li><a href=\"#run\">About this run</a></li>\n</ul></nav>\n";
}

std::string run_metadata(const JsonField& root) {
  const JsonField dataset = root["dataset"];
  const JsonField split = dataset["split"];
  std::vector<std::pair<std::string, std::string>> facts = {
      {"dataset", html_escape(string_or(dataset["source"], "n/a"))},
      {"rows (cells)", fmt_int(number_or_nan(dataset["rows"]))},
      {"split train / validation / test", fmt_int(number_or_nan(split["train"])) + " / " +
                                              fmt_int(number_or_nan(split["val"])) + " / " +
                                              fmt_int(number_or_nan(split["test"])) + " (in file order)"},
      {"seed", html_escape(string_or(root["seed"], "n/a"))},
      {"floating-point type", html_escape(string_or(root["dtype"], "n/a"))},
      {"threads", html_escape(string_or(root["threads"], "n/a"))},
  };
  std::string out = "<section id=\"run\">\n<h2>About this run</h2>\n";
  out += "<p>Everything in this report was computed by <b>convgrad</b>, a from-scratch C++ tensor and automatic "
         "differentiation engine (no Python, PyTorch, scikit-learn or NetworkX), and written from its "
         "<code>results.json</code>. The figures were drawn by gnuplot; each one's data and script are in the "
         "<code>figures/</code> folder next to this report, to restyle or re-plot.</p>\n";
  out += html_facts(facts);
  const JsonField timings = root["timings_s"];
  if (timings.present() && timings.value->is_object() && !timings.value->empty()) {
    // Phases nest ("task1_bsc.autoencoder" within "task1_bsc.total" within "all.total"), so
    // totals are shown as recorded; only a flat list gets a computed sum.
    std::vector<std::vector<std::string>> rows;
    double sum = 0.0;
    bool has_totals = false;
    for (const auto& item : timings.value->items()) {
      const std::string& phase = item.key();
      const double s = number_or_nan(timings[phase]);
      const bool total = phase.size() >= 5 && phase.compare(phase.size() - 5, 5, "total") == 0;
      has_totals = has_totals || total;
      if (std::isfinite(s)) sum += s;
      rows.push_back(total ? std::vector<std::string>{"<b>" + html_escape(phase) + "</b>", "<b>" + fmt_fixed(s, 2) + "</b>"}
                           : std::vector<std::string>{html_escape(phase), fmt_fixed(s, 2)});
    }
    if (!has_totals) rows.push_back({"<b>total</b>", "<b>" + fmt_fixed(sum, 2) + "</b>"});
    const double threads = number_or_nan(root["threads"]);
    const std::string side_by_side =
        timings["task1.total"].present() && threads > 1
            ? str_cat(" (the Task 1 phases ran side by side on ", static_cast<int>(threads),
                      " threads, so they add up to more than task1.total)")
            : std::string();
    out += "<p>Wall-clock time of each phase" + side_by_side + ":</p>\n" + html_table({"phase", "seconds"}, rows);
  }
  return out + "</section>\n";
}

}  // namespace

std::string report_html(const nlohmann::json& results, const std::string& out_dir) {
  const JsonField root = json_root(results);
  std::map<std::string, std::string> captions;
  for (const FigureSpec& spec : coursework_figures(results)) captions[spec.name] = spec.caption;
  std::vector<std::string> names;
  if (root["feature_names"].present()) names = require_strings(root["feature_names"]);
  ReportContext context{results, root, names, ReportFigures(figures_dir(out_dir), captions)};

  std::string body;
  if (root["task1_bsc"].present()) body += task1_bsc_section(context);
  if (root["task1_msc"].present()) body += task1_msc_section(context);
  if (root["task2"].present()) body += task2_section(context);
  if (body.empty()) body = "<p class=\"missing\">results.json has no task results (task1_bsc, task1_msc or task2).</p>\n";

  std::string page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                     "<title>Coursework 2, Part 1 — CNNs and graph analysis of gene expression</title>\n<style>";
  page += kReportCss;
  page += "</style>\n</head>\n<body>\n<main>\n";
  page += "<h1>Coursework 2, Part 1: CNNs and graph analysis of gene expression</h1>\n";
  page += "<p class=\"subtitle\">Dimensionality reduction and regression of MAP7 with convolutional networks on genes "
          "reshaped to 10 × 10 images (Task 1), and a cosine-similarity graph of cells (Task 2). Dataset: " +
          html_escape(string_or(root["dataset"]["source"], "n/a")) + ".</p>\n";
  page += contents(root);
  page += body;
  page += run_metadata(root);
  page += "<footer>Generated by convgrad from results.json. " + std::to_string(context.figures.placed().size()) +
          " figures.</footer>\n</main>\n</body>\n</html>\n";
  return page;
}

void write_report(const nlohmann::json& results, const std::string& out_dir) {
  const std::string dir = out_dir.empty() ? "." : out_dir;
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  CONVGRAD_CHECK(!error && std::filesystem::is_directory(dir), "report: cannot create the folder ", dir, ": ",
                 error ? error.message() : "a file of that name is in the way");
  const std::string page = report_html(results, dir);  // the whole page first: nothing half-written
  write_file_atomically(dir + "/report.html", page);
}

}  // namespace convgrad
