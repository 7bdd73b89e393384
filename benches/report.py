#!/usr/bin/env python3
"""Print the benchmark tables of docs/benchmarks.md from criterion's saved estimates.

Usage: python3 benches/report.py [CRITERION_DIR]   (default: target/criterion of the workspace)

Reads <group>/<bench>/new/estimates.json and benchmark.json for every bench of
benches/benches/engine.rs and prints two Markdown tables: the medians (criterion's point
estimate of the median time per iteration, with its 95% confidence interval) and the ratios
computed from them. Every number comes from the one run whose estimates are on disk.
Standard library only.
"""

import json
import sys
from pathlib import Path

# (group, bench, what it measures), in the order of the doc.
BENCHES = [
    ("load", "from_dir", "read the pack's TOML files, merge, compile"),
    ("load", "from_bundle", "read the bundle JSON, check its digest, compile"),
    ("load", "compile", "compile the already-loaded pack"),
    ("validate_one", "parse", "`serde_json::from_str` of the full application"),
    ("validate_one", "validate", "`engine.run` on the parsed full application"),
    ("validate_one", "validate_json", "size/depth checks + parse + validate"),
    ("validate_one", "explain", "validate with the explain trace"),
    ("batch_10k", "validate", "`engine.run` on 10,000 parsed applications"),
    ("batch_10k", "parse", "`serde_json::from_str` of the same 10,000 texts"),
]


def human(ns: float) -> str:
    """A duration in the unit that suits it."""
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:#.3g} {unit}" if ns / scale < 100 else f"{ns / scale:.0f} {unit}"
    return f"{ns:.0f} ns"


def load(root: Path) -> dict:
    """(group, bench) -> {median, low, high, elements} for every bench found."""
    found = {}
    for group, bench, _ in BENCHES:
        new = root / group / bench / "new"
        try:
            estimates = json.loads((new / "estimates.json").read_text())
            meta = json.loads((new / "benchmark.json").read_text())
        except FileNotFoundError:
            continue
        median = estimates["median"]
        elements = (meta.get("throughput") or {}).get("Elements")
        found[(group, bench)] = {
            "median": median["point_estimate"],
            "low": median["confidence_interval"]["lower_bound"],
            "high": median["confidence_interval"]["upper_bound"],
            "elements": elements,
        }
    return found


# Issue 12: compile time against the number of rules, and the evaluation work limit.
RULE_COUNTS = [1_000, 10_000, 50_000]
WORK_BENCHES = [
    ("pairwise_1000", "a pairwise check of 1,000 records (within the limit)"),
    ("nested_1000_exceeded", "three nested quantifiers over 1,000 records: stops at the limit"),
]


def median_of(root: Path, path: str):
    """(median, low, high) in ns of the bench at `path` under `root`, or None."""
    try:
        estimates = json.loads((root / path / "new" / "estimates.json").read_text())
    except FileNotFoundError:
        return None
    m = estimates["median"]
    return m["point_estimate"], m["confidence_interval"]["lower_bound"], m["confidence_interval"]["upper_bound"]


def issue12(root: Path) -> None:
    """The tables of the issue-12 sections, when those benches ran."""
    rows = []
    for n in RULE_COUNTS:
        d = median_of(root, f"compile_rules/from_dir/{n}")
        b = median_of(root, f"compile_rules/from_bundle/{n}")
        if d or b:
            rows.append((n, d, b))
    if rows:
        print()
        print("| Rules | `from_dir` median | 95% CI | per rule | `from_bundle` median | 95% CI | per rule |")
        print("|---:|---:|---|---:|---:|---|---:|")
        for n, d, b in rows:
            cells = []
            for r in (d, b):
                if r is None:
                    cells += ["—", "", ""]
                else:
                    cells += [human(r[0]), f"{human(r[1])} – {human(r[2])}", human(r[0] / n)]
            print(f"| {n:,} | " + " | ".join(cells) + " |")
    work = [(name, what, median_of(root, f"work_limit/{name}")) for name, what in WORK_BENCHES]
    if any(r for _, _, r in work):
        print()
        print("| Bench | Measures | Median | 95% CI of the median |")
        print("|---|---|---:|---|")
        for name, what, r in work:
            if r is not None:
                print(f"| `work_limit/{name}` | {what} | {human(r[0])} | {human(r[1])} – {human(r[2])} |")


def main() -> int:
    default = Path(__file__).resolve().parent.parent / "target" / "criterion"
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    found = load(root)
    if not found and not (root / "compile_rules").exists() and not (root / "work_limit").exists():
        print(f"no criterion estimates under {root}; run `cargo bench -p baokao-benches` first",
              file=sys.stderr)
        return 1

    print("| Bench | Measures | Median (ns) | Median | 95% CI of the median | Per application |")
    print("|---|---|---:|---:|---|---:|")
    for group, bench, what in BENCHES:
        r = found.get((group, bench))
        if r is None:
            print(f"| `{group}/{bench}` | {what} | — | not run | | |")
            continue
        per = human(r["median"] / r["elements"]) if r["elements"] else ""
        print(f"| `{group}/{bench}` | {what} | {r['median']:,.0f} | {human(r['median'])} "
              f"| {human(r['low'])} – {human(r['high'])} | {per} |")

    def median(group: str, bench: str):
        r = found.get((group, bench))
        return None if r is None else r["median"]

    def ratio(label: str, num, den, note: str = "") -> None:
        value = "—" if num is None or den is None else f"{num / den:.2f}"
        print(f"| {label} | {value} | {note} |")

    one_parse = median("validate_one", "parse")
    one_validate = median("validate_one", "validate")
    print()
    print("| Ratio (medians) | Value | Note |")
    print("|---|---:|---|")
    ratio("validate / parse, one application", one_validate, one_parse,
          "the target: ≤ 1.00")
    ratio("validate_json / parse, one application", median("validate_one", "validate_json"),
          one_parse, "what a caller holding JSON text pays, in parses")
    ratio("explain / validate, one application", median("validate_one", "explain"),
          one_validate)
    ratio("validate / parse, batch of 10,000", median("batch_10k", "validate"),
          median("batch_10k", "parse"))
    batch_validate = median("batch_10k", "validate")
    ratio("batch validate per application / one validate",
          None if batch_validate is None else batch_validate / 10_000, one_validate,
          "varied, cold documents against one warm document")
    from_dir, from_bundle, compile_ = (median("load", b) for b in ("from_dir", "from_bundle", "compile"))
    for label, value in (("load + compile from the pack directory", from_dir),
                         ("load + compile from the bundle", from_bundle),
                         ("compile alone", compile_)):
        print(f"| {label} | {human(value) if value is not None else '—'} | |")
    if one_validate is not None and one_parse is not None:
        verdict = "met" if one_validate <= one_parse else "not met"
        print()
        print(f"Target (validating a parsed application costs no more than parsing its JSON): "
              f"**{verdict}** (validate / parse = {one_validate / one_parse:.2f}).")
    issue12(root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
