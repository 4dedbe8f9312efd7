#!/usr/bin/python3
"""NetworkX parity fixture for convgrad's graph/ library (Task 2). Dev-only.

Reads a coursework-style CSV (columns `Feature 1: ...` .. `Feature 10: ...` found by name,
and `Treatment`), takes the first 400 rows and computes, with numpy + NetworkX only, every
number that graph::analyse_similarity_graph reports. The result is written as JSON, together
with the exact input rows, so the C++ test needs no CSV reader.

    /usr/bin/python3 tests/graph/make_networkx_fixture.py CSV [OUT_JSON]
    /usr/bin/python3 tests/graph/make_networkx_fixture.py --write-synthetic CSV [OUT_JSON]

--write-synthetic first writes a small synthetic stand-in (fixed seed) to CSV. Use Debian's
/usr/bin/python3 (python3-networkx 2.8, python3-numpy, python3-scipy).
"""
import argparse
import csv
import json
import os
import warnings

import networkx as nx
import numpy as np

N_ROWS = 400
N_FEATURES = 10
N_THRESHOLDS = 200
DEFAULT_OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                            "..", "fixtures", "graph", "networkx_expected.json"))


def write_synthetic_csv(path, n_rows=N_ROWS, seed=20250319):
    """Positive log2-expression-like values: gene means, two co-expression modules,
    a treatment shift on some genes, noise, and a few low-count cells."""
    rng = np.random.default_rng(seed)
    means = rng.uniform(4.0, 9.0, N_FEATURES)
    loadings = rng.normal(0.0, 0.8, (2, N_FEATURES))
    shift = np.array([1.0, 0.8, 0.6, 0.4, 0.0, 0.0, -0.3, -0.5, -0.7, -0.9])
    treatment = rng.integers(0, 2, n_rows)
    modules = rng.normal(0.0, 1.0, (n_rows, 2))
    noise = rng.normal(0.0, 0.6, (n_rows, N_FEATURES))
    x = means + modules @ loadings + treatment[:, None] * shift + noise
    low = rng.random(n_rows) < 0.05          # a few cells with low capture
    x[low] *= rng.uniform(0.3, 0.7, (low.sum(), 1))
    x = np.maximum(x, 0.05)
    names = [f"Feature {k + 1}: GENE{k + 1}" for k in range(N_FEATURES)]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(names + ["Treatment"])
        for row, t in zip(x, treatment):
            w.writerow([f"{v:.6f}" for v in row] + [int(t)])


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header = [h.strip() for h in rows[0]]

    def column(prefix):
        hits = [i for i, h in enumerate(header) if h == prefix or h.startswith(prefix + ":")]
        if len(hits) != 1:
            raise SystemExit(f"{path}: expected one column named '{prefix}...', found {len(hits)}")
        return hits[0]

    feature_cols = [column(f"Feature {k + 1}") for k in range(N_FEATURES)]
    treat_col = column("Treatment")
    body = rows[1:1 + N_ROWS]
    x = np.array([[float(r[c]) for c in feature_cols] for r in body])
    t = np.array([int(float(r[treat_col])) for r in body])
    return x, t


def sign_fixed(v):
    """Largest-magnitude entry positive (first such entry on ties), as in graph/."""
    i = int(np.argmax(np.abs(v)))
    return v if v[i] >= 0 else -v


def analyse(x, treatment):
    n = x.shape[0]
    xn = x / np.linalg.norm(x, axis=1, keepdims=True)
    s = xn @ xn.T
    thresholds = np.linspace(s.min(), s.max(), N_THRESHOLDS)
    off = ~np.eye(n, dtype=bool)
    iu = np.triu_indices(n, 1)
    max_edges = n * (n - 1) / 2
    n_components, sparsity = [], []
    for delta in thresholds:
        g = nx.from_numpy_array(np.where((s >= delta) & off, 1.0, 0.0))
        n_components.append(nx.number_connected_components(g))
        sparsity.append(float(np.count_nonzero(s[iu] >= delta)) / max_edges)
    k_star = max(k for k, c in enumerate(n_components) if c == 1)
    delta_star = thresholds[k_star]

    # Bottleneck: the smallest edge of a maximum spanning tree of the complete graph.
    complete = nx.from_numpy_array(np.where(off, s, 0.0))
    mst = nx.maximum_spanning_tree(complete)
    delta_star_exact = min(w for _, _, w in mst.edges(data="weight"))

    a = np.where((s >= delta_star) & off, s, 0.0)
    g = nx.from_numpy_array(a)
    degree = [d for _, d in sorted(g.degree())]
    centrality_map = nx.degree_centrality(g)
    centrality = [centrality_map[i] for i in range(n)]
    strength = [d for _, d in sorted(g.degree(weight="weight"))]
    with warnings.catch_warnings():  # networkx 2.8: "will return a scipy.sparse array in 3.0"
        warnings.simplefilter("ignore", FutureWarning)
        lap = nx.normalized_laplacian_matrix(g, nodelist=range(n), weight="weight").toarray()
    eigenvalues, vectors = np.linalg.eigh(lap)
    layout = np.stack([sign_fixed(vectors[:, 1]), sign_fixed(vectors[:, 2])], axis=1)

    def group_mean(values, label):
        return float(np.mean(np.asarray(values, dtype=float)[treatment == label]))

    return {
        "n_samples": n,
        "n_features": x.shape[1],
        "X": x.tolist(),
        "treatment": treatment.tolist(),
        "similarity_min": float(s.min()),
        "similarity_max": float(s.max()),
        "thresholds": thresholds.tolist(),
        "n_components": n_components,
        "sparsity": sparsity,
        "delta_star_index": k_star,
        "delta_star": float(delta_star),
        "delta_star_exact": float(delta_star_exact),
        "n_edges_at_delta_star": g.number_of_edges(),
        "sparsity_at_delta_star": g.number_of_edges() / max_edges,
        "degree": degree,
        "degree_centrality": centrality,
        "strength": strength,
        "mean_degree": {"treated": group_mean(degree, 1), "untreated": group_mean(degree, 0)},
        "mean_degree_centrality": {"treated": group_mean(centrality, 1),
                                   "untreated": group_mean(centrality, 0)},
        "eigenvalues": eigenvalues[:3].tolist(),
        "spectral_layout": layout.tolist(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("csv")
    parser.add_argument("out", nargs="?", default=DEFAULT_OUT)
    parser.add_argument("--write-synthetic", action="store_true",
                        help="first write a synthetic CSV (fixed seed) to CSV")
    args = parser.parse_args()
    if args.write_synthetic:
        write_synthetic_csv(args.csv)
    x, t = read_csv(args.csv)
    result = analyse(x, t)
    result["source_csv"] = os.path.basename(args.csv)
    result["networkx_version"] = nx.__version__
    result["numpy_version"] = np.__version__
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    print(f"wrote {args.out}: N={result['n_samples']}, delta*={result['delta_star']:.6f}, "
          f"sparsity={result['sparsity_at_delta_star']:.4f}")


if __name__ == "__main__":
    main()
