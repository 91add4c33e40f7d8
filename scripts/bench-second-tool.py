#!/usr/bin/env python3
"""Makes a second tool's report of the same vulnerabilities from a Trivy JSON report, for the
benchmark's cross-tool correlation figure: Grype JSON (grype -o json, schema of grype 0.7x)
with one match per Trivy vulnerability, the same package purls and versions, and for language
packages the GitHub advisory as Grype's id with the CVE among its related vulnerabilities, as
Grype reports them. Importing it after the Trivy report must give no new issue.

usage: bench-second-tool.py TRIVY_JSON OUTPUT
"""
import json
import re
import sys

GHSA = re.compile(r"GHSA(-[23456789cfghjmpqrvwx]{4}){3}")
OS_TYPES = {"debian": "deb", "ubuntu": "deb", "alpine": "apk", "redhat": "rpm", "centos": "rpm", "rocky": "rpm"}


def grype_match(vulnerability, result, image):
    cve = vulnerability["VulnerabilityID"]
    purl = (vulnerability.get("PkgIdentifier") or {}).get("PURL", "")
    is_os = result.get("Class") == "os-pkgs"
    advisory = next((m.group(0) for m in map(GHSA.search, vulnerability.get("References") or []) if m), None)
    primary = cve if is_os or advisory is None else advisory
    cvss = [
        {
            "source": source,
            "type": "Primary" if source == "nvd" else "Secondary",
            "version": "3.1",
            "vector": entry["V3Vector"],
            "metrics": {"baseScore": entry["V3Score"], "exploitabilityScore": 3.9, "impactScore": 5.9},
            "vendorMetadata": {},
        }
        for source, entry in (vulnerability.get("CVSS") or {}).items()
        if "V3Vector" in entry
    ]
    fixed = vulnerability.get("FixedVersion")
    match = {
        "vulnerability": {
            "id": primary,
            "dataSource": ("https://github.com/advisories/" + primary) if primary.startswith("GHSA") else vulnerability.get("PrimaryURL", ""),
            "namespace": ("github:language:" + result.get("Type", "")) if primary.startswith("GHSA") else "debian:distro:debian:12",
            "severity": vulnerability.get("Severity", "UNKNOWN").capitalize(),
            "urls": vulnerability.get("References") or [],
            "description": vulnerability.get("Description", ""),
            "cvss": cvss,
            "fix": {"versions": [fixed] if fixed else [], "state": "fixed" if fixed else "not-fixed"},
            "advisories": [],
        },
        "relatedVulnerabilities": []
        if primary == cve
        else [
            {
                "id": cve,
                "dataSource": "https://nvd.nist.gov/vuln/detail/" + cve,
                "namespace": "nvd:cpe",
                "severity": vulnerability.get("Severity", "UNKNOWN").capitalize(),
                "urls": [],
                "description": vulnerability.get("Description", ""),
                "cvss": cvss[:1],
            }
        ],
        "matchDetails": [
            {
                "type": "exact-direct-match" if not is_os else "exact-indirect-match",
                "matcher": "dpkg-matcher" if is_os else result.get("Type", "") + "-matcher",
                "searchedBy": {"language": result.get("Type", ""), "namespace": "", "package": {"name": vulnerability["PkgName"], "version": vulnerability["InstalledVersion"]}},
                "found": {"vulnerabilityID": primary, "versionConstraint": "< " + (fixed or "*")},
            }
        ],
        "artifact": {
            "id": vulnerability.get("PkgIdentifier", {}).get("UID", ""),
            "name": vulnerability["PkgName"],
            "version": vulnerability["InstalledVersion"],
            "type": OS_TYPES.get(result.get("Type", ""), "deb") if is_os else result.get("Type", ""),
            "locations": [{"path": "/var/lib/dpkg/status" if is_os else "/" + result.get("Target", ""), "layerID": (vulnerability.get("Layer") or {}).get("DiffID", "")}],
            "language": "" if is_os else result.get("Type", ""),
            "licenses": [],
            "cpes": [],
            "purl": purl,
            "upstreams": [],
        },
    }
    return match


def main():
    source, output = sys.argv[1], sys.argv[2]
    with open(source) as handle:
        report = json.load(handle)
    image = report.get("ArtifactName", "")
    matches = [
        grype_match(vulnerability, result, image)
        for result in report.get("Results", [])
        for vulnerability in result.get("Vulnerabilities") or []
    ]
    grype = {
        "matches": matches,
        "source": {"type": "image", "target": {"userInput": image, "imageID": (report.get("Metadata") or {}).get("ImageID", ""), "manifestDigest": "", "tags": [image]}},
        "distro": {"name": "debian", "version": "12"},
        "descriptor": {"name": "grype", "version": "0.74.0", "timestamp": "2026-01-15T08:35:00Z"},
    }
    with open(output, "w") as handle:
        json.dump(grype, handle)


if __name__ == "__main__":
    main()
