#!/usr/bin/env python3
"""Fails when an alert rule or a dashboard names a notifier metric that the code never registers.

    python3 deploy/prometheus/check-metric-names.py deploy/prometheus/alerts.yml \
        deploy/grafana/dashboards/*.json

A renamed meter otherwise leaves an alert that silently never fires. Each notifier_* name found in
the files is mapped back to the Micrometer meter name it comes from (Prometheus adds _total to
counters, _seconds to timers, and _bucket/_count/_sum/_max to histograms), and that name must
appear as a string literal in some module's src/main/java.
"""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
TOKEN = re.compile(r"\bnotifier_[a-z0-9_]*[a-z0-9]")
LITERAL = re.compile(r'"(notifier_[a-z0-9_]+)"')
HISTOGRAM_SUFFIXES = ("_bucket", "_count", "_sum", "_max")


def registered_names():
    names = set()
    for java in ROOT.glob("*/src/main/java/**/*.java"):
        names.update(LITERAL.findall(java.read_text(encoding="utf-8")))
    return names


def candidates(exposed):
    """Meter names that Micrometer's Prometheus naming would expose as `exposed`."""
    out = {exposed}
    base = exposed
    for suffix in ("_total",) + HISTOGRAM_SUFFIXES:
        if base.endswith(suffix):
            base = base[: -len(suffix)]
            out.add(base)
            break
    for unit in ("_seconds", "_bytes"):
        if base.endswith(unit):
            out.add(base[: -len(unit)])
    return out


def main(paths):
    known = registered_names()
    if not known:
        print("metric names: found no notifier_* literal in */src/main/java", file=sys.stderr)
        return 1
    problems = 0
    checked = set()
    for path in paths:
        text = pathlib.Path(path).read_text(encoding="utf-8")
        for name in sorted(set(TOKEN.findall(text))):
            checked.add(name)
            if not candidates(name) & known:
                print(f"metric names: {path} uses {name}, which no code registers", file=sys.stderr)
                problems += 1
    print(f"metric names: {len(checked)} notifier metrics referenced in {len(paths)} file(s), "
          f"{problems} unknown")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
