"""Time per badge from Python: `openbadges.verify` and `openbadges.issue` on the micro-credential
workload, for each suite. Not a test: it prints figures for the README.

    python bindings/python/bench.py [--n 300]      # with the wheel installed (test.sh's venv)

The workload is ../shared/tools/samples/ob3-microcredential.json (the one named in the issues) when
../shared is present, else the project's fixtures/sample-microcredential.json of the same shape.
Each figure is the median of 5 runs of N calls, as CPU time (what a call costs) and wall time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import openbadges

REPO = Path(__file__).resolve().parents[2]
SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
ISSUED = "2026-03-01T09:30:00Z"
AT = "2026-06-01T00:00:00Z"
SUITES = ["eddsa-rdfc-2022", "eddsa-jcs-2022", "Ed25519Signature2020", "jwt-eddsa"]


def workload() -> tuple[str, dict]:
    shared = REPO.parent / "shared" / "tools" / "samples" / "ob3-microcredential.json"
    path = shared if shared.is_file() else REPO / "fixtures" / "sample-microcredential.json"
    return path.name, json.loads(path.read_text("utf-8"))


def per_call_us(fn, n: int) -> tuple[float, float]:
    """(wall, CPU) µs per call, each the median of 5 runs of n calls. CPU time (this process)
    is what a call costs; wall time also shows how much of a core the machine gave us."""
    wall, cpu = [], []
    for _ in range(5):
        w, c = time.perf_counter(), time.process_time()
        for _ in range(n):
            fn()
        wall.append((time.perf_counter() - w) / n * 1e6)
        cpu.append((time.process_time() - c) / n * 1e6)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="calls per run (5 runs)")
    args = parser.parse_args()
    name, credential = workload()
    print(f"openbadges {openbadges.__version__}, workload {name}, median of 5 x {args.n} calls")
    print("µs per call, CPU (wall)")
    print(f"{'suite':<22} {'verify bytes':>18} {'verify dict':>18} {'issue':>18}")
    for suite in SUITES:
        signed = openbadges.issue(credential, SEED, suite, at=ISSUED)
        data = signed.encode() if isinstance(signed, str) else json.dumps(signed).encode()
        as_given = signed  # a dict (JSON-LD) or a str (VC-JWT)
        assert openbadges.verify(data, at=AT)["verified"]
        openbadges.verify(data, at=AT)  # warm the processed-context cache
        v_bytes = per_call_us(lambda: openbadges.verify(data, at=AT), args.n)
        v_dict = per_call_us(lambda: openbadges.verify(as_given, at=AT), args.n)
        sign = per_call_us(lambda: openbadges.issue(credential, SEED, suite, at=ISSUED), max(args.n // 3, 1))
        cells = " ".join(f"{c:>9.0f} ({w:>6.0f})" for w, c in (v_bytes, v_dict, sign))
        print(f"{suite:<22} {cells}")


if __name__ == "__main__":
    main()
