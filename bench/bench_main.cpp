// convgrad-bench: timings of the coursework's layers, training epochs and Task 2.
//
//   convgrad-bench [--threads N] [--json FILE] [--repeats N] [--only TEXT] [--cpu-time]
//
// --threads   BLAS and OpenMP threads (default: as convgrad, all cores)
// --json      also write the results: {"threads", "repeats", "load_avg": [start, end],
//             "epoch_ms": {...}, "epoch_eval_ms": {...}, "evaluate_ms": {...}, "layer_us": {...},
//             "task2_sweep_ms", "min": {the same keys, minima}} — medians at the top level
// --repeats   samples per item (default 7); the report gives their minimum and median
// --only      run only the items whose "group.name" contains TEXT (e.g. "epoch_ms.unet")
// --cpu-time  time with the process's CPU time instead of the wall clock (steadier on a
//             shared machine; with several threads it adds up their times)
//
// bench/compare_torch.py runs this next to the same work in PyTorch.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "bench/bench_util.h"
#include "tensor/blas.h"
#include "tensor/blas_core.h"

namespace {

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one;
  in >> one;
  return one.empty() ? "?" : one;
}

[[noreturn]] void usage(const char* problem) {
  std::cerr << "convgrad-bench: " << problem << "\n"
            << "usage: convgrad-bench [--threads N] [--json FILE] [--repeats N] [--only TEXT] [--cpu-time]\n";
  std::exit(2);
}

int parse_int(const char* text, const char* option) {
  char* end = nullptr;
  const long v = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || v < 1 || v > 1024) {
    usage((std::string(option) + " expects a positive integer").c_str());
  }
  return static_cast<int>(v);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace convgrad;
  use_best_blas_kernels(argv);  // as convgrad does (tensor/blas_core.h)
  int threads = 0, repeats = 7;
  std::string json_path, only;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") usage("timings of the coursework's layers, epochs and Task 2");
    if (arg == "--cpu-time") {
      bench::use_cpu_time() = true;
      continue;
    }
    if (i + 1 >= argc) usage((arg + " needs a value").c_str());
    if (arg == "--threads") threads = parse_int(argv[++i], "--threads");
    else if (arg == "--repeats") repeats = parse_int(argv[++i], "--repeats");
    else if (arg == "--json") json_path = argv[++i];
    else if (arg == "--only") only = argv[++i];
    else usage(("unknown option " + arg).c_str());
  }
  if (threads > 0) set_num_threads(threads);
  threads = get_num_threads();

  nlohmann::json out;
  out["threads"] = threads;
  out["repeats"] = repeats;
  out["clock"] = bench::use_cpu_time() ? "cpu" : "wall";
  out["blas_core"] = blas_core_name();
  const std::string load_start = load_average();
  std::printf("convgrad-bench: %d thread(s), %d samples per item, %s time, OpenBLAS %s kernels, load average %s\n",
              threads, repeats, bench::use_cpu_time() ? "CPU" : "wall", blas_core_name(), load_start.c_str());
  std::printf("%-30s %12s %12s %8s\n", "item", "min", "median", "runs");

  std::vector<bench::Item> items = bench::layer_items();
  for (auto& item : bench::training_items()) items.push_back(std::move(item));
  for (const bench::Item& item : items) {
    const std::string key = item.name.empty() ? item.group : item.group + "." + item.name;
    if (!only.empty() && key.find(only) == std::string::npos) continue;
    const bench::Stats s = bench::measure(item.run, repeats, item.sample_seconds);
    const double unit = item.group == "layer_us" ? 1e6 : 1e3;  // the group's name says its unit
    const char* unit_name = item.group == "layer_us" ? "us" : "ms";
    std::printf("%-30s %9.3f %s %9.3f %s %8d\n", key.c_str(), s.min * unit, unit_name, s.median * unit, unit_name,
                s.runs_per_sample);
    std::fflush(stdout);
    if (item.name.empty()) {
      out[item.group] = s.median * unit;
      out["min"][item.group] = s.min * unit;
    } else {
      out[item.group][item.name] = s.median * unit;
      out["min"][item.group][item.name] = s.min * unit;
    }
  }
  out["load_avg"] = {load_start, load_average()};
  std::printf("load average at the end: %s\n", load_average().c_str());
  if (!json_path.empty()) {
    std::ofstream f(json_path);
    f << out.dump(1) << "\n";
    if (!f) {
      std::cerr << "convgrad-bench: could not write " << json_path << "\n";
      return 1;
    }
  }
  return 0;
}
