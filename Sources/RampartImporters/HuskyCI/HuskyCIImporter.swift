import Foundation
import RampartCore

/// huskyCI's analysis result (`GET /analysis/{RID}`: `RID`, `repositoryURL`, `containers`,
/// `huskyciresults`). huskyCI runs other tools in containers and writes what each found in
/// one shape (`HuskyCIVulnerability`: `securitytool`, `severity`, `confidence`, `file`, `line`,
/// `code`, `details`, `type`, `title`, `vulnerablebelow`, `version`), grouped by language and
/// tool, in `highvulns`, `mediumvulns`, `lowvulns` and `nosecvulns` (code marked `#nohusky`,
/// kept as suppressed in source).
///
/// - Code tools (GoSec, Bandit, Brakeman, SpotBugs, Security Code Scan) and TFSec: findings at
///   their file and line, the tool's rule as huskyCI keeps it (Brakeman's warning type, SpotBugs'
///   abbreviation, TFSec's and Security Code Scan's rule id), else the details.
/// - npm audit, Yarn audit and Safety: findings at the package in its lock file (`code` is the
///   module, `version` the installed one, `vulnerablebelow` the vulnerable range). huskyCI keeps
///   no advisory id: the range tells one advisory of a module from another.
/// - Gitleaks: secrets at their file. huskyCI keeps the whole matched line as `code`; the secret
///   itself is in Gitleaks' own output, which the result carries as the container's `cOutput`,
///   and is read from there (same file and line). Both are hidden.
/// - Entries that say a tool could not run (no lock file, no requirements.txt, an internal
///   error) name no file: they become warnings, and the import closes nothing.
struct HuskyCIImporter: ReportImporter {
    let info = FormatInfo(
        id: "huskyci-json", name: "huskyCI analysis JSON", tool: "huskyCI", category: .sast, syntax: .json,
        notes: "results of the tools huskyCI ran (GoSec, Bandit, Brakeman, SpotBugs, TFSec, npm/Yarn audit, Safety, Gitleaks) in one shape",
        defectDojoScanTypes: ["HuskyCI Report"])

    static let fields = SecretFields(secret: [], quoting: [["code"]])
    var secretFields: [SecretFields] { [Self.fields] }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["huskyciresults"] != nil else { return nil }
        return root["RID"] != nil || root["repositoryURL"] != nil ? .certain : .likely
    }

    static let levels: [(key: String, severity: Severity)] = [
        ("highvulns", .high), ("mediumvulns", .medium), ("lowvulns", .low), ("nosecvulns", .info),
    ]

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject, let results = root["huskyciresults"], results.isObject else {
            throw ImportError.content("expected a huskyCI analysis with `huskyciresults`")
        }
        var output = ImporterOutput(tool: ToolInfo(name: "huskyCI"))
        if let repository = root["repositoryURL"]?.text { output.subject.repositories = [repository] }
        let offenders = Self.gitleaksOffenders(root)
        for (_, group) in results.entries where group.isObject {
            for (outputKey, tested) in group.entries where tested.isObject {
                for level in Self.levels {
                    for item in tested[level.key]?.array ?? [] where item.isObject {
                        Self.read(item, outputKey: outputKey, level: level, offenders: offenders, into: &output)
                    }
                }
            }
        }
        return output
    }

    static func read(
        _ item: JSONNode, outputKey: String, level: (key: String, severity: Severity), offenders: [String: String], into output: inout ImporterOutput
    ) {
        let tool = item["securitytool"]?.text ?? String(outputKey.dropLast("output".count))
        let toolKey = tool.lowercased().replacingOccurrences(of: " ", with: "")
        // GoSec ran on the clone at /go/src/code: the path below it is the repository's.
        let file = item["file"]?.text.map { path in
            ["/go/src/code/", "/code/"].first(where: path.hasPrefix).map { String(path.dropFirst($0.count)) } ?? path
        }
        let code = item["code"]?.text
        let details = item["details"]?.text
        let title = item["title"]?.text
        guard file != nil || code != nil else {
            // A note about the scan, not about the code: the tool did not run as it should.
            let message = [title, details].compactMap { $0 }.joined(separator: " ")
            output.diagnostics.append(Diagnostic("\(tool): \(message.isEmpty ? "an entry without a file or code" : message)", at: item.position))
            let lowered = message.lowercased()
            if ["not able to run", "could not run", "internal error", "error running", "no requirements.txt"].contains(where: lowered.contains) {
                output.toolReportedError = true
            }
            return
        }
        let toolSeverity = item["severity"]?.text
        let suppression = level.key == "nosecvulns" ? Suppression(kind: .inSource, justification: "marked #nohusky in the code") : nil
        let severity = level.key == "nosecvulns" ? Severity.from(tool: toolSeverity, default: .low) : level.severity
        let confidence = item["confidence"]?.text.flatMap(Confidence.init(toolText:))
        let tags = ["huskyCI: \(tool)"] + [item["language"]?.text].compactMap { $0 }
        switch toolKey {
        case "npmaudit", "yarnaudit", "safety":
            guard var name = code else { return }
            var version = item["version"]?.text
            if toolKey == "safety", let space = name.lastIndex(of: " ") {
                version = version ?? String(name[name.index(after: space)...])
                name = String(name[..<space])
            }
            let range = item["vulnerablebelow"]?.text
            let ecosystem = toolKey == "safety" ? "pypi" : "npm"
            let manifest = toolKey == "safety" ? "requirements.txt" : toolKey == "yarnaudit" ? "yarn.lock" : "package-lock.json"
            output.findings.append(
                Finding(
                    category: .sca, tool: output.tool, ruleID: name + (range.map { " " + $0 } ?? ""),
                    title: title ?? "Vulnerable dependency: \(name)" + (range.map { " (\($0))" } ?? ""), description: details,
                    toolSeverity: toolSeverity, severity: severity,
                    location: .package(packageLocation(name: name, version: version, ecosystem: ecosystem, manifestPath: manifest)),
                    remediation: range.map { "Upgrade \(name) out of the vulnerable range \($0)." }, tags: tags, suppression: suppression,
                    raw: .json(item)))
        case "gitleaks":
            guard let file else { return }
            // "Hard Coded RSA in: path": the rule is between the words.
            let rule = title.flatMap { text -> String? in
                guard text.hasPrefix("Hard Coded "), let end = text.range(of: " in: ") else { return nil }
                return String(text[text.index(text.startIndex, offsetBy: "Hard Coded ".count)..<end.lowerBound])
            }
            var finding = Finding(
                category: .secrets, tool: output.tool, ruleID: rule ?? "gitleaks", title: title ?? "Secret in \(file)",
                description: details.map { "Found by Gitleaks in commit \($0)." }, toolSeverity: toolSeverity, severity: severity,
                location: .code(CodeLocation(file: file, snippet: code)), tags: tags, suppression: suppression, raw: .json(item))
            let offender = code.flatMap { offenders[file + "\u{1F}" + $0] }
            finding.revealedSecrets = [offender].compactMap { $0 } + fields.values(in: item)
            output.findings.append(finding)
        default:
            guard let file else { return }
            let rule = item["type"]?.text ?? (toolKey == "tfsec" ? details?.components(separatedBy: " @ ").first : nil) ?? title ?? details ?? tool
            let category: FindingCategory = toolKey == "tfsec" ? .iac : .sast
            let line = ReportInteger.parse(item["line"]?.text)
            let location: Location =
                category == .iac
                ? .iac(IaCLocation(file: file, startLine: line, framework: "terraform"))
                : .code(
                    CodeLocation(file: file, startLine: line, snippet: code.flatMap { $0.hasPrefix("Code beetween Line") || $0 == file ? nil : $0 }))
            output.findings.append(
                Finding(
                    category: category, tool: output.tool, ruleID: rule, title: title ?? details ?? rule, description: details,
                    toolSeverity: toolSeverity, severity: severity, confidence: confidence, location: location, tags: tags,
                    suppression: suppression, raw: .json(item)))
        }
    }

    /// Gitleaks' own findings, from its container's output: the secret (`offender`) by file and
    /// matched line, since huskyCI keeps only the line.
    static func gitleaksOffenders(_ root: JSONNode) -> [String: String] {
        var offenders: [String: String] = [:]
        for container in root["containers"]?.array ?? [] where container["securityTest", "name"]?.text?.lowercased() == "gitleaks" {
            guard let text = container["cOutput"]?.string, text.hasPrefix("["),
                let document = try? JSONDocument(data: Data(text.utf8), allowMultipleRoots: false), let leaks = document.root
            else { continue }
            for leak in leaks.array {
                guard let file = leak["file"]?.text, let line = leak["line"]?.text, let offender = leak["offender"]?.text else { continue }
                offenders[file + "\u{1F}" + line] = offender
            }
        }
        return offenders
    }
}
