#!/usr/bin/env python3
"""Turn the raw logs of one `benches/run-recipes.sh` run into the results table.

    python3 benches/summarize_recipes.py RUN_DIR PAGES SMALL RUNS SEED VERSION CORPUS_JSON OUT_MD OUT_JSON

RUN_DIR holds, for each size N (PAGES, and SMALL unless it is 0) and try I (1..RUNS):
check-N-I.* and run-N-I.* with .out, .err (stdout, stderr), .time (GNU time's
`TIME wall user sys maxrss_kb`), .rc (exit status) and .load (the 1-minute load average
when it started). Of each command's tries the one with the median wall time is reported. A run whose JSON says it did not end
`awaiting_review` or `completed`, or that changed nothing, is marked FAILED. Python 3.11
stdlib only.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time

TIME_TARGET = 3.0  # the run's wall time at most this many times `sitewide check`'s


def read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def measured(run_dir: str, name: str) -> dict:
    """One try: exit, wall, CPU, peak RSS, load average, and the JSON it printed."""
    base = os.path.join(run_dir, name)
    row: dict = {"try": name, "exit": int(read(base + ".rc").strip() or "-1")}
    for line in read(base + ".time").splitlines():
        if line.startswith("TIME "):
            _, wall, user, sys_, rss = line.split()
            row.update(wall_s=float(wall), cpu_s=round(float(user) + float(sys_), 2), peak_rss_kb=int(rss))
    load = read(base + ".load").strip()
    row["load_before"] = float(load) if load else None
    try:
        row["json"] = json.loads(read(base + ".out"))
    except ValueError:
        row["json"] = None
    return row


def median(rows: list[dict]) -> dict:
    timed = sorted((r for r in rows if "wall_s" in r), key=lambda r: r["wall_s"])
    return timed[(len(timed) - 1) // 2] if timed else rows[0]


def check_row(r: dict, pages: int) -> dict:
    report = r.pop("json") or {}
    s = report.get("summary", {})
    ok = r["exit"] == 0 and s.get("files_checked") == pages
    r.update(ok=ok, files=s.get("files_checked"), findings=len(report.get("findings", [])))
    return r


def run_row(r: dict, pages: int) -> dict:
    report = r.pop("json") or {}
    totals = report.get("totals", {})
    by_state = totals.get("changes", {})
    changes = report.get("changes", [])
    steps: dict[str, int] = {}
    for c in changes:
        for a in c.get("attempts", [])[-1:]:
            for step in a.get("steps", []):
                steps[step] = steps.get(step, 0) + 1
    ok = (
        r["exit"] == 0
        and report.get("state") in ("awaiting_review", "completed")
        and totals.get("files") == pages
        and len(changes) > 0
    )
    r.update(
        ok=ok,
        state=report.get("state"),
        files=totals.get("files"),
        changes=len(changes),
        changes_by_state=by_state,
        changes_by_step=steps,
        skipped=len(report.get("skipped", [])),
        stored_s=totals.get("wall_time_s"),
    )
    return r


def fmt_s(x: float | None) -> str:
    if x is None:
        return "?"
    return f"{x:.2f}" if x < 10 else f"{x:.1f}" if x < 100 else f"{x:.0f}"


def mb(kb: int | None) -> str:
    return "?" if kb is None else f"{kb / 1024:.0f}"


def machine() -> dict:
    cpu, mem_gb = "?", "?"
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
        mem_kb = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
        mem_gb = round(mem_kb / 1024 / 1024)
    except (OSError, StopIteration):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "mem_gb": mem_gb, "os": platform.platform()}


def sizes_table(sizes: list[dict]) -> list[str]:
    out = [
        "| pages | command | wall s | per file ms | CPU s | peak RSS MB | ratio to check | result |",
        "|--:|---|--:|--:|--:|--:|--:|---|",
    ]
    for s in sizes:
        c, r = s["check"], s["run"]
        out.append(
            f"| {s['pages']:,} | `sitewide check` | {fmt_s(c.get('wall_s'))} | "
            f"{c['wall_s'] * 1000 / s['pages']:.2f} | {fmt_s(c.get('cpu_s'))} | {mb(c.get('peak_rss_kb'))} | 1.0× | "
            f"{'' if c['ok'] else 'FAILED: '}{c.get('files')} files, {c.get('findings')} findings |"
        )
        states = ", ".join(f"{n} {k}" for k, n in sorted(r["changes_by_state"].items()))
        out.append(
            f"| {s['pages']:,} | `sitewide run` | {fmt_s(r.get('wall_s'))} | "
            f"{r['wall_s'] * 1000 / s['pages']:.2f} | {fmt_s(r.get('cpu_s'))} | {mb(r.get('peak_rss_kb'))} | "
            f"{s['ratio']:.1f}× | {'' if r['ok'] else 'FAILED: '}{r['state']}: {r['changes']} changes ({states}), "
            f"{r['skipped']} skipped; stored after {fmt_s(r.get('stored_s'))} s |"
        )
    return out


def main() -> int:
    run_dir, pages, small, runs, seed, version, corpus_json, out_md, out_json = sys.argv[1:]
    pages, small, runs = int(pages), int(small), int(runs)
    sizes = []
    for n in ([small] if small else []) + [pages]:
        check = check_row(median([measured(run_dir, f"check-{n}-{i}") for i in range(1, runs + 1)]), n)
        run = run_row(median([measured(run_dir, f"run-{n}-{i}") for i in range(1, runs + 1)]), n)
        ratio = run["wall_s"] / check["wall_s"] if check.get("wall_s") else float("nan")
        sizes.append({"pages": n, "check": check, "run": run, "ratio": round(ratio, 2)})
    big = sizes[-1]
    verdicts = {"time": big["ratio"] <= TIME_TARGET}
    growth = None
    if len(sizes) == 2:
        lo = sizes[0]
        files = big["pages"] - lo["pages"]
        growth = {
            k: round((big[k]["peak_rss_kb"] - lo[k]["peak_rss_kb"]) / files, 2) for k in ("check", "run")
        }
        # The run checks the tree before and after its edits and compares the two reports,
        # so it may hold the QA engine's per-page facts twice; anything beyond that grows
        # with the number of files on the run's own account.
        verdicts["memory"] = growth["run"] <= 2 * max(growth["check"], 0) + 1.0
    corpus = json.loads(read(corpus_json) or "{}")
    env = machine() | {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "seed": int(seed),
        "runs": runs,
        "sitewide": version,
        "corpus": corpus,
    }
    result = {"env": env, "sizes": sizes, "kb_per_extra_file": growth, "pass": verdicts}
    with open(out_json, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
        f.write("\n")

    mb_html = corpus.get("html_bytes", 0) / 1e6
    lines = [
        f"# Sitewide recipe run: {pages:,} pages",
        "",
        f"Corpus: `benches/gen_corpus.py --pages N --seed {seed}` ({mb_html:.0f} MB of HTML at {pages:,} pages),"
        " committed as one git commit. Spec: `utm.strip_internal` + `canonical.fix` on `**/*.html`, QA with"
        " every rule, `block_on = \"error\"`.",
        f"Machine: {env['cpu']}, {env['cores']} cores, {env['mem_gb']} GB; {env['date']}. Page cache warm; "
        f"each command run {runs}× (median wall time reported), one after another.",
        "",
        *sizes_table(sizes),
        "",
        "`sitewide run` is timed from the command's start to its exit: plan, export of the base tree, edit batches,"
        " QA of the tree before and after, storing every change in one transaction, removing the run's copy of the"
        " tree and printing the JSON. \"Stored after\" is the run's own clock, from planning to the transaction"
        " that stored the changes. Ratio: the run's wall time divided by `sitewide check`'s on the same pages.",
        "",
        f"Time: the run at {pages:,} pages takes {big['ratio']:.1f}× `sitewide check` (target: at most "
        f"{TIME_TARGET:.0f}×): **{'PASS' if verdicts['time'] else 'FAIL'}**.",
    ]
    if growth:
        lines.append(
            f"Memory: from {sizes[0]['pages']:,} to {pages:,} pages the run's peak RSS grows "
            f"{growth['run']:.1f} KB a file, `sitewide check`'s {growth['check']:.1f} KB a file (target: flat in"
            " the number of files, beyond the QA engine's own facts, which the run holds for before and after,"
            f" so at most twice check's rate plus 1 KB): **{'PASS' if verdicts['memory'] else 'FAIL'}**."
        )
    loads = [s[k].get("load_before") for s in sizes for k in ("check", "run")]
    loads = [x for x in loads if x is not None]
    lines += [
        "",
        "Commands (`$CORPUS` the generated folder, `$REPO` its git repository, `$FRESH_DIR` a new data directory):",
        "",
        "```sh",
        "sitewide check \"$CORPUS\" --format json --fail-on never",
        "sitewide run bench-recipes.toml --workspace \"$REPO\" --data-dir \"$FRESH_DIR\" --json --as bench",
        "```",
        "",
        f"Sitewide {version}. Load average (1 min) before the reported commands: "
        f"{', '.join(f'{x:.1f}' for x in loads) or '?'}.",
        f"Raw logs: `{run_dir}`.",
    ]
    text = "\n".join(lines) + "\n"
    with open(out_md, "w", encoding="utf-8") as f:
        f.write(text)
    print(text)
    failed = [s["pages"] for s in sizes if not (s["check"]["ok"] and s["run"]["ok"])]
    if failed:
        print(f"run-recipes: a command failed at {failed} pages; see {run_dir}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
