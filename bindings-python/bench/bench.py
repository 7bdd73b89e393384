"""The Python binding's overhead over the Rust core, and batch throughput.

Run from the repository root with the wheel installed (scripts/test-python.sh installs it):

    target/py-venv/bin/python bindings-python/bench/bench.py [--quick] [--batch FILE.jsonl] [--json PATH]

Measures, on the full application of the 2024 pack (rules/nmec-2024/examples/a-clinical-bachelor.json):

- `validate(dict)` and `validate(str)` per call, against the core alone timed in the same process and
  build (`baokao._native._time_core`: `Engine::run` on the value converted once, `Engine::validate_json`
  on the text) — the difference is what the binding costs per call — and the dict conversion alone
  (`_time_convert`);
- `validate_many` throughput with 1 and 2 threads on a batch of 10,000 applications made by cycling the
  pack's example documents (or the JSON Lines given with `--batch`), as dicts and as JSON text;
- when the Rust CLI is built (target/release/baokao), `baokao check --format json` over the same batch
  as JSON Lines, end to end (process start, pack load and compile, parsing, validating, writing reports).

The figures are also written to target/artifacts/bench-python.json (`--json`) with the commit, for
benches/report.py. Every figure is a median over many runs, each timing many calls with time.perf_counter_ns; the
measurements of a table are taken in turn within each run, so machine noise hits them alike.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import baokao
from baokao import _native

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "rules" / "nmec-2024"
FULL = PACK / "examples" / "a-clinical-bachelor.json"
CLI = ROOT / "target" / "release" / "baokao"


def timed(fn: Callable[[], Any], calls: int) -> int:
    """Nanoseconds for `calls` calls of `fn`."""
    start = time.perf_counter_ns()
    for _ in range(calls):
        fn()
    return time.perf_counter_ns() - start


def interleaved(measures: dict[str, Callable[[], int]], runs: int) -> dict[str, float]:
    """Median nanoseconds of each measurement, taken in turn within every run, so that they share
    whatever else the machine is doing; the median discards the runs something interrupted."""
    for m in measures.values():  # warm up caches and the allocator
        m()
    samples: dict[str, list[int]] = {k: [] for k in measures}
    for _ in range(runs):
        for k, m in measures.items():
            samples[k].append(m())
    return {k: statistics.median(v) for k, v in samples.items()}


def example_documents() -> list[dict[str, Any]]:
    bundle = json.loads(baokao.Engine.from_path(PACK).bundle(with_examples=True))
    return [e["document"] for e in bundle["pack"]["examples"] if e.get("document") and not e.get("step")]


def batch_of(size: int, source: str | None) -> list[dict[str, Any]]:
    if source:
        with open(source, encoding="utf-8") as f:
            docs = [json.loads(line) for line in f if line.strip()]
    else:
        docs = example_documents()
    return [docs[i % len(docs)] for i in range(size)]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke test, not numbers)")
    p.add_argument("--batch", help="JSON Lines of applications for the batch (default: the pack's examples, cycled)")
    p.add_argument("--size", type=int, default=10_000, help="applications in the batch (default 10,000)")
    p.add_argument("--json", default=str(ROOT / "target" / "artifacts" / "bench-python.json"),
                   help="where to write the figures for benches/report.py (default target/artifacts/bench-python.json)")
    args = p.parse_args()
    calls, runs, batch_runs = (100, 3, 2) if args.quick else (2_000, 41, 9)

    engine = baokao.load("nmec-2024")
    text = FULL.read_text(encoding="utf-8")
    app = json.loads(text)
    assert engine.validate(app).valid and engine.validate(text) == engine.validate(app)

    print(f"baokao {baokao.__version__} · Python {platform.python_version()} · {platform.machine()} · "
          f"{os.cpu_count()} CPUs · pack {engine.pack['id']} {engine.pack['version']} · "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"\nper call, full application ({len(text)} bytes of JSON); median of {runs} interleaved runs × {calls} calls")
    t = interleaved(
        {
            "core dict": lambda: _native._time_core(engine, app, calls),
            "validate dict": lambda: timed(lambda: engine.validate(app), calls),
            "core str": lambda: _native._time_core(engine, text, calls),
            "validate str": lambda: timed(lambda: engine.validate(text), calls),
            "convert": lambda: _native._time_convert(app, calls),
            "json.dumps": lambda: timed(lambda: json.dumps(app, ensure_ascii=False), calls),
            "to_json": lambda: timed(lambda: engine.validate(app).to_json(), calls),
            "to_dict": lambda: timed(lambda: engine.validate(app).to_dict(), calls),
        },
        runs,
    )
    us = {k: v / calls / 1000 for k, v in t.items()}
    for label in ("dict", "str"):
        py, core = us[f"validate {label}"], us[f"core {label}"]
        print(f"  validate({label:<4})  Python {py:7.2f} µs   core alone {core:7.2f} µs   "
              f"overhead {py - core:6.2f} µs ({py / core:.2f}×)")
    print(f"  converting the dict alone {us['convert']:.2f} µs (json.dumps of the same dict {us['json.dumps']:.2f} µs)")
    print(f"  validate(dict).to_json() {us['to_json']:.2f} µs   validate(dict).to_dict() {us['to_dict']:.2f} µs")

    batch = batch_of(args.size, args.batch)
    lines = [json.dumps(d, ensure_ascii=False) for d in batch]
    print(f"\nvalidate_many, {len(batch)} applications ({'--batch ' + args.batch if args.batch else 'pack examples, cycled'}); "
          f"median of {batch_runs} interleaved runs")
    t = interleaved(
        {
            f"{label:<9} threads={threads}": (lambda items=items, threads=threads: timed(
                lambda: engine.validate_many(items, threads=threads), 1))
            for label, items in (("dicts", batch), ("JSON text", lines))
            for threads in (1, 2)
        }
        | {
            # What validate_many must never be slower than: a plain loop of validate.
            "dicts     loop of validate": lambda: timed(lambda: [engine.validate(d) for d in batch], 1),
        },
        batch_runs,
    )
    for label, ns in t.items():
        print(f"  {label:<27}  {len(batch) / (ns / 1e9):>10,.0f} applications/s   {ns / len(batch) / 1000:6.2f} µs each")
    for label in ("dicts    ", "JSON text"):
        one, two = t[f"{label} threads=1"], t[f"{label} threads=2"]
        print(f"  {label.strip()}: 2 threads ÷ 1 = {one / two:.2f}×")
    print(f"  dicts: validate_many threads=1 ÷ loop of validate (time) = {t['dicts     threads=1'] / t['dicts     loop of validate']:.2f}")
    # Where one record's time goes (the threads=1 path, stage by stage): what must run under the GIL
    # (convert, wrap) bounds what a second thread can gain (docs/benchmarks.md, the targets).
    names = ("convert", "judge", "wrap", "detach", "free input")
    runs_of = [_native._time_stages(engine, batch) for _ in range(batch_runs)]
    stages = {name: statistics.median(r[i] for r in runs_of) / len(batch) / 1000 for i, name in enumerate(names)}
    print("  per record, threads=1 path, stage by stage (median µs): "
          + ", ".join(f"{name} {v:.2f}" for name, v in stages.items()))
    write_results(args, us, {" ".join(label.split()): ns / len(batch) / 1000 for label, ns in t.items()},
                  len(batch), stages)

    if CLI.exists():
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        try:
            def cli_run() -> int:
                start = time.perf_counter_ns()
                subprocess.run([str(CLI), "check", "--pack", str(PACK), "--format", "json", f.name],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
                return time.perf_counter_ns() - start

            ns = interleaved({"cli": cli_run}, batch_runs)["cli"]
            print(f"\nRust CLI, one thread: `baokao check --pack rules/nmec-2024 --format json` over the same "
                  f"{len(lines)} lines, end to end")
            print(f"  {len(lines) / (ns / 1e9):>10,.0f} applications/s   {ns / len(lines) / 1000:6.2f} µs each "
                  f"({ns / 1e6:.0f} ms in all, including start, pack load and compile, and writing every report)")
        finally:
            os.unlink(f.name)
    else:
        print(f"\n(the Rust CLI is not built at {CLI}: `cargo build --release -p baokao-cli` adds its number)",
              file=sys.stderr)


def write_results(args: argparse.Namespace, per_call_us: dict[str, float], many_us: dict[str, float], size: int,
                  stages_us: dict[str, float]) -> None:
    """The figures benches/report.py puts in docs/benchmarks.md (its targets table), with the commit
    they were measured at (scripts/commit-id.sh)."""
    commit = subprocess.run([str(ROOT / "scripts" / "commit-id.sh")], capture_output=True, text=True,
                            check=False).stdout.strip() or "unknown"
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "commit": commit,
        "quick": args.quick,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_end": os.getloadavg()[0],
        "per_call_us": per_call_us,
        "validate_many_us_per_application": many_us,
        "stages_us_per_application": stages_us,
        "batch_size": size,
    }, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {out} (commit {commit})")


if __name__ == "__main__":
    main()
