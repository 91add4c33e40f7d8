#!/usr/bin/env bash
# The whole test suite: lint, a warnings-as-errors build, then every test (store tests run
# against every backend available; corpus tests read ../shared/corpus when present).
set -euo pipefail
cd "$(dirname "$0")/.."
swift format lint --strict -r Sources Tests Package.swift Fuzz/Sources Fuzz/Package.swift
# The manifest lists each importer's Fixtures folder to exclude; SwiftPM caches its evaluation by
# content, so a cached one may predate a new importer folder: evaluate it afresh.
swift build --build-tests --manifest-cache none -Xswiftc -warnings-as-errors
swift test --skip-build --manifest-cache none
