import Foundation
import RampartCore

/// TruffleHog's JSON output: version 3 writes one JSON object per line (`--json`) with the
/// detector, whether the credential was verified live, the raw secret and where it was found
/// (git commit and file, GitHub, a filesystem path, ...); version 2 wrote one object per
/// finding with the strings found and the diff quoting them. trufflehog3 (a separate Python
/// tool) writes version 2's records in its legacy mode and its own otherwise (rule, path,
/// line, secret, context): both are read, under trufflehog3's name for the latter.
struct TrufflehogImporter: ReportImporter {
    let info = FormatInfo(
        id: "trufflehog-json", name: "TruffleHog JSON", tool: "TruffleHog", category: .secrets, syntax: .json,
        notes: "v3 JSON lines (detector, verification, source metadata), v2 reports, trufflehog3 reports; secrets kept only as keyed hash",
        defectDojoScanTypes: ["Trufflehog Scan", "Trufflehog3 Scan"])

    static let version3 = SecretFields(secret: [["Raw"], ["RawV2"]], quoting: [["RawV2"], ["Redacted"]])
    static let version2 = SecretFields(secret: [["stringsFound"]], quoting: [["diff"], ["printDiff"]])
    static let trufflehog3 = SecretFields(secret: [["secret"]], quoting: [["context", "*"]])
    var secretFields: [SecretFields] { [Self.version3, Self.version2, Self.trufflehog3] }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard case .json(let document) = report, let first = document.roots.first.flatMap({ $0.isArray ? $0.array.first : $0 }), first.isObject
        else { return nil }
        if first["SourceMetadata"] != nil && first["DetectorName"] != nil { return .certain }
        if first["rule"]?["id"] != nil && first["secret"] != nil && first["path"] != nil { return .likely }
        // Rusty Hog's records look alike but carry blob ids and both sides' line numbers.
        guard first["old_file_id"] == nil && first["parent_commit_hash"] == nil else { return nil }
        return first["stringsFound"] != nil && first["reason"] != nil && first["commitHash"] != nil ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard case .json(let document) = report else { throw ImportError.content("expected JSON") }
        var output = ImporterOutput(tool: ToolInfo(name: "TruffleHog"))
        for item in document.roots.flatMap({ $0.isArray ? $0.array : [$0] }) where item.isObject {
            if item["DetectorName"] != nil || item["SourceMetadata"] != nil {
                output.findings.append(version3Finding(item, tool: output.tool))
            } else if item["stringsFound"] != nil {
                output.findings.append(version2Finding(item, tool: output.tool))
            } else if item["rule"]?["id"] != nil {
                output.tool = ToolInfo(name: "trufflehog3")
                output.findings.append(trufflehog3Finding(item, tool: output.tool))
            } else {
                output.diagnostics.append(Diagnostic("a line that is no TruffleHog finding was skipped", at: item.position))
            }
        }
        return output
    }

    private func version3Finding(_ item: JSONNode, tool: ToolInfo) -> Finding {
        let detector = item["DetectorName"]?.text ?? "Secret"
        let verified = item["Verified"]?.bool == true
        // The source's metadata sits under its type's name: Git, Github, Gitlab, Filesystem, S3, Docker...
        let source = item["SourceMetadata", "Data"]?.entries.first?.value
        let file = source?["file"]?.text ?? source?["path"]?.text ?? source?["link"]?.text ?? item["SourceName"]?.text ?? ""
        var description = ["Detector: \(detector)", "Decoder: \(item["DecoderName"]?.text ?? "PLAIN")", verified ? "Verified live" : "Not verified"]
        if let commit = source?["commit"]?.text { description.append("Commit: \(commit)") }
        if let repository = source?["repository"]?.text { description.append("Repository: \(repository)") }
        if let email = source?["email"]?.text { description.append("Author: \(email)") }
        var finding = Finding(
            category: .secrets, tool: tool, ruleID: detector, title: verified ? "\(detector) secret (verified)" : "\(detector) secret",
            description: description.joined(separator: "\n"), severity: verified ? .critical : .high, cwes: [798],
            location: .code(CodeLocation(file: file, startLine: source?["line"]?.int)),
            references: [source?["link"]?.text].compactMap { $0 }, tags: verified ? ["verified"] : [], raw: .json(item))
        finding.revealedSecrets = Self.version3.values(in: item)
        return finding
    }

    private func trufflehog3Finding(_ item: JSONNode, tool: ToolInfo) -> Finding {
        let rule = item["rule", "id"]?.text ?? "secret"
        let message = item["rule", "message"]?.text ?? rule
        let severityText = item["rule", "severity"]?.text
        var description = ["Rule: \(message)"]
        if let commit = item["commit"]?.text { description.append("Commit: \(commit)") }
        if let author = item["author"]?.text { description.append("Author: \(author)") }
        var finding = Finding(
            category: .secrets, tool: tool, ruleID: rule, title: "\(message) in \(item["path"]?.text ?? "?")",
            description: description.joined(separator: "\n"), toolSeverity: severityText, severity: .from(tool: severityText, default: .high),
            cwes: [798], location: .code(CodeLocation(file: item["path"]?.text ?? "", startLine: item["line"]?.int)), raw: .json(item))
        finding.revealedSecrets = Self.trufflehog3.values(in: item)
        return finding
    }

    private func version2Finding(_ item: JSONNode, tool: ToolInfo) -> Finding {
        let reason = item["reason"]?.text ?? "Secret"
        var finding = Finding(
            category: .secrets, tool: tool, ruleID: reason, title: reason,
            description: ["Commit: \(item["commitHash"]?.text ?? "?")", "Branch: \(item["branch"]?.text ?? "?")"].joined(separator: "\n"),
            severity: .high, cwes: [798], location: .code(CodeLocation(file: item["path"]?.text ?? "")), raw: .json(item))
        finding.revealedSecrets = Self.version2.values(in: item)
        return finding
    }
}
