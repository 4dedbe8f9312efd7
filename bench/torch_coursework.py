#!/usr/bin/python3
"""The coursework's work in PyTorch + NumPy + NetworkX, for timing next to `convgrad all`. Dev-only.

What a student's PyTorch solution does, phase by phase, with the same rules as convgrad
(DESIGN.md "Training rules"): float32, Adam lr 1e-3, shuffled batches of 32 (the last one
partial), after every epoch the loss on the whole training and validation sets without
gradients, the best epoch's weights kept and restored. To compare like with like, every phase
runs exactly as many epochs as convgrad's run did: --epochs-from reads them from convgrad's
results.json (epochs_run of each phase, retrain_epochs of the final multi-task model), so early
stopping needs no decisions here. Task 2 is the NetworkX way, as tests/graph/
make_networkx_fixture.py does it: one graph per threshold, number_connected_components,
a maximum spanning tree for the bottleneck, the normalised Laplacian's eigenvectors (graphs
built from edge lists).

    /usr/bin/python3 bench/torch_coursework.py --csv data.csv --epochs-from out/results.json
        [--threads N] [--json timings.json]

compare_torch.py imports this file for its PyTorch items (same models, loops and Task 2).
"""
import argparse
import csv
import json
import sys
import time
import warnings

import numpy as np

try:
    import torch
    from torch import nn
except ImportError:  # compare_torch.py reports this and skips
    torch = None
    nn = None

BATCH = 32


# ---- data ----

def read_csv(path):
    """Features 1..100 (by number), MAP7 and Treatment of a coursework CSV, as numpy arrays."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header = [h.strip() for h in rows[0]]
    features = sorted((int(h[len("Feature "):h.index(":")]), i) for i, h in enumerate(header)
                      if h.startswith("Feature ") and ":" in h)
    target, treat = header.index("Target: MAP7"), header.index("Treatment")
    body = rows[1:]
    x = np.array([[float(r[i]) for _, i in features] for r in body], dtype=np.float64)
    y = np.array([float(r[target]) for r in body], dtype=np.float64)
    t = np.array([int(float(r[treat])) for r in body])
    return x, y, t


def splits(x, y):
    """Train / validation / test in file order (70% / 10% / rest) as float32 image tensors."""
    n = len(y)
    tr, va = n * 7 // 10, n // 10
    images = torch.tensor(x.reshape(n, 1, 10, 10), dtype=torch.float32)
    target = torch.tensor(y, dtype=torch.float32)
    return ((images[:tr], target[:tr]), (images[tr:tr + va], target[tr:tr + va]),
            (images[tr + va:], target[tr + va:]))


# ---- the networks ----

if nn is not None:
    class Autoencoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
            self.pool = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
            self.deconv = nn.ConvTranspose2d(8, 1, 3, stride=2, padding=1, output_padding=1)

        def encode(self, x):
            return torch.relu(self.conv2(self.pool(torch.relu(self.conv1(x)))))

        def forward(self, x):
            return torch.relu(self.deconv(self.encode(x)))

    class UNet(nn.Module):
        def __init__(self, multitask):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
            self.pool = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
            self.up = nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1)
            self.conv3 = nn.Conv2d(16, 8, 3, padding=1)
            self.conv4 = nn.Conv2d(8, 1, 1)
            self.head = nn.Linear(400, 1) if multitask else None

        def forward(self, x):
            skip = torch.relu(self.conv1(x))
            bottleneck = torch.relu(self.conv2(self.pool(skip)))
            up = torch.relu(self.up(bottleneck))
            xhat = self.conv4(torch.relu(self.conv3(torch.cat([skip, up], dim=1))))
            yhat = self.head(torch.flatten(bottleneck, 1)).reshape(-1) if self.head is not None else None
            return xhat, yhat, bottleneck


def mse_reconstruct(xhat, x):
    return ((xhat - x) ** 2).sum(dim=(1, 2, 3)).mean()


def mse_regress(yhat, y):
    return ((yhat - y) ** 2).mean()


# The phases' losses: loss(xb, yb) -> (loss, parts).
def autoencoder_loss(ae):
    return lambda xb, yb: (mse_reconstruct(ae(xb), xb), None)


def regressor_loss(ae, head):
    return lambda xb, yb: (mse_regress(head(torch.flatten(ae.encode(xb), 1)).reshape(-1), yb), None)


def unet_loss(net):
    return lambda xb, yb: (mse_reconstruct(net(xb)[0], xb), None)


def multitask_loss(net, alpha):
    def loss(xb, yb):
        xhat, yhat, _ = net(xb)
        regress, reconstruct = mse_regress(yhat, yb), mse_reconstruct(xhat, xb)
        return regress + alpha * reconstruct, (regress, reconstruct)
    return loss


# ---- one epoch, and a phase of exactly `epochs` epochs ----

def train_epoch(opt, loss_fn, train, gen):
    """The batch loop: shuffled batches of 32, zero_grad, loss (read as a number), backward, step."""
    x, y = train
    order = torch.randperm(len(y), generator=gen)
    running = 0.0
    for b in range(0, len(y), BATCH):
        idx = order[b:b + BATCH]
        opt.zero_grad(set_to_none=True)
        loss, _ = loss_fn(x[idx], y[idx])
        running += loss.item() * len(idx)
        loss.backward()
        opt.step()
    return running / len(y)


def evaluate(loss_fn, data):
    """The loss (and its parts) on a whole set, without a graph."""
    with torch.no_grad():
        loss, parts = loss_fn(*data)
        return loss.item(), None if parts is None else [p.item() for p in parts]


def train_epoch_with_eval(opt, loss_fn, train, val, gen):
    running = train_epoch(opt, loss_fn, train, gen)
    return running, evaluate(loss_fn, train), evaluate(loss_fn, val)


def run_phase(params, loss_fn, train, val, epochs, seed, early_stopping=True):
    """Exactly `epochs` epochs; the best epoch's weights are kept and restored (early stopping)."""
    params = list(params)
    opt = torch.optim.Adam(params, lr=1e-3)
    gen = torch.Generator().manual_seed(seed)
    best, best_state = float("inf"), [p.detach().clone() for p in params]
    for _ in range(epochs):
        _, _, (val_loss, _) = train_epoch_with_eval(opt, loss_fn, train, val, gen)
        if early_stopping and val_loss < best:
            best, best_state = val_loss, [p.detach().clone() for p in params]
    if early_stopping:
        with torch.no_grad():
            for p, s in zip(params, best_state):
                p.copy_(s)


# ---- Task 2: the NetworkX way ----

def task2(x, treatment, n_thresholds=200):
    """Cosine similarities, n(δ) and s(δ) over 200 thresholds, δ*, the graph at δ*, degree
    centrality per treatment group and the spectral layout (normalised Laplacian).
    Graphs are built from edge lists (4x faster than nx.from_numpy_array on the dense matrix,
    which tests/graph/make_networkx_fixture.py uses: 7 s instead of 30 s for the sweep)."""
    import networkx as nx
    n = x.shape[0]
    xn = x / np.linalg.norm(x, axis=1, keepdims=True)
    s = xn @ xn.T
    thresholds = np.linspace(s.min(), s.max(), n_thresholds)
    rows, cols = np.triu_indices(n, 1)
    weights = s[rows, cols]
    max_edges = n * (n - 1) / 2

    def graph(keep, weighted=False):
        g = nx.Graph()
        g.add_nodes_from(range(n))
        if weighted:
            g.add_weighted_edges_from(zip(rows[keep].tolist(), cols[keep].tolist(), weights[keep].tolist()))
        else:
            g.add_edges_from(zip(rows[keep].tolist(), cols[keep].tolist()))
        return g

    n_components, sparsity = [], []
    for delta in thresholds:
        keep = weights >= delta
        n_components.append(nx.number_connected_components(graph(keep)))
        sparsity.append(float(np.count_nonzero(keep)) / max_edges)
    k_star = max(k for k, c in enumerate(n_components) if c == 1)
    delta_star = thresholds[k_star]
    mst = nx.maximum_spanning_tree(graph(np.ones_like(weights, dtype=bool), weighted=True))
    delta_star_exact = min(w for _, _, w in mst.edges(data="weight"))
    g = graph(weights >= delta_star, weighted=True)
    degree = np.array([d for _, d in sorted(g.degree())], dtype=float)
    centrality_map = nx.degree_centrality(g)
    centrality = np.array([centrality_map[i] for i in range(n)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        lap = nx.normalized_laplacian_matrix(g, nodelist=range(n), weight="weight").toarray()
    _, vectors = np.linalg.eigh(lap)
    return {"delta_star": float(delta_star), "delta_star_exact": float(delta_star_exact),
            "mean_degree": {"treated": float(degree[treatment == 1].mean()),
                            "untreated": float(degree[treatment == 0].mean())},
            "mean_degree_centrality": {"treated": float(centrality[treatment == 1].mean()),
                                       "untreated": float(centrality[treatment == 0].mean())},
            "spectral_layout": vectors[:, 1:3].tolist()}


# ---- the whole coursework ----

def phase_epochs(results):
    """Epochs per phase from convgrad's results.json."""
    bsc, msc = results["task1_bsc"], results["task1_msc"]
    search = msc["multitask"]["alpha_search"]
    return {"autoencoder": bsc["autoencoder"]["epochs_run"], "regressor": bsc["regressor"]["epochs_run"],
            "unet": msc["unet"]["epochs_run"],
            "alphas": [(a["alpha"], a["epochs_run"]) for a in search],
            "best_alpha": msc["multitask"]["best_alpha"], "retrain": msc["multitask"]["retrain_epochs"]}


def coursework(x, y, treatment, epochs, seed=0):
    timings = {}
    train, val, test = splits(x, y)
    xt, yt = test

    def timed(name, fn):
        start = time.perf_counter()
        out = fn()
        timings[name] = time.perf_counter() - start
        return out

    # BSc 1.1 and 1.2
    torch.manual_seed(seed)
    ae = Autoencoder()
    timed("task1_bsc.autoencoder", lambda: run_phase(ae.parameters(), autoencoder_loss(ae), train, val,
                                                     epochs["autoencoder"], seed))
    with torch.no_grad():
        per_feature = ((ae(xt) - xt) ** 2).mean(dim=0)
        latents = ae.encode(xt)
        _ = (per_feature.sum().item(), latents[:, 1, 0, 1].tolist(), latents[:, 0, 0, 0].tolist())
    for p in ae.parameters():
        p.requires_grad_(False)
    head = nn.Linear(200, 1)
    timed("task1_bsc.regressor", lambda: run_phase(head.parameters(), regressor_loss(ae, head), train, val,
                                                   epochs["regressor"], seed + 1))
    with torch.no_grad():
        _ = head(torch.flatten(ae.encode(xt), 1)).reshape(-1).tolist()

    # MSc 1.1 and 1.2
    unet = UNet(False)
    timed("task1_msc.unet", lambda: run_phase(unet.parameters(), unet_loss(unet), train, val, epochs["unet"],
                                              seed + 2))
    with torch.no_grad():
        _ = ((unet(xt)[0] - xt) ** 2).mean(dim=0).tolist()
    for alpha, n in epochs["alphas"]:
        net = UNet(True)
        loss = multitask_loss(net, alpha)
        timed(f"task1_msc.multitask.alpha_{alpha:g}", lambda: run_phase(net.parameters(), loss, train, val, n, seed + 3))
        evaluate(loss, val)
    net = UNet(True)
    loss = multitask_loss(net, epochs["best_alpha"])
    timed("task1_msc.multitask.retrain", lambda: run_phase(net.parameters(), loss, train, val, epochs["retrain"],
                                                           seed + 4, early_stopping=False))
    with torch.no_grad():
        xhat, yhat, _ = net(xt)
        _ = (yhat.tolist(), ((xhat - xt) ** 2).mean(dim=0).tolist())

    # Task 2
    timed("task2", lambda: task2(x[:400, :10], treatment[:400]))
    return timings


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--csv", required=True, help="the dataset (`convgrad data --out FILE` writes the bundled one)")
    p.add_argument("--epochs-from", required=True, help="convgrad's results.json: epochs per phase")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--json", default="", help="write the per-phase timings here")
    args = p.parse_args()
    if torch is None:
        print("torch_coursework.py: PyTorch is not installed for this interpreter; nothing to do")
        return 0
    start = time.perf_counter()
    torch.set_num_threads(args.threads)
    with open(args.epochs_from) as f:
        epochs = phase_epochs(json.load(f))
    x, y, t = read_csv(args.csv)
    timings = coursework(x, y, t, epochs)
    timings["total_in_process"] = time.perf_counter() - start
    for name, seconds in timings.items():
        print(f"{name:40s} {seconds:8.2f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"threads": args.threads, "epochs": epochs, "timings_s": timings}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
