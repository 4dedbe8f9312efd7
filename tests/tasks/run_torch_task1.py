#!/usr/bin/env python3
"""Coursework Task 1 (BSc and MSc) in PyTorch, with the rules convgrad follows (docs/task1.md).

A dev-only oracle: convgrad never needs it. It serves two purposes:
  * the R² comparison: run the full tasks on the same CSV and compare test R² with
    `convgrad task1 --variant bsc|msc` (several seeds, since the init RNGs differ);
  * the parity fixture: make_torch_parity_fixture.py imports it and runs 3 epochs in float64,
    batches in file order, from saved initial weights.

Rules (DESIGN.md "Training rules"): splits in file order 70% / 10% / rest; batches of 32 (the
last partial batch kept), reshuffled each epoch unless --no-shuffle; Adam lr 1e-3; after each
epoch the phase's loss on the whole training and validation sets without gradients; early
stopping: a strict improvement of the validation loss resets the patience counter, stop when
it reaches max_patience, restore the best epoch's weights.

usage: /usr/bin/python3 tests/tasks/run_torch_task1.py --csv data.csv [--variant bsc|msc|both]
           [--seeds 0 1 2] [--max-epochs N] [--dtype float32|float64] [--no-shuffle]
           [--init-from FILE] [--json OUT] [--threads N]
"""
import argparse
import csv
import json
import os
import struct
import sys
import time

import numpy as np
import torch
from torch import nn


# ---- data ----

def read_coursework_csv(path):
    """Features (Feature 1..K by number), MAP7 and the feature names, as float64 numpy arrays."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header = [h.strip() for h in rows[0]]
    features = sorted((int(h[len("Feature "):h.index(":")]), i) for i, h in enumerate(header)
                      if h.startswith("Feature ") and ":" in h)
    target = header.index("Target: MAP7")
    body = rows[1:]
    x = np.array([[float(r[i]) for _, i in features] for r in body], dtype=np.float64)
    y = np.array([float(r[target]) for r in body], dtype=np.float64)
    return x, y, [header[i] for _, i in features]


def coursework_split(n):
    train, val = n * 7 // 10, n // 10
    return train, val, n - train - val


# ---- safetensors, by hand: 8-byte LE header length, JSON header, raw LE data ----

def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        a = t.detach().cpu().contiguous().numpy()
        dtype = {np.dtype(np.float32): "F32", np.dtype(np.float64): "F64"}[a.dtype]
        raw = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype = {"F32": "<f4", "F64": "<f8"}[info["dtype"]]
        a = np.frombuffer(data[8 + n + begin:8 + n + end], dtype=dtype).reshape(info["shape"])
        out[name] = torch.from_numpy(a.astype(np.float64))
    return out


# ---- the networks (convgrad's parameter names): bench/torch_coursework.py's, one definition ----

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
from torch_coursework import Autoencoder, UNet, mse_reconstruct, mse_regress  # noqa: E402


class Regressor(nn.Module):
    """flatten -> Linear(200, 1); the (frozen) encoder is applied by the caller."""

    def __init__(self):
        super().__init__()
        self.head = nn.Linear(200, 1)

    def forward(self, z):
        return self.head(torch.flatten(z, 1)).reshape(-1)


# ---- training ----

class Run:
    def __init__(self, args, x, y):
        self.args = args
        self.dtype = torch.float64 if args.dtype == "float64" else torch.float32
        n = len(y)
        tr, va, _ = coursework_split(n)
        images = torch.tensor(x.reshape(n, 1, 10, 10), dtype=self.dtype)
        target = torch.tensor(y, dtype=self.dtype)
        self.train = (images[:tr], target[:tr])
        self.val = (images[tr:tr + va], target[tr:tr + va])
        self.test = (images[tr + va:], target[tr + va:])
        self.init = read_safetensors(args.init_from) if args.init_from else {}
        self.phase_index = 0

    def fresh(self, make):
        """A freshly initialised model: torch.manual_seed(seed * 100 + phase), then --init-from."""
        self.phase_index += 1
        torch.manual_seed(self.args.seed * 100 + self.phase_index)
        model = make().to(self.dtype)
        with torch.no_grad():
            for name, p in model.named_parameters():
                if name in self.init:
                    assert self.init[name].shape == p.shape, (name, self.init[name].shape, p.shape)
                    p.copy_(self.init[name].to(self.dtype))
        return model

    def train_phase(self, params, loss_fn, max_epochs, patience, early_stopping=True):
        params = list(params)
        opt = torch.optim.Adam(params, lr=1e-3)
        cap = self.args.max_epochs
        epochs = min(max_epochs, cap) if cap else max_epochs
        gen = torch.Generator().manual_seed(self.args.seed * 100 + self.phase_index)
        x, y = self.train
        n = len(y)
        best, best_epoch, counter = float("inf"), 0, 0
        best_state = [p.detach().clone() for p in params]
        curves = {"train_curve": [], "val_curve": [], "val_parts": []}
        for epoch in range(1, epochs + 1):
            order = torch.randperm(n, generator=gen) if not self.args.no_shuffle else torch.arange(n)
            for b in range(0, n, 32):
                idx = order[b:b + 32]
                opt.zero_grad()
                loss = loss_fn(x[idx], y[idx])[0]
                loss.backward()
                opt.step()
            with torch.no_grad():
                curves["train_curve"].append(loss_fn(*self.train)[0].item())
                val_loss, parts = loss_fn(*self.val)
                curves["val_curve"].append(val_loss.item())
                curves["val_parts"].append(parts)
            if early_stopping:
                if curves["val_curve"][-1] < best:
                    best, best_epoch, counter = curves["val_curve"][-1], epoch, 0
                    best_state = [p.detach().clone() for p in params]
                else:
                    counter += 1
                if counter >= patience:
                    break
        if early_stopping:
            with torch.no_grad():
                for p, s in zip(params, best_state):
                    p.copy_(s)
        else:
            best_epoch = epochs
        curves.update(epochs_run=len(curves["train_curve"]), best_epoch=best_epoch)
        return curves


def r2_score(y, yhat):
    y, yhat = np.asarray(y, dtype=np.float64), np.asarray(yhat, dtype=np.float64)
    return float(1 - ((y - yhat) ** 2).sum() / ((y - y.mean()) ** 2).sum())


def run_bsc(run):
    out = {}
    ae = run.fresh(Autoencoder)
    recon = lambda xb, yb: (mse_reconstruct(ae(xb), xb), {})
    out["autoencoder"] = run.train_phase(ae.parameters(), recon, 100, 5)
    with torch.no_grad():
        xt, yt = run.test
        out["autoencoder"]["test_mse_reconstruct"] = mse_reconstruct(ae(xt), xt).item()
    for p in ae.parameters():
        p.requires_grad_(False)
    reg = run.fresh(Regressor)
    regress = lambda xb, yb: (mse_regress(reg(ae.encode(xb)), yb), {})
    out["regressor"] = run.train_phase(reg.parameters(), regress, 1000, 10)
    with torch.no_grad():
        yhat = reg(ae.encode(xt))
        out["regressor"]["test_mse"] = mse_regress(yhat, yt).item()
        out["regressor"]["test_r2"] = r2_score(yt.numpy(), yhat.numpy())
    return out


def run_msc(run):
    out = {}
    unet = run.fresh(lambda: UNet(False))
    recon = lambda xb, yb: (mse_reconstruct(unet(xb)[0], xb), {})
    out["unet"] = run.train_phase(unet.parameters(), recon, 100, 5)

    def multi_loss(net, alpha):
        def loss(xb, yb):
            xhat, yhat, _ = net(xb)
            regress, reconstruct = mse_regress(yhat, yb), mse_reconstruct(xhat, xb)
            return regress + alpha * reconstruct, {"mse_regress": regress.item(), "mse_reconstruct": reconstruct.item()}
        return loss

    search = []
    for alpha in (0.1, 1.0, 10.0):
        net = run.fresh(lambda: UNet(True))
        r = run.train_phase(net.parameters(), multi_loss(net, alpha), 1000, 10)
        with torch.no_grad():
            r["val_mse_regress"] = multi_loss(net, alpha)(*run.val)[1]["mse_regress"]
        r["alpha"] = alpha
        search.append(r)
    best = min(range(3), key=lambda i: (search[i]["val_mse_regress"], i))
    alpha, epochs = search[best]["alpha"], search[best]["best_epoch"]
    net = run.fresh(lambda: UNet(True))
    retrain = run.train_phase(net.parameters(), multi_loss(net, alpha), epochs, 10, early_stopping=False)
    with torch.no_grad():
        xt, yt = run.test
        xhat, yhat, _ = net(xt)
        out["multitask"] = {"alpha_search": search, "best_alpha": alpha, "retrain_epochs": epochs,
                            "retrain_curve": retrain["train_curve"], "test_r2": r2_score(yt.numpy(), yhat.numpy()),
                            "test_mse_regress": mse_regress(yhat, yt).item(),
                            "test_mse_reconstruct": mse_reconstruct(xhat, xt).item()}
    return out


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--csv", required=True)
    p.add_argument("--variant", choices=["bsc", "msc", "both"], default="both")
    p.add_argument("--seeds", type=int, nargs="+", default=[0])
    p.add_argument("--max-epochs", type=int, default=0)
    p.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    p.add_argument("--no-shuffle", action="store_true")
    p.add_argument("--init-from", default="")
    p.add_argument("--json", default="")
    p.add_argument("--threads", type=int, default=1)
    return p.parse_args(argv)


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    x, y, _ = read_coursework_csv(args.csv)
    results = []
    for seed in args.seeds:
        args.seed = seed
        entry = {"seed": seed}
        for variant, fn in (("bsc", run_bsc), ("msc", run_msc)):
            if args.variant in (variant, "both"):
                start = time.time()
                entry["task1_" + variant] = fn(Run(args, x, y))
                entry["seconds_" + variant] = time.time() - start
        bsc = entry.get("task1_bsc", {}).get("regressor", {}).get("test_r2")
        msc = entry.get("task1_msc", {}).get("multitask", {}).get("test_r2")
        print(f"seed {seed}: BSc 1.2 test R² {bsc}, MSc 1.2 test R² {msc}", flush=True)
        results.append(entry)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f)


if __name__ == "__main__":
    sys.exit(main())
