import Foundation
import RampartCore

/// Microsoft Defender for Endpoint's vulnerabilities API (`/api/vulnerabilities/machinesVulnerabilities`):
/// one record per CVE, software product and machine, paged OData (`value[]`). The machine is the
/// host; the product and its version the package.
struct MSDefenderImporter: ReportImporter {
    let info = FormatInfo(
        id: "ms-defender-json", name: "Microsoft Defender for Endpoint vulnerabilities JSON", tool: "Microsoft Defender for Endpoint",
        category: .infra, syntax: .json, notes: "CVEs per machine and software product, with the fixing KB",
        defectDojoScanTypes: ["MSDefender Parser"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let values = root["value"], values.isArray else { return nil }
        guard root["@odata.context"]?.string?.contains("securitycenter") == true || values.array.first?["machineId"] != nil else { return nil }
        guard let first = values.array.first else { return .likely }
        return first["cveId"] != nil && first["machineId"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Microsoft Defender for Endpoint"))
        if root["@odata.nextLink"] != nil {
            output.diagnostics.append(
                Diagnostic("the API answer has more pages (@odata.nextLink); import every page for a complete picture", level: .note))
        }
        for item in root["value"]?.array ?? [] {
            guard let cve = item["cveId"]?.text, let machine = item["machineId"]?.text else {
                output.diagnostics.append(Diagnostic("a record without a CVE or machine was skipped", at: item.position))
                continue
            }
            let product = item["productName"]?.text ?? "software"
            let kb = item["fixingKbId"]?.text?.nonBlank
            let severityText = item["severity"]?.text
            output.findings.append(
                Finding(
                    category: .infra, tool: output.tool, ruleID: cve,
                    title: "\(cve) in \(item["productVendor"]?.text.map { "\($0) " } ?? "")\(product)",
                    description: "Machine \(machine)", toolSeverity: severityText, severity: .from(tool: severityText, default: .medium),
                    vulnerabilityIDs: .parsing([cve]),
                    location: .package(packageLocation(name: product, version: item["productVersion"]?.text, ecosystem: nil, manifestPath: machine)),
                    remediation: kb.map { "Install KB\($0)" }, raw: .json(item)))
        }
        return output
    }
}
