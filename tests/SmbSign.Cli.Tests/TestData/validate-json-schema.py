"""Validates JSON documents against a JSON Schema (draft 2020-12) with Debian's python3-jsonschema.

Usage: validate-json-schema.py SCHEMA DOCUMENT [--lines]
With --lines every non-empty line of DOCUMENT is one instance of SCHEMA's #/$defs/result (jsonl).
Prints one line per violation (instance path: message) and exits 1 if there is any, 0 if none.
"""
import json
import sys

import jsonschema


def main() -> int:
    schema_path, document_path = sys.argv[1], sys.argv[2]
    lines = "--lines" in sys.argv[3:]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    with open(document_path, encoding="utf-8") as f:
        text = f.read()
    if lines:
        instances = [(n, json.loads(line)) for n, line in enumerate(text.split("\n"), 1) if line.strip()]
        schema = {**schema, "$ref": "#/$defs/result"}
        schema.pop("type", None)
        schema.pop("items", None)
    else:
        instances = [(1, json.loads(text))]
    validator = jsonschema.Draft202012Validator(schema)
    errors = 0
    for number, instance in instances:
        for error in validator.iter_errors(instance):
            errors += 1
            print(f"line {number}: {error.json_path}: {error.message}")
    print(f"{len(instances)} instance(s), {errors} violation(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
