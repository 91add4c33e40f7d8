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
echo
echo "Triage: a person decides what an issue means (docs/triage.md); the decision carries forward."
cve=$("$bin" issues --db "$db" --limit 200 | awk '/CVE-2019-1010083/ && !found { print $1; found = 1 }')
"$bin" triage --db "$db" --actor alice@example.com "$cve" --state not_affected \
    --justification vulnerable_code_not_in_execute_path --reason "the app never calls flask's JSON decoder on request data"
echo
echo "Rules carry decisions to current and future issues; a dry run shows exactly what one would change:"
"$bin" rules apply --db "$db" --actor alice@example.com --dry-run examples/rules.yaml
"$bin" rules apply --db "$db" --actor alice@example.com examples/rules.yaml >/dev/null
"$bin" rules --db "$db"
echo
echo "SLAs by severity, tighter for critical applications (examples/policy.yaml):"
"$bin" sla apply --db "$db" --actor alice@example.com examples/policy.yaml
"$bin" sla --db "$db" --all | tail -n 4
echo
echo "The CI gate on the component's latest scans (exit 0 pass, 1 fail, 2 usage; docs/gate.md):"
gate_status=0
"$bin" gate --db "$db" --app orders --component orders-api --policy examples/policy.yaml || gate_status=$?
echo "(rampart gate exited $gate_status: a pipeline step would stop here)"
echo
echo "A week later the team has fixed two of Bandit's findings and scans again (examples/reports/rescan):"
echo "Bandit's two findings are fixed and the rest keep their identity though each moved down a line; the YAML"
echo "issue closes, while the SQL injection issue stays open: Semgrep and Wapiti report it too, until they rescan."
# RAMPART_NOW is the clock every command reads; here it stands a week ahead.
RAMPART_NOW=$(date -u -d '+7 days' +%Y-%m-%dT%H:%M:%SZ)
export RAMPART_NOW
"$bin" import --db "$db" examples/reports/rescan/bandit.json
echo
echo "Every change is in a hash-chained audit trail; verify recomputes the chain:"
"$bin" audit --db "$db" --limit 5
"$bin" audit verify --db "$db"
echo
echo "Metrics from the recorded events: time to remediate, SLA compliance, who closed what:"
"$bin" metrics --db "$db" --since "$(date -u -d '-3 days' +%F)" | sed -n 1,12p
