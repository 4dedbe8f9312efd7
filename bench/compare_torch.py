#!/usr/bin/python3
"""convgrad next to PyTorch on the same machine, in the same run. Dev-only.

Items mode (default): times every item of convgrad-bench in PyTorch — the same layers at the
same shapes (forward + backward), one training epoch of each network (the batch loop alone, and
with the whole-set evaluations every coursework epoch does), the Task 2 analysis in NumPy +
NetworkX — with torch.set_num_threads(N), then runs convgrad-bench with the same --threads and
prints one table: item, convgrad min / median, PyTorch min / median, and the speed-up
(PyTorch time / convgrad time) of the minima and of the medians. With --rounds N the two sides
take turns N times (on a shared host the machine's speed drifts over minutes; alternating spreads
the drift over both sides).

End-to-end mode (--all): times `convgrad all` (wall clock, figures and report included), then
bench/torch_coursework.py doing the same coursework work with exactly the epochs per phase that
convgrad's run took (read from its results.json), each as a fresh process, and prints both.

    /usr/bin/python3 bench/compare_torch.py [--threads N] [--repeats N] [--rounds N] [--build DIR] [--json FILE] [--cpu-time]
    /usr/bin/python3 bench/compare_torch.py --all [--threads N] [--rounds N] [--build DIR] [--torch-timeout S]

--build is the build folder holding convgrad and convgrad-bench (default: build-bench, then
build). Without PyTorch the script says so and exits 0. The machine may be shared: the load
average is printed with each table; compare minima when it is high.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

try:
    import torch
except ImportError:
    torch = None


def load_average():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def find_build(build):
    for candidate in ([build] if build else [os.path.join(ROOT, "build-bench"), os.path.join(ROOT, "build")]):
        if os.path.exists(os.path.join(candidate, "convgrad-bench")):
            return candidate
    sys.exit("compare_torch.py: no convgrad-bench found; build it (cmake --build BUILD --target convgrad-bench) "
             "and pass --build BUILD")


CLOCK = time.perf_counter  # --cpu-time: time.process_time, as convgrad-bench --cpu-time


def measure(fn, repeats, sample_seconds):
    """As bench_util.h: warm-up and calibration, then `repeats` samples; (min, median) per run."""
    start = CLOCK()
    fn()
    calls = 1
    while CLOCK() - start < 2 * sample_seconds and calls < 1000:
        fn()
        calls += 1
    per_call = (CLOCK() - start) / calls
    runs = max(1, round(sample_seconds / max(per_call, 1e-9)))
    times = []
    for _ in range(repeats):
        start = CLOCK()
        for _ in range(runs):
            fn()
        times.append((CLOCK() - start) / runs)
    return min(times), statistics.median(times)


# ---- the PyTorch items (names and shapes as bench/bench_layers.cpp and bench_training.cpp) ----

def layer_items():
    import torch.nn.functional as F
    torch.manual_seed(0)

    def rand(*shape, grad=True):
        return (torch.rand(*shape) * 2 - 1).requires_grad_(grad)

    def layer(leaves, forward):
        g = torch.rand_like(forward()) * 2 - 1

        def run():
            for leaf in leaves:
                leaf.grad = None
            forward().backward(g)
        return run

    def conv(x_shape, c_out, k, s, p, input_grad=True):
        x, w, b = rand(*x_shape, grad=input_grad), rand(c_out, x_shape[1], k, k), rand(c_out)
        return layer([x, w, b], lambda: F.conv2d(x, w, b, stride=s, padding=p))

    def conv_t(x_shape, c_out, k, s, p, op):
        x, w, b = rand(*x_shape), rand(x_shape[1], c_out, k, k), rand(c_out)
        return layer([x, w, b], lambda: F.conv_transpose2d(x, w, b, stride=s, padding=p, output_padding=op))

    def dense(n_in):
        x, w, b = rand(32, n_in), rand(1, n_in), rand(1)
        return layer([x, w, b], lambda: F.linear(x, w, b))

    x8 = rand(32, 8, 10, 10)
    a, b = rand(32, 8, 10, 10), rand(32, 8, 10, 10)
    return [
        ("conv1", conv((32, 1, 10, 10), 8, 3, 1, 1, input_grad=False)),
        ("conv2_ae", conv((32, 8, 5, 5), 8, 3, 1, 1)),
        ("conv2_unet", conv((32, 8, 5, 5), 16, 3, 1, 1)),
        ("deconv", conv_t((32, 8, 5, 5), 1, 3, 2, 1, 1)),
        ("up", conv_t((32, 16, 5, 5), 8, 3, 2, 1, 1)),
        ("conv3", conv((32, 16, 10, 10), 8, 3, 1, 1)),
        ("conv4", conv((32, 8, 10, 10), 1, 1, 1, 0)),
        ("maxpool", layer([x8], lambda: F.max_pool2d(x8, 2))),
        ("relu", layer([x8], lambda: torch.relu(x8))),
        ("linear200", dense(200)),
        ("linear400", dense(400)),
        ("cat", layer([a, b], lambda: torch.cat([a, b], 1))),
        ("vae_conv", conv((128, 1, 28, 28), 32, 4, 2, 1, input_grad=False)),
        ("vae_convT", conv_t((128, 32, 14, 14), 1, 4, 2, 1, 0)),
    ]


def training_items(csv_path):
    import torch_coursework as tc
    x, y, t = tc.read_csv(csv_path)
    train, val, _ = tc.splits(x, y)
    torch.manual_seed(0)
    ae = tc.Autoencoder()
    frozen = tc.Autoencoder()
    for p in frozen.parameters():
        p.requires_grad_(False)
    head = torch.nn.Linear(200, 1)
    unet, multi = tc.UNet(False), tc.UNet(True)
    cases = [("autoencoder", ae.parameters(), tc.autoencoder_loss(ae)),
             ("regressor", head.parameters(), tc.regressor_loss(frozen, head)),
             ("unet", unet.parameters(), tc.unet_loss(unet)),
             ("unet_multitask", multi.parameters(), tc.multitask_loss(multi, 1.0))]
    items = []
    for name, params, loss in cases:
        opt, gen = torch.optim.Adam(list(params), lr=1e-3), torch.Generator().manual_seed(1)
        items.append(("epoch_ms", name, lambda o=opt, l=loss, g=gen: tc.train_epoch(o, l, train, g), 1e-4))
        items.append(("epoch_eval_ms", name,
                      lambda o=opt, l=loss, g=gen: tc.train_epoch_with_eval(o, l, train, val, g), 1e-4))
        items.append(("evaluate_ms", name, lambda l=loss: (tc.evaluate(l, train), tc.evaluate(l, val)), 1e-4))
    order = {"epoch_ms": 0, "epoch_eval_ms": 1, "evaluate_ms": 2}
    items.sort(key=lambda item: order[item[0]])  # the bench's order
    items.append(("task2_sweep_ms", "", lambda: tc.task2(x[:400, :10], t[:400]), 0.05))
    return items


def torch_items(csv_path, repeats, only):
    out = {}
    items = [("layer_us", name, fn, 0.005) for name, fn in layer_items()] + training_items(csv_path)
    for group, name, fn, sample_seconds in items:
        key = f"{group}.{name}" if name else group
        if only and only not in key:
            continue
        lo, med = measure(fn, repeats, sample_seconds)
        scale = 1e6 if group == "layer_us" else 1e3
        out[key] = (lo * scale, med * scale)
        print(f"  torch {key:30s} {lo * scale:10.3f} {med * scale:10.3f}", file=sys.stderr, flush=True)
    return out


def convgrad_items(build, threads, repeats, only, cpu_time):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.json")
        cmd = [os.path.join(build, "convgrad-bench"), "--threads", str(threads), "--repeats", str(repeats),
               "--json", path] + (["--only", only] if only else []) + (["--cpu-time"] if cpu_time else [])
        subprocess.run(cmd, check=True, stdout=sys.stderr)
        with open(path) as f:
            doc = json.load(f)
    out = {}
    for group, value in doc.items():
        if group in ("threads", "repeats", "load_avg", "min", "clock", "blas_core"):
            continue
        if isinstance(value, dict):
            for name, med in value.items():
                out[f"{group}.{name}"] = (doc["min"][group][name], med)
        else:
            out[group] = (doc["min"][group], value)
    return out


def combine_rounds(rounds):
    """{key: (min, median)} per round -> {key: (min of the minima, median of the medians)}."""
    return {key: (min(r[key][0] for r in rounds), statistics.median(r[key][1] for r in rounds))
            for key in rounds[0]}


def write_dataset(build, tmp):
    path = os.path.join(tmp, "bundled.csv")
    subprocess.run([os.path.join(build, "convgrad"), "data", "--out", path], check=True, stdout=subprocess.DEVNULL)
    return path


def items_mode(args, build):
    """convgrad-bench and the PyTorch items, `rounds` times alternating: the minimum over the rounds'
    minima and the median of their medians, so that a machine that speeds up or slows down over the
    minutes of a run (a shared host) weighs on both sides alike."""
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = write_dataset(build, tmp)
        load_before = load_average()
        torch.set_num_threads(args.threads)
        cg_rounds, pt_rounds = [], []
        for r in range(args.rounds):
            cg_rounds.append(convgrad_items(build, args.threads, args.repeats, args.only, args.cpu_time))
            pt_rounds.append(torch_items(csv_path, args.repeats, args.only))
            if args.rounds > 1:
                print(f"  round {r + 1} of {args.rounds} done (load {load_average()})", file=sys.stderr, flush=True)
    cg, pt = combine_rounds(cg_rounds), combine_rounds(pt_rounds)
    clock = "CPU time" if args.cpu_time else "wall clock"
    print(f"\nconvgrad vs PyTorch {torch.__version__}, {args.threads} thread(s), {args.repeats} samples per item, "
          f"{args.rounds} round(s), {clock}, load average {load_before} -> {load_average()}  (speed-up = PyTorch time / convgrad time)")
    header = (f"{'item':28s} {'convgrad min':>13s} {'median':>10s} {'PyTorch min':>13s} {'median':>10s} "
              f"{'speed-up min':>13s} {'median':>7s}")
    print(header)
    print("-" * len(header))
    rows = {}
    for key in cg:
        if key not in pt:
            continue
        (c_min, c_med), (p_min, p_med) = cg[key], pt[key]
        unit = "us" if key.startswith("layer_us") else "ms"
        rows[key] = {"convgrad": [c_min, c_med], "torch": [p_min, p_med], "speedup": [p_min / c_min, p_med / c_med]}
        print(f"{key:28s} {c_min:10.3f} {unit} {c_med:10.3f} {p_min:10.3f} {unit} {p_med:10.3f} "
              f"{p_min / c_min:12.1f}x {p_med / c_med:6.1f}x")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"threads": args.threads, "rounds": args.rounds, "torch": torch.__version__, "clock": clock,
                       "load_avg": load_before, "items": rows}, f, indent=1)


def all_mode(args, build):
    """convgrad all vs torch_coursework.py, each a fresh process, `rounds` times alternating."""
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = write_dataset(build, tmp)
        out = os.path.join(tmp, "out")
        cg_times, pt_times, pt_phases = [], [], []
        load_before = load_average()
        for r in range(args.rounds):
            start = time.perf_counter()
            subprocess.run([os.path.join(build, "convgrad"), "all", "--threads", str(args.threads), "--quiet",
                            "--out", out], check=True, stdout=subprocess.DEVNULL)
            cg_times.append(time.perf_counter() - start)
            with open(os.path.join(out, "results.json")) as f:
                results = json.load(f)
            timing_path = os.path.join(tmp, "torch.json")
            start = time.perf_counter()
            try:
                subprocess.run([sys.executable, os.path.join(HERE, "torch_coursework.py"), "--csv", csv_path,
                                "--epochs-from", os.path.join(out, "results.json"), "--threads", str(args.threads),
                                "--json", timing_path], check=True, stdout=subprocess.DEVNULL,
                               timeout=args.torch_timeout)
            except subprocess.TimeoutExpired:  # a lower bound: PyTorch took at least this long
                print(f"  PyTorch did not finish within --torch-timeout {args.torch_timeout} s", file=sys.stderr)
                pt_times.append(float(args.torch_timeout))
                pt_phases.append({})
                continue
            pt_times.append(time.perf_counter() - start)
            with open(timing_path) as f:
                pt_phases.append(json.load(f)["timings_s"])
            print(f"  round {r + 1}: convgrad all {cg_times[-1]:.2f} s, PyTorch + NetworkX {pt_times[-1]:.2f} s "
                  f"(load {load_average()})", file=sys.stderr, flush=True)
    cg_phases = results["timings_s"]
    print(f"\n`convgrad all` vs the same work in PyTorch {torch.__version__} + NetworkX, {args.threads} thread(s), "
          f"{args.rounds} round(s), load average {load_before} -> {load_average()}")
    print(f"epochs per phase (from convgrad's results.json): {json.dumps(results_epochs(results))}")
    print(f"{'phase':36s} {'convgrad s':>11s} {'PyTorch s':>10s} {'speed-up':>9s}")
    for phase, seconds in pt_phases[-1].items():
        if phase in cg_phases:
            print(f"{phase:36s} {cg_phases[phase]:11.3f} {seconds:10.3f} {seconds / cg_phases[phase]:8.1f}x")
    if "task2" in pt_phases[-1] and "task2.total" in cg_phases:
        print(f"{'task2':36s} {cg_phases['task2.total']:11.3f} {pt_phases[-1]['task2']:10.3f} "
              f"{pt_phases[-1]['task2'] / cg_phases['task2.total']:8.1f}x")
    c_min, p_min = min(cg_times), min(pt_times)
    c_med, p_med = statistics.median(cg_times), statistics.median(pt_times)
    bound = ">" if args.torch_timeout in pt_times else ""  # PyTorch was stopped: its times are lower bounds
    print(f"{'end to end, wall clock, min':36s} {c_min:11.2f} {bound:>1s}{p_min:9.2f} {bound:>1s}{p_min / c_min:7.1f}x")
    print(f"{'end to end, wall clock, median':36s} {c_med:11.2f} {bound:>1s}{p_med:9.2f} {bound:>1s}{p_med / c_med:7.1f}x")
    print("(convgrad's wall clock includes its figures (gnuplot) and report.html; the PyTorch script draws none)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"threads": args.threads, "convgrad_s": cg_times, "torch_s": pt_times,
                       "convgrad_phases": cg_phases, "torch_phases": pt_phases, "load_avg": load_before}, f, indent=1)


def results_epochs(results):
    import torch_coursework as tc
    return tc.phase_epochs(results)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--rounds", type=int, default=1, help="alternate convgrad / PyTorch this many times")
    p.add_argument("--build", default="", help="folder with convgrad and convgrad-bench")
    p.add_argument("--only", default="", help="items whose group.name contains this text")
    p.add_argument("--all", action="store_true", help="end to end: convgrad all vs bench/torch_coursework.py")
    p.add_argument("--json", default="", help="also write the table as JSON")
    p.add_argument("--torch-timeout", type=float, default=1800.0,
                   help="--all: stop the PyTorch run after this many seconds and report a lower bound")
    p.add_argument("--cpu-time", action="store_true",
                   help="items: time both sides with process CPU time (steadier on a shared machine; "
                        "with several threads it adds up their times)")
    args = p.parse_args()
    if args.cpu_time:
        global CLOCK
        CLOCK = time.process_time
    if torch is None:
        print("compare_torch.py: PyTorch is not installed for this interpreter (use /usr/bin/python3 where it is); "
              "skipping the comparison")
        return 0
    build = find_build(args.build)
    if args.all:
        all_mode(args, build)
    else:
        items_mode(args, build)
    return 0


if __name__ == "__main__":
    sys.exit(main())
