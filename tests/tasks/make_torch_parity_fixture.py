#!/usr/bin/env python3
"""Makes tests/fixtures/parity/: initial weights and PyTorch's losses for the parity test.

Dev-only (needs PyTorch; the committed fixture does not). It
  1. gets the bundled CSV: runs `CONVGRAD data --out TMP.csv`, or reads --csv PATH;
  2. builds the BSc networks (autoencoder + regressor head) and the multi-task U-Net in
     PyTorch with its default initialisation (torch.manual_seed 0 and 1), and saves those
     initial weights as safetensors (F32: the float64 runs start from exactly these values);
  3. runs the whole BSc and MSc Task 1 pipelines (run_torch_task1.py) in float64, batches of
     32 in file order, Adam lr 1e-3, whole-set evaluation after each epoch, every phase capped
     at 3 epochs and every fresh model loaded from those weights;
  4. writes the losses and test metrics to expected.json, with the CSV's FNV-1a 64 hash so
     that the C++ test can check it regenerated the same data.

tests/tasks/test_torch_parity.cpp runs `convgrad task1` with the same options
(--init-from, --no-shuffle, --dtype float64, --max-epochs 3) and compares to 1e-9 relative.

usage: /usr/bin/python3 tests/tasks/make_torch_parity_fixture.py --convgrad build/convgrad
       /usr/bin/python3 tests/tasks/make_torch_parity_fixture.py --csv gene_expression.csv
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_torch_task1 as t1  # noqa: E402

EPOCHS = 3


def fnv1a64(data):
    h = 14695981039346656037
    for byte in data:
        h = ((h ^ byte) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def phase(curves):
    return {"train_curve": curves["train_curve"], "val_curve": curves["val_curve"],
            "epochs_run": curves["epochs_run"], "best_epoch": curves["best_epoch"]}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--convgrad", help="the convgrad executable (writes the bundled CSV)")
    p.add_argument("--csv", help="a coursework CSV instead")
    here = os.path.dirname(os.path.abspath(__file__))
    p.add_argument("--out", default=os.path.join(here, "..", "fixtures", "parity"))
    args = p.parse_args()
    if not args.csv and not args.convgrad:
        p.error("give --convgrad BIN or --csv PATH")

    tmp = tempfile.mkdtemp()
    csv_path = args.csv or os.path.join(tmp, "bundled.csv")
    if not args.csv:
        subprocess.run([args.convgrad, "data", "--out", csv_path], check=True)
    with open(csv_path, "rb") as f:
        csv_hash = fnv1a64(f.read())
    os.makedirs(args.out, exist_ok=True)

    # Initial weights: PyTorch's default init, float32 values (exact in float64).
    torch.set_default_dtype(torch.float32)
    torch.manual_seed(0)
    bsc = {**t1.Autoencoder().state_dict(), **t1.Regressor().state_dict()}
    torch.manual_seed(1)
    msc = t1.UNet(True).state_dict()
    bsc_path, msc_path = os.path.join(args.out, "bsc_init.safetensors"), os.path.join(args.out, "msc_init.safetensors")
    t1.write_safetensors(bsc_path, bsc)
    t1.write_safetensors(msc_path, msc)

    x, y, _ = t1.read_coursework_csv(csv_path)
    torch.set_num_threads(1)
    expected = {"csv_fnv1a64": str(csv_hash), "rows": len(y), "epochs": EPOCHS, "torch_version": torch.__version__}
    for variant, init, fn in (("bsc", bsc_path, t1.run_bsc), ("msc", msc_path, t1.run_msc)):
        run_args = t1.parse_args(["--csv", csv_path, "--max-epochs", str(EPOCHS), "--dtype", "float64",
                                  "--no-shuffle", "--init-from", init])
        run_args.seed = 0
        result = fn(t1.Run(run_args, x, y))
        if variant == "bsc":
            expected["task1_bsc"] = {
                "autoencoder": {**phase(result["autoencoder"]),
                                "test_mse_reconstruct": result["autoencoder"]["test_mse_reconstruct"]},
                "regressor": {**phase(result["regressor"]), "test_mse": result["regressor"]["test_mse"],
                              "test_r2": result["regressor"]["test_r2"]},
            }
        else:
            m = result["multitask"]
            expected["task1_msc"] = {
                "unet": phase(result["unet"]),
                "multitask": {
                    "alpha_search": [{**phase(r), "alpha": r["alpha"], "val_mse_regress": r["val_mse_regress"],
                                      "val_mse_regress_curve": [v["mse_regress"] for v in r["val_parts"]]}
                                     for r in m["alpha_search"]],
                    "best_alpha": m["best_alpha"], "retrain_epochs": m["retrain_epochs"],
                    "retrain_curve": m["retrain_curve"], "test_r2": m["test_r2"],
                    "test_mse_regress": m["test_mse_regress"], "test_mse_reconstruct": m["test_mse_reconstruct"],
                },
            }
    with open(os.path.join(args.out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    print(f"wrote {args.out}: bsc_init.safetensors, msc_init.safetensors, expected.json (CSV hash {csv_hash})")


if __name__ == "__main__":
    sys.exit(main())
