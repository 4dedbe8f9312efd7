#!/usr/bin/env python3
"""Writes the seed corpus tests/fuzz/corpus/<target>/ (a few small valid files per reader).

Run from anywhere: python3 tests/fuzz/make_corpus.py. Standard library only. The files are
committed; rerun only to change the seeds.
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "..", "fixtures", "golden")


def put(target, name, data):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def csv_seeds():
    header = ",Target: MAP7,Feature 1: A,Feature 2: B,Feature 3: C,Treatment"
    rows = [f"{r},{1.25 + 0.5 * r},{r + 0.125},{r + 0.25},{r + 0.375},{1 if r % 3 == 0 else 0}" for r in range(12)]
    plain = "\n".join([header] + rows) + "\n"
    put("csv", "plain.csv", plain)
    put("csv", "bom_crlf.csv", "\ufeff" + plain.replace("\n", "\r\n"))
    quoted = '"Treatment","Feature 2: B","extra","Target: MAP7","Feature 1: A"\n' + "".join(
        f'"{r % 2}", {r}e-1 ,"x,y",+{r}.5,"-{r}"\n' for r in range(10))
    put("csv", "quoted_reordered.csv", quoted)


def npy(descr, shape, payload, version=1):
    dims = ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "")
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (descr, dims)
    prefix = 10 if version == 1 else 12
    header += " " * ((64 - (prefix + len(header) + 1) % 64) % 64) + "\n"
    size = struct.pack("<H", len(header)) if version == 1 else struct.pack("<I", len(header))
    return b"\x93NUMPY" + bytes([version, 0]) + size + header.encode() + payload


def npy_seeds():
    put("npy", "f8_2x3.npy", npy("<f8", (2, 3), struct.pack("<6d", 1.5, -2, 3, 4.25, 5, 6)))
    put("npy", "f4_4.npy", npy("<f4", (4,), struct.pack("<4f", 1, 2, 3, 4)))
    put("npy", "i8_scalar_v2.npy", npy("<i8", (), struct.pack("<q", 7), version=2))
    put("npy", "i4_empty.npy", npy("<i4", (0, 5), b""))


def safetensors(entries, metadata=None):
    header, data = {}, b""
    if metadata:
        header["__metadata__"] = metadata
    for name, dtype, shape, values in entries:
        payload = struct.pack("<%d%s" % (len(values), "f" if dtype == "F32" else "d"), *values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(payload)]}
        data += payload
    text = json.dumps(header, separators=(",", ":"))
    text += " " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text.encode() + data


def safetensors_seeds():
    put("safetensors", "linear_f32.safetensors",
        safetensors([("weight", "F32", [3, 4], [0.5] * 12), ("bias", "F32", [3], [1, 2, 3])], {"model": "Linear"}))
    put("safetensors", "linear_f64.safetensors",
        safetensors([("bias", "F64", [3], [1, 2, 3]), ("weight", "F64", [3, 4], list(range(12)))]))
    put("safetensors", "empty_and_scalar.safetensors",
        safetensors([("empty", "F32", [0, 4], []), ("scalar", "F64", [], [2.5])]))


def golden_seeds():
    """Golden cases whose .npy names point into the fixtures through the harness's ../g link."""
    for case in ["conv2d_k3_p0", "convT_k3_s2_p1_op0", "maxpool_k2_s2_cw", "linear_7to5", "cat_dim1_3_5",
                 "relu_with_zeros", "mse_regress_cw", "adam_default_3steps"]:
        with open(os.path.join(GOLDEN, case, "case.json")) as f:
            spec = json.load(f)
        spec.pop("shapes", None)
        for group in ["inputs", "params", "outputs", "grads", "extra"]:
            for role, file in spec.get(group, {}).items():
                spec[group][role] = f"../g/{case}/{file}"
        if isinstance(spec.get("grad_output"), str):
            spec["grad_output"] = f"../g/{case}/{spec['grad_output']}"
        put("golden_case", case + ".json", json.dumps(spec))


if __name__ == "__main__":
    csv_seeds()
    npy_seeds()
    safetensors_seeds()
    golden_seeds()
