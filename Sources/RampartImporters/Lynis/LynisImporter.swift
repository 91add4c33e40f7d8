import Foundation
import RampartCore

/// Lynis's machine report (`/var/log/lynis-report.dat`, `key=value` lines): each
/// `warning[]=TEST-ID|message|details|solution|` and `suggestion[]=...` is a finding on the
/// audited host, and each `vulnerable_package[]` a package Lynis found flagged by the
/// system's package manager. Warnings are medium, suggestions low.
struct LynisImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "lynis-report", name: "Lynis report.dat", tool: "Lynis", category: .infra, syntax: .text,
        notes: "warnings and suggestions of a host audit, with details and solution; vulnerable packages",
        defectDojoScanTypes: ["Lynis Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let text = report.text else { return nil }
        let head = text.head(12)
        return head.contains { $0.hasPrefix("# Lynis Report") }
            || (head.contains { $0.hasPrefix("report_version_major=") }
                && text.lines.prefix(64).contains { $0.hasPrefix("lynis_version=") })
            ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let text = report.text else { throw ImportError.content("expected a Lynis report.dat") }
        var values: [String: String] = [:]
        for line in text.lines.prefix(200) {
            guard let equals = line.firstIndex(of: "="), !line[..<equals].hasSuffix("[]") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        var output = ImporterOutput(tool: ToolInfo(name: "Lynis", version: values["lynis_version"]))
        let host = values["hostname"]?.nonBlank ?? "unknown host"
        output.scope = ScanScope(kind: "host-audit", target: host)
        let distribution = (values["os_name"] ?? values["linux_version"] ?? "").lowercased()
        let ecosystem: String? =
            ["debian", "ubuntu", "kali", "raspbian", "linux mint"].contains(where: distribution.contains)
            ? "debian"
            : ["red hat", "centos", "fedora", "rocky", "alma", "oracle", "amazon", "suse"].contains(where: distribution.contains)
                ? "rpm" : distribution.contains("alpine") ? "alpine" : nil
        let system = [values["os_fullname"] ?? values["os_name"], values["os_kernel_version_full"].map { "kernel \($0)" }].compactMap { $0 }
        for (index, line) in text.lines.enumerated() {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals]
            let value = String(line[line.index(after: equals)...])
            switch key {
            case "warning[]", "suggestion[]":
                // TEST-ID|message|details|solution| ("-" for nothing)
                let fields = value.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                guard let test = fields.first?.nonBlank, fields.count >= 2, let message = fields[1].nonBlank else {
                    output.diagnostics.append(Diagnostic("\(key) entry without a test id and message skipped", at: "line \(index + 1)"))
                    continue
                }
                func field(_ position: Int) -> String? {
                    position < fields.count && fields[position] != "-" ? fields[position].nonBlank : nil
                }
                let isWarning = key == "warning[]"
                output.findings.append(
                    Finding(
                        category: .infra, tool: output.tool, ruleID: test, title: message,
                        description: ([field(2).map { "Details: \($0)" }] + [system.isEmpty ? nil : "System: " + system.joined(separator: ", ")])
                            .compactMap { $0 }.joined(separator: "\n").nonBlank,
                        toolSeverity: isWarning ? "warning" : "suggestion", severity: isWarning ? .medium : .low,
                        location: .host(HostLocation(address: host)), remediation: field(3),
                        references: test == "LYNIS" ? [] : ["https://cisofy.com/lynis/controls/\(test)/"],
                        raw: .text(text, lines: index..<(index + 1))))
            case "vulnerable_package[]":
                guard let name = value.nonBlank else { continue }
                // The package is the location: each is updated on its own. The host stands where
                // a manifest would, since the package belongs to the system.
                output.findings.append(
                    Finding(
                        category: .infra, tool: output.tool, ruleID: "PKGS-7392", title: "Vulnerable package installed: \(name)",
                        description: "The system's package manager lists security updates for this package.", severity: .high,
                        location: .package(packageLocation(name: name, version: nil, ecosystem: ecosystem, manifestPath: host)),
                        remediation: "Install the package's security updates.", raw: .text(text, lines: index..<(index + 1))))
            default: continue
            }
        }
        return output
    }
}
