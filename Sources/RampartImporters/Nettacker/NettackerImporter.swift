import Foundation
import RampartCore

/// OWASP Nettacker's JSON report (`nettacker -o results.json`): the events its modules logged,
/// each with the target, module, port and the event text (and the same as JSON).
///
/// One finding per module, target and port. The module's kind sets the severity: `*_vuln`
/// modules found a vulnerability (high when the module is about a CVE, which becomes the
/// finding's vulnerability id, medium otherwise); `*_brute` modules found working credentials
/// (high; the event holds them, so it is hidden); `*_scan` modules found a service or fact
/// (informational).
struct NettackerImporter: ReportImporter {
    let info = FormatInfo(
        id: "nettacker-json", name: "OWASP Nettacker JSON", tool: "OWASP Nettacker", category: .infra, syntax: .json,
        notes: "module events per target and port; vulnerability modules with their CVE, brute-force credentials hidden",
        defectDojoScanTypes: ["Nettacker Scan"])

    static let fields = SecretFields(secret: [], quoting: [["event"], ["json_event"]])
    var secretFields: [SecretFields] { [Self.fields] }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isArray, let first = root.array.first else { return nil }
        return first["module_name"] != nil && first["target"] != nil && first["event"] != nil ? .certain : nil
    }

    /// `log4j_cve_2021_44228_vuln` → CVE-2021-44228.
    static func cve(inModule module: String) -> String? {
        let parts = module.lowercased().split(separator: "_")
        guard let index = parts.firstIndex(of: "cve"), index + 2 < parts.count else { return nil }
        return "CVE-\(parts[index + 1])-\(parts[index + 2])"
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isArray else { throw ImportError.content("expected a JSON array") }
        var output = ImporterOutput(tool: ToolInfo(name: "OWASP Nettacker"))
        var index: [String: Int] = [:]
        for event in root.array {
            guard let module = event["module_name"]?.text?.nonBlank, let target = event["target"]?.text?.nonBlank else {
                output.diagnostics.append(Diagnostic("event without a module or target skipped", at: event.position))
                continue
            }
            let port = event["port"]?.int ?? event["port"]?.text.flatMap { ReportInteger.parse($0) }
            let key = [module, target, port.map(String.init) ?? ""].joined(separator: "\u{1F}")
            let text = event["event"]?.text?.nonBlank
            let isBrute = module.hasSuffix("_brute")
            if let existing = index[key] {
                output.findings[existing].occurrences += 1
                if isBrute { output.findings[existing].revealedSecrets += Self.fields.values(in: event) }
                continue
            }
            let cve = Self.cve(inModule: module)
            let severity: Severity
            if isBrute || (module.hasSuffix("_vuln") && cve != nil) {
                severity = .high
            } else if module.hasSuffix("_vuln") {
                severity = .medium
            } else {
                severity = .info
            }
            let readable = module.replacingOccurrences(of: "_", with: " ")
            var finding = Finding(
                category: .infra, tool: output.tool, ruleID: module,
                title: isBrute ? "Working credentials found by \(readable)" : "\(readable) on \(target)",
                description: isBrute ? "Nettacker's \(module) module logged in to \(target)" + (port.map { ":\($0)" } ?? "") + "." : text,
                severity: severity, cwes: isBrute ? [521] : [], vulnerabilityIDs: .parsing([cve].compactMap { $0 }),
                location: .host(HostLocation(address: target, port: port)), tags: [String(module.split(separator: "_").last ?? "")],
                raw: .json(event))
            if isBrute { finding.revealedSecrets = Self.fields.values(in: event) }
            index[key] = output.findings.count
            output.findings.append(finding)
        }
        return output
    }
}
