#!/usr/bin/env python3
"""Print the "Fields by step" tables of docs/application-format.md from a pack's bundle.

    target/release/baokao bundle rules/nmec-2024 -o /tmp/nmec.json
    python3 rules/tools/application_fields.py /tmp/nmec.json > /tmp/fields.md
"""
import json
import sys


def fmt_field(f, tables):
    parts = []
    ty = f["type"]
    if "enum" in f:
        parts.append(" \\| ".join(f"`{v}`" for v in f["enum"]))
    elif "enum_table" in f:
        t = f["enum_table"]
        keys = [r[0] for r in tables[t]["rows"]]
        if len(keys) <= 9:
            parts.append(f"table `{t}`: " + ", ".join(f"`{k}`" for k in keys))
        else:
            parts.append(f"table `{t}` ({len(keys)} values, e.g. " + ", ".join(f"`{k}`" for k in keys[:4]) + " …)")
    if "pattern" in f:
        parts.append("pattern `" + f["pattern"].replace("|", "\\|") + "`")
    if ty in ("text",) and ("min_length" in f or "max_length" in f) and "enum" not in f:
        lo = f.get("min_length", 0)
        if "max_length" in f:
            parts.append(f"{lo}–{f['max_length']} chars")
        else:
            parts.append(f"≥ {lo} chars")
    if ty in ("records", "list") and "max_length" in f:
        parts.append(f"{f.get('min_length', 0)}–{f['max_length']} items")
    if ty in ("int", "number"):
        if "min" in f and "max" in f:
            parts.append(f"{num(f['min'])} ≤ n ≤ {num(f['max'])}")
        elif "min" in f:
            parts.append(f"≥ {num(f['min'])}")
        elif "max" in f:
            parts.append(f"≤ {num(f['max'])}")
    if ty == "month":
        parts.append("`YYYY-MM`")
    if ty == "date":
        parts.append("`YYYY-MM-DD`")
    if ty == "date_or_month":
        parts.append("`YYYY-MM-DD`, or `YYYY-MM` as the form types it")
    if ty == "datetime":
        parts.append("RFC 3339 with offset")
    text = "; ".join(parts)
    if f.get("mask"):
        text += "; masked in reports"
    return f"{f['label']['zh']}. {text}".rstrip()


def num(x):
    return str(int(x)) if float(x).is_integer() else str(x)


def main():
    bundle = json.load(open(sys.argv[1], encoding="utf-8"))
    pack = bundle.get("pack", bundle)
    tables = pack["tables"]
    for step in pack["steps"]:
        sid = step["id"]
        print(f"### `{sid}` — {step['title']['zh']} / {step['title']['en']}\n")
        print("| Key | Type | Required | Values / format |")
        print("|---|---|---|---|")
        for f in pack["fields"]:
            if not f["path"].startswith(sid + "."):
                continue
            key = f["path"][len(sid) + 1:]
            if f.get("required"):
                req = "yes"
            elif "required_when" in f:
                req = "when `" + f["required_when"].strip().replace("|", "\\|") + "`"
            else:
                req = "no"
            print(f"| `{key}` | {f['type']} | {req} | {fmt_field(f, tables)} |")
        print()


if __name__ == "__main__":
    main()
