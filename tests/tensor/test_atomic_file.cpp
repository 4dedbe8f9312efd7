// Atomic writes leave only the target (the temporary is hidden and renamed), and a killed
// writer's temporaries are removed by the next run, while a running writer's and any other
// file stay.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "tensor/atomic_file.h"

using namespace convgrad;
namespace fs = std::filesystem;

namespace {
std::set<std::string> names_in(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename().string());
  return names;
}
void touch(const fs::path& path) { std::ofstream(path) << "x"; }
}  // namespace

TEST_CASE("an atomic write leaves the target and nothing else") {
  const fs::path dir = fs::temp_directory_path() / ("convgrad_atomic_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  write_file_atomically((dir / "results.json").string(), "{}\n");
  CHECK(names_in(dir) == std::set<std::string>{"results.json"});
  CHECK(read_file((dir / "results.json").string()) == "{}\n");
  fs::remove_all(dir);
}

TEST_CASE("remove_stale_temporaries removes a dead writer's temporaries only") {
  const fs::path dir = fs::temp_directory_path() / ("convgrad_stale_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  // No process has this id (above the largest pid_max Linux allows, 2^22).
  const std::string dead = "9999999", alive = std::to_string(::getpid());
  for (const std::string& name :
       {".results.json.tmp." + dead + ".0", ".loss.svg.tmp." + dead,  // a killed run's: removed
        ".results.json.tmp." + alive + ".3", ".loss.svg.tmp." + alive,  // a running writer's: kept
        "results.json.tmp." + dead + ".0",                              // not hidden: not ours
        ".notes.tmp." + dead + ".x", std::string("report.html")})
    touch(dir / name);
  remove_stale_temporaries(dir.string());
  CHECK(names_in(dir) == std::set<std::string>{".results.json.tmp." + alive + ".3", ".loss.svg.tmp." + alive,
                                               "results.json.tmp." + dead + ".0", ".notes.tmp." + dead + ".x",
                                               "report.html"});
  remove_stale_temporaries((dir / "no_such_folder").string());  // never throws
  fs::remove_all(dir);
}
