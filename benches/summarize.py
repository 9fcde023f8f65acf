#!/usr/bin/env python3
"""Turn the raw logs of one `benches/run.sh` run into the results table.

    python3 benches/summarize.py RUN_DIR PAGES RESULTS_MD RESULTS_JSON

RUN_DIR holds, for each tool NAME that ran: NAME.out and NAME.err (its stdout, stderr), NAME.time
(GNU time's `TIME wall user sys maxrss_kb` line), NAME.rc (its exit status) and NAME.cmd
(the command line), plus env.json written by run.sh. Each tool's output is parsed for
what it reported, so a tool that crashed, rejected its arguments or read nothing shows up
as an error in the table instead of as a fast run. Python 3.11 stdlib only.
"""

from __future__ import annotations

import json
import os
import re
import sys

# name -> (label, what it checks)
TOOLS = {
    "sitewide": (
        "sitewide check --format json",
        "every rule: UTM taxonomy, links and #fragments, SEO and social meta, a11y, mixed content, stale copy, tagging, legal, connectors",
    ),
    "sitewide-audit": (
        "sitewide audit --format json",
        "tagging audit: TAG, LEG and CON rules, tag coverage per page, ids, events",
    ),
    "lychee": ("lychee --offline", "local links and images (files exist)"),
    "lychee-fragments": ("lychee --offline --include-fragments", "local links and images, plus #fragments"),
    "htmlhint": ("htmlhint", "HTML lint: 12 rules (tag pairs, unique ids, alt, labels, ...)"),
    "html-validate": ("html-validate", "HTML5 content model and a11y (recommended preset)"),
    "linkchecker": ("linkchecker (HTTP crawl)", "links and images, crawled over loopback HTTP"),
    "linkchecker-anchors": ("linkchecker + AnchorCheck", "links and images plus #fragments, over HTTP"),
}
ORDER = list(TOOLS)


def read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def parse_time(text: str) -> tuple[float, float, int] | None:
    for line in reversed(text.splitlines()):
        if line.startswith("TIME "):
            _, wall, user, sys_, rss = line.split()
            return float(wall), float(user) + float(sys_), int(rss)
    return None


def outcome(name: str, rc: int, out: str, run_dir: str) -> tuple[bool, str]:
    """(ran properly, what it reported) from the exit status and the output."""
    if name == "sitewide":
        try:
            with open(os.path.join(run_dir, "sitewide.out"), encoding="utf-8") as f:
                report = json.load(f)
            s = report["summary"]
        except (OSError, ValueError, KeyError) as e:
            return False, f"no JSON report ({type(e).__name__})"
        sev = s.get("by_severity", {})
        rules = len(s.get("by_rule", {}))
        text = (
            f"{s.get('files_checked', 0)} files, {len(report.get('findings', []))} findings "
            f"({sev.get('error', 0)} errors, {sev.get('warning', 0)} warnings, {sev.get('info', 0)} info) "
            f"from {rules} rules"
        )
        return rc == 0, text
    if name == "sitewide-audit":
        try:
            with open(os.path.join(run_dir, "sitewide-audit.out"), encoding="utf-8") as f:
                report = json.load(f)
            s = report["check"]["summary"]
            statuses: dict[str, int] = {}
            for row in report["coverage"]:
                statuses[row["status"]] = statuses.get(row["status"], 0) + 1
        except (OSError, ValueError, KeyError) as e:
            return False, f"no JSON report ({type(e).__name__})"
        coverage = ", ".join(f"{n} {k}" for k, n in sorted(statuses.items()))
        text = (
            f"{len(report['coverage'])} pages ({coverage}), {len(report.get('events', []))} events, "
            f"{len(report['check'].get('findings', []))} findings"
        )
        return rc in (0, 1), text
    if name.startswith("lychee"):
        m = re.search(r"(\d+) Total.*?(\d+) OK.*?(\d+) Errors(?:.*?(\d+) Excluded)?", out)
        if rc not in (0, 2) or not m:
            return False, ""
        total, ok, errors, excluded = (int(x) if x else 0 for x in m.groups())
        if total == 0:
            return False, "0 links: read nothing"
        frag = len(re.findall(r"Cannot find fragment", out))
        text = f"{total} links: {errors} errors, {excluded} excluded (remote)"
        if frag:
            text += f"; {frag} of the errors are #fragments"
        return True, text
    if name == "htmlhint":
        m = re.search(r"Scanned (\d+) files, (?:no errors found|found (\d+) errors? in (\d+) files?)", out)
        if rc not in (0, 1) or not m:
            return False, ""
        return True, f"{m.group(1)} files, {m.group(2) or 0} errors"
    if name == "html-validate":
        m = re.search(r"(\d+) problems? \((\d+) errors?, (\d+) warnings?\)", out)
        if rc == 0 and not m:
            return True, "0 problems"
        if rc != 1 or not m:
            return False, ""
        rules = sorted(set(re.findall(r"^\s+\d+:\d+\s+(?:error|warning)\s+.*?\s{2}(\S+)$", out, re.M)))
        text = f"{m.group(1)} problems"
        if rules:
            text += " (" + ", ".join(rules[:4]) + (", ..." if len(rules) > 4 else "") + ")"
        return True, text
    if name.startswith("linkchecker"):
        m = re.search(
            r"That's it\. (\d+) links? in (\d+) URLs? checked\. (\d+) warnings? found\. (\d+) errors? found", out
        )
        if rc not in (0, 1) or not m:
            return False, ""
        links, urls, warnings, errors = (int(x) for x in m.groups())
        pages = re.search(r"Content types: \d+ image, (\d+) text", out)
        text = f"{urls} URLs ({pages.group(1) if pages else '?'} pages fetched): {errors} errors"
        anchors = len(re.findall(r"^Warning\s+\[[^\]]*\] Anchor `", out, re.M))
        if name == "linkchecker-anchors":
            text += f", {anchors} missing #fragments"
        return True, text
    return rc == 0, ""


def fmt_s(x: float) -> str:
    return f"{x:.2f}" if x < 10 else f"{x:.1f}" if x < 100 else f"{x:.0f}"


def main() -> int:
    run_dir, pages, out_md, out_json = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    env = json.loads(read(os.path.join(run_dir, "env.json")) or "{}")
    rows = []
    for name in ORDER:
        if not os.path.exists(os.path.join(run_dir, f"{name}.rc")):
            continue
        rc = int(read(os.path.join(run_dir, f"{name}.rc")).strip() or "-1")
        out = read(os.path.join(run_dir, f"{name}.out")) + "\n" + read(os.path.join(run_dir, f"{name}.err"))
        t = parse_time(read(os.path.join(run_dir, f"{name}.time")))
        timeout = int(read(os.path.join(run_dir, f"{name}.timeout")).strip() or "0")
        extra_cpu = read(os.path.join(run_dir, f"{name}.server_cpu")).strip()
        row = {
            "tool": name,
            "label": TOOLS[name][0],
            "checks": TOOLS[name][1],
            "command": read(os.path.join(run_dir, f"{name}.cmd")).strip(),
            "exit": rc,
            "wall_s": t[0] if t else None,
            "cpu_s": t[1] if t else None,
            "peak_rss_kb": t[2] if t else None,
            "server_cpu_s": float(extra_cpu) if extra_cpu else None,
        }
        if rc in (124, 137) and timeout:
            row["status"] = "timeout"
            row["reported"] = f"timed out after {timeout} s"
        else:
            ok, reported = outcome(name, rc, out, run_dir)
            row["status"] = "ok" if ok else "failed"
            if not ok:
                tail = [line for line in out.strip().splitlines() if line.strip()][-1:] or ["no output"]
                reported = f"FAILED (exit {rc}): {reported or tail[0][:120]}"
            row["reported"] = reported
        rows.append(row)

    sw = next((r for r in rows if r["tool"] == "sitewide" and r["status"] == "ok"), None)
    lines = []
    lines.append(f"# Sitewide benchmark: {pages:,} pages")
    lines.append("")
    corpus = env.get("corpus", {})
    lines.append(
        f"Corpus: `benches/gen_corpus.py --pages {pages} --seed {env.get('seed', '?')}`, "
        f"{corpus.get('html_bytes', 0) / 1e6:,.0f} MB of HTML ({corpus.get('average_page_bytes', 0) / 1e3:.1f} KB a page), "
        f"{corpus.get('planted', {}).get('internal_links', 0):,} internal links, "
        f"{corpus.get('planted', {}).get('utm_links', 0):,} UTM links."
    )
    lines.append(
        f"Machine: {env.get('cpu', '?')}, {env.get('cores', '?')} cores, {env.get('mem_gb', '?')} GB; "
        f"{env.get('date', '')}. Page cache warm; each tool run {env.get('runs', 1)}× "
        f"(median wall time reported), one after another."
    )
    lines.append("")
    lines.append("| tool | what it checks | wall s | CPU s | peak RSS MB | ratio | reported |")
    lines.append("|---|---|--:|--:|--:|--:|---|")
    for r in rows:
        if r["status"] == "timeout":
            wall, cpu, rss, ratio = f"> {r['wall_s'] and fmt_s(r['wall_s'])}", "–", "–", "–"
            if r["wall_s"] and sw:
                ratio = f"> {r['wall_s'] / max(sw['wall_s'], 0.001):,.0f}×"
        elif r["wall_s"] is None:
            wall = cpu = rss = ratio = "–"
        else:
            wall, cpu = fmt_s(r["wall_s"]), fmt_s(r["cpu_s"])
            if r["server_cpu_s"] is not None:
                cpu += f" (+{fmt_s(r['server_cpu_s'])} server)"
            rss = f"{r['peak_rss_kb'] / 1024:.0f}"
            ratio = "–"
            if sw and r["status"] == "ok":
                x = r["wall_s"] / max(sw["wall_s"], 0.001)
                ratio = f"{x:.1f}×" if x < 100 else f"{x:,.0f}×"
        lines.append(f"| {r['label']} | {r['checks']} | {wall} | {cpu} | {rss} | {ratio} | {r['reported']} |")
    lines.append("")
    lines.append("Ratio: the tool's wall time divided by Sitewide's on the same files (higher: Sitewide is faster).")
    lines.append("CPU s is user+sys of the tool and its children; peak RSS is its largest process's.")

    # The audit's speed requirement: within 1.5x the plain check on the same corpus.
    audit = next((r for r in rows if r["tool"] == "sitewide-audit" and r["status"] == "ok"), None)
    if sw and audit:
        x = audit["wall_s"] / max(sw["wall_s"], 0.001)
        verdict = "PASS" if x <= 1.5 else "FAIL"
        lines.append(
            f"\n`sitewide audit` takes {x:.2f}× `sitewide check` on the same {pages:,} pages "
            f"(requirement: at most 1.5×): **{verdict}**."
        )

    # Sitewide's memory requirement.
    if sw:
        mb = sw["peak_rss_kb"] / 1024
        if pages == 10_000:
            verdict = "PASS" if mb < 300 else "FAIL"
            lines.append(
                f"\nSitewide peak RSS at 10,000 pages: {mb:.0f} MB (requirement: under 300 MB): **{verdict}**."
            )
        elif pages >= 100_000:
            base = None
            for fname in ("results-10000.json", "results-10000-sitewide-only.json"):
                base_json = os.path.join(os.path.dirname(out_md), fname)
                if base is None and os.path.exists(base_json):
                    with open(base_json, encoding="utf-8") as f:
                        base = next(
                            (r for r in json.load(f)["rows"] if r["tool"] == "sitewide" and r["status"] == "ok"), None
                        )
            if base:
                bmb = base["peak_rss_kb"] / 1024
                verdict = "PASS" if mb <= 2 * bmb else "FAIL"
                lines.append(
                    f"\nSitewide peak RSS at {pages:,} pages: {mb:.0f} MB, against {bmb:.0f} MB at 10,000 "
                    f"(requirement: at most twice that, {2 * bmb:.0f} MB): **{verdict}**."
                )
            else:
                lines.append(
                    f"\nSitewide peak RSS at {pages:,} pages: {mb:.0f} MB (run `bash benches/run.sh 10000` "
                    "first to compare with 10,000 pages)."
                )

    lines.append("")
    caption = "Commands (`$DIR` is the corpus"
    if any(r["tool"].startswith("linkchecker") for r in rows):
        caption += (
            '; `$PORT` is `python3 benches/serve.py "$DIR"`, a loopback HTTP server, since LinkChecker '
            "crawls over HTTP; the config files are written by run.sh"
        )
    lines.append(caption + "):")
    lines.append("")
    lines.append("```sh")
    for r in rows:
        lines.append(r["command"])
    lines.append("```")
    versions = env.get("versions", {})
    if versions:
        lines.append("")
        lines.append("Versions: " + "; ".join(f"{k} {v}" for k, v in versions.items()) + ".")
    lines.append(f"Raw logs: `{run_dir}`.")
    text = "\n".join(lines) + "\n"
    print(text)
    with open(out_md, "w", encoding="utf-8") as f:
        f.write(text)
    with open(out_json, "w", encoding="utf-8") as f:
        json.dump({"pages": pages, "env": env, "rows": rows}, f, indent=2)
        f.write("\n")
    failed = [r["tool"] for r in rows if r["status"] == "failed"]
    if failed:
        print(f"error: {', '.join(failed)} did not run properly: see {run_dir}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
