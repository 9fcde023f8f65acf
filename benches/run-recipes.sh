#!/usr/bin/env bash
# Benchmark a recipe run against `sitewide check` on the same generated corpus: time and
# peak memory of `sitewide run` (utm.strip_internal + canonical.fix over every page), from
# the command's start until all changes are stored, at two sizes to show how memory grows.
# See benches/README.md.
#
#   bash benches/run-recipes.sh [PAGES] [--small N] [--seed S] [--runs R]
#
# PAGES defaults to 10000, --small to 1000 (0 leaves the small size out). Each size gets
# a git repository of its corpus (one commit) in the work folder; each run of `sitewide
# run` gets a fresh data directory. Prints a Markdown table and saves it to
# benches/results-recipes-PAGES.md, with the numbers as JSON beside it.
#
# Environment:
#   CARGO_TARGET_DIR      where sitewide is built (default ~/.cache/sitewide-target)
#   SITEWIDE_BENCH_WORK   corpora, repositories and raw logs (default ${TMPDIR:-/tmp}/sitewide-bench)
#   BENCH_RUNS            the same as --runs (default 1)
set -euo pipefail

usage() { sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

PAGES=10000
SMALL=1000
SEED=1
RUNS="${BENCH_RUNS:-1}"
while [ $# -gt 0 ]; do
  case "$1" in
    --small) SMALL="${2:?--small needs a value}"; shift ;;
    --small=*) SMALL="${1#*=}" ;;
    --seed) SEED="${2:?--seed needs a value}"; shift ;;
    --seed=*) SEED="${1#*=}" ;;
    --runs) RUNS="${2:?--runs needs a value}"; shift ;;
    --runs=*) RUNS="${1#*=}" ;;
    -h | --help) usage; exit 0 ;;
    *[!0-9]* | '') echo "run-recipes.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    *) PAGES="$1" ;;
  esac
  shift
done
case "$SMALL$SEED$RUNS" in *[!0-9]*) echo "run-recipes.sh: --small, --seed and --runs take whole numbers" >&2; exit 2 ;; esac
if [ "$PAGES" -lt 10 ] || [ "$RUNS" -lt 1 ]; then echo "run-recipes.sh: PAGES must be at least 10, --runs at least 1" >&2; exit 2; fi
if [ "$SMALL" -ge "$PAGES" ]; then echo "run-recipes.sh: --small must be below PAGES" >&2; exit 2; fi
if [ "$SMALL" -gt 0 ] && [ "$SMALL" -lt 10 ]; then echo "run-recipes.sh: --small must be 0 or at least 10" >&2; exit 2; fi

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/sitewide-target}"
WORK="${SITEWIDE_BENCH_WORK:-${TMPDIR:-/tmp}/sitewide-bench}"

log() { printf '==> %s\n' "$*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || { echo "run-recipes.sh: needs '$1' on PATH" >&2; exit 2; }; }
need cargo; need python3; need git; need sha256sum
[ -x /usr/bin/time ] || { echo "run-recipes.sh: needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }

# ---------------------------------------------------------------------------------------
# 1. Sitewide, release build.
log "building sitewide (release) in $CARGO_TARGET_DIR"
(cd "$ROOT" && cargo build --release --quiet)
SW="$CARGO_TARGET_DIR/release/sitewide"
[ -x "$SW" ] || { echo "run-recipes.sh: no binary at $SW" >&2; exit 1; }

# ---------------------------------------------------------------------------------------
# 2. Corpora, and a git repository of each (a copy of the corpus, one commit), reused
# while the corpus is.
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd -P)"
# shellcheck source=benches/corpus.sh
. "$HERE/corpus.sh"

# bench_repo CORPUS: prints the repository of CORPUS, making it when missing.
bench_repo() {
  local corpus="$1" repo
  repo="$WORK/repo-${corpus##*/corpus-}"
  if [ -f "$repo/.git/sitewide-bench-done" ]; then
    log "reusing repository $repo"
  else
    for old in "${repo%-*}-"*; do   # the repository of an older generator's corpus: stale
      [ -d "$old" ] && [ "$old" != "$repo" ] && { log "removing stale $old"; rm -rf -- "$old"; }
    done
    log "making the git repository $repo"
    rm -rf -- "$repo" "$repo.tmp"
    cp -R -- "$corpus" "$repo.tmp"
    git -C "$repo.tmp" init --quiet --initial-branch=main
    git -C "$repo.tmp" add --all
    git -C "$repo.tmp" -c user.name=sitewide-bench -c user.email=bench@sitewide.invalid \
      commit --quiet --message "corpus ${corpus##*/}"
    touch "$repo.tmp/.git/sitewide-bench-done"
    mv -- "$repo.tmp" "$repo"
  fi
  printf '%s\n' "$repo"
}

SIZES="$PAGES"
[ "$SMALL" -gt 0 ] && SIZES="$SMALL $PAGES"
declare -A CORPUS REPO
for n in $SIZES; do
  CORPUS[$n]="$(bench_corpus "$n" "$SEED")"
  REPO[$n]="$(bench_repo "${CORPUS[$n]}")"
done

RUN="$WORK/recipes-p$PAGES-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$RUN"
SPEC="$RUN/bench-recipes.toml"
cat > "$SPEC" <<'EOF'
name = "bench-recipes"
description = "Benchmark: strip UTMs from internal links and fix canonicals on every page"
kind = "edit"
engine = "recipe"
targets = ["**/*.html"]

[[steps]]
recipe = "utm.strip_internal"

[[steps]]
recipe = "canonical.fix"

[qa]
block_on = "error"

[approval]
required = true
EOF

# ---------------------------------------------------------------------------------------
# 3. Timing: per size and try, `sitewide check` then `sitewide run`, one after the other.

# timed NAME CMD...: runs CMD under GNU time, keeping stdout, stderr, exit code and time.
timed() {
  local name="$1" rc=0
  shift
  cut -d' ' -f1 /proc/loadavg > "$RUN/$name.load" 2>/dev/null || true
  /usr/bin/time -f 'TIME %e %U %S %M' -o "$RUN/$name.time" "$@" \
    > "$RUN/$name.out" 2> "$RUN/$name.err" || rc=$?
  echo "$rc" > "$RUN/$name.rc"
  log "$name: exit $rc, $(awk '/^TIME / { printf "%s s wall, %.2f s CPU, %d MB peak", $2, $3 + $4, $5 / 1024 }' "$RUN/$name.time")"
}

for n in $SIZES; do
  log "warming the page cache for $n pages"
  find "${CORPUS[$n]}" "${REPO[$n]}/.git" -type f -print0 | xargs -0 cat > /dev/null
  for i in $(seq 1 "$RUNS"); do
    timed "check-$n-$i" "$SW" check "${CORPUS[$n]}" --format json --fail-on never
    data="$RUN/data-$n-$i"
    timed "run-$n-$i" "$SW" run "$SPEC" --workspace "${REPO[$n]}" --data-dir "$data" --json --as bench
    rm -rf -- "$data"
  done
done

# ---------------------------------------------------------------------------------------
# 4. The table.
SW_VERSION="$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$ROOT" && git diff --quiet HEAD -- src Cargo.toml 2>/dev/null || echo '+local changes')"
python3 "$HERE/summarize_recipes.py" "$RUN" "$PAGES" "$SMALL" "$RUNS" "$SEED" "$SW_VERSION" \
  "${CORPUS[$PAGES]}/CORPUS.json" "$HERE/results-recipes-$PAGES.md" "$HERE/results-recipes-$PAGES.json"
