import Foundation
import RampartCore

/// cwe_checker's JSON output (`cwe_checker BINARY --json --out FILE`): the CWE warnings its
/// checks raise on a compiled binary. Versions 0.4 and later write the warnings as an array;
/// the 0.3 plugin wrote them under `warnings`, beside the `binary` it analysed.
///
/// A warning names its check (`CWE676`), the functions (`symbols`) and instruction addresses
/// it concerns, and check details (`other`: the dangerous function called, say). Addresses move
/// with every build, so a warning is identified by its check, functions and details; the
/// addresses are kept in the description. (A warning's `version` is its check's, not the tool's.)
struct CWECheckerImporter: ReportImporter {
    let info = FormatInfo(
        id: "cwe-checker-json", name: "cwe_checker JSON", tool: "cwe_checker", category: .sast, syntax: .json,
        notes: "binary analysis warnings per check and function; CWE from the check, severity from the weakness",
        defectDojoScanTypes: ["cwe_checker Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot else { return nil }
        let warnings: JSONNode
        if root.isArray {
            warnings = root
        } else if root.isObject, let nested = root["warnings"], nested.isArray, root["binary"] != nil {
            warnings = nested
        } else {
            return nil
        }
        guard let first = warnings.array.first else { return nil }
        guard let name = first["name"]?.string, Self.cwe(fromCheck: name) != nil else { return nil }
        return first["description"] != nil && first["addresses"] != nil && first["symbols"] != nil ? .certain : nil
    }

    /// The CWE a check is named for: `CWE676` → 676.
    static func cwe(fromCheck name: String) -> Int? {
        guard name.hasPrefix("CWE") else { return nil }
        return ReportInteger.parse(String(name.dropFirst(3)))
    }

    /// How serious a weakness cwe_checker reports is, by what it lets an attacker do: memory
    /// corruption and command injection are high; the checks that flag risky patterns medium;
    /// hygiene checks low.
    static func severity(ofCWE cwe: Int?) -> Severity {
        switch cwe {
        case 78, 119, 125, 134, 415, 416, 787: .high
        case 190, 243, 332, 337, 367, 426, 467, 476, 676, 782, 789: .medium
        case 215, 252, 560: .low
        default: .medium
        }
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON array or object") }
        var output = ImporterOutput(tool: ToolInfo(name: "cwe_checker"))
        let binary = root.isObject ? root["binary"]?.text : nil
        let warnings = root.isArray ? root.array : root["warnings"]?.array ?? []
        for warning in warnings {
            guard let check = warning["name"]?.text else {
                output.diagnostics.append(Diagnostic("warning without a check name skipped", at: warning.position))
                continue
            }
            let cwe = Self.cwe(fromCheck: check)
            let text = warning["description"]?.text ?? check
            // "(Use of Potentially Dangerous Function) FUN_00401126 (00401155) -> strcpy": the
            // parenthesis is the check's title, the rest says where.
            var title = check
            var detail = text
            if text.hasPrefix("("), let close = text.firstIndex(of: ")") {
                title = String(text[text.index(after: text.startIndex)..<close])
                detail = text[text.index(after: close)...].trimmingCharacters(in: .whitespaces)
            }
            let symbols = warning["symbols"]?.array.compactMap(\.text) ?? []
            let addresses = warning["addresses"]?.array.compactMap(\.text) ?? []
            let details = (warning["other"]?.array ?? []).map { $0.array.compactMap(\.text).joined(separator: ": ") }.filter { !$0.isEmpty }
            var lines = [detail]
            if !symbols.isEmpty { lines.append("Functions: " + symbols.joined(separator: ", ")) }
            if !addresses.isEmpty { lines.append("Addresses: " + addresses.joined(separator: ", ")) }
            lines += details
            let place = symbols.first.map { " in \($0)" } ?? ""
            var finding = Finding(
                category: .sast, tool: output.tool, ruleID: check, title: title + place,
                description: lines.filter { !$0.isEmpty }.joined(separator: "\n"), severity: Self.severity(ofCWE: cwe),
                cwes: cwe.map { [$0] } ?? [], location: .code(CodeLocation(file: binary ?? "")), raw: .json(warning))
            finding.toolFingerprint = ([check] + symbols + details).joined(separator: "|")
            output.findings.append(finding)
        }
        return output
    }
}
