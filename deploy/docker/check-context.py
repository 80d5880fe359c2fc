#!/usr/bin/env python3
"""Checks that Dockerfile.dockerignore leaves the image build what it needs, and no more.

    python3 deploy/docker/check-context.py

The build context is the repository root. Every tracked file is matched against the ignore
patterns the way Docker does (a pattern matches a path or any of its parent folders; `**` spans
folders; a later `!pattern` re-includes; the last match wins). The parent pom, each module's pom
and src/ (main and test) must be in the context; .git and build output must not be.
"""

import pathlib
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

ROOT = pathlib.Path(__file__).resolve().parents[2]
IGNORE = pathlib.Path(__file__).with_name("Dockerfile.dockerignore")


def to_regex(pattern):
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out += ".*"
            i += 2
            if pattern.startswith("/", i):
                out += "/?"  # `**/x` also matches `x` at the top
                i += 1
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out + r"\Z")


def rules():
    out = []
    for line in IGNORE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = line[1:] if negate else line
        out.append((negate, to_regex(pattern.strip("/"))))
    return out


def excluded(path, patterns):
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    result = False
    for negate, regex in patterns:
        if any(regex.match(p) for p in prefixes):
            result = not negate
    return result


def main():
    patterns = rules()
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    problems = []
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    modules = [m.text for m in ET.parse(ROOT / "pom.xml").getroot().findall("m:modules/m:module", ns)]
    needed = ["pom.xml"] + [f"{m}/pom.xml" for m in modules]
    # -DskipTests still compiles the tests (other modules' tests use the db and shared-model
    # test-jars), so every tracked file of a module's src/ is needed.
    needed += [f for f in files if any(f.startswith(f"{m}/src/") for m in modules)]
    for f in needed:
        if excluded(f, patterns):
            problems.append(f"{f} is needed by the image build but Dockerfile.dockerignore excludes it")
    for unwanted in (".git/HEAD", "deploy/target/notifier/bin/notifier", "db/target/classes/x"):
        if not excluded(unwanted, patterns):
            problems.append(f"{unwanted} would be sent to the Docker daemon")
    sent = [f for f in files if not excluded(f, patterns)]
    for p in problems:
        print(f"docker context: {p}", file=sys.stderr)
    print(f"docker context: {len(sent)} of {len(files)} tracked files sent, {len(modules)} modules: "
          f"{'OK' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
