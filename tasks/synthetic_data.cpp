#include "tasks/synthetic_data.h"

#include <algorithm>
#include <cmath>
#include <iterator>

#include "tasks/dataset.h"
#include "tensor/error.h"
#include "tensor/random.h"

namespace convgrad {
namespace {

// The genes' parameters are the same for every seed: a seed draws a new sample of cells
// from the same "biology", so results vary with the seed only as much as sampling does.
constexpr uint64_t kBiologySeed = 0x4d415037;  // "MAP7"

// Treatment is assigned in blocks of 20 consecutive cells with exactly 9 treated in each
// (45%), so every stretch of the file (the first 400 rows of Task 2, each split) has both
// groups in about the same proportion.
constexpr int64_t kTreatmentBlock = 20;
constexpr int64_t kTreatedPerBlock = 9;

constexpr double kTreatedSpread = 0.45;    // SD of module activity in treated cells (untreated: 1)
constexpr double kLibrarySizeSd = 0.25;    // per-cell log2 offset shared by all genes
constexpr double kDropoutMidpoint = 2.0;   // log2 expression with a 50% dropout chance
constexpr double kDropoutSteepness = 2.0;  // per log2 unit
constexpr double kSoftCapStart = 10.0;     // values above are squashed to stay below 13
constexpr double kSoftCapRange = 3.0;
constexpr double kMap7NoiseSd = 1.3;       // sets the linear R^2 of MAP7 on the features (~0.7)
constexpr size_t kTransportModule = 3;     // "microtubule transport", Features 23-34

const char* const kGeneNames[] = {
    // 1-10: the MAP7 regulators named in the coursework (Task 2 uses these)
    "FOXO3", "TCF7L2", "GSK3B", "NRG1", "PIK3CB", "PRKCE", "RHOQ", "PLXNA2", "TACC2", "DYRK2",
    // 11-22: Wnt / TGF-beta signalling
    "CTNNB1", "LEF1", "AXIN2", "APC", "SMAD3", "SMAD4", "TGFBR2", "CSNK1A1", "DVL2", "FZD7", "LRP6", "TCF7",
    // 23-34: microtubules and intracellular transport
    "KIF5B", "KIF1A", "DYNC1H1", "CLIP1", "CAMSAP2", "MACF1", "STMN1", "TUBB3", "MAPT", "MAP4", "EZR", "KIF21A",
    // 35-47: PI3K / AKT / mTOR
    "AKT1", "AKT3", "MTOR", "RPTOR", "RICTOR", "PTEN", "PDPK1", "SGK1", "TSC2", "RHEB", "IRS1", "IGF1R", "FOXO1",
    // 48-60: Rho GTPases and adhesion
    "RHOA", "RAC1", "CDC42", "ROCK1", "PAK1", "LIMK1", "CFL1", "ITGB1", "PTK2", "PXN", "VCL", "TLN1", "ARHGEF7",
    // 61-72: semaphorins, ErbB and MAPK
    "SEMA3A", "NRP1", "PLXNB1", "ERBB3", "ERBB4", "EGFR", "GRB2", "SOS1", "KRAS", "RAF1", "MAP2K1", "MAPK3",
    // 73-86: cell cycle and stress response
    "CCND1", "CDK4", "CDKN1A", "MKI67", "TOP2A", "TACC3", "AURKA", "PLK1", "BUB1", "CCNB1", "GADD45A", "ATF3",
    "DYRK1A", "MDM2",
    // 87-100: transcription factors and ubiquitin ligases
    "KLF4", "JUN", "FOS", "EGR1", "STAT3", "NFKB1", "HIF1A", "CUL3", "KEAP1", "KLHL20", "KBTBD2", "USP7", "SIAH1",
    "KLHL29"};
static_assert(sizeof(kGeneNames) / sizeof(kGeneNames[0]) == kCourseworkFeatures, "one gene name per feature");

struct GeneParams {
  int module = -1;             // index into synthetic_gene_modules(), -1 for unstructured genes
  double base = 0.0;           // mean log2 expression of an average untreated cell
  double loading = 0.0;        // on its own module's activity
  double cross_loading = 0.0;  // on the next module's activity (smooth borders between bands)
  double noise_sd = 0.0;       // gene-specific noise
};

// NOTE: bit-identical output on every machine. With -march=native, GCC fuses a * b + c into
// one FMA instruction (even with -std=c++17), which rounds once instead of twice, so the
// data would differ between CPUs with and without FMA. Every product that is added to
// something goes through mul(): the volatile store rounds it to a double first.
double mul(double a, double b) {
  volatile double product = a * b;
  return product;
}

double uniform_between(Generator& gen, double low, double high) { return low + mul(high - low, gen.uniform()); }

std::vector<GeneParams> make_gene_params() {
  Generator gen(kBiologySeed);
  const std::vector<GeneModule>& modules = synthetic_gene_modules();
  const std::vector<int64_t>& unstructured = synthetic_unstructured_features();
  std::vector<GeneParams> genes(kCourseworkFeatures);
  for (int64_t m = 0; m < static_cast<int64_t>(modules.size()); ++m) {
    for (int64_t k = modules[m].first; k <= modules[m].last; ++k) genes[k - 1].module = static_cast<int>(m);
  }
  for (const int64_t k : unstructured) genes[k - 1].module = -1;
  for (int64_t k = 1; k <= kCourseworkFeatures; ++k) {
    GeneParams& gene = genes[k - 1];
    const bool regulator = k <= 10;
    const bool lowly_expressed = !regulator && gen.uniform() < 0.2;  // heavy zero-inflation
    gene.base = regulator         ? uniform_between(gen, 6.5, 8.0)
                : lowly_expressed ? uniform_between(gen, 1.0, 2.5)
                                  : uniform_between(gen, 3.5, 7.5);
    // The regulators follow their modules closely (strong, low-noise signal for Task 2).
    const double loading = regulator ? uniform_between(gen, 1.5, 2.0) : uniform_between(gen, 0.8, 1.4);
    const double cross = uniform_between(gen, -0.3, 0.3);
    const double noise = regulator ? uniform_between(gen, 0.25, 0.45) : uniform_between(gen, 0.35, 0.7);
    if (gene.module >= 0) {
      gene.loading = loading;
      gene.cross_loading = gene.module + 1 < static_cast<int>(modules.size()) ? cross : 0.0;
      gene.noise_sd = noise;
    } else {
      gene.noise_sd = 1.0 + noise;  // no module: only its own, larger noise
    }
  }
  return genes;
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// Identity below kSoftCapStart, then bends smoothly towards kSoftCapStart + kSoftCapRange.
double soft_cap(double x) {
  if (x <= kSoftCapStart) return x;
  const double t = std::exp(-2.0 * (x - kSoftCapStart) / kSoftCapRange);
  return kSoftCapStart + mul(kSoftCapRange, (1.0 - t) / (1.0 + t));  // tanh written with exp
}

// Treatment flags for the block of kTreatmentBlock rows that starts now: a random
// kTreatedPerBlock of them are treated. A block at the end of the file is cut short, so the
// first N rows are the same whatever the total.
std::vector<int> draw_treatment_block(Generator& gen) {
  std::vector<int> treated(kTreatmentBlock, 0);
  const std::vector<int64_t> order = randperm(kTreatmentBlock, gen);
  for (int64_t i = 0; i < kTreatedPerBlock; ++i) treated[static_cast<size_t>(order[i])] = 1;
  return treated;
}

// MAP7 (log2): mostly Features 1-10, with a switch-like term, an interaction and the
// transport module's activity, plus noise. x points at the cell's 100 observed features.
double map7_expression(const double* x, double transport_activity, double noise) {
  const double linear = mul(0.25, x[0]) + mul(0.15, x[1]) + mul(0.15, x[2]) - mul(0.20, x[5]) - mul(0.10, x[6]) +
                        mul(0.10, x[8]);
  const double nrg1_vs_plxna2 = mul(2.0, sigmoid(1.5 * (x[3] - x[7])));
  const double interaction = mul(0.03 * x[4], x[9]);
  const double y = linear + nrg1_vs_plxna2 + interaction + mul(0.4, transport_activity) + mul(kMap7NoiseSd, noise);
  return soft_cap(std::max(0.0, y));
}

}  // namespace

const std::vector<std::string>& synthetic_gene_names() {
  static const std::vector<std::string> names(std::begin(kGeneNames), std::end(kGeneNames));
  return names;
}

const std::vector<GeneModule>& synthetic_gene_modules() {
  static const std::vector<GeneModule> modules = {
      // name                                first last  chain  treatment shift
      {"MAP7 activators (treatment up)",      1,    5,   0.0,  +1.6},
      {"MAP7 repressors (treatment down)",    6,   10,  -0.4,  -1.4},
      {"Wnt / TGF-beta",                     11,   22,   0.5,   0.0},
      {"microtubule transport",              23,   34,   0.5,   0.0},
      {"PI3K / AKT / mTOR (treatment up)",   35,   47,   0.5,  +0.6},
      {"Rho GTPases / adhesion",             48,   60,   0.5,   0.0},
      {"ErbB / MAPK",                        61,   72,   0.5,   0.0},
      {"cell cycle (treatment down)",        73,   86,   0.5,  -0.7},
      {"transcription / ubiquitin",          87,  100,   0.5,   0.0},
  };
  return modules;
}

const std::vector<int64_t>& synthetic_unstructured_features() {
  static const std::vector<int64_t> features = {17, 29, 44, 56, 67, 79, 93};
  return features;
}

Dataset make_synthetic_dataset(uint64_t seed, int64_t rows) {
  CONVGRAD_CHECK(rows >= kMinSplitRows && rows <= kMaxSyntheticRows, "make_synthetic_dataset: expected between ",
                 kMinSplitRows, " and ", kMaxSyntheticRows, " rows, but got ", rows);
  static const std::vector<GeneParams> genes = make_gene_params();
  const std::vector<GeneModule>& modules = synthetic_gene_modules();
  const size_t n_modules = modules.size();

  Generator gen(seed);
  Dataset data;
  data.source = str_cat("bundled synthetic dataset (seed ", seed, ")");
  for (int64_t k = 1; k <= kCourseworkFeatures; ++k) {
    data.feature_names.push_back(str_cat("Feature ", k, ": ", kGeneNames[k - 1]));
  }
  data.rows = rows;
  data.treatment.resize(static_cast<size_t>(rows));
  data.features.resize(static_cast<size_t>(rows * kCourseworkFeatures));
  data.target.resize(static_cast<size_t>(rows));

  std::vector<double> activity(n_modules);
  std::vector<int> block;
  for (int64_t row = 0; row < rows; ++row) {
    if (row % kTreatmentBlock == 0) block = draw_treatment_block(gen);
    const bool treated = block[static_cast<size_t>(row % kTreatmentBlock)] == 1;
    data.treatment[static_cast<size_t>(row)] = treated ? 1 : 0;
    // Module activities: an AR(1) chain along the modules, so neighbouring bands correlate;
    // treated cells are shifted and more alike (smaller spread).
    double previous = 0.0;
    for (size_t m = 0; m < n_modules; ++m) {
      const double chain = modules[m].chain;  // 0 for the first module
      const double z = mul(chain, previous) + mul(std::sqrt(1.0 - mul(chain, chain)), gen.normal());
      previous = z;
      activity[m] = treated ? modules[m].treatment_shift + mul(kTreatedSpread, z) : z;
    }
    const double library_size = mul(kLibrarySizeSd, gen.normal());

    double* x = data.features.data() + row * kCourseworkFeatures;
    for (int64_t k = 0; k < kCourseworkFeatures; ++k) {
      const GeneParams& gene = genes[static_cast<size_t>(k)];
      double e = gene.base + library_size + mul(gene.noise_sd, gen.normal());
      if (gene.module >= 0) {
        e += mul(gene.loading, activity[gene.module]);
        if (gene.cross_loading != 0.0) e += mul(gene.cross_loading, activity[gene.module + 1]);
      }
      // Dropout: a transcript is missed more often the lower its expression.
      const double dropout = sigmoid(-kDropoutSteepness * (e - kDropoutMidpoint));
      x[k] = gen.uniform() < dropout ? 0.0 : soft_cap(std::max(0.0, e));
    }
    data.target[static_cast<size_t>(row)] = map7_expression(x, activity[kTransportModule], gen.normal());
  }
  return data;
}

}  // namespace convgrad
