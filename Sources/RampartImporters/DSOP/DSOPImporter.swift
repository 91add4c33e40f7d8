import Foundation
import RampartCore

/// The DSOP (DoD DevSecOps, Iron Bank) container hardening workbook (`.xlsx`): one sheet per
/// scanner run on the image. Read:
/// - `OpenSCAP - DISA Compliance`: STIG rules whose result is `fail` or `error`;
/// - `OpenSCAP - OVAL Results`: advisory definitions whose result is `true` (the patch
///   applies: the image is vulnerable), one finding per definition with its CVEs;
/// - `Twistlock Vulnerability Results` and `Anchore CVE Results`: package vulnerabilities;
/// - `Anchore Compliance Results`: policy gates that stop or warn, other than the
///   vulnerability gate (the CVE sheet already has those).
/// All sit in the image the Anchore sheets name. A row's justification (the column Iron Bank
/// reviewers fill) keeps it as accepted with that justification.
struct DSOPImporter: ReportImporter {
    let info = FormatInfo(
        id: "dsop-xlsx", name: "DSOP container hardening workbook (xlsx)", tool: "DSOP", category: .container, syntax: .zip,
        notes: "OpenSCAP STIG failures, OVAL advisories, Twistlock and Anchore vulnerabilities and Anchore policy gates; justifications accepted",
        defectDojoScanTypes: ["DSOP Scan"])

    static let sheetNames: Set<String> = [
        "OpenSCAP - DISA Compliance", "OpenSCAP - OVAL Results", "Twistlock Vulnerability Results", "Anchore CVE Results",
        "Anchore Compliance Results",
    ]

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let archive = report.archive, let workbook = archive.entries.first(where: { $0.name == "xl/workbook.xml" }) else { return nil }
        let text = String(decoding: workbook.data.prefix(65_536), as: UTF8.self)
        return Self.sheetNames.filter { text.contains("name=\"\($0)\"") }.count >= 2 ? .certain : nil
    }

    static func justified(_ fields: [String: String]) -> Suppression? {
        // Reviewers write it under a `JUSTIFICATION` column, or in the first column past the
        // sheet's own, which has no name.
        let text =
            fields["JUSTIFICATION"] ?? fields["justification"] ?? fields["Justification"]
            ?? fields.filter { $0.key.hasPrefix("column ") }.sorted { $0.key < $1.key }.first?.value
        guard let text, !text.isEmpty else { return nil }
        return Suppression(kind: .accepted, justification: text)
    }

    /// `<a href='https://...'>...</a>` or a bare URL.
    static func link(_ text: String?) -> String? {
        guard let text else { return nil }
        guard let start = text.range(of: "http") else { return nil }
        let rest = text[start.lowerBound...]
        return String(rest.prefix { $0 != "'" && $0 != "\"" && $0 != ">" && !$0.isWhitespace })
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let archive = report.archive else { throw ImportError.content("expected an xlsx workbook") }
        let workbook: XLSXWorkbook
        do {
            guard let read = try XLSXWorkbook(archive) else { throw ImportError.content("the archive holds no xlsx workbook") }
            workbook = read
        } catch let problem as XLSXWorkbook.Problem {
            throw ImportError.content(problem.description)
        }
        var output = ImporterOutput(tool: ToolInfo(name: "DSOP"))
        let tag =
            workbook.sheet(named: "Anchore CVE Results")?.records.lazy.compactMap { $0.fields["tag"] }.first
            ?? workbook.sheet(named: "Anchore Compliance Results")?.records.lazy.compactMap { $0.fields["repo_tag"] }.first
        let image = ImageLocation(reference: tag ?? "dsop-image")
        func raw(_ sheet: String, _ line: Int, _ fields: [String: String]) -> RawEvidence {
            // The row as JSON, keyed by the sheet's column names (a spreadsheet row has no text of its own).
            let members = ([("sheet", sheet), ("row", "\(line)")] + fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
                .map { JSONText.quoted($0.0) + ":" + JSONText.quoted($0.1) }
            return RawEvidence(format: "json", bytes: Data(("{" + members.joined(separator: ",") + "}").utf8))
        }
        if let sheet = workbook.sheet(named: "OpenSCAP - DISA Compliance") {
            for (line, fields) in sheet.records {
                guard let result = fields["result"]?.lowercased(), result == "fail" || result == "error", let rule = fields["ruleid"] else {
                    continue
                }
                let severityText = fields["severity"]
                output.findings.append(
                    Finding(
                        category: .container, tool: output.tool, ruleID: rule, title: fields["title"] ?? rule,
                        description: [fields["desc"], fields["rationale"].map { "Rationale: \($0)" }, fields["refs"].map { "References: \($0)" }]
                            .compactMap { $0 }.joined(separator: "\n\n"),
                        toolSeverity: severityText, severity: .from(tool: severityText), location: .containerImage(image),
                        tags: ["openscap", fields["identifiers"]].compactMap { $0 }, suppression: Self.justified(fields),
                        raw: raw(sheet.name, line, fields)))
            }
        }
        if let sheet = workbook.sheet(named: "OpenSCAP - OVAL Results") {
            // One row per reference of a definition: gathered per definition.
            var order: [String] = []
            var definitions: [String: (title: String?, refs: [String], line: Int, fields: [String: String])] = [:]
            for (line, fields) in sheet.records {
                guard fields["result"]?.lowercased() == "true", let id = fields["id"] else { continue }
                if definitions[id] == nil {
                    definitions[id] = (fields["title"], [], line, fields)
                    order.append(id)
                }
                if let ref = fields["ref"] { definitions[id]!.refs.append(ref) }
            }
            for id in order {
                guard let definition = definitions[id] else { continue }
                let title = definition.title ?? id
                // `RHSA-2019:4024: SDL security update (Important)`.
                let rating = title.split(separator: "(").last.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ") ")) }
                output.findings.append(
                    Finding(
                        category: .container, tool: output.tool, ruleID: id, title: title,
                        description: "OVAL definition \(id) is true for the image.",
                        toolSeverity: rating, severity: Self.redHatSeverity(rating), vulnerabilityIDs: .parsing(definition.refs),
                        location: .containerImage(image),
                        tags: ["oval"], raw: raw(sheet.name, definition.line, definition.fields)))
            }
        }
        for (sheetName, columns) in [
            ("Twistlock Vulnerability Results", (id: "cve", package: "packageName", version: "packageVersion", fix: "status", url: "link")),
            ("Anchore CVE Results", (id: "cve", package: "vuln", version: "", fix: "fix", url: "url")),
        ] {
            guard let sheet = workbook.sheet(named: sheetName) else { continue }
            for (line, fields) in sheet.records {
                guard let id = fields[columns.id] else { continue }
                var name = fields[columns.package] ?? "unknown package"
                var version = columns.version.isEmpty ? nil : fields[columns.version]
                // Anchore writes the package as `name-version`.
                if columns.version.isEmpty, let dash = name.lastIndex(of: "-"), name[name.index(after: dash)...].first?.isNumber == true {
                    version = String(name[name.index(after: dash)...])
                    name = String(name[..<dash])
                }
                let fix = fields[columns.fix].flatMap { $0 == "None" ? nil : $0 }
                let score = fields["cvss"].flatMap(Double.init)
                let severityText = fields["severity"]
                output.findings.append(
                    Finding(
                        category: .container, tool: output.tool, ruleID: id, title: "\(id) in \(name)" + (version.map { " \($0)" } ?? ""),
                        description: [fields["desc"], fields["package_path"].map { "Path: \($0)" }, "From the \(sheetName) sheet."].compactMap { $0 }
                            .joined(separator: "\n\n"),
                        toolSeverity: severityText, severity: .from(tool: severityText, score: score), vulnerabilityIDs: .parsing([id]),
                        cvss: CVSSScore(vector: fields["vecStr"].map { $0.hasPrefix("CVSS:") ? $0 : "CVSS:2.0/\($0)" }, score: score).map { [$0] }
                            ?? [],
                        location: .package(
                            packageLocation(
                                name: name, version: version, ecosystem: nil,
                                fixedVersions: splitVersions(fix.map { $0.replacingOccurrences(of: "fixed in ", with: "") }),
                                image: image)),
                        references: [Self.link(fields[columns.url])].compactMap { $0 },
                        tags: [sheetName.split(separator: " ").first.map(String.init)?.lowercased() ?? ""],
                        suppression: Self.justified(fields), raw: raw(sheet.name, line, fields)))
            }
        }
        if let sheet = workbook.sheet(named: "Anchore Compliance Results") {
            for (line, fields) in sheet.records {
                let action = fields["gate_action"]?.lowercased()
                guard action == "stop" || action == "warn", let gate = fields["gate"], gate != "vulnerabilities" else { continue }
                let trigger = fields["trigger"] ?? "check"
                output.findings.append(
                    Finding(
                        category: .container, tool: output.tool, ruleID: "\(gate)/\(trigger)", title: fields["check_output"] ?? "\(gate) \(trigger)",
                        description: "Anchore policy gate \(gate), trigger \(trigger): \(action!)" + (fields["trigger_id"].map { " (\($0))" } ?? "")
                            + ".",
                        toolSeverity: action, severity: action == "stop" ? .high : .medium, location: .containerImage(image),
                        tags: ["anchore-policy"], suppression: Self.justified(fields), raw: raw(sheet.name, line, fields)))
            }
        }
        return output
    }

    /// Red Hat's ratings in OVAL titles.
    static func redHatSeverity(_ rating: String?) -> Severity {
        switch rating?.lowercased() {
        case "critical": .critical
        case "important": .high
        case "moderate": .medium
        case "low": .low
        default: .medium
        }
    }
}
