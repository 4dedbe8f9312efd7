#include "tasks/figure_writer.h"

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "tasks/figure_process.h"
#include "tensor/atomic_file.h"
#include "tensor/error.h"

namespace convgrad {

namespace fs = std::filesystem;

const char* const kGnuplotInstallHint =
    "gnuplot not found: wrote the figures' data and .gp scripts only; install it with "
    "`apt-get install gnuplot-nox` (or set CONVGRAD_GNUPLOT) to draw the SVGs";

namespace {

// The last `max_lines` lines of gnuplot's messages, indented, for an error.
std::string tail_lines(const std::string& text, size_t max_lines) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  if (lines.empty()) return "  (gnuplot printed nothing)";
  std::string out;
  if (lines.size() > max_lines) out += "  ...\n";
  for (size_t i = lines.size() > max_lines ? lines.size() - max_lines : 0; i < lines.size(); ++i) {
    out += "  " + lines[i] + (i + 1 < lines.size() ? "\n" : "");
  }
  return out;
}

void check_file_name(const std::string& figure, const std::string& file_name) {
  CONVGRAD_CHECK(!file_name.empty() && file_name.find('/') == std::string::npos && file_name[0] != '.',
                 "figure '", figure, "': expected a plain file name for its data, but got '", file_name, "'");
}

}  // namespace

std::string FigureOptions::default_gnuplot_command() {
  const char* gnuplot = std::getenv("CONVGRAD_GNUPLOT");
  return gnuplot && *gnuplot ? gnuplot : "gnuplot";
}

double FigureOptions::default_gnuplot_timeout_s() {
  const char* timeout = std::getenv("CONVGRAD_GNUPLOT_TIMEOUT");
  if (!timeout || !*timeout) return 60.0;
  char* end = nullptr;
  const double seconds = std::strtod(timeout, &end);
  CONVGRAD_CHECK(end != timeout && *end == '\0' && seconds > 0,
                 "CONVGRAD_GNUPLOT_TIMEOUT: expected a positive number of seconds, but got '", timeout, "'");
  return seconds;
}

FigureWriter::FigureWriter(std::string figures_dir, FigureOptions options)
    : figures_dir_(std::move(figures_dir)), options_(std::move(options)) {
  std::error_code error;
  fs::create_directories(figures_dir_, error);
  CONVGRAD_CHECK(!error && fs::is_directory(figures_dir_), "figures: cannot create the folder ", figures_dir_,
                 ": ", error ? error.message() : "a file of that name is in the way");
  remove_stale_temporaries(figures_dir_);  // left by a run that was killed while rendering
  gnuplot_path_ = find_executable(options_.gnuplot);
}

std::string FigureWriter::script_text(const FigureSpec& spec) {
  std::string text;
  text += "# " + spec.caption + "\n";
  text += "# Written by convgrad from results.json. To restyle, edit this file and run, in this folder:\n";
  text += "#   gnuplot " + spec.name + ".gp        (writes " + spec.name + ".svg)\n";
  text += "# For a PNG, change the terminal, e.g.: set terminal pngcairo size 1640,1040 font ',22'\n";
  text += "if (!exists(\"output_file\")) output_file = '" + spec.name + ".svg'\n";
  text += "set terminal svg size " + std::to_string(spec.width) + "," + std::to_string(spec.height) +
          " enhanced font 'Helvetica,13' background rgb 'white'\n";
  text += "set output output_file\n";
  text += "set encoding utf8\n";
  text += spec.script;
  if (!text.empty() && text.back() != '\n') text += '\n';
  return text;
}

std::string FigureWriter::write(const FigureSpec& spec) const {
  CONVGRAD_CHECK(!spec.name.empty() && spec.name.find('/') == std::string::npos,
                 "figures: expected a plain figure name, but got '", spec.name, "'");
  for (const FigureData& data : spec.data) {
    check_file_name(spec.name, data.file_name);
    write_file_atomically(figures_dir_ + "/" + data.file_name, data.content);
  }
  write_file_atomically(figures_dir_ + "/" + spec.name + ".gp", script_text(spec));
  const std::string svg_path = figures_dir_ + "/" + spec.name + ".svg";
  if (!gnuplot_available()) {
    std::error_code ignored;
    fs::remove(svg_path, ignored);  // an old figure would no longer match the data
    return "";
  }
  return render(spec);
}

std::string FigureWriter::render(const FigureSpec& spec) const {
  const std::string svg_path = figures_dir_ + "/" + spec.name + ".svg";
  const std::string tmp_name = "." + spec.name + ".svg.tmp." + std::to_string(::getpid());
  const std::string tmp_path = figures_dir_ + "/" + tmp_name;
  const std::vector<std::string> argv = {gnuplot_path_, "-e", "output_file='" + tmp_name + "'", spec.name + ".gp"};
  ProcessResult result;
  try {
    result = run_process(argv, figures_dir_, options_.timeout_s);
  } catch (const Error& error) {
    throw Error("figure '" + spec.name + "': " + error.what());
  }
  std::error_code ignored;
  std::string failure;
  if (result.timed_out) {
    failure = str_cat("gnuplot (", gnuplot_path_, ") ran past the ", options_.timeout_s,
                      " s limit (CONVGRAD_GNUPLOT_TIMEOUT) and was stopped");
  } else if (result.signal != 0) {
    failure = str_cat("gnuplot (", gnuplot_path_, ") was killed by signal ", result.signal);
  } else if (result.exit_status != 0) {
    failure = str_cat("gnuplot (", gnuplot_path_, ") failed with exit status ", result.exit_status);
  } else if (!fs::exists(tmp_path) || fs::file_size(tmp_path, ignored) == 0) {
    failure = str_cat("gnuplot (", gnuplot_path_, ") exited without writing an SVG");
  }
  if (!failure.empty()) {
    fs::remove(tmp_path, ignored);
    throw Error("figure '" + spec.name + "': " + failure + "; script " + figures_dir_ + "/" + spec.name +
                ".gp; gnuplot said:\n" + tail_lines(result.output, 15));
  }
  std::string svg;
  try {
    svg = read_file(tmp_path);
  } catch (const Error&) {
    fs::remove(tmp_path, ignored);
    throw;
  }
  fs::remove(tmp_path, ignored);
  CONVGRAD_CHECK(svg.find("</svg>") != std::string::npos, "figure '", spec.name,
                 "': expected a complete SVG from gnuplot, but it ends early (", svg.size(), " bytes)");
  write_file_atomically(svg_path, svg_with_plain_tooltips(svg));
  return svg_path;
}

std::string svg_with_plain_tooltips(const std::string& svg) {
  // gnuplot 5.4 writes, for each hypertext label:
  //   <g onmousemove="gnuplot_svg.showHypertext(evt,'TEXT')" onmouseout="gnuplot_svg.hideHypertext()"><title> </title>
  // with TEXT's newlines as the two characters \n.
  static const std::string open = "<g onmousemove=\"gnuplot_svg.showHypertext(evt,'";
  static const std::string close = "')\" onmouseout=\"gnuplot_svg.hideHypertext()\"><title> </title>";
  std::string out;
  out.reserve(svg.size());
  size_t pos = 0;
  while (true) {
    const size_t start = svg.find(open, pos);
    if (start == std::string::npos) break;
    const size_t text_start = start + open.size();
    const size_t end = svg.find(close, text_start);
    if (end == std::string::npos) break;
    std::string text = svg.substr(text_start, end - text_start);
    for (size_t i = text.find("\\n"); i != std::string::npos; i = text.find("\\n", i + 5)) text.replace(i, 2, "&#10;");
    out.append(svg, pos, start - pos);
    out += "<g><title>" + text + "</title>";
    pos = end + close.size();
  }
  out.append(svg, pos, std::string::npos);
  // Each plot's group carries <title>gnuplot_plot_N</title> when the plot has no key title;
  // browsers would show that name as a tooltip. Drop those.
  static const std::string plot_title = "<title>gnuplot_plot_";
  for (size_t at = out.find(plot_title); at != std::string::npos; at = out.find(plot_title, at)) {
    const size_t end = out.find("</title>", at);
    if (end == std::string::npos) break;
    out.erase(at, end + 8 - at);
  }
  return out;
}

std::string gp_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::string gp_plain(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '^' || c == '_' || c == '@' || c == '&' || c == '{' || c == '}' || c == '~') out += '\\';
    out += c;
  }
  return out;
}

std::string gp_number(double value) {
  if (!std::isfinite(value)) return "NaN";
  char buffer[32];  // to_chars writes what printf's "%.10g" would, several times faster
  const auto end = std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::general, 10).ptr;
  return std::string(buffer, end);
}

}  // namespace convgrad
