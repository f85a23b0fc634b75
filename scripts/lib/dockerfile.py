#!/usr/bin/env python3
"""Reads packaging/Dockerfile for scripts/test-container.sh, so that the test follows the file instead of copying it.

  dockerfile.py FILE publish   the build stage's `dotnet publish` command (the RUN line that has it)
  dockerfile.py FILE final     the final stage, one instruction a line: KIND<TAB>ARGUMENT(S)
                               FROM image | COPY --from=STAGE SRC... DEST | RUN shell text | USER name |
                               WORKDIR path | ENTRYPOINT/CMD one JSON array (exec form only)

Only what the Dockerfile uses is understood: line continuations, comments, exec-form ENTRYPOINT and CMD. Anything else
in the final stage (ENV, ARG, shell-form ENTRYPOINT, ...) is an error, so a new instruction makes the test fail until the
test learns it instead of being skipped.
"""
import json
import shlex
import sys

KNOWN_FINAL = {"FROM", "COPY", "RUN", "USER", "WORKDIR", "ENTRYPOINT", "CMD"}


def instructions(path):
    logical, lineno, start = "", 0, 0
    for lineno, raw in enumerate(open(path, encoding="utf-8"), 1):
        line = raw.rstrip("\n")
        if not logical and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if logical and line.lstrip().startswith("#"):
            continue
        if not logical:
            start = lineno
        if line.endswith("\\"):
            logical += line[:-1] + " "
            continue
        logical += line
        kind, _, rest = logical.strip().partition(" ")
        yield start, kind.upper(), rest.strip()
        logical = ""
    if logical:
        sys.exit(f"{path}:{start}: the file ends inside a continued line")


def stages(path):
    result = []
    for lineno, kind, rest in instructions(path):
        if kind == "FROM":
            result.append([])
        elif not result:
            sys.exit(f"{path}:{lineno}: {kind} before the first FROM")
        result[-1].append((lineno, kind, rest))
    if len(result) < 2:
        sys.exit(f"{path}: expected a build stage and a final stage, found {len(result)} stage(s)")
    return result


def main():
    path, what = sys.argv[1], sys.argv[2]
    all_stages = stages(path)
    if what == "publish":
        runs = [rest for stage in all_stages[:-1] for _, kind, rest in stage if kind == "RUN" and "dotnet publish" in rest]
        if len(runs) != 1:
            sys.exit(f"{path}: expected one RUN with `dotnet publish` before the final stage, found {len(runs)}")
        print(runs[0])
        return
    if what != "final":
        sys.exit(f"unknown request {what!r}")
    for lineno, kind, rest in all_stages[-1]:
        if kind not in KNOWN_FINAL:
            sys.exit(f"{path}:{lineno}: the test does not know {kind} in the final stage")
        if kind in ("ENTRYPOINT", "CMD"):
            try:
                value = json.loads(rest)
            except json.JSONDecodeError:
                sys.exit(f"{path}:{lineno}: {kind} must be an exec-form JSON array")
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                sys.exit(f"{path}:{lineno}: {kind} must be a JSON array of strings")
            rest = json.dumps(value)
        elif kind == "FROM":
            rest = rest.split()[0]
        elif kind == "COPY":
            words = shlex.split(rest)
            if not words or not words[0].startswith("--from="):
                sys.exit(f"{path}:{lineno}: the final stage may only COPY --from=<build stage>")
            rest = " ".join(shlex.quote(w) for w in words)
        print(f"{kind}\t{rest}")


if __name__ == "__main__":
    main()
