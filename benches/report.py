#!/usr/bin/env python3
"""The generated tables of docs/benchmarks.md: criterion's results and the performance targets.

Usage:
    python3 benches/report.py [CRITERION_DIR]          print the tables (default: target/criterion)
    python3 benches/report.py --write docs/benchmarks.md [CRITERION_DIR]
                                                       write them between their markers

Reads <group>/<bench>/new/estimates.json and benchmark.json for every bench of
benches/benches/engine.rs: the medians (criterion's point estimate of the median time per
iteration, with its 95% confidence interval) and the ratios computed from them. The targets table
(issue 16) also reads target/compare/rust.json, the medians of the Rust comparison harness
(`make compare`), and, when they exist, the instruction counts of scripts/callgrind.sh
(target/callgrind/counts.json, put beside the times) and the binding benches' figures
(target/artifacts/bench-wasm.json from bindings-wasm/bench/bench.mjs, target/artifacts/bench-python.json
from bindings-python/bench/bench.py; `make bench` runs all of them). Every number comes from one run whose output is on disk; each source is named
with the commit it ran at (`commit.txt` beside it, written by `make bench` and `make compare`:
`<sha>` or `<sha>-dirty` when the tree had uncommitted changes).

`--write` replaces what lies between `<!-- criterion:begin -->` and `<!-- criterion:end -->`,
between `<!-- targets:begin -->` and `<!-- targets:end -->`, and between `<!-- profile:begin -->`
and `<!-- profile:end -->` (callgrind's profile of a validation), leaving the rest of the file as it is;
a section whose source is missing is left unchanged. Standard library only.
"""

import io
import json
import os
import re
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

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


def commit_id() -> str:
    """HEAD's short id, with `-dirty` when tracked files other than docs/benchmarks.md (the output)
    have uncommitted changes. As scripts/commit-id.sh."""
    out = subprocess.run(["scripts/commit-id.sh"], cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def source_commit(directory: Path) -> str:
    """The commit a run was made at (`commit.txt` in its output directory), or `unknown`."""
    try:
        return (directory / "commit.txt").read_text().strip() or "unknown"
    except FileNotFoundError:
        return "unknown"


# The bench each operation of scripts/callgrind.sh counts (instructions per application).
CALLGRIND_OF = {
    ("validate_one", "parse"): "parse",
    ("validate_one", "validate"): "validate",
    ("validate_one", "validate_json"): "validate_json",
    ("validate_one", "explain"): "explain",
    ("batch_10k", "validate"): "batch_validate",
}


def load_json(path: Path) -> dict | None:
    """A JSON file written by a bench, or None when that bench has not run."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def instructions(counts: dict | None, group: str, bench: str):
    """Instructions per application of a bench, from scripts/callgrind.sh, or None."""
    op = CALLGRIND_OF.get((group, bench))
    if counts is None or op is None:
        return None
    return counts.get("operations", {}).get(op, {}).get("per_operation")


def machine(root: Path) -> str:
    """The machine and compiler of a criterion run, and the load average (1, 5, 15 minutes) when it
    started and ended (files `make bench` writes beside the estimates)."""
    def read(name: str) -> str:
        try:
            return (root / name).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return "unknown"

    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except FileNotFoundError:
        pass
    return (f"Machine: {os.cpu_count()} CPUs ({model}); `{read('rustc.txt')}`; load average "
            f"{read('load-start.txt')} when the criterion run started and {read('load-end.txt')} when it ended.")


def criterion_tables(found: dict, counts: dict | None = None, root: Path | None = None) -> None:
    """Print the results and ratio tables (with callgrind's counts beside the times when present)."""
    if root is not None:
        print(machine(root))
        print()
    if counts is not None:
        print(f"Instructions: `scripts/callgrind.sh` at `{counts.get('commit', 'unknown')}` "
              f"((I(N) − I(0)) / N with N = {counts.get('n')}; the batch inside `Engine::run`).")
        print()
    print("| Bench | Measures | Median (ns) | Median | 95% CI of the median | Per application | Instructions per application |")
    print("|---|---|---:|---:|---|---:|---:|")
    for group, bench, what in BENCHES:
        r = found.get((group, bench))
        ins = instructions(counts, group, bench)
        ins_cell = f"{ins:,}" if ins is not None else ""
        if r is None:
            print(f"| `{group}/{bench}` | {what} | — | not run | | | {ins_cell} |")
            continue
        per = human(r["median"] / r["elements"]) if r["elements"] else ""
        print(f"| `{group}/{bench}` | {what} | {r['median']:,.0f} | {human(r['median'])} "
              f"| {human(r['low'])} – {human(r['high'])} | {per} | {ins_cell} |")

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
          "issue 16's target: ≤ 0.5")
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


def ratio_cell(values: list, target: float, at_most: bool = True) -> tuple[str, str]:
    """The measured ratios joined, and whether every one meets the target."""
    present = [v for v in values if v is not None]
    if not present:
        return "not measured", "—"
    text = " / ".join("—" if v is None else f"{v:.2f}" for v in values)
    ok = all((v <= target) if at_most else (v >= target) for v in present)
    return text, "**yes**" if ok and len(present) == len(values) else "**no**"


def targets_table(found: dict, compare: dict | None, criterion_commit: str, compare_commit: str,
                  counts: dict | None = None, wasm: dict | None = None, python: dict | None = None) -> None:
    """The targets of issue 16 against the figures on disk (criterion, callgrind, the Rust comparison,
    the binding benches)."""
    def crit(group: str, bench: str):
        r = found.get((group, bench))
        return None if r is None else r["median"]

    def crit_ratio(num, den):
        return None if num is None or den is None else num / den

    tables = (compare or {}).get("tables", {})
    # The comparison's inputs in its tables' order (rust.json's keys are sorted).
    order = ("full", "invalid", "variants", "batch")
    inputs = sorted(tables.get("schema", {}),
                    key=lambda name: next((i for i, o in enumerate(order) if name.startswith(o)), len(order)))

    def cmp_ratio(table: str, ours: str, theirs: str) -> list:
        out = []
        for name in inputs:
            row = tables.get(table, {}).get(name, {})
            a, b = row.get(ours), row.get(theirs)
            out.append(None if a is None or not b else a / b)
        return out

    crit_src = f"`make bench` at `{criterion_commit}`"
    cmp_src = f"`make compare` at `{compare_commit}`"
    each = " / ".join(inputs) if inputs else "full / invalid / variants / batch"
    def ins_ratio(num: str, den: str) -> str:
        a, b = instructions(counts, "validate_one", num), instructions(counts, "validate_one", den)
        return "" if a is None or not b else f"; instructions {a / b:.2f}"

    cg_src = f"; `scripts/callgrind.sh` at `{counts.get('commit', 'unknown')}`" if counts else ""
    rows = [
        ("Full validation ≤ **0.5×** `serde_json::from_str` of the same document (one application / batch)",
         [crit_ratio(crit("validate_one", "validate"), crit("validate_one", "parse")),
          crit_ratio(crit("batch_10k", "validate"), crit("batch_10k", "parse"))], 0.5, True,
         crit_src + cg_src, ins_ratio("validate", "parse")),
        ("`validate_json` end to end ≤ **1.5×** `serde_json::from_str::<Value>` alone",
         [crit_ratio(crit("validate_one", "validate_json"), crit("validate_one", "parse"))], 1.5, True,
         crit_src + cg_src, ins_ratio("validate_json", "parse")),
        (f"Schema-only overlay ≤ **1.0×** jsonschema `iter_errors` ({each})",
         cmp_ratio("schema", "schema-only", "iter_errors"), 1.0, True, cmp_src, ""),
        (f"Cross-field overlay ≤ **1.0×** datalogic-rs ({each})",
         cmp_ratio("cross_field", "cross-field", "datalogic"), 1.0, True, cmp_src, ""),
        (f"Eligibility overlay ≤ **0.05×** ZEN, incl. the `Value` → `Variable` clone ({each})",
         cmp_ratio("eligibility", "eligibility", "zen_clone"), 0.05, True, cmp_src, ""),
    ]
    print("| Goal (issue 16; ratios of medians, baokao ÷ other) | Measured | Met? | Source |")
    print("|---|---|---|---|")
    for goal, values, target, at_most, src, extra in rows:
        text, met = ratio_cell(values, target, at_most)
        print(f"| {goal} | {text}{extra} | {met} | {src} |")

    wasm_goal = "WebAssembly ≥ **50 %** of native throughput (JSON text: one application / the examples cycled), ≤ **250 KB** (256,000 B) gzipped"
    wasm_how = "`node bindings-wasm/bench/bench.mjs` (best of 5 rounds), `gzip -9`"
    if wasm and wasm.get("native"):
        w, n = wasm["wasm"], wasm["native"]
        shares = [w.get("single_json_text_ops", 0) / n["single_json_text_ops"],
                  w.get("batch_json_text_ops", 0) / n["batch_json_text_ops"]]
        objects = [w.get("single_object_ops", 0) / n["single_json_text_ops"],
                   w.get("batch_object_ops", 0) / n["batch_json_text_ops"]]
        size = wasm.get("wasm_gzip_bytes")
        ok = all(x >= 0.5 for x in shares) and size is not None and size <= 250 * 1024
        size_text = f"{size:,} B" if size is not None else "size not recorded"
        print(f"| {wasm_goal} | {' / '.join(f'{100 * x:.0f} %' for x in shares)} "
              f"(object API {' / '.join(f'{100 * x:.0f} %' for x in objects)}); {size_text} "
              f"| {'**yes**' if ok else '**no**'} | {wasm_how} at `{wasm.get('commit', 'unknown')}` |")
    else:
        print(f"| {wasm_goal} | not measured | — | {wasm_how} |")

    py_goal = "Python `validate_many` with dicts ≥ **1.6×** on 2 threads over 1, never slower than a loop of `validate`"
    py_how = "`bindings-python/bench/bench.py` (median of interleaved runs)"
    many = (python or {}).get("validate_many_us_per_application", {})
    one, two, loop = (many.get(k) for k in ("dicts threads=1", "dicts threads=2", "dicts loop of validate"))
    if one and two and loop:
        ok = one / two >= 1.6 and one <= loop and two <= loop
        stages = python.get("stages_us_per_application") or {}
        stage_text = ("; one record, stage by stage: " + ", ".join(f"{k} {v:.1f}" for k, v in stages.items())
                      if stages else "")
        print(f"| {py_goal} | 2 ÷ 1 = {one / two:.2f}×; µs per application: 1 thread {one:.1f}, 2 threads {two:.1f}, "
              f"loop {loop:.1f}{stage_text} | {'**yes**' if ok else '**no**'} | {py_how} at `{python.get('commit', 'unknown')}` |")
    else:
        print(f"| {py_goal} | not measured | — | {py_how} |")
    if python and python.get("quick"):
        print()
        print("The Python figures come from a `--quick` run: a smoke run, not for publication.")
    if compare and compare.get("quick"):
        print()
        print("The comparison figures come from a `--quick` run (fewer samples): a smoke run, not for publication.")


def profile_rows(path: Path, limit: int) -> list[tuple[int, float, str]]:
    """(instructions, percent, function) of a callgrind_annotate listing, biggest first, without
    the frames that only wrap Engine::run (100 %) and without the crate paths of generics."""
    rows = []
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return rows
    for line in lines:
        m = re.match(r"^\s*([\d,]+)\s+\(\s*([\d.]+)%\)\s+(.*)$", line)
        if m is None or "PROGRAM TOTALS" in line:
            continue
        count, percent = int(m.group(1).replace(",", "")), float(m.group(2))
        function = m.group(3).split(" [", 1)[0]
        function = function.split(":", 1)[1] if function.startswith(("???:", "./", "/")) else function
        if percent >= 99.99:
            continue
        rows.append((count, percent, function))
        if len(rows) == limit:
            break
    return rows


def profile_section(counts: dict | None) -> None:
    """The functions a validation of the full application spends its instructions in."""
    directory = ROOT / "target" / "callgrind"
    inclusive = profile_rows(directory / "validate-inclusive.txt", 14)
    own = profile_rows(directory / "validate-self.txt", 14)
    if counts is None or not inclusive:
        print("(not generated yet: run `make bench`)")
        return
    n = counts.get("n", 1)
    print(f"callgrind inside `Engine::run`, the full application validated {n:,} times, at "
          f"`{counts.get('commit', 'unknown')}` (`scripts/callgrind.sh`); instructions per validation.")
    print()
    for title, rows in (("Inclusive (the function and what it calls)", inclusive),
                        ("Self (the function's own instructions)", own)):
        print(f"| {title} | Instructions | Share |")
        print("|---|---:|---:|")
        for count, percent, function in rows:
            name = function.replace("|", "\\|")
            print(f"| `{name}` | {count / n:,.0f} | {percent:.1f} % |")
        print()


def splice(doc: Path, name: str, body: str) -> bool:
    """Replace the text between `<!-- name:begin -->` and `<!-- name:end -->` in `doc`."""
    text = doc.read_text(encoding="utf-8")
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    if text.count(begin) != 1 or text.count(end) != 1 or text.index(begin) > text.index(end):
        print(f"report: {doc} needs exactly one {begin} … {end} pair", file=sys.stderr)
        return False
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    doc.write_text(f"{head}{begin}\n{body.strip()}\n{end}{tail}", encoding="utf-8")
    return True


def captured(fn, *args) -> str:
    buf = io.StringIO()
    with redirect_stdout(buf):
        fn(*args)
    return buf.getvalue()


def main() -> int:
    args = sys.argv[1:]
    write = None
    if args[:1] == ["--write"]:
        if len(args) < 2:
            print("usage: report.py --write DOC [CRITERION_DIR]", file=sys.stderr)
            return 2
        write, args = Path(args[1]), args[2:]
    root = Path(args[0]) if args else ROOT / "target" / "criterion"
    found = load(root)
    compare_dir = ROOT / "target" / "compare"
    try:
        compare = json.loads((compare_dir / "rust.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        compare = None
    criterion_commit, compare_commit = source_commit(root), source_commit(compare_dir)
    counts = load_json(ROOT / "target" / "callgrind" / "counts.json")
    wasm = load_json(ROOT / "target" / "artifacts" / "bench-wasm.json")
    python = load_json(ROOT / "target" / "artifacts" / "bench-python.json")

    if write is None:
        if not found:
            print(f"no criterion estimates under {root}; run `make bench` first", file=sys.stderr)
            return 1
        criterion_tables(found, counts, root)
        issue12(root)
        print()
        targets_table(found, compare, criterion_commit, compare_commit, counts, wasm, python)
        print()
        profile_section(counts)
        return 0

    ok = True
    if found:
        note = (f"<!-- generated by benches/report.py from target/criterion -->\n"
                f"Generated by `make bench` (criterion, then `benches/report.py --write`) at commit "
                f"`{criterion_commit}`"
                + (" — **the tree had uncommitted changes: not a figure of any commit**" if criterion_commit.endswith("-dirty") else "")
                + ".\n\n")
        ok &= splice(write, "criterion", note + captured(criterion_tables, found, counts, root) + captured(issue12, root))
    else:
        print(f"report: no criterion estimates under {root}: the Results section is left as it is", file=sys.stderr)
    if found or compare:
        note = (f"<!-- generated by benches/report.py from target/criterion and target/compare/rust.json -->\n"
                f"Generated by `benches/report.py --write` (run by `make bench` and `make compare`) from the "
                f"criterion run at `{criterion_commit}` and the Rust comparison at `{compare_commit}`"
                + (" (`-dirty`: the tree had uncommitted changes)" if "-dirty" in criterion_commit + compare_commit else "")
                + ".\n\n")
        ok &= splice(write, "targets", note + captured(targets_table, found, compare, criterion_commit, compare_commit, counts, wasm, python))
    if counts is not None:
        ok &= splice(write, "profile", "<!-- generated by benches/report.py from target/callgrind -->\n"
                     + captured(profile_section, counts))
    print(f"report: wrote the generated sections of {write}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
