import Foundation
import RampartCore

/// Sysdig's vulnerability results, as teams export them:
/// - the CLI scanner's JSON (`sysdig-cli-scanner --json-scan-result`: `result.packages[].vulns[]`)
///   and its CSV (`CVE ID, CVE Severity, Package Name ...`),
/// - the Vulnerability Report (Sysdig Secure's scheduled report) as CSV (`Vulnerability ID,
///   Severity, Package name, ..., Image, K8S ...`) and as JSON (`data[]`, `vulnName` ...).
/// One finding per vulnerability and package in an image (and Kubernetes workload, for the
/// runtime report). Accepted risks are kept as suppressed.
struct SysdigCLIImporter: ReportImporter {
    let info = FormatInfo(
        id: "sysdig", name: "Sysdig scan results CSV / JSON", tool: "Sysdig", category: .container, syntax: .csv,
        notes: "image package vulnerabilities with CVSS vector, fix version, path, workload and accepted risk; CLI and report exports",
        defectDojoScanTypes: ["Sysdig CLI Report", "Sysdig Vulnerability Report"])

    static let cliColumns = ["CVE ID", "CVE Severity", "Package Name", "Package Version"]
    static let reportColumns = ["Vulnerability ID", "Severity", "Package name", "Package version", "Image"]

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        if let header = report.csvTable?.header {
            return Self.cliColumns.allSatisfy(header.contains) || Self.reportColumns.allSatisfy(header.contains) ? .certain : nil
        }
        guard let root = report.jsonRoot, root.isObject else { return nil }
        if root["scanner", "name"]?.string?.hasPrefix("sysdig") == true || (root["result", "packages"] != nil && root["info", "resultUrl"] != nil) {
            return .certain
        }
        if let data = root["data"], data.isArray, let first = data.array.first {
            return first["vulnName"] != nil && first["packageName"] != nil ? .certain : nil
        }
        return nil
    }

    /// One vulnerable package, whichever export carried it.
    struct Row {
        var id: String
        var severity: String?
        var score: Double?
        var vector: String?
        var package: String
        var version: String?
        var type: String?
        var path: String?
        var fixed: String?
        var image: String?
        var workload: String?
        var link: String?
        var accepted: Bool
        var exploitable: Bool
        var raw: RawEvidence
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        var output = ImporterOutput(tool: ToolInfo(name: "Sysdig"))
        var rows: [Row] = []
        if let table = report.csvTable {
            for record in table.records {
                guard let id = record[first: "CVE ID", "Vulnerability ID"], let package = record[first: "Package Name", "Package name"] else {
                    output.diagnostics.append(Diagnostic("a row without a vulnerability or package was skipped", at: record.position))
                    continue
                }
                guard VulnerabilityID.isAdvisoryLike(id) else {
                    output.diagnostics.append(Diagnostic("a row whose vulnerability id is not an advisory id was skipped", at: record.position))
                    continue
                }
                let workload = [record["K8S cluster name"], record["K8S namespace name"], record["K8S workload name"], record["K8S container name"]]
                    .compactMap { $0 }.joined(separator: "/").nonBlank
                rows.append(
                    Row(
                        id: id, severity: record[first: "CVE Severity", "Severity"],
                        score: record.double("CVSS Score") ?? record.double("CVSS score"),
                        vector: record["CVSS vector"], package: package, version: record[first: "Package Version", "Package version"],
                        type: record[first: "Package Type", "Package type"], path: record[first: "Package Path", "Package path"],
                        fixed: record[first: "Fix Version", "Fix version"], image: record[first: "Image", "Image Name"], workload: workload,
                        link: record[first: "CVE URL", "Vuln link"],
                        accepted: record[first: "Risk Accepted", "Risk accepted"]?.lowercased() == "true",
                        exploitable: record["Public Exploit"]?.lowercased() == "true", raw: .csv(record)))
            }
        } else if let root = report.jsonRoot {
            output.tool.version = root["scanner", "version"]?.text
            let image = root["result", "metadata", "pullString"]?.text
            for package in root["result", "packages"]?.array ?? [] {
                for vuln in package["vulns"]?.array ?? [] {
                    guard let id = vuln["name"]?.text else { continue }
                    rows.append(
                        Row(
                            id: id, severity: vuln["severity", "value"]?.text, score: vuln["cvssScore", "value", "score"]?.double,
                            vector: vuln["cvssScore", "value", "vector"]?.text, package: package["name"]?.text ?? "package",
                            version: package["version"]?.text,
                            type: package["type"]?.text, path: package["path"]?.text, fixed: vuln["fixedInVersion"]?.text, image: image,
                            workload: nil, link: nil,
                            accepted: !(vuln["acceptedRisks"]?.array.isEmpty ?? true), exploitable: vuln["exploitable"]?.bool ?? false,
                            raw: .json(vuln)))
                }
            }
            for item in root["data"]?.array ?? [] {
                guard let id = item["vulnName"]?.text else { continue }
                let workload = [
                    item["k8sClusterName"]?.text, item["k8sNamespaceName"]?.text, item["k8sWorkloadName"]?.text, item["k8sPodContainerName"]?.text,
                ]
                .compactMap { $0 }.joined(separator: "/").nonBlank
                rows.append(
                    Row(
                        id: id, severity: item["vulnSeverity"]?.text, score: item["vulnCvssScore"]?.double, vector: item["vulnCvssVector"]?.text,
                        package: item["packageName"]?.text ?? "package", version: item["packageVersion"]?.text, type: item["packageType"]?.text,
                        path: item["packagePath"]?.text, fixed: item["vulnFixVersion"]?.text, image: item["imagePullString"]?.text,
                        workload: workload,
                        link: item["vulnLink"]?.text, accepted: false, exploitable: item["vulnExploitable"]?.bool ?? false, raw: .json(item)))
            }
        }
        let ecosystems = [
            "python": "pypi", "java": "maven", "javascript": "npm", "npm": "npm", "golang": "golang", "go": "golang", "ruby": "rubygems",
        ]
        for row in rows {
            var description = [row.path.map { "Path: \($0)" }]
            if let workload = row.workload { description.append("Workload: \(workload)") }
            var finding = Finding(
                category: .container, tool: output.tool, ruleID: row.id, title: "\(row.id) - \(row.package)",
                description: description.compactMap { $0 }.joined(separator: "\n").nonBlank, toolSeverity: row.severity,
                severity: .from(tool: row.severity?.lowercased() == "negligible" ? "info" : row.severity, score: row.score, default: .medium),
                vulnerabilityIDs: .parsing([row.id]), cvss: CVSSScore(vector: row.vector, score: row.score, source: "Sysdig").map { [$0] } ?? [],
                location: .package(
                    packageLocation(
                        name: row.package, version: row.version, ecosystem: row.type.flatMap { ecosystems[$0.lowercased()] },
                        fixedVersions: [row.fixed].compactMap { $0 },
                        manifestPath: row.workload, artifactPath: row.path, image: row.image.map { ImageLocation(reference: $0) })),
                references: [row.link].compactMap { $0 }, raw: row.raw)
            if row.exploitable { finding.exploitMaturity = .proofOfConcept }
            if row.accepted { finding.suppression = Suppression(kind: .accepted, justification: "risk accepted in Sysdig") }
            output.findings.append(finding)
        }
        return output
    }
}
