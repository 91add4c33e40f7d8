import Foundation
import RampartCore

/// Rootkit Hunter's log (`rkhunter --check --sk`, `/var/log/rkhunter.log`): every check line
/// whose result is `[ Warning ]` is a finding on the host the log names (`Running Rootkit Hunter
/// version ... on HOST`), with the `Warning:` lines after it as its description and the test
/// it belongs to (`Info: Starting test name '...'`) as a tag; a rootkit or malware test's
/// warning is high, others medium.
struct RKHunterImporter: ReportImporter {
    let info = FormatInfo(
        id: "rkhunter-log", name: "Rootkit Hunter log", tool: "Rootkit Hunter", category: .infra, syntax: .text,
        notes: "checks that warned, with their warning lines and test name, on the host the log names", defectDojoScanTypes: ["rkhunter Scan"])

    /// Rootkit Hunter rates nothing: a warning of its rootkit and malware tests is high, any
    /// other (configuration, properties of files) medium.
    static func severity(test: String?) -> Severity {
        guard let test = test?.lowercased() else { return .medium }
        return test.contains("rootkit") || test.contains("rkt") || test.contains("malware") || test.contains("trojan") ? .high : .medium
    }

    /// The text after a log line's `[hh:mm:ss] ` stamp.
    static func message(_ line: Substring) -> Substring? {
        guard line.hasPrefix("["), let close = line.firstIndex(of: "]") else { return nil }
        let rest = line[line.index(after: close)...]
        return rest.hasPrefix(" ") ? rest.dropFirst() : rest
    }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let text = report.text, let first = text.head(1).first, let message = Self.message(first) else { return nil }
        return message.hasPrefix("Running Rootkit Hunter version") ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let text = report.text else { throw ImportError.content("expected a Rootkit Hunter log") }
        let lines = text.lines
        var version: String?
        var host = "unknown"
        if let first = text.head(1).first.flatMap(Self.message), let on = first.range(of: " on ") {
            host = String(first[on.upperBound...]).trimmingCharacters(in: .whitespaces)
            version = first[..<on.lowerBound].split(separator: " ").last.map(String.init)
        }
        var output = ImporterOutput(tool: ToolInfo(name: "Rootkit Hunter", version: version))
        var test: String?
        var index = 0
        while index < lines.count {
            guard let message = Self.message(lines[index]) else {
                index += 1
                continue
            }
            if message.hasPrefix("Info: Starting test name '") {
                test = message.dropFirst("Info: Starting test name '".count).split(separator: "'").first.map(String.init)
            }
            guard message.hasSuffix("[ Warning ]") else {
                index += 1
                continue
            }
            var check = message.dropLast("[ Warning ]".count).trimmingCharacters(in: .whitespaces)
            if check.hasPrefix("Warning: ") { check = String(check.dropFirst("Warning: ".count)) }
            // The warning's detail: the lines after it, up to an empty one or the next Info or check.
            var details: [String] = []
            var end = index + 1
            while end < lines.count, let next = Self.message(lines[end]), !next.allSatisfy(\.isWhitespace), !next.hasPrefix("Info:"),
                !next.hasSuffix("]")
            {
                details.append(next.hasPrefix("Warning: ") ? String(next.dropFirst("Warning: ".count)) : next.trimmingCharacters(in: .whitespaces))
                end += 1
            }
            output.findings.append(
                Finding(
                    category: .infra, tool: output.tool, ruleID: check, title: "Rootkit Hunter warning: \(check)",
                    description: details.isEmpty ? nil : details.joined(separator: "\n"), severity: Self.severity(test: test),
                    location: .host(HostLocation(address: host)), tags: [test].compactMap { $0 }, raw: .text(text, lines: index..<end)))
            index = end
        }
        return output
    }
}

/// chkrootkit's output (`chkrootkit`, or `chkrootkit -q`): every check whose result is
/// `INFECTED` or `WARNING` is a finding (an infected binary is high, a warning medium), with the
/// lines it printed under it; checks that found nothing are not. The output names no host, so
/// the place is the root directory it checked (`ROOTDIR is ...`).
struct ChkrootkitImporter: ReportImporter {
    let info = FormatInfo(
        id: "chkrootkit-text", name: "chkrootkit output", tool: "chkrootkit", category: .infra, syntax: .text,
        notes: "checks reported INFECTED or WARNING, with their detail lines", defectDojoScanTypes: ["chkrootkit Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let text = report.text else { return nil }
        let head = text.head(3)
        guard head.first?.hasPrefix("ROOTDIR is `") == true else { return nil }
        return head.dropFirst().allSatisfy { $0.hasPrefix("Checking `") || $0.hasPrefix("Searching for") } ? .certain : .likely
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let text = report.text else { throw ImportError.content("expected chkrootkit output") }
        var output = ImporterOutput(tool: ToolInfo(name: "chkrootkit"))
        let lines = text.lines
        var root = "/"
        var index = 0
        while index < lines.count {
            let line = lines[index]
            if line.hasPrefix("ROOTDIR is `") {
                root = line.dropFirst("ROOTDIR is `".count).split(separator: "'").first.map(String.init) ?? root
            }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            let infected = trimmed.hasSuffix("INFECTED")
            guard infected || trimmed.hasSuffix("WARNING"), let dots = trimmed.range(of: "...") else {
                index += 1
                continue
            }
            let check = String(trimmed[..<dots.lowerBound])
            let result = infected ? "INFECTED" : "WARNING"
            // What chkrootkit printed under the check, up to the next check.
            var details: [String] = []
            var end = index + 1
            while end < lines.count, !lines[end].hasPrefix("Checking `"), !lines[end].hasPrefix("Searching for") {
                let detail = lines[end].trimmingCharacters(in: .whitespaces)
                if !detail.isEmpty { details.append(detail) }
                end += 1
            }
            output.findings.append(
                Finding(
                    category: .infra, tool: output.tool, ruleID: check, title: "\(check): \(result)",
                    description: details.isEmpty ? nil : details.joined(separator: "\n"), severity: infected ? .high : .medium,
                    cwes: infected ? [506] : [], location: .code(CodeLocation(file: root)), raw: .text(text, lines: index..<end)))
            index = end
        }
        return output
    }
}
