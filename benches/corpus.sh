# shellcheck shell=bash
# Shared by the benchmark scripts (sourced, not run): the generated corpus, made once per
# (pages, seed, generator version) and then reused. See benches/README.md, "The corpus".
#
#   CORPUS="$(bench_corpus PAGES SEED)"   # needs HERE (benches/) and WORK set

# bench_corpus PAGES SEED: prints the corpus folder, generating it when missing. Its name
# holds the page count, the seed and a hash of the generator, so a changed generator makes
# a fresh corpus (and the stale one is removed).
bench_corpus() {
  local pages="$1" seed="$2" hash corpus old need_kb free_kb
  hash="$(sha256sum "$HERE/gen_corpus.py" | cut -c1-10)"
  corpus="$WORK/corpus-p$pages-s$seed-$hash"
  if [ -f "$corpus/CORPUS.json" ]; then
    printf '==> reusing corpus %s\n' "$corpus" >&2
    printf '%s\n' "$corpus"
    return 0
  fi
  for old in "$WORK/corpus-p$pages-s$seed-"*; do   # an older generator's corpus: stale
    [ -d "$old" ] && [ "$old" != "$corpus" ] && { printf '==> removing stale %s\n' "$old" >&2; rm -rf -- "$old"; }
  done
  need_kb=$((pages * 50 + 100000))
  free_kb="$(df -Pk "$WORK" | awk 'NR == 2 { print $4 }')"
  if [ "$free_kb" -lt "$need_kb" ]; then
    echo "benches: $pages pages need about $((need_kb / 1024)) MB in $WORK, $((free_kb / 1024)) MB free" >&2
    return 1
  fi
  printf '==> generating %s pages (seed %s) into %s\n' "$pages" "$seed" "$corpus" >&2
  rm -rf -- "$corpus.tmp"
  python3 "$HERE/gen_corpus.py" "$corpus.tmp" --pages "$pages" --seed "$seed" >&2 || return 1
  mv -- "$corpus.tmp" "$corpus"
  printf '%s\n' "$corpus"
}
