#!/usr/bin/env bash
# Rampart's main job on the embedded default: build, import the example reports into a fresh
# SQLite database, list what needs attention.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product rampart >/dev/null
bin=.build/release/rampart
db=${RAMPART_DB:-demo.db}
rm -f "$db" "$db-wal" "$db-shm" "$db.key"
echo "The inventory: what there is, who owns it, how exposed it is (docs/inventory.md):"
"$bin" inventory apply --db "$db" examples/inventory.yaml
echo
echo "Bandit's report names files under examples/vulnerable-app: auto-link places it."
"$bin" import --db "$db" examples/reports/bandit.json
echo
echo "Wapiti scanned the app at http://127.0.0.1:8000, which the inventory ties to orders-api: auto-link places it."
"$bin" import --db "$db" examples/reports/wapiti.json
echo
echo "These name only files relative to the app, which any component could hold: the component is given."
"$bin" import --db "$db" --component orders-api \
    examples/reports/semgrep.json examples/reports/checkov.json examples/reports/sbom.cdx.json \
    examples/reports/pairs/trivy-config.json examples/reports/pairs/trivy-secret.json examples/reports/pairs/gitleaks.json \
    examples/reports/detect-secrets.json examples/reports/safety.json
echo
"$bin" findings --db "$db" --app orders --severity high
echo
"$bin" apps --db "$db"
echo
echo "The record behind the most severe finding, as the tool wrote it:"
top=$("$bin" findings --db "$db" --app orders --json --limit 1 | grep -o '"id": *[0-9]*' | head -n 1 | grep -o '[0-9]*$')
"$bin" evidence --db "$db" "$top"
echo
echo "What the component ships, as its SBOM lists it:"
"$bin" packages --db "$db" --app orders
feeds=../shared/feeds
if [ -f "$feeds/kev/known_exploited_vulnerabilities.json" ] && [ -f "$feeds/epss/epss_scores-2026-01-30.csv.gz" ]; then
    echo
    echo "Prioritization feeds (CISA KEV, FIRST EPSS):"
    "$bin" feeds update --db "$db" --kev "$feeds/kev/known_exploited_vulnerabilities.json" \
        --epss "$feeds/epss/epss_scores-2026-01-30.csv.gz"
else
    echo
    echo "(No KEV/EPSS snapshot in $feeds: \`rampart feeds update\` downloads them when the network allows.)"
fi
echo
echo "Issues, most risky first: one per real problem, however many tools report it:"
"$bin" issues --db "$db" --limit 10
echo
issue=$("$bin" issues --db "$db" --json --limit 1 | grep -o '"id": *[0-9]*' | head -n 1 | grep -o '[0-9]*$')
echo "Why issue $issue ranks first:"
"$bin" explain --db "$db" "$issue"
echo
echo "Where scanner coverage is missing or stale:"
"$bin" coverage --db "$db"
