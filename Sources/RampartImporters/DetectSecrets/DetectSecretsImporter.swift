import Foundation
import RampartCore

/// detect-secrets' baseline (`detect-secrets scan > .secrets.baseline`): per file, the secrets
/// found with their type and line. The secret is given as `hashed_secret`, its unsalted SHA-1,
/// which a dictionary reverses for short secrets: it is handled as the secret itself. A secret
/// audited as not one (`is_secret: false`) is kept as a false positive.
struct DetectSecretsImporter: ReportImporter {
    let info = FormatInfo(
        id: "detect-secrets-json", name: "detect-secrets baseline", tool: "detect-secrets", category: .secrets, syntax: .json,
        notes: "baseline results per file; the SHA-1 of each secret is kept only as a keyed hash; audit verdicts kept",
        defectDojoScanTypes: ["Detect-secrets Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let results = root["results"], results.isObject else { return nil }
        if root["plugins_used"] != nil && root["generated_at"] != nil { return .certain }
        guard let first = results.entries.first?.value.array.first else { return nil }
        return first["hashed_secret"] != nil && first["type"] != nil ? .likely : nil
    }

    static let fields = SecretFields(secret: [["hashed_secret"]])
    var secretFields: [SecretFields] { [Self.fields] }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "detect-secrets", version: root["version"]?.text))
        for (file, secrets) in root["results"]?.entries ?? [] {
            for secret in secrets.array {
                let type = secret["type"]?.text ?? "Secret"
                let verified = secret["is_verified"]?.bool == true
                var finding = Finding(
                    category: .secrets, tool: output.tool, ruleID: type, title: verified ? "\(type) (verified)" : type,
                    severity: verified ? .critical : .high, cwes: [798],
                    location: .code(CodeLocation(file: secret["filename"]?.text ?? file, startLine: secret["line_number"]?.int)),
                    suppression: secret["is_secret"]?.bool == false ? Suppression(kind: .falsePositive, justification: "audited: not a secret") : nil,
                    raw: .json(secret))
                finding.revealedSecrets = Self.fields.values(in: secret)
                output.findings.append(finding)
            }
        }
        return output
    }
}
