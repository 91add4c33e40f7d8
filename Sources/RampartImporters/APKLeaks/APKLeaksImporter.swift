import Foundation
import RampartCore

/// APKLeaks' JSON output (`apkleaks -f app.apk --json -o out.json`): per pattern of its
/// `regexes.json` (or a custom `--pattern` file), the strings it matched in the decompiled app.
///
/// Patterns that match credentials (keys, tokens, passwords, private keys, and any custom
/// pattern) make one secrets finding per matched string: two keys are two credentials to
/// rotate. A match is the matched text with its context (`SECRET = "..."`): it is hidden whole.
/// Patterns that find what an app holds in the open (endpoints, IP and MAC addresses, mail
/// addresses, Firebase and S3 hosts, public client ids, CTF flags) make one informational
/// finding each, listing what was found. APKLeaks names no file: the place is the app's package.
struct APKLeaksImporter: ReportImporter {
    let info = FormatInfo(
        id: "apkleaks-json", name: "APKLeaks JSON", tool: "APKLeaks", category: .secrets, syntax: .json,
        notes: "one secrets finding per credential matched (hidden); endpoints, addresses and ids as one informational finding per pattern",
        defectDojoScanTypes: ["APKLeaks Scan"])

    /// The built-in patterns whose matches are not credentials.
    static let disclosurePatterns: Set<String> = [
        "LinkFinder", "IP_Address", "Mac_Address", "Mailto", "Firebase", "Amazon_AWS_S3_Bucket", "Facebook_ClientID", "Twitter_ClientID",
        "Google_Cloud_Platform_OAuth", "DEFCON_CTF_Flag", "HackerOne_CTF_Flag", "HackTheBox_CTF_Flag", "TryHackMe_CTF_Flag",
    ]

    static let fields = SecretFields(secret: [], quoting: [["matches", "*"]])
    var secretFields: [SecretFields] { [Self.fields] }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["package"]?.string != nil, let results = root["results"], results.isArray else {
            return nil
        }
        guard let first = results.array.first else { return root.entries.count == 2 ? .likely : nil }
        return first["name"] != nil && first["matches"]?.isArray == true ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "APKLeaks"))
        let package = root["package"]?.text ?? ""
        let app = package.isEmpty ? "the app" : package
        for result in root["results"]?.array ?? [] {
            guard let pattern = result["name"]?.text else {
                output.diagnostics.append(Diagnostic("result without a pattern name skipped", at: result.position))
                continue
            }
            let matches = Self.fields.values(in: result)
            guard !matches.isEmpty else { continue }
            let label = pattern.replacingOccurrences(of: "_", with: " ")
            if Self.disclosurePatterns.contains(pattern) {
                output.findings.append(
                    Finding(
                        category: .sast, tool: output.tool, ruleID: pattern, title: "\(label) found in \(app)",
                        description: "APKLeaks matched \(matches.count) string(s):\n" + matches.map { "- \($0)" }.joined(separator: "\n"),
                        severity: .info, location: .code(CodeLocation(file: package)), raw: .json(result)))
                continue
            }
            // Each credential is its own finding; the pattern's other matches are hidden in its record too.
            for (index, match) in matches.enumerated() {
                var finding = Finding(
                    category: .secrets, tool: output.tool, ruleID: pattern, title: "\(label) in \(app)", severity: .high, cwes: [798],
                    location: .code(CodeLocation(file: package)), raw: .json(result))
                finding.revealedSecrets = [match] + matches.enumerated().filter { $0.offset != index }.map(\.element)
                output.findings.append(finding)
            }
        }
        return output
    }
}
