import Foundation
import RampartCore

/// THC Hydra's JSON output (`-b jsonv1`): the logins it found for a service. Each is a weak
/// credential on a host and port: critical, and its password is redacted.
struct HydraImporter: ReportImporter {
    let info = FormatInfo(
        id: "hydra-json", name: "Hydra JSON", tool: "Hydra", category: .infra, syntax: .json,
        notes: "cracked logins per host, port and service; passwords redacted", defectDojoScanTypes: ["Hydra Scan"])

    var secretFields: [SecretFields] { [Self.passwordFields] }
    static let passwordFields = SecretFields(secret: [["password"]])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["generator", "software"]?.string == "Hydra" || root["quantityfound"] != nil,
            root["results"] != nil
        else { return nil }
        return root["generator", "software"]?.string == "Hydra" ? .certain : .likely
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Hydra", version: root["generator", "version"]?.text))
        for message in root["errormessages"]?.strings ?? [] {
            output.diagnostics.append(Diagnostic("Hydra reported: \(message)", level: .note))
        }
        for result in root["results"]?.array ?? [] {
            // A result without its host or login cannot be placed or acted on.
            guard let host = result["host"]?.text, let login = result["login"]?.text else {
                output.diagnostics.append(Diagnostic("a result without a host or login was skipped", at: result.position))
                continue
            }
            let service = result["service"]?.text ?? root["generator", "service"]?.text
            var finding = Finding(
                category: .infra, tool: output.tool, ruleID: "weak-credentials", title: "Weak username / password combination found for \(host)",
                description: "Hydra logged in to \(service ?? "the service") on \(host) as \(login) with a password from its word list.",
                severity: .critical,
                cwes: [521], location: .host(HostLocation(address: host, port: result["port"]?.int, transport: "tcp", service: service)),
                remediation: "Change the password, enforce a strong password policy and rate-limit logins", raw: .json(result))
            finding.revealedSecrets = Self.passwordFields.values(in: result)
            output.findings.append(finding)
        }
        return output
    }
}
