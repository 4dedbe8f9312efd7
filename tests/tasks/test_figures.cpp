// Figures from results.json (tasks/figures.h): every coursework figure drawn from the mock
// results, each SVG well-formed and non-empty; gnuplot failing, hanging, missing; bad input.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <sstream>

#include "report_test_util.h"
#include "tasks/figure_process.h"
#include "tasks/figures.h"
#include "tensor/error.h"

using namespace convgrad;
using namespace report_test;

namespace {

// Every figure the mock (all sections) must give, with the fewest drawn elements it may have.
const std::vector<std::pair<std::string, size_t>> kExpected = {
    {"task1_bsc_autoencoder_loss", 20},  {"task1_bsc_per_feature_mse", 200}, {"task1_bsc_latent_scatter", 529},
    {"task1_bsc_regressor_loss", 20},    {"task1_bsc_predicted_vs_true", 529}, {"task1_msc_unet_loss", 20},
    {"task1_msc_per_feature_mse", 200},  {"task1_msc_latent_scatter", 529},  {"task1_msc_alpha_search", 30},
    {"task1_msc_multitask_loss", 20},    {"task1_msc_predicted_vs_true", 529}, {"task2_components_sparsity", 30},
    {"task2_spectral_layout", 400},      {"task2_degree_centrality", 30},
};

bool have_gnuplot() { return !find_executable(FigureOptions::from_environment().gnuplot).empty(); }

FigureOptions with_gnuplot(const std::string& command, double timeout_s = 30.0) {
  FigureOptions options;  // (reads the environment, then overridden)
  options.gnuplot = command;
  options.timeout_s = timeout_s;
  return options;
}

}  // namespace

TEST_CASE("figures: the mock results give every coursework figure, each a well-formed SVG with plotted data",
          "[figures]") {
  const nlohmann::json results = mock_results();
  const std::vector<FigureSpec> specs = coursework_figures(results);
  REQUIRE(specs.size() == kExpected.size());
  for (size_t k = 0; k < specs.size(); ++k) CHECK(specs[k].name == kExpected[k].first);

  const fs::path out = fresh_dir("all_figures");
  if (!have_gnuplot()) {
    WARN("gnuplot not installed: checking the data files and scripts only");
    std::ostringstream log;
    CHECK(render_figures(results, out.string(), FigureOptions::from_environment(), log).empty());
    for (const auto& [name, _] : kExpected) CHECK(fs::exists(out / "figures" / (name + ".gp")));
    return;
  }
  std::ostringstream log;
  const std::vector<std::string> paths = render_figures(results, out.string(), FigureOptions::from_environment(), log);
  CHECK(log.str().empty());
  REQUIRE(paths.size() == kExpected.size());
  for (const auto& [name, min_drawn] : kExpected) {
    CAPTURE(name);
    const fs::path svg = out / "figures" / (name + ".svg");
    REQUIRE(fs::exists(svg));
    CHECK(fs::exists(out / "figures" / (name + ".gp")));
    const std::string text = slurp(svg);
    CHECK(xml_problem(text) == "");
    CHECK(drawn_elements(text) >= min_drawn);
    CHECK(text.find("gnuplot_svg.") == std::string::npos);  // no JavaScript hooks left
    CHECK(text.find("<title>gnuplot_plot_") == std::string::npos);
  }
  CHECK(files_containing(out / "figures", ".tmp").empty());

  SECTION("the heatmap names every gene in a tooltip and in its cells") {
    const std::string heatmap = slurp(out / "figures" / "task1_bsc_per_feature_mse.svg");
    CHECK(count_of(heatmap, "<title>Feature ") == 100);
    for (const std::string& feature : results["feature_names"].get<std::vector<std::string>>()) {
      CAPTURE(feature);
      CHECK(heatmap.find("<title>" + feature + "&#10;MSE = ") != std::string::npos);
    }
  }
  SECTION("the spectral layout draws one segment per edge") {
    const std::string layout = slurp(out / "figures" / "task2_spectral_layout.svg");
    CHECK(count_of(layout, "M") >= results["task2"]["edges"].size());
  }
  SECTION("a user can redraw a figure by running its script in the figures folder") {
    fs::remove(out / "figures" / "task2_degree_centrality.svg");
    const ProcessResult run = run_process({find_executable("gnuplot"), "task2_degree_centrality.gp"},
                                          (out / "figures").string(), 30.0);
    CHECK(run.exit_status == 0);
    CHECK(xml_problem(slurp(out / "figures" / "task2_degree_centrality.svg")) == "");
  }
}

TEST_CASE("figures: only the sections in results.json are drawn", "[figures]") {
  nlohmann::json results = mock_results();
  results.erase("task1_msc");
  results.erase("task2");
  const std::vector<FigureSpec> specs = coursework_figures(results);
  REQUIRE(specs.size() == 5);
  for (const FigureSpec& spec : specs) CHECK(spec.name.rfind("task1_bsc_", 0) == 0);

  results["task1_bsc"].erase("latent_scatter");
  results["task1_bsc"]["regressor"].erase("test_predictions");
  CHECK(coursework_figures(results).size() == 3);
  CHECK(coursework_figures(nlohmann::json::object()).empty());
}

TEST_CASE("figures: a failing gnuplot is a clear error naming the figure, with gnuplot's messages", "[figures]") {
  const fs::path dir = fresh_dir("failing_gnuplot");
  const std::string gnuplot =
      fake_gnuplot(dir, "echo 'task1_bsc_autoencoder_loss.gp line 9: undefined variable: best_epoc' >&2\nexit 1");
  std::ostringstream log;
  try {
    render_figures(mock_results(), (dir / "out").string(), with_gnuplot(gnuplot), log);
    FAIL("expected an error");
  } catch (const Error& error) {
    const std::string message = error.what();
    CHECK_THAT(message, Catch::Contains("figure 'task1_bsc_autoencoder_loss'"));
    CHECK_THAT(message, Catch::Contains("failed with exit status 1"));
    CHECK_THAT(message, Catch::Contains("undefined variable: best_epoc"));
    CHECK_THAT(message, Catch::Contains("task1_bsc_autoencoder_loss.gp"));
  }
  CHECK(!fs::exists(dir / "out" / "report.html"));
  CHECK(!fs::exists(dir / "out" / "figures" / "task1_bsc_autoencoder_loss.svg"));
  CHECK(files_containing(dir / "out" / "figures", ".tmp").empty());
}

TEST_CASE("figures: drawn side by side, the error is the first failing figure's in report order", "[figures]") {
  // The fake writes a small SVG (gnuplot's second argument is output_file='NAME') except for two
  // figures: the later one in report order fails at once, the earlier one only after a pause.
  const fs::path dir = fresh_dir("side_by_side_gnuplot");
  const std::string gnuplot = fake_gnuplot(dir,
                                           "case \"$3\" in\n"
                                           "  task1_bsc_regressor_loss.gp) sleep 0.3; echo 'first failure' >&2; exit 1;;\n"
                                           "  task2_degree_centrality.gp) echo 'second failure' >&2; exit 2;;\n"
                                           "esac\n"
                                           "file=${2#output_file=\\'}; file=${file%\\'}\n"
                                           "echo '<svg></svg>' > \"$file\"");
  std::ostringstream log;
  CHECK_THROWS_WITH(render_figures(mock_results(), (dir / "out").string(), with_gnuplot(gnuplot), log),
                    Catch::Contains("figure 'task1_bsc_regressor_loss'") && Catch::Contains("first failure") &&
                        !Catch::Contains("second failure"));
  const fs::path figures = dir / "out" / "figures";
  CHECK(fs::exists(figures / "task1_bsc_autoencoder_loss.svg"));
  CHECK(fs::exists(figures / "task2_spectral_layout.svg"));
  CHECK(!fs::exists(figures / "task1_bsc_regressor_loss.svg"));
  CHECK(!fs::exists(figures / "task2_degree_centrality.svg"));
  CHECK(files_containing(figures, ".tmp").empty());
}

TEST_CASE("figures: the CONVGRAD_GNUPLOT override is used", "[figures]") {
  const fs::path dir = fresh_dir("env_gnuplot");
  const std::string gnuplot = fake_gnuplot(dir, "echo 'fake gnuplot says no' >&2\nexit 3");
  const char* previous = std::getenv("CONVGRAD_GNUPLOT");
  const std::string saved = previous ? previous : "";
  ::setenv("CONVGRAD_GNUPLOT", gnuplot.c_str(), 1);
  CHECK_THROWS_WITH(render_figures(mock_results(), (dir / "out").string()), Catch::Contains("fake gnuplot says no"));
  std::ostringstream log;  // a default FigureOptions reads the environment too
  CHECK_THROWS_WITH(render_figures(mock_results(), (dir / "out").string(), FigureOptions{}, log),
                    Catch::Contains("fake gnuplot says no"));
  ::setenv("CONVGRAD_GNUPLOT_TIMEOUT", "soon", 1);
  CHECK_THROWS_WITH((void)FigureOptions{}, "CONVGRAD_GNUPLOT_TIMEOUT: expected a positive number of seconds, but got 'soon'");
  ::unsetenv("CONVGRAD_GNUPLOT_TIMEOUT");
  if (previous) ::setenv("CONVGRAD_GNUPLOT", saved.c_str(), 1);
  else ::unsetenv("CONVGRAD_GNUPLOT");
}

TEST_CASE("figures: a gnuplot that hangs is stopped at the time limit", "[figures]") {
  const fs::path dir = fresh_dir("hanging_gnuplot");
  const std::string gnuplot = fake_gnuplot(dir, "sleep 30");
  std::ostringstream log;
  const auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_WITH(render_figures(mock_results(), (dir / "out").string(), with_gnuplot(gnuplot, 0.5), log),
                    Catch::Contains("ran past the 0.5 s limit") && Catch::Contains("task1_bsc_autoencoder_loss"));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
}

TEST_CASE("figures: a gnuplot that exits 0 without writing the SVG is an error", "[figures]") {
  const fs::path dir = fresh_dir("silent_gnuplot");
  std::ostringstream log;
  CHECK_THROWS_WITH(
      render_figures(mock_results(), (dir / "out").string(), with_gnuplot(fake_gnuplot(dir, "exit 0")), log),
      Catch::Contains("exited without writing an SVG"));
}

TEST_CASE("figures: without gnuplot the data and scripts are written, one line says how to install it",
          "[figures]") {
  const fs::path out = fresh_dir("no_gnuplot");
  fs::create_directories(out / "figures");
  std::ofstream(out / "figures" / "task2_spectral_layout.svg") << "<svg>old</svg>";
  std::ostringstream log;
  const std::vector<std::string> paths =
      render_figures(mock_results(), out.string(), with_gnuplot("convgrad-no-such-gnuplot"), log);
  CHECK(paths.empty());
  CHECK(log.str() == std::string(kGnuplotInstallHint) + "\n");
  CHECK_THAT(log.str(), Catch::Contains("apt-get install gnuplot-nox"));
  for (const FigureSpec& spec : coursework_figures(mock_results())) {
    CAPTURE(spec.name);
    CHECK(fs::exists(out / "figures" / (spec.name + ".gp")));
    for (const FigureData& data : spec.data) CHECK(fs::exists(out / "figures" / data.file_name));
  }
  CHECK(!fs::exists(out / "figures" / "task2_spectral_layout.svg"));  // stale figure removed
}

TEST_CASE("figures: an output folder that cannot be created is a clear error", "[figures]") {
  const fs::path dir = fresh_dir("unwritable");
  std::ofstream(dir / "a_file") << "not a folder";
  std::ostringstream log;
  CHECK_THROWS_WITH(render_figures(mock_results(), (dir / "a_file" / "out").string(), FigureOptions(), log),
                    Catch::Contains("cannot create the folder") && Catch::Contains("a_file/out/figures"));
}

TEST_CASE("figures: a malformed results.json names the key", "[figures]") {
  nlohmann::json results = mock_results();
  results["task1_bsc"]["autoencoder"]["per_feature_test_mse"].erase(0);
  CHECK_THROWS_WITH(coursework_figures(results),
                    "task1_bsc.autoencoder.per_feature_test_mse: expected 100 numbers, but got 99");
  results = mock_results();
  results["task1_msc"]["unet"]["train_curve"] = "oops";
  CHECK_THROWS_WITH(coursework_figures(results),
                    "task1_msc.unet.train_curve: expected an array of numbers, but got a string");
  results = mock_results();
  results["task2"]["edges"][0] = {0, 4000};
  CHECK_THROWS_WITH(coursework_figures(results), Catch::Contains("task2.edges[0]: expected two node indices"));
}

TEST_CASE("figures: NaN losses (null in results.json) are drawn as gaps, not errors", "[figures]") {
  nlohmann::json results = mock_results();
  results["task1_bsc"]["autoencoder"]["val_curve"][3] = nullptr;
  const std::vector<FigureSpec> specs = coursework_figures(results);
  CHECK(specs.front().data.front().content.find("NaN") != std::string::npos);
}

TEST_CASE("figures: SVG post-processing and gnuplot quoting", "[figures]") {
  const std::string svg =
      "<svg><g id=\"gnuplot_plot_1\" ><title>gnuplot_plot_1</title>"
      "<g onmousemove=\"gnuplot_svg.showHypertext(evt,'Feature 1: FOXO3\\nMSE = 0.5')\" "
      "onmouseout=\"gnuplot_svg.hideHypertext()\"><title> </title><use/></g></g></svg>";
  CHECK(svg_with_plain_tooltips(svg) ==
        "<svg><g id=\"gnuplot_plot_1\" ><g><title>Feature 1: FOXO3&#10;MSE = 0.5</title><use/></g></g></svg>");
  CHECK(gp_quote("α's best") == "'α''s best'");
  CHECK(gp_plain("MSE_p^2 {x}") == "MSE\\_p\\^2 \\{x\\}");
  CHECK(gp_number(0.1) == "0.1");
  CHECK(gp_number(std::nan("")) == "NaN");
}
