#!/usr/bin/env python3
"""Fails when an alert's runbook_url points at a section the runbook does not have.

    python3 deploy/prometheus/check-runbook-links.py

Each runbook_url in deploy/prometheus/alerts.yml is `docs/FILE.md#anchor`; the file must exist and
one of its headings must produce that anchor (GitHub's rule: lower case, punctuation dropped,
spaces to hyphens).
"""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
ALERTS = ROOT / "deploy/prometheus/alerts.yml"


def anchors(markdown):
    found = set()
    in_code = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        if in_code:
            continue
        m = re.match(r"#{1,6}\s+(.*)", line)
        if m:
            text = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower())
            found.add(text.replace(" ", "-"))
    return found


def main():
    problems = []
    links = re.findall(r"runbook_url:\s*(\S+)", ALERTS.read_text(encoding="utf-8"))
    for link in links:
        path, _, anchor = link.partition("#")
        doc = ROOT / path
        if not doc.is_file():
            problems.append(f"{link}: {path} does not exist")
        elif anchor and anchor not in anchors(doc.read_text(encoding="utf-8")):
            problems.append(f"{link}: {path} has no heading for #{anchor}")
    for p in problems:
        print(f"runbook links: {p}", file=sys.stderr)
    print(f"runbook links: {len(links)} checked, {len(problems)} broken")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
