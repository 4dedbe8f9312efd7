// Drawing one figure with gnuplot: the mechanics, independent of what is plotted.
//
// A FigureSpec is everything gnuplot needs: data files and the plotting commands. The writer
// puts them in the figures folder as NAME_*.dat and NAME.gp (the script sets the SVG terminal
// and the output NAME.svg itself, so `cd figures && gnuplot NAME.gp` redraws the figure after
// a user restyles it), then runs gnuplot there with a time limit:
//
//   gnuplot -e "output_file='.NAME.svg.tmp.PID'" NAME.gp
//
// and moves the finished SVG over NAME.svg, so a reader never sees half a figure. Gnuplot's
// hypertext labels (hover text, which gnuplot's SVG shows only with its JavaScript) become
// plain SVG <title> tooltips, so the figure needs no script.
//
// Gnuplot is CONVGRAD_GNUPLOT when that is set, else `gnuplot` on PATH. When it cannot be
// found, the data and scripts are still written, NAME.svg from an earlier run is removed (it
// would no longer match), and the caller says once how to install gnuplot.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace convgrad {

struct FigureData {
  std::string file_name;  // e.g. "task2_spectral_layout_edges.dat", in the figures folder
  std::string content;
};

struct FigureSpec {
  std::string name;     // file stem: NAME.svg, NAME.gp; also the report's figure id
  std::string caption;  // one sentence, for the report and the script's header
  int width = 820;      // SVG size in pixels
  int height = 520;
  std::vector<FigureData> data;
  std::string script;   // plotting commands; the terminal and output lines come before them
};

// The defaults come from the environment: CONVGRAD_GNUPLOT (a name looked up on PATH, or a
// path; default "gnuplot") and CONVGRAD_GNUPLOT_TIMEOUT (seconds per figure; default 60).
struct FigureOptions {
  std::string gnuplot = default_gnuplot_command();
  double timeout_s = default_gnuplot_timeout_s();
  static FigureOptions from_environment() { return FigureOptions{}; }

  static std::string default_gnuplot_command();
  static double default_gnuplot_timeout_s();  // throws convgrad::Error on a malformed value
};

// What `apt-get` installs; printed when gnuplot cannot be found.
extern const char* const kGnuplotInstallHint;

class FigureWriter {
 public:
  // Creates `figures_dir` when needed; throws convgrad::Error naming the folder if it cannot.
  FigureWriter(std::string figures_dir, FigureOptions options);

  bool gnuplot_available() const { return !gnuplot_path_.empty(); }
  const std::string& figures_dir() const { return figures_dir_; }

  // Writes the data files and NAME.gp, then renders NAME.svg. Returns the SVG's path, or ""
  // when gnuplot is not available. Throws convgrad::Error naming the figure, with gnuplot's
  // own messages, when gnuplot fails, times out or writes no SVG; NAME.svg is then untouched.
  std::string write(const FigureSpec& spec) const;

  // The whole NAME.gp script for `spec` (header, terminal, output, commands).
  static std::string script_text(const FigureSpec& spec);

 private:
  std::string render(const FigureSpec& spec) const;

  std::string figures_dir_;
  FigureOptions options_;
  std::string gnuplot_path_;
};

// Gnuplot's hypertext hover groups rewritten as SVG <title> tooltips (see the overview), and
// the placeholder titles of untitled plots ("gnuplot_plot_3") removed.
std::string svg_with_plain_tooltips(const std::string& svg);

// A single-quoted gnuplot string literal: 'it''s' (gnuplot doubles a quote inside).
std::string gp_quote(const std::string& text);
// Text for an enhanced-mode label, with gnuplot's markup characters ^ _ @ & { } ~ escaped.
std::string gp_plain(const std::string& text);
// A number for a data file or script: 10 significant digits as printf's "%.10g", "NaN" for NaN
// and infinities.
std::string gp_number(double value);

}  // namespace convgrad
