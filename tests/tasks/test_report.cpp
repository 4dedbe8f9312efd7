// report.html (tasks/report.h): one self-contained page with every figure inlined, the key
// numbers, the sections of the coursework; written atomically; clear errors.
#include <catch2/catch.hpp>

#include <regex>
#include <set>
#include <sstream>

#include "report_test_util.h"
#include "tasks/figure_process.h"
#include "tasks/figures.h"
#include "tasks/report.h"
#include "tasks/report_html.h"
#include "tensor/error.h"

using namespace convgrad;
using namespace report_test;

namespace {

bool have_gnuplot() { return !find_executable(FigureOptions::from_environment().gnuplot).empty(); }

// The report of the mock results, its figures drawn first (when gnuplot is installed).
const std::string& mock_report() {
  static const std::string html = [] {
    const fs::path out = fresh_dir("mock_report");
    const nlohmann::json results = mock_results();
    std::ostringstream log;
    render_figures(results, out.string(), FigureOptions::from_environment(), log);
    write_report(results, out.string());
    return slurp(out / "report.html");
  }();
  return html;
}

double number(const nlohmann::json& value) { return value.get<double>(); }

}  // namespace

TEST_CASE("report: every figure is inlined with its caption, in a self-contained page", "[report]") {
  const std::string& html = mock_report();
  const std::vector<FigureSpec> specs = coursework_figures(mock_results());
  for (size_t k = 0; k < specs.size(); ++k) {
    CAPTURE(specs[k].name);
    CHECK(html.find("<figure id=\"fig-" + specs[k].name + "\">") != std::string::npos);
    CHECK(html.find("<b>Figure " + std::to_string(k + 1) + ".</b> " + markup_html(specs[k].caption)) !=
          std::string::npos);
  }
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  CHECK(html.find("src=") == std::string::npos);
  CHECK(html.find("@import") == std::string::npos);
  CHECK(html.find("break-inside: avoid") != std::string::npos);  // figures never split when printed
  CHECK(html.find("@media print") != std::string::npos);
  if (!have_gnuplot()) {
    WARN("gnuplot not installed: the report has notes instead of figures");
    return;
  }
  CHECK(count_of(html, "<svg") == specs.size());
  // Each inlined SVG is well-formed XML on its own.
  for (size_t at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) {
    const size_t end = html.find("</svg>", at);
    REQUIRE(end != std::string::npos);
    CHECK(xml_problem(html.substr(at, end + 6 - at)) == "");
  }
  // Ids are unique across the page (each figure's gnuplot ids are prefixed).
  std::set<std::string> ids;
  const std::regex id_pattern("\\sid=['\"]([^'\"]+)['\"]");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), id_pattern); it != std::sregex_iterator(); ++it) {
    CAPTURE((*it)[1].str());
    CHECK(ids.insert((*it)[1].str()).second);
  }
  CHECK(ids.count("f1-gpPt6") == 1);
}

TEST_CASE("report: the sections of the coursework, with the key numbers", "[report]") {
  const std::string& html = mock_report();
  const nlohmann::json r = mock_results();
  for (const char* heading : {"Task 1 (BSc version)", "Task 1.1 — CNN autoencoder", "Task 1.2 — Re-purposing",
                              "Task 1 (MSc version)", "Task 1.1 — U-Net", "Task 1.2 — Multi-task learning",
                              "Task 2.1 — Sparse graph construction", "Task 2.2 — Degree centrality", "About this run"}) {
    CAPTURE(heading);
    CHECK(html.find(heading) != std::string::npos);
  }
  const nlohmann::json& bsc = r["task1_bsc"];
  const nlohmann::json& msc = r["task1_msc"];
  const nlohmann::json& t2 = r["task2"];
  const std::vector<std::string> numbers = {
      // Task 1 BSc
      "<b>[8, 5, 5]</b>", fmt(number(bsc["autoencoder"]["test_mse_reconstruct"]), 4),
      "<td>" + fmt_int(number(bsc["autoencoder"]["best_epoch"])) + "</td>",
      fmt_fixed(number(bsc["regressor"]["test_r2"]), 3), fmt(number(bsc["regressor"]["test_mse"]), 4),
      // Task 1 MSc
      "<b>[16, 5, 5]</b>", "<b>α = " + fmt(number(msc["multitask"]["best_alpha"]), 3) + "</b>",
      "<b>" + fmt_int(number(msc["multitask"]["retrain_epochs"])) + " epochs</b>",
      fmt_fixed(number(msc["multitask"]["test_r2"]), 3), fmt(number(msc["multitask"]["test_mse_regress"]), 4),
      fmt(number(msc["unet"]["test_mse_reconstruct"]), 4),
      // Task 2
      fmt(number(t2["delta_star"]), 6), fmt(number(t2["delta_star_exact"]), 6),
      fmt(number(t2["sparsity_at_delta_star"]), 4), fmt(number(t2["mean_degree"]["treated"]), 4),
      fmt(number(t2["mean_degree"]["untreated"]), 4), fmt(number(t2["mean_degree_centrality"]["treated"]), 4),
      fmt(number(t2["mean_degree_centrality"]["untreated"]), 4),
      // Run metadata
      "bundled synthetic dataset (seed 0)", "1848 / 264 / 529", "float32", "<b>212.70</b>", "<b>251.60</b>"};
  for (const std::string& expected : numbers) {
    CAPTURE(expected);
    CHECK(html.find(expected) != std::string::npos);
  }
  // The per-feature tables name every gene (once per Task 1 variant).
  for (const std::string& feature : r["feature_names"].get<std::vector<std::string>>()) {
    CAPTURE(feature);
    CHECK(count_of(html, "title=\"" + feature + "\"") == 2);
  }
  CHECK(html.find("n/a") == std::string::npos);  // the mock has every number the report shows
}

TEST_CASE("report: only the sections present are written", "[report]") {
  nlohmann::json results = mock_results();
  results.erase("task1_msc");
  results.erase("task2");
  const fs::path out = fresh_dir("bsc_only");
  std::ostringstream log;
  render_figures(results, out.string(), FigureOptions::from_environment(), log);
  write_report(results, out.string());
  const std::string html = slurp(out / "report.html");
  CHECK(html.find("Task 1 (BSc version)") != std::string::npos);
  CHECK(html.find("id=\"task1-msc\"") == std::string::npos);
  CHECK(html.find("id=\"task2\"") == std::string::npos);
  CHECK(html.find("href=\"#task2\"") == std::string::npos);
  CHECK(count_of(html, "<figure ") == 5);

  const std::string empty = report_html(nlohmann::json::object(), out.string());
  CHECK_THAT(empty, Catch::Contains("results.json has no task results"));
}

TEST_CASE("report: without gnuplot each figure says how to draw it", "[report]") {
  const fs::path out = fresh_dir("report_no_gnuplot");
  FigureOptions options;
  options.gnuplot = "convgrad-no-such-gnuplot";
  std::ostringstream log;
  render_figures(mock_results(), out.string(), options, log);
  write_report(mock_results(), out.string());
  const std::string html = slurp(out / "report.html");
  CHECK(count_of(html, "<svg") == 0);
  CHECK(count_of(html, "apt-get install gnuplot-nox") == coursework_figures(mock_results()).size());
  CHECK_THAT(html, Catch::Contains("gnuplot task2_spectral_layout.gp"));
}

TEST_CASE("report: never half-written", "[report]") {
  const fs::path out = fresh_dir("atomic_report");
  std::ofstream(out / "report.html") << "previous report";

  SECTION("a failing gnuplot stops before the report (as `convgrad all` runs them)") {
    const std::string gnuplot = fake_gnuplot(out, "echo broken >&2; exit 1");
    FigureOptions options;
    options.gnuplot = gnuplot;
    std::ostringstream log;
    CHECK_THROWS_WITH(
        [&] {
          render_figures(mock_results(), out.string(), options, log);
          write_report(mock_results(), out.string());
        }(),
        Catch::Contains("gnuplot") && Catch::Contains("broken"));
  }
  SECTION("a malformed results.json fails before anything is written") {
    nlohmann::json results = mock_results();
    results["task2"]["degree"] = "many";
    CHECK_THROWS_WITH(write_report(results, out.string()),
                      "task2.degree: expected an array of numbers, but got a string");
  }
  CHECK(slurp(out / "report.html") == "previous report");
  CHECK(files_containing(out, ".tmp").empty());
}

TEST_CASE("report: an unwritable output folder is a clear error", "[report]") {
  const fs::path dir = fresh_dir("report_unwritable");
  std::ofstream(dir / "a_file") << "not a folder";
  CHECK_THROWS_WITH(write_report(mock_results(), (dir / "a_file").string()),
                    Catch::Contains("report: cannot create the folder") && Catch::Contains("a_file"));
  fs::create_directories(dir / "out" / "report.html");  // a folder where the file should go
  CHECK_THROWS_WITH(write_report(mock_results(), (dir / "out").string()),
                    Catch::Contains("report.html: cannot write file"));
}

TEST_CASE("report: HTML helpers", "[report]") {
  CHECK(html_escape("a<b & \"c\"") == "a&lt;b &amp; &quot;c&quot;");
  CHECK(markup_html("MSE_{regress} and R^{2} < 1") == "MSE<sub>regress</sub> and R<sup>2</sup> &lt; 1");
  CHECK(markup_plain("L_{multi}") == "L multi");
  CHECK(fmt(0.123456) == "0.1235");
  CHECK(fmt(-2.5) == "−2.5");
  CHECK(fmt(std::nan("")) == "n/a");
  CHECK(fmt_fixed(0.65472, 3) == "0.655");
  CHECK(viridis_hex(0.0) == "#440154");
  CHECK(viridis_hex(1.0) == "#fde725");
  const std::string svg = "<?xml version=\"1.0\"?>\n<svg><title>Gnuplot</title><defs><circle id='gpDot'/></defs>"
                          "<use xlink:href='#gpDot'/><g clip-path=\"url(#clip1)\"/></svg>";
  CHECK(inline_svg(svg, "f3-", "A <caption>") ==
        "<svg><title>A &lt;caption&gt;</title><defs><circle id='f3-gpDot'/></defs><use xlink:href='#f3-gpDot'/>"
        "<g clip-path=\"url(#f3-clip1)\"/></svg>");
}
