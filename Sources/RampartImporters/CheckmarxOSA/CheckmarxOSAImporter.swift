import Foundation
import RampartCore

/// Checkmarx OSA (CxOSA) results as its REST API gives them, saved as one JSON array of two:
/// the scan's vulnerabilities (`GET /cxrestapi/osa/vulnerabilities`) and its libraries
/// (`GET /cxrestapi/osa/libraries`), which a vulnerability names by `libraryId`.
///
/// One finding per vulnerability and library. The state a person set in Checkmarx is kept:
/// not exploitable is a false positive; confirmed and urgent are sure; a proposal that it is
/// not exploitable stays open until approved. A vulnerability naming no known library is
/// reported in a diagnostic: without its package it has no place.
struct CheckmarxOSAImporter: ReportImporter {
    let info = FormatInfo(
        id: "checkmarx-osa-json", name: "Checkmarx OSA JSON", tool: "Checkmarx OSA", category: .sca, syntax: .json,
        notes: "[vulnerabilities, libraries] from the CxOSA REST API; one finding per CVE and library, with CVSS, fix version and state",
        defectDojoScanTypes: ["Checkmarx OSA"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isArray, root.array.count == 2, root.array.allSatisfy(\.isArray) else { return nil }
        if let vulnerability = root.array[0].array.first {
            guard vulnerability["cveName"] != nil && vulnerability["state"] != nil && vulnerability["severity"] != nil else { return nil }
            return vulnerability["libraryId"] != nil ? .certain : .likely
        }
        if let library = root.array[1].array.first {
            return library["newestVersion"] != nil && library["confidenceLevel"] != nil ? .likely : nil
        }
        return nil
    }

    /// "Upgrade to 2.10.5.1" → ["2.10.5.1"].
    static func fixedVersions(from recommendation: String?) -> [String] {
        guard let recommendation, recommendation.lowercased().hasPrefix("upgrade to ") else { return [] }
        let version = recommendation.dropFirst("upgrade to ".count).trimmingCharacters(in: .whitespaces)
        return version.isEmpty || version.contains(" ") ? [] : [version]
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isArray, root.array.count == 2 else {
            throw ImportError.content("expected a JSON array of two arrays: the vulnerabilities and the libraries")
        }
        var output = ImporterOutput(tool: ToolInfo(name: "Checkmarx OSA"))
        var libraries: [String: JSONNode] = [:]
        for library in root.array[1].array {
            if let id = library["id"]?.text { libraries[id] = library }
        }
        for vulnerability in root.array[0].array {
            guard let libraryID = vulnerability["libraryId"]?.text, let library = libraries[libraryID] else {
                output.diagnostics.append(
                    Diagnostic(
                        "vulnerability \(vulnerability["cveName"]?.text ?? "?") names no library of the report: skipped",
                        at: vulnerability.position))
                continue
            }
            let name = library["name"]?.text ?? libraryID
            let version = library["version"]?.text
            let cve = vulnerability["cveName"]?.text?.nonBlank
            let id = cve ?? vulnerability["id"]?.text ?? "unknown"
            let severityName = vulnerability["severity"]?["name"]?.text ?? vulnerability["severity"]?.text
            let score = vulnerability["score"]?.double
            let state = vulnerability["state"]?["name"]?.text ?? vulnerability["state"]?.text
            // Maven coordinates are written group:artifact; other ecosystems go unnamed.
            let ecosystem: String? = name.contains(":") ? "maven" : nil
            var description = vulnerability["description"]?.text ?? ""
            if state == "PROPOSED_NOT_EXPLOITABLE" { description += "\n\nProposed as not exploitable in Checkmarx (not yet approved)." }
            if let newest = library["newestVersion"]?.text, newest != version { description += "\n\nNewest version of the library: \(newest)." }
            output.findings.append(
                Finding(
                    category: .sca, tool: output.tool, ruleID: id, title: "\(id) in \(name)\(version.map { " \($0)" } ?? "")",
                    description: description.trimmingCharacters(in: .whitespacesAndNewlines).nonBlank, toolSeverity: severityName,
                    severity: .from(tool: severityName, score: score),
                    confidence: state == "CONFIRMED" || state == "URGENT" ? .high : nil,
                    vulnerabilityIDs: .parsing([cve].compactMap { $0 }),
                    cvss: CVSSScore(vector: nil, score: score).map { [$0] } ?? [],
                    location: .package(
                        packageLocation(
                            name: name, version: version, ecosystem: ecosystem,
                            fixedVersions: Self.fixedVersions(from: vulnerability["recommendations"]?.text),
                            manifestPath: vulnerability["sourceFileName"]?.text?.nonBlank)),
                    remediation: vulnerability["recommendations"]?.text?.nonBlank,
                    references: [vulnerability["url"]?.text].compactMap { $0?.nonBlank },
                    suppression: state == "NOT_EXPLOITABLE" ? Suppression(kind: .falsePositive, justification: "not exploitable (Checkmarx)") : nil,
                    raw: .json(vulnerability)))
        }
        return output
    }
}
