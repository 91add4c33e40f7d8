#!/usr/bin/env bash
# The whole test suite: lint, a warnings-as-errors build, then every test (store tests run
# against every backend available; corpus tests read ../shared/corpus when present).
set -euo pipefail
cd "$(dirname "$0")/.."
swift format lint --strict -r Sources Tests Package.swift Fuzz/Sources Fuzz/Package.swift
# The manifest lists each importer's Fixtures folder to exclude; SwiftPM caches its evaluation by
# content, so a cached one may predate a new importer folder: evaluate it afresh.
swift build --build-tests --manifest-cache none -Xswiftc -warnings-as-errors
# SARIF exports are validated against the OASIS SARIF 2.1.0 schema, fetched (not vendored) by
# scripts/sarif-schema.sh; without it (offline) that test is skipped and says so.
if [ -z "${RAMPART_SARIF_SCHEMA:-}" ]; then
    if schema=$(scripts/sarif-schema.sh) && python3 -c 'import jsonschema' 2>/dev/null; then
        export RAMPART_SARIF_SCHEMA=$schema
    else
        echo "notice: no SARIF 2.1.0 schema or no python3 jsonschema here: SARIF exports are checked structurally only" >&2
    fi
fi
swift test --skip-build --manifest-cache none
