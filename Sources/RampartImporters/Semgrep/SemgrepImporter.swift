import Foundation
import RampartCore

/// Semgrep CLI JSON (`semgrep --json`): results with metadata (CWE, OWASP, confidence),
/// fingerprints and `is_ignored` (nosemgrep), and the tool's `errors`.
struct SemgrepImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "semgrep-json", name: "Semgrep JSON", tool: "Semgrep", category: .sast, syntax: .json,
        notes: "results with CWE/OWASP metadata, fingerprints, nosemgrep ignores; errors block closing",
        defectDojoScanTypes: ["Semgrep JSON Report"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let results = root["results"], results.isArray else { return nil }
        if let first = results.array.first { return first["check_id"] != nil && first["extra"] != nil ? .likely : nil }
        return root["errors"]?.isArray == true ? .possible : nil
    }

    /// Secrets and hard-coded credential rules quote the secret in the matched lines and in
    /// captured metavariables.
    var secretFields: [SecretFields] {
        [SecretFields(secret: [], quoting: [["extra", "lines"], ["extra", "metavars", "*", "abstract_content"]])]
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Semgrep", version: root["version"]?.text))
        let errors = root["errors"]?.array ?? []
        // Semgrep lists per-file parse problems as errors of level "warn"; only real errors block closing.
        let blocking = errors.filter { ($0["level"]?.string ?? "error") == "error" }
        if !blocking.isEmpty {
            output.toolReportedError = true
            output.diagnostics.append(Diagnostic("Semgrep reported \(blocking.count) error(s); findings missing from this report are not closed"))
        }
        for result in root["results"]?.array ?? [] {
            guard let rule = result["check_id"]?.text, let path = result["path"]?.text else {
                output.diagnostics.append(Diagnostic("result without check_id or path skipped", at: result.position))
                continue
            }
            let extra = result["extra"]
            let metadata = extra?["metadata"]
            let message = extra?["message"]?.text ?? rule
            let severityText = extra?["severity"]?.text
            let severity: Severity
            switch severityText?.uppercased() {
            case "ERROR": severity = .high
            case "WARNING": severity = .medium
            case "INFO": severity = .low
            default: severity = .from(tool: severityText, default: .medium)
            }
            var lines = extra?["lines"]?.string
            if lines == "requires login" { lines = nil }
            var fingerprint = extra?["fingerprint"]?.text
            if fingerprint == "requires login" { fingerprint = nil }
            let references = (metadata?["references"]?.strings ?? []) + (metadata?["source"]?.text.map { [$0] } ?? [])
            let cwes = CWE.parseAll(metadata?["cwe"]?.strings ?? [])
            // Secrets rules (generic.secrets.*, technology "secrets", findings Semgrep Secrets
            // validated) and hard-coded credential rules show the secret in the matched lines
            // and in captured metavariables. (Every finding of recent versions has a
            // validation_state; NO_VALIDATOR says nothing.)
            var revealed: [String] = []
            let technology = (metadata?["technology"]?.strings ?? []) + (metadata?["vulnerability_class"]?.strings ?? [])
            let validated = ["CONFIRMED_VALID", "CONFIRMED_INVALID", "VALIDATION_ERROR"].contains(extra?["validation_state"]?.string ?? "")
            let secretsRule = isSecretsRule(rule, tags: technology) || validated
            if secretsRule || (!Set(cwes).isDisjoint(with: hardcodedCredentialCWEs) && lines != nil) {
                let captured = (extra?["metavars"]?.entries ?? []).compactMap { $0.value["abstract_content"]?.string }
                revealed = [lines].compactMap { $0 } + captured
            }
            var finding =
                Finding(
                    category: secretsRule ? .secrets : .sast, tool: output.tool, ruleID: rule, title: String(message.prefix(200)),
                    description: message,
                    toolSeverity: severityText, severity: severity,
                    confidence: (metadata?["confidence"]?.string).flatMap(Confidence.init(toolText:)), cwes: cwes,
                    vulnerabilityIDs: .parsing((metadata?["cve"]?.strings ?? []) + (metadata?["ghsa"]?.strings ?? [])),
                    location: .code(
                        CodeLocation(
                            file: path, startLine: result["start", "line"]?.int, endLine: result["end", "line"]?.int,
                            startColumn: result["start", "col"]?.int, endColumn: result["end", "col"]?.int, snippet: lines)),
                    remediation: extra?["fix"]?.text, references: references,
                    tags: (metadata?["owasp"]?.strings ?? []) + (metadata?["category"]?.text.map { [$0] } ?? []),
                    toolFingerprint: fingerprint ?? semgrepMessageFingerprint(message),
                    suppression: extra?["is_ignored"]?.bool == true ? Suppression(kind: .inSource, justification: "nosemgrep") : nil,
                    raw: .json(result))
            finding.revealedSecrets = revealed
            output.findings.append(finding)
        }
        return output
    }
}
