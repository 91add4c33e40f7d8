#!/usr/bin/env bash
# Fuzzes the import pipeline (syntax, detection, importers) with libFuzzer and AddressSanitizer,
# starting from the importer fixtures. Not part of the test suite: run it after changing a
# reader. Usage: scripts/fuzz.sh [SECONDS] (default 300). Findings land in Fuzz/findings/.
set -euo pipefail
cd "$(dirname "$0")/../Fuzz"
seconds=${1:-300}
# The harness package reaches the main one through this link (made here, not committed, so
# that no tree walk meets a link to its own parent).
ln -sfn .. RampartRoot
# SwiftPM does not notice files added to a path dependency: plan the build afresh (this
# replans, it does not rebuild), and evaluate the manifests afresh (see scripts/test.sh).
rm -f .build/debug.yaml .build/*/debug/description.json
swift build --manifest-cache none --product rampart-fuzz -Xswiftc -sanitize=fuzzer,address
mkdir -p corpus findings
cp -n ../Sources/RampartImporters/*/Fixtures/* corpus/ 2>/dev/null || true
rm -f corpus/*.expected.json
# Hand-made seeds: extreme numbers (lines, columns, indices at the edge of 64 bits) for each family.
cp -n seeds/* corpus/
# Leaks are not what this looks for.
ASAN_OPTIONS=detect_leaks=0 .build/debug/rampart-fuzz -max_total_time="$seconds" -detect_leaks=0 -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix=findings/ corpus
