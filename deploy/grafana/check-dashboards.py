#!/usr/bin/env python3
"""Validates the Grafana dashboards: JSON, layout, and every PromQL query.

    python3 deploy/grafana/check-dashboards.py PROMTOOL deploy/grafana/dashboards/*.json

Each dashboard must parse, have a uid, unique panel ids and panels inside the 24-column grid that
do not overlap. Every query, with Grafana's variables replaced by sample values, is written into a
throw-away rule file as a recording rule, and `promtool check rules` parses it, so a query typo
fails CI instead of showing "no data".
"""

import json
import pathlib
import subprocess
import sys
import tempfile

VARIABLES = {
    "$__rate_interval": "1m",
    "$__interval": "1m",
    "$__range": "1h",
    "${datasource}": "prometheus",
    "$datasource": "prometheus",
    "$kind": ".*",
}


def all_panels(panels):
    for p in panels:
        yield p
        yield from all_panels(p.get("panels", []))


def check(path, problems, exprs):
    try:
        dash = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    except ValueError as e:
        problems.append(f"{path}: not valid JSON: {e}")
        return
    if not dash.get("uid") or not dash.get("title"):
        problems.append(f"{path}: needs a uid and a title")
    ids, cells = set(), {}
    for p in all_panels(dash.get("panels", [])):
        pid = p.get("id")
        if pid in ids:
            problems.append(f"{path}: panel id {pid} is used twice")
        ids.add(pid)
        g = p.get("gridPos", {})
        if g.get("x", 0) + g.get("w", 0) > 24:
            problems.append(f"{path}: panel {p.get('title')!r} is wider than the grid")
        for x in range(g.get("x", 0), g.get("x", 0) + g.get("w", 0)):
            for y in range(g.get("y", 0), g.get("y", 0) + g.get("h", 0)):
                if (x, y) in cells:
                    problems.append(f"{path}: panels {cells[(x, y)]!r} and {p.get('title')!r} overlap")
                    break
                cells[(x, y)] = p.get("title")
            else:
                continue
            break
        for t in p.get("targets", []):
            expr = t.get("expr", "")
            for var, value in VARIABLES.items():
                expr = expr.replace(var, value)
            if "$" in expr:
                problems.append(f"{path}: panel {p.get('title')!r} uses an unknown variable: {expr}")
            exprs.append((f"{pathlib.Path(path).name}: {p.get('title')}", expr))


def main(promtool, paths):
    problems, exprs = [], []
    for path in paths:
        check(path, problems, exprs)
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as rules:
        rules.write("groups:\n  - name: dashboard-queries\n    rules:\n")
        for i, (_, expr) in enumerate(exprs):
            rules.write(f"      - record: dashboard:query_{i}\n        expr: {json.dumps(expr)}\n")
    result = subprocess.run([promtool, "check", "rules", rules.name], capture_output=True, text=True)
    pathlib.Path(rules.name).unlink()
    if result.returncode != 0:
        problems.append("promtool rejected a dashboard query:\n" + result.stdout + result.stderr)
    for p in problems:
        print(f"dashboards: {p}", file=sys.stderr)
    print(f"dashboards: {len(paths)} file(s), {len(exprs)} queries: "
          f"{'OK' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2:]))
