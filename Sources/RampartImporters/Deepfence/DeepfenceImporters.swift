import Foundation
import RampartCore

/// Deepfence ThreatMapper's CSV downloads: vulnerabilities, secrets and compliance results of
/// the hosts, containers and images it scanned. A row that ThreatMapper shows as masked
/// (`masked` True) is kept as accepted.
enum Deepfence {
    static func masked(_ record: CSVRecord) -> Suppression? {
        record["masked"]?.lowercased() == "true" ? Suppression(kind: .accepted, justification: "masked in ThreatMapper") : nil
    }
}

/// The vulnerability report: one finding per CVE and package on each node (`cve_container_image`
/// names the container or image and its host), with CVSS vector and score and the fix version.
struct DeepfenceVulnerabilityImporter: ReportImporter {
    let info = FormatInfo(
        id: "deepfence-vulnerability-csv", name: "Deepfence ThreatMapper vulnerability CSV", tool: "Deepfence ThreatMapper",
        category: .container, syntax: .csv, notes: "CVEs per package and node with CVSS vector and score, fix version; masked rows accepted",
        defectDojoScanTypes: ["Deepfence Threatmapper Report"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let header = report.csvTable?.header else { return nil }
        return ["cve_id", "cve_caused_by_package", "cve_container_image", "cve_severity"].allSatisfy(header.contains) ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let table = report.csvTable else { throw ImportError.content("expected CSV") }
        var output = ImporterOutput(tool: ToolInfo(name: "Deepfence ThreatMapper"))
        for record in table.records {
            guard let id = record["cve_id"], let caused = record["cve_caused_by_package"] else {
                output.diagnostics.append(Diagnostic("row without a CVE or package skipped", at: record.position))
                continue
            }
            // `name:version`; versions may hold colons of their own (an epoch).
            let parts = caused.split(separator: ":", maxSplits: 1).map(String.init)
            let node = record["cve_container_image"] ?? record["host_name"] ?? "unknown node"
            let vector = record["cve_attack_vector"].map { $0.uppercased() }
            let cvss = CVSSScore(vector: vector, score: record.double("cve_cvss_score"))
            let severityText = record["cve_severity"]
            var lines = [record["cve_description"]].compactMap { $0 }
            lines.append("Found in \(caused) on \(node)" + (record["host_name"].map { ", host \($0)" } ?? "") + ".")
            output.findings.append(
                Finding(
                    category: .container, tool: output.tool, ruleID: id, title: "\(id) in \(parts[0])", description: lines.joined(separator: "\n\n"),
                    toolSeverity: severityText, severity: .from(tool: severityText, score: cvss?.score), vulnerabilityIDs: .parsing([id]),
                    cvss: cvss.map { [$0] } ?? [],
                    location: .package(
                        packageLocation(
                            name: parts[0], version: parts.count > 1 ? parts[1] : nil, ecosystem: nil,
                            fixedVersions: splitVersions(record["cve_fixed_in"]),
                            manifestPath: node)),
                    references: [record["cve_link"]].compactMap { $0 }, suppression: Deepfence.masked(record), raw: .csv(record)))
        }
        return output
    }
}

/// The secret report: one finding per secret, file and container, however many nodes run that
/// container (they are listed). The matched content is the secret: hidden.
struct DeepfenceSecretImporter: ReportImporter {
    let info = FormatInfo(
        id: "deepfence-secret-csv", name: "Deepfence ThreatMapper secret CSV", tool: "Deepfence ThreatMapper", category: .secrets,
        syntax: .csv, notes: "secrets per file and container with rule and severity, nodes listed; matched content hidden",
        defectDojoScanTypes: ["Deepfence Threatmapper Report"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let header = report.csvTable?.header else { return nil }
        return ["Filename", "Content", "Rule", "Signature", "Node Name"].allSatisfy(header.contains) ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let table = report.csvTable else { throw ImportError.content("expected CSV") }
        var output = ImporterOutput(tool: ToolInfo(name: "Deepfence ThreatMapper"))
        var index: [String: Int] = [:]
        var nodes: [[String]] = []
        for record in table.records {
            guard let file = record["Filename"], let rule = record["Rule"] ?? record["Name"] else {
                output.diagnostics.append(Diagnostic("row without a file or rule skipped", at: record.position))
                continue
            }
            let content = record["Content"]
            let container = record["Container Name"]
            let key = [container ?? "", file, rule, content ?? ""].joined(separator: "\u{1F}")
            let node = record["Node Name"] ?? "unknown node"
            if let existing = index[key] {
                output.findings[existing].occurrences += 1
                if !nodes[existing].contains(node) { nodes[existing].append(node) }
                continue
            }
            let name = record["Name"] ?? "secret rule \(rule)"
            let severityText = record["Severity"]
            var finding = Finding(
                category: .secrets, tool: output.tool, ruleID: rule, title: "\(name) in \(file)",
                description: "ThreatMapper rule \(rule) (\(name)) matched in \(file)" + (container.map { ", container \($0)" } ?? "")
                    + (record["Kubernetes Cluster Name"].map { ", cluster \($0)" } ?? "") + ".",
                toolSeverity: severityText, severity: .from(tool: severityText, default: .high), cwes: [798],
                location: .code(CodeLocation(file: file)), tags: [container].compactMap { $0 }, raw: .csv(record))
            finding.revealedSecrets = [content].compactMap { $0 }
            index[key] = output.findings.count
            nodes.append([node])
            output.findings.append(finding)
        }
        for (position, list) in nodes.enumerated() {
            output.findings[position].description = (output.findings[position].description ?? "") + "\n\nNodes: " + list.joined(separator: ", ")
        }
        return output
    }
}

/// The compliance report: a finding per failed or warned check and node (`warn`, `alarm`,
/// `fail`); passed, informational and skipped checks are not findings and are counted.
struct DeepfenceComplianceImporter: ReportImporter {
    let info = FormatInfo(
        id: "deepfence-compliance-csv", name: "Deepfence ThreatMapper compliance CSV", tool: "Deepfence ThreatMapper", category: .infra,
        syntax: .csv, notes: "failed and warned benchmark checks per node with benchmark, category and test number; others counted",
        defectDojoScanTypes: ["Deepfence Threatmapper Report"])

    static let failing: Set<String> = ["warn", "alarm", "fail", "failed"]

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let header = report.csvTable?.header else { return nil }
        return ["compliance_check_type", "test_number", "test_info", "node_type", "status"].allSatisfy(header.contains) ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let table = report.csvTable else { throw ImportError.content("expected CSV") }
        var output = ImporterOutput(tool: ToolInfo(name: "Deepfence ThreatMapper"))
        var other = 0
        for record in table.records {
            guard let test = record["test_number"], let status = record["status"]?.lowercased() else {
                output.diagnostics.append(Diagnostic("row without a test number or status skipped", at: record.position))
                continue
            }
            guard Self.failing.contains(status) else {
                other += 1
                continue
            }
            let node = record["node_name"] ?? record["host_name"] ?? "unknown node"
            let benchmark = record["compliance_check_type"]
            let title = record["test_info"] ?? test
            let location: Location
            if let account = record["cloud_account_id"], record["node_type"]?.lowercased().contains("cloud") == true {
                location = .cloud(CloudLocation(provider: "cloud", account: account, resourceID: node, resourceType: record["node_type"]))
            } else {
                location = .host(HostLocation(address: node))
            }
            output.findings.append(
                Finding(
                    category: .infra, tool: output.tool, ruleID: test, title: title,
                    description: [
                        record["test_desc"],
                        "\(benchmark ?? "compliance") check \(test) (\(record["test_category"] ?? "uncategorized")): \(status) on \(record["node_type"] ?? "node") \(node).",
                    ]
                    .compactMap { $0 }.joined(separator: "\n\n"),
                    toolSeverity: status, severity: status == "warn" ? .medium : .high, location: location,
                    tags: [benchmark, record["test_category"]].compactMap { $0 }, suppression: Deepfence.masked(record), raw: .csv(record)))
        }
        if other > 0 { output.diagnostics.append(Diagnostic("\(other) passed, informational or skipped check(s) left out", level: .note)) }
        return output
    }
}
