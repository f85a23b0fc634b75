#!/usr/bin/env python3
"""Regenerates the example output in README.md by running the built CLI.

Every fenced block preceded by a line `<!-- example -->` or `<!-- example lines=N -->` holds one command line
(`$ smbsign ARGS`) followed by what it prints. This script runs the command from the repository root with the
Release build (`dotnet build src/SmbSign.Cli -c Release` first), stdout redirected, COLUMNS=100 and NO_COLOR=1, and
writes the output back: whole, or its first N lines followed by a line `…` when the output is longer.
tests/SmbSign.Cli.Tests/Docs/ReadmeExampleTests.cs runs the same commands the same way and fails when the README no
longer shows what the CLI prints. Blocks marked `<!-- example: illustrative -->` (they need a live server) are left
alone and not checked.
"""
import os, pathlib, re, shlex, subprocess, sys

root = pathlib.Path(__file__).resolve().parent.parent
readme = root / "README.md"
dll = root / "src/SmbSign.Cli/bin/Release/net10.0/smbsign.dll"
if not dll.exists():
    sys.exit(f"build first: dotnet build src/SmbSign.Cli -c Release ({dll} is missing)")

marker = re.compile(r"^<!-- example(?: lines=(\d+))? -->$")
lines = readme.read_text(encoding="utf-8").splitlines()
out, i, count = [], 0, 0
while i < len(lines):
    line = lines[i]
    out.append(line)
    m = marker.match(line)
    if not m or i + 2 >= len(lines) or not lines[i + 1].startswith("```") or not lines[i + 2].startswith("$ smbsign "):
        i += 1
        continue
    limit = int(m.group(1)) if m.group(1) else None
    fence, command = lines[i + 1], lines[i + 2]
    j = i + 3
    while j < len(lines) and not lines[j].startswith("```"):
        j += 1
    env = dict(os.environ, COLUMNS="100", NO_COLOR="1")
    env.pop("SMBSIGN_PASSWORD", None)
    args = shlex.split(command[len("$ smbsign "):])
    run = subprocess.run(["dotnet", str(dll), *args], cwd=root, env=env, capture_output=True, text=True)
    printed = [l.rstrip() for l in run.stdout.rstrip("\n").splitlines()]
    if limit is not None and len(printed) > limit:
        printed = printed[:limit] + ["…"]
    out += [fence, command, *printed]
    count += 1
    i = j  # the closing fence is appended by the next iteration
readme.write_text("\n".join(out) + "\n", encoding="utf-8")
print(f"README.md: {count} examples regenerated")
