// The bundled synthetic stand-in for the coursework's gene-expression data (the real data is
// given to students only). make_synthetic_dataset (declared in dataset.h) builds it; this
// header exposes the fixed "biology" behind it for tests and docs. docs/data.md explains
// the model; in short, for each cell:
//
//   latent module activities z_0..z_8 (a chain: neighbouring modules correlate), shifted and
//   tightened by the treatment; a library-size offset; per gene
//   e = base + loading * z_module + cross * z_next_module + offset + noise (log2 scale),
//   then dropouts (more likely at low expression) set some values to 0, and a soft cap
//   keeps values below 13. MAP7 depends non-linearly on Features 1-10 and one module.
//
// Determinism: the genes' parameters come from a fixed internal seed, the cells from the
// caller's seed; only +, -, *, /, sqrt, log, exp, sin, cos are used, and products are
// rounded before they are added (no compiler-made FMA), so the bytes are the same on every
// machine and optimisation level (up to libm).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace convgrad {

// A gene module: Features first..last (1-based, inclusive), contiguous so that it forms a
// band of the 10x10 image.
struct GeneModule {
  std::string name;
  int64_t first, last;
  double chain;            // correlation of its activity with the previous module's
  double treatment_shift;  // change of the module's activity in treated cells (in SDs)
};

// "FOXO3", "TCF7L2", ..., "KLHL29": the gene of Feature 1..100.
const std::vector<std::string>& synthetic_gene_names();
const std::vector<GeneModule>& synthetic_gene_modules();
// Features (1-based) that belong to no module: pure gene-specific noise.
const std::vector<int64_t>& synthetic_unstructured_features();

}  // namespace convgrad
