#!/usr/bin/env python3
"""Deterministic synthetic Tenable Nessus CSV export for import benchmarks.

Writes exactly N rows (one finding each: a plugin on a host and port) in the column layout of
Nessus' "CSV" export, with RFC 4180 quoting, multi-line descriptions and plugin output, as
real exports have. Output depends only on the arguments.

Usage: gen-tenable-csv.py -n N -o FILE [--seed S]
"""
import argparse
import csv
import random

COLUMNS = ["Plugin ID", "CVE", "CVSS v2.0 Base Score", "CVSS v3.0 Base Score", "Risk", "Host", "Protocol", "Port", "Name",
           "Synopsis", "Description", "Solution", "See Also", "Plugin Output"]
RISKS = [("Critical", 9.8), ("High", 7.5), ("Medium", 5.3), ("Low", 3.1), ("None", 0.0)]
PORTS = [(22, "tcp"), (25, "tcp"), (80, "tcp"), (443, "tcp"), (3306, "tcp"), (5432, "tcp"), (123, "udp"), (161, "udp")]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, required=True)
    parser.add_argument("-o", required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    plugins = []
    for index in range(2000):
        risk, score = RISKS[index % len(RISKS)]
        cves = ",".join(f"CVE-20{18 + index % 7}-{10000 + index * 7 + k}" for k in range(index % 3)) if risk != "None" else ""
        plugins.append((str(100000 + index * 13), cves, risk, score, f"Synthetic Plugin {index}: Outdated Component Detection"))
    with open(args.o, "w", newline="") as out:
        writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in range(args.n):
            plugin_id, cves, risk, score, name = plugins[row % len(plugins)]
            # Each row is a distinct (plugin, host, port): hosts advance as plugins wrap around.
            host_index = row // len(plugins)
            port, protocol = PORTS[(row // 7) % len(PORTS)]
            host = f"10.{(host_index >> 16) & 255}.{(host_index >> 8) & 255}.{host_index & 255}"
            writer.writerow([
                plugin_id, cves, f"{max(score - 0.5, 0):.1f}" if score else "", f"{score:.1f}" if score else "", risk, host, protocol, str(port), name,
                "The remote host runs a component version with known weaknesses.",
                f"According to its self-reported version number, the component on port {port} is older than the fixed release.\n"
                f"It is therefore affected by the issues below:\n  - issue {rng.randrange(1000)}\n  - issue {rng.randrange(1000)}",
                "Upgrade to the latest version.",
                f"https://www.tenable.com/plugins/nessus/{plugin_id}\nhttps://example.com/advisories/{plugin_id}",
                f"\n  Installed version : 1.{row % 40}.{row % 9}\n  Fixed version     : 1.{row % 40 + 1}.0\n",
            ])


if __name__ == "__main__":
    main()
