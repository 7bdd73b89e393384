#!/usr/bin/env python3
"""Check that the "Spec words" of docs/audit-nmec-2024.md are verbatim parts of the spec.

    python3 rules/tools/check_audit_quotes.py ../shared/domain/nmec-2024-spec.md \
        ../shared/domain/seed-registration-guide-2024.txt

Each quote may be shortened with "…": every piece between ellipses must occur in the spec or in the SEED
walkthrough, ignoring Markdown bold (**) and runs of whitespace. The trailing "(confidence)" and a
"(SEED)" marker are not part of the quote. Exits 1 and lists the pieces it cannot find.
"""
import re
import sys
from pathlib import Path


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("**", ""))


def main() -> int:
    sources = [squash(Path(p).read_text(encoding="utf-8")) for p in sys.argv[1:]]
    if not sources:
        print(__doc__, file=sys.stderr)
        return 2
    audit = Path(__file__).resolve().parents[2] / "docs" / "audit-nmec-2024.md"
    missing = []
    for line in audit.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) != 7 or cells[0] in ("Rule", "---"):
            continue
        words = re.sub(r"\s*\([^()]*\)$", "", cells[1]).replace("\\|", "|")  # the confidence
        words = re.sub(r"\s*\(SEED\)$", "", words)
        for piece in (p.strip(" .;:") for p in words.split("…")):
            if piece and not any(squash(piece) in s for s in sources):
                missing.append(f"{cells[0]}: {piece}")
    for m in missing:
        print(m)
    print(f"{len(missing)} quote piece(s) not found", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
