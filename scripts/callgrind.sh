#!/usr/bin/env bash
# Instruction counts of the core's operations on the full application, for docs/benchmarks.md
# (run by `make bench`; benches/report.py puts them beside criterion's times).
#
# Counts, unlike times, do not move with the load of a shared machine. For each operation of the
# bench crate's `profile` binary (parse, validate, validate_json, explain: the same work as the
# criterion benches `validate_one/*`), callgrind counts every instruction of the process twice: with
# N repetitions and with none. (I(N) − I(0)) / N is the cost of one operation with loading the
# engine and the fixtures subtracted. `batch` is counted inside `Engine::run` only
# (--toggle-collect), since generating N applications is not part of the work.
#
# Writes target/callgrind/counts.json and commit.txt (scripts/commit-id.sh), and the profile of
# `validate` inside Engine::run (validate-inclusive.txt, validate-self.txt: callgrind_annotate).
# Installs valgrind (Debian package) when it is missing.
#
# Usage: scripts/callgrind.sh            (N = 2000; CALLGRIND_N=… to change it)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log() { echo "callgrind: $*"; }

if ! command -v valgrind >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    log "valgrind is missing and this is not root: apt-get install valgrind" >&2
    exit 1
  fi
  log "installing Debian's valgrind"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends valgrind >/dev/null
fi

n="${CALLGRIND_N:-2000}"
out="target/callgrind"
mkdir -p "$out"
scripts/commit-id.sh >"$out/commit.txt"
log "at commit $(cat "$out/commit.txt"), N = $n"
cargo build --release -q -p baokao-benches --bin profile
bin="target/release/profile"

# The total of a callgrind run, from its log line "==pid== Collected : 123456".
collected() {
  local log_file="$1"
  shift
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>"$log_file" >/dev/null
  sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' "$log_file"
}

results=()
for op in parse validate validate_json explain; do
  zero="$(collected "$out/$op.0.log" "$bin" "$op" 0)"
  many="$(collected "$out/$op.$n.log" "$bin" "$op" "$n")"
  if [ -z "$zero" ] || [ -z "$many" ]; then
    log "no count for $op (see $out/$op.*.log)" >&2
    exit 1
  fi
  log "$op: $(((many - zero) / n)) instructions per operation"
  results+=("$op=$zero,$many")
done
# Where one validation spends its instructions: the functions inside Engine::run, inclusive (with
# what they call) and self (their own instructions), for the profile section of docs/benchmarks.md.
valgrind --tool=callgrind --callgrind-out-file="$out/validate.callgrind" \
  --toggle-collect='baokao::engine::Engine::run' "$bin" validate "$n" 2>"$out/validate.log" >/dev/null
callgrind_annotate --inclusive=yes "$out/validate.callgrind" >"$out/validate-inclusive.txt"
callgrind_annotate --inclusive=no "$out/validate.callgrind" >"$out/validate-self.txt"
batch="$(collected "$out/batch.log" --toggle-collect='baokao::engine::Engine::run' "$bin" batch "$n")"
if [ -z "$batch" ] || [ "$batch" -eq 0 ]; then
  log "no count inside Engine::run for batch (see $out/batch.log)" >&2
  exit 1
fi
log "batch: $((batch / n)) instructions per application inside Engine::run"
results+=("batch_validate=0,$batch")

python3 - "$out/counts.json" "$n" "$(cat "$out/commit.txt")" "${results[@]}" <<'EOF'
import json, sys
path, n, commit, pairs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
ops = {}
for pair in pairs:
    op, counts = pair.split("=")
    zero, many = (int(c) for c in counts.split(","))
    ops[op] = {"per_operation": round((many - zero) / n), "total_0": zero, "total_n": many}
json.dump({"commit": commit, "n": n, "operations": ops}, open(path, "w"), indent=2)
print(f"callgrind: wrote {path}")
EOF
