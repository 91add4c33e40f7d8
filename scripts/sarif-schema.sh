#!/usr/bin/env bash
# Prints the path of the OASIS SARIF 2.1.0 JSON schema, fetching it once into .build/.
#
# The schema is not vendored (it is OASIS's text, not ours). No Debian package ships it; the
# source distribution of the PyPI package sarif-pydantic 0.6.2 ships oasis-tcs/sarif-spec's
# Schemata/sarif-schema-2.1.0.json as it stood in 2019 (draft-07, before the OASIS Standard),
# so it is fetched with pip and checked against a pinned SHA-256. That revision misspells one
# property the specification names (section 3.35.3): suppression.status is "state" there,
# corrected in the schema in February 2020 (microsoft/sarif-sdk#1788) and in the OASIS
# Standard's schema; and its language pattern has a stray bracket the errata fixed. Both are
# corrected here, nothing else is touched. Exits non-zero, saying why on stderr, when the
# schema cannot be had (no network, no pip).
set -euo pipefail
cd "$(dirname "$0")/.."
schema_sha256=6352a05f9d03f181b8d9c71a46bdacc4fcff9d8ade5364858b425ba0c0994ed7
cache=.build/sarif-schema
download=$cache/sarif-schema-2.1.0.cs01.json
schema=$cache/sarif-schema-2.1.0.json

verified() { [ -f "$download" ] && echo "$schema_sha256  $download" | sha256sum --check --status; }

if ! verified; then
    mkdir -p "$cache/download"
    if ! command -v pip3 >/dev/null 2>&1 && ! python3 -m pip --version >/dev/null 2>&1; then
        echo "sarif-schema: pip is not installed" >&2
        exit 1
    fi
    if ! timeout 180 python3 -m pip download --quiet --no-deps --no-binary :all: \
        --dest "$cache/download" sarif-pydantic==0.6.2 >&2; then
        echo "sarif-schema: could not download sarif-pydantic 0.6.2 from PyPI" >&2
        exit 1
    fi
    tar -xzf "$cache/download/sarif_pydantic-0.6.2.tar.gz" -C "$cache/download" \
        sarif_pydantic-0.6.2/sarif-schema-2.1.0.json
    mv "$cache/download/sarif_pydantic-0.6.2/sarif-schema-2.1.0.json" "$download"
    rm -rf "$cache/download" "$schema"
    if ! verified; then
        echo "sarif-schema: the downloaded schema does not have the pinned SHA-256; not using it" >&2
        rm -f "$download"
        exit 1
    fi
fi
if [ ! -f "$schema" ]; then
    python3 - "$download" "$schema" <<'PY'
import json, sys
schema = json.load(open(sys.argv[1]))
suppression = schema["definitions"]["suppression"]["properties"]
suppression["status"] = suppression.pop("state")
suppression["status"]["description"] = "A string that indicates the review status of the suppression."
for owner in ("run", "toolComponent"):
    schema["definitions"][owner]["properties"]["language"]["pattern"] = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$"
json.dump(schema, open(sys.argv[2] + ".tmp", "w"), indent=2)
PY
    mv "$schema.tmp" "$schema"
fi
echo "$PWD/$schema"
