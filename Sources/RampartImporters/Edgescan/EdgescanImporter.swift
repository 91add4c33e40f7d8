import Foundation
import RampartCore

/// Edgescan's vulnerabilities as its API lists them (`GET /api/v1/vulnerabilities.json`): one
/// finding per vulnerability at its location (a URL, or a host for the network layer), with
/// Edgescan's 1-5 severity, CVEs, CWEs, CVSS vector and the asset's tags. Closed
/// vulnerabilities are gone and counted in a note; a PCI exception is kept as accepted.
struct EdgescanImporter: ReportImporter {
    let info = FormatInfo(
        id: "edgescan-json", name: "Edgescan vulnerabilities JSON", tool: "Edgescan", category: .dast, syntax: .json,
        notes: "vulnerabilities per location (URL or host) with severity, CVEs, CWEs, CVSS and asset tags; closed ones left out",
        defectDojoScanTypes: ["Edgescan Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isArray, let first = root.array.first else { return nil }
        return first["asset_id"] != nil && first["location_specifier_id"] != nil && first["layer"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isArray else { throw ImportError.content("expected a JSON array") }
        var output = ImporterOutput(tool: ToolInfo(name: "Edgescan"))
        var closed = 0
        for vulnerability in root.array {
            guard let id = vulnerability["id"]?.text, let name = vulnerability["name"]?.text else {
                output.diagnostics.append(Diagnostic("vulnerability without id or name skipped", at: vulnerability.position))
                continue
            }
            if vulnerability["status"]?.text?.lowercased() == "closed" {
                closed += 1
                continue
            }
            // Edgescan rates 1 (informational) to 5 (critical).
            let level = vulnerability["severity"]?.int
            let severity = Severity.fromFiveLevels(level, criticalIsOne: false)
            let place = vulnerability["location"]?.text ?? vulnerability["asset_name"]?.text ?? "edgescan:\(id)"
            let layer = vulnerability["layer"]?.text
            let location: Location =
                place.contains("://") || layer == "application"
                ? .endpoint(EndpointLocation(url: place.contains("://") ? place : "https://\(place)")) : .host(HostLocation(address: place))
            let cvss = CVSSScore(vector: vulnerability["cvss_vector"]?.text?.nonBlank, score: vulnerability["cvss_score"]?.double)
            var details = [vulnerability["description"]?.text?.nonBlank].compactMap { $0 }
            details.append(
                "Edgescan vulnerability \(id) on asset \(vulnerability["asset_name"]?.text ?? "?"), layer \(layer ?? "?"), risk \(vulnerability["risk"]?.text ?? "?"), threat \(vulnerability["threat"]?.text ?? "?"), PCI \(vulnerability["pci_compliance_status"]?.text ?? "?")"
            )
            let exception = vulnerability["pci_exception"]?.text.flatMap { $0 == "none" ? nil : $0 }
            output.findings.append(
                Finding(
                    category: .dast, tool: output.tool, ruleID: name, title: name, description: details.joined(separator: "\n\n"),
                    toolSeverity: level.map { "severity \($0)" }, severity: severity,
                    cwes: CWE.parseAll(vulnerability["cwes"]?.array.compactMap(\.text) ?? []),
                    vulnerabilityIDs: .parsing(vulnerability["cves"]?.array.compactMap(\.text) ?? []), cvss: cvss.map { [$0] } ?? [],
                    location: location, remediation: vulnerability["remediation"]?.text?.nonBlank,
                    tags: (vulnerability["asset_tags"]?.text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                        !$0.isEmpty
                    },
                    suppression: exception.map {
                        Suppression(
                            kind: .accepted,
                            justification: "PCI exception \($0)" + (vulnerability["pci_exception_description"]?.text.map { ": \($0)" } ?? ""))
                    }, raw: .json(vulnerability)))
        }
        if closed > 0 { output.diagnostics.append(Diagnostic("\(closed) closed vulnerability record(s) left out", level: .note)) }
        return output
    }
}
