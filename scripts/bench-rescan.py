#!/usr/bin/env python3
"""Makes the rescans the import benchmark measures from a baseline report, the way real
rescans differ from the scan before them (a real rescan is never byte-identical).

  same   the same findings in new bytes: every timestamp changed; SARIF: every location
         shifted down by 3 lines; Trivy: the image rebuilt under a new tag with new layers,
         every package version bumped (the findings survive the bump).
  churn  the scan after `same` (the benchmark imports it over `same`): a day later, 10% of
         the records modified in place (severity, text, lines), 10% removed and 10% added (new
         advisories or new code findings).

usage: bench-rescan.py same|churn trivy|sarif BASELINE OUTPUT
"""
import json
import random
import sys


def bump(version):
    return version + ".1" if version else version


def trivy_same(report):
    report["CreatedAt"] = "2026-02-20T09:45:00Z"
    report["ArtifactName"] = report.get("ArtifactName", "").replace(":1.0.0", ":1.0.1")
    for result in report.get("Results", []):
        result["Target"] = result.get("Target", "").replace(":1.0.0", ":1.0.1")
        for vulnerability in result.get("Vulnerabilities") or []:
            old = vulnerability.get("InstalledVersion", "")
            new = bump(old)
            vulnerability["InstalledVersion"] = new
            for key in ("PkgID",):
                if key in vulnerability:
                    vulnerability[key] = vulnerability[key].replace("@" + old, "@" + new)
            identifier = vulnerability.get("PkgIdentifier") or {}
            if "PURL" in identifier:
                identifier["PURL"] = identifier["PURL"].replace("@" + old, "@" + new)
            layer = vulnerability.get("Layer") or {}
            for key in ("Digest", "DiffID"):
                if key in layer:
                    layer[key] = layer[key][:-8] + "0badf00d"
            vulnerability["LastModifiedDate"] = "2026-02-19T00:00:00Z"


def sarif_same(report):
    for run in report.get("runs", []):
        for invocation in run.get("invocations") or []:
            invocation["startTimeUtc"] = "2026-02-20T09:30:00Z"
            invocation["endTimeUtc"] = "2026-02-20T09:45:00Z"
        for result in run.get("results") or []:
            for location in result.get("locations") or []:
                region = (location.get("physicalLocation") or {}).get("region") or {}
                for key in ("startLine", "endLine"):
                    if key in region:
                        region[key] += 3


def records(report, fmt):
    """(list, index) pairs addressing every record, so records can be edited in place."""
    if fmt == "trivy":
        return [result["Vulnerabilities"] for result in report.get("Results", []) if result.get("Vulnerabilities")]
    return [run["results"] for run in report.get("runs", []) if run.get("results")]


def churn(report, fmt):
    rng = random.Random(7)
    for items in records(report, fmt):
        kept = []
        added = []
        for index, item in enumerate(items):
            roll = rng.random()
            if roll < 0.10:
                continue  # removed
            if roll < 0.20:
                if fmt == "trivy":
                    item["Severity"] = "CRITICAL" if item.get("Severity") != "CRITICAL" else "HIGH"
                    item["Description"] = item.get("Description", "") + " Updated analysis."
                else:
                    item["message"]["text"] = item["message"].get("text", "") + " (confirmed)"
                    item["level"] = "error"
            if roll > 0.90:
                new = json.loads(json.dumps(item))
                if fmt == "trivy":
                    new["VulnerabilityID"] = "CVE-2099-%d" % (100000 + len(added) * 7 + index)
                    new.pop("VendorIDs", None)
                else:
                    fingerprints = new.get("partialFingerprints") or {}
                    fingerprints["primaryLocationLineHash"] = "%016x:1" % rng.getrandbits(64)
                    new["partialFingerprints"] = fingerprints
                added.append(new)
            kept.append(item)
        items[:] = kept + added


def next_day(report, fmt):
    if fmt == "trivy":
        report["CreatedAt"] = "2026-02-21T09:45:00Z"
        return
    for run in report.get("runs", []):
        for invocation in run.get("invocations") or []:
            invocation["startTimeUtc"] = "2026-02-21T09:30:00Z"
            invocation["endTimeUtc"] = "2026-02-21T09:45:00Z"


def main():
    mode, fmt, source, target = sys.argv[1:5]
    with open(source) as handle:
        report = json.load(handle)
    (trivy_same if fmt == "trivy" else sarif_same)(report)
    if mode == "churn":
        churn(report, fmt)
        next_day(report, fmt)
    with open(target, "w") as handle:
        json.dump(report, handle, indent=1)


if __name__ == "__main__":
    main()
