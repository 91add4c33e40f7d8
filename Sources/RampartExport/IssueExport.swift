import Foundation
import RampartCore
import RampartStore

/// Issues written for other tools (docs/triage.md, "Exports"): SARIF 2.1.0 for code-scanning
/// views, OpenVEX and CycloneDX VEX carrying triage decisions, CSV for spreadsheets, JUnit XML
/// for CI test views. Each reads back: Rampart imports its own SARIF and VEX to the same issues
/// and decisions.
public enum IssueExport {
    /// An issue with why it is listed (a gate's reasons; empty for a plain export).
    public struct Gated: Sendable {
        public var issue: StoredIssue
        public var reasons: [String]

        public init(issue: StoredIssue, reasons: [String] = []) {
            self.issue = issue
            self.reasons = reasons
        }
    }

    static func level(_ severity: Severity) -> String {
        switch severity {
        case .critical, .high: "error"
        case .medium: "warning"
        case .low, .info: "note"
        }
    }

    // MARK: SARIF

    /// One result per issue: its lead finding's rule and place first, the other places as
    /// related locations; `properties.severity` keeps Rampart's five levels (SARIF's `level` has
    /// three), and a triaged issue carries its decision as an accepted suppression.
    public static func sarif(_ issues: [Gated], version: String = "0.1.0") -> String {
        var rules: [String] = []
        var ruleIndex: [String: Int] = [:]
        for item in issues where ruleIndex[item.issue.lead.ruleID] == nil {
            let issue = item.issue
            ruleIndex[issue.lead.ruleID] = rules.count
            var rule = JSONObjectBuilder()
            rule.add("id", issue.lead.ruleID)
            rule.add("shortDescription", json: "{\"text\":\(JSONText.quoted(issue.title))}")
            if let cwe = issue.cwe { rule.add("properties", json: "{\"tags\":[\"CWE-\(cwe)\"]}") }
            rules.append(rule.result)
        }
        let results = issues.map { item in
            let issue = item.issue
            let places = issue.placesLeadFirst
            let text = item.reasons.isEmpty ? issue.title : "\(issue.title) (issue \(issue.id): \(item.reasons.joined(separator: "; ")))"
            var result = JSONObjectBuilder(capacity: 1024)
            result.add("ruleId", issue.lead.ruleID)
            result.add("ruleIndex", ruleIndex[issue.lead.ruleID] ?? 0)
            result.add("level", level(issue.severity))
            result.add("message", json: "{\"text\":\(JSONText.quoted(text))}")
            result.add("locations", json: "[" + (places.first.map { location($0) } ?? "") + "]")
            if places.count > 1 {
                result.add(
                    "relatedLocations",
                    json: "[" + places.dropFirst().enumerated().map { index, place in location(place, id: index + 1) }.joined(separator: ",") + "]")
            }
            result.add("partialFingerprints", json: "{\"rampartIssue/v1\":\(JSONText.quoted(String(issue.id)))}")
            if issue.triage.dismisses {
                var suppression = JSONObjectBuilder()
                suppression.add("kind", "external")
                suppression.add("status", "accepted")
                suppression.add("justification", "\(issue.triage.state.rawValue): \(issue.triage.reason ?? "")")
                result.add("suppressions", json: "[\(suppression.result)]")
            }
            var properties = JSONObjectBuilder()
            properties.add("severity", issue.severity.rawValue)
            properties.add("risk", issue.assessment?.assessment.score)
            properties.add("triage", issue.triage.state.rawValue)
            properties.add("status", issue.status.rawValue)
            properties.add("tools", issue.tools)
            properties.add("vulnerabilityIds", issue.vulnerabilityIDs)
            if let cwe = issue.cwe { properties.add("tags", ["CWE-\(cwe)"]) }
            result.add("properties", json: properties.result)
            return result.result
        }
        return """
            {"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"tool":{"driver":{"name":"Rampart",\
            "informationUri":"https://github.com/rampart-aspm/rampart","version":\(JSONText.quoted(version)),"rules":[\(rules.joined(separator: ","))]}},\
            "columnKind":"unicodeCodePoints","results":[\(results.joined(separator: ","))]}]}
            """
    }

    /// A place as a SARIF location: a file with its line, or a logical location (a package, URL,
    /// host or cloud resource).
    static func location(_ place: StoredFinding, id: Int? = nil) -> String {
        var object = JSONObjectBuilder()
        if let id { object.add("id", id) }
        if let path = place.filePath {
            let region = place.line.map { ",\"region\":{\"startLine\":\(max(1, $0))}" } ?? ""
            object.add("physicalLocation", json: "{\"artifactLocation\":{\"uri\":\(JSONText.quoted(path))}\(region)}")
        } else {
            object.add("logicalLocations", json: "[{\"fullyQualifiedName\":\(JSONText.quoted(place.place))}]")
        }
        return object.result
    }

    // MARK: VEX

    /// OpenVEX 0.2.0: one statement per issue of a vulnerability in a package, its triage as the
    /// status. Justifications outside OpenVEX's five are mapped to the nearest and kept verbatim
    /// in the impact statement.
    public static func openVEX(_ issues: [StoredIssue], author: String, at date: Date, documentID: String) -> String {
        var statements: [String] = []
        for issue in issues {
            guard let (vulnerability, aliases) = vulnerability(of: issue) else { continue }
            let products = Array(Set(issue.members.compactMap(\.finding.purl))).sorted()
            guard !products.isEmpty else { continue }
            var statement = JSONObjectBuilder(capacity: 512)
            var name = JSONObjectBuilder()
            name.add("name", vulnerability)
            if !aliases.isEmpty { name.add("aliases", aliases) }
            statement.add("vulnerability", json: name.result)
            statement.add("products", json: "[" + products.map { "{\"@id\":\(JSONText.quoted($0))}" }.joined(separator: ",") + "]")
            let triage = issue.triage
            let reason = triage.reason ?? ""
            switch triage.decision {
            case .notAffected(let justification):
                statement.add("status", "not_affected")
                if let listed = openVEXJustification(justification) {
                    statement.add("justification", listed.rawValue)
                    statement.add("impact_statement", "\(justification.rawValue): \(reason)")
                } else {
                    statement.add("impact_statement", reason)
                }
            case .falsePositive:
                statement.add("status", "not_affected")
                statement.add("justification", VEXJustification.vulnerableCodeNotPresent.rawValue)
                statement.add("impact_statement", "false positive: \(reason)")
            case .mitigated:
                statement.add("status", "not_affected")
                statement.add("justification", VEXJustification.inlineMitigationsAlreadyExist.rawValue)
                statement.add("impact_statement", "mitigated: \(reason)")
            case .confirmed:
                statement.add("status", "affected")
                statement.add("action_statement", reason.isEmpty ? "fix planned" : reason)
            case .acceptedRisk(let until, let approver):
                statement.add("status", "affected")
                statement.add("action_statement", "risk accepted by \(approver) until \(day(until)): \(reason)")
            case .untriaged:
                statement.add("status", "under_investigation")
            }
            if let at = triage.at { statement.add("timestamp", isoTime(at)) }
            statements.append(statement.result)
        }
        return """
            {"@context":"https://openvex.dev/ns/v0.2.0","@id":\(JSONText.quoted(documentID)),"author":\(JSONText.quoted(author)),\
            "timestamp":\(JSONText.quoted(isoTime(date))),"version":1,"tooling":"Rampart","statements":[\(statements.joined(separator: ","))]}
            """
    }

    static func openVEXJustification(_ justification: VEXJustification) -> VEXJustification? {
        switch justification {
        case .componentNotPresent, .vulnerableCodeNotPresent, .vulnerableCodeNotInExecutePath, .vulnerableCodeCannotBeControlledByAdversary,
            .inlineMitigationsAlreadyExist:
            justification
        case .codeNotPresent: .vulnerableCodeNotPresent
        case .codeNotReachable: .vulnerableCodeNotInExecutePath
        case .requiresConfiguration, .requiresDependency, .requiresEnvironment: .vulnerableCodeCannotBeControlledByAdversary
        case .protectedByCompiler, .protectedAtRuntime, .protectedAtPerimeter, .protectedByMitigatingControl: .inlineMitigationsAlreadyExist
        case .impactStatement: nil
        }
    }

    /// CycloneDX 1.5 VEX: the packages as components, one vulnerability per issue with its
    /// `analysis` (state, justification, detail, response).
    public static func cycloneDXVEX(_ issues: [StoredIssue], at date: Date, serial: String) -> String {
        var components: [String: String] = [:]
        var vulnerabilities: [String] = []
        for issue in issues {
            guard let (vulnerability, aliases) = vulnerability(of: issue) else { continue }
            let packages = issue.members.map(\.finding).filter { $0.purl != nil }
            guard !packages.isEmpty else { continue }
            for finding in packages {
                guard let purl = finding.purl, components[purl] == nil else { continue }
                var component = JSONObjectBuilder()
                component.add("bom-ref", purl)
                component.add("type", "library")
                component.add("name", finding.componentName ?? PackageURL(parsing: purl)?.name ?? purl)
                component.add("version", finding.componentVersion)
                component.add("purl", purl)
                components[purl] = component.result
            }
            var analysis = JSONObjectBuilder()
            let reason = issue.triage.reason
            switch issue.triage.decision {
            case .notAffected(let justification):
                analysis.add("state", "not_affected")
                if let listed = cycloneDXJustification(justification) { analysis.add("justification", listed.rawValue) }
                analysis.add("detail", reason)
            case .falsePositive:
                analysis.add("state", "false_positive")
                analysis.add("detail", reason)
            case .mitigated:
                analysis.add("state", "not_affected")
                analysis.add("justification", VEXJustification.protectedByMitigatingControl.rawValue)
                analysis.add("detail", reason)
            case .confirmed:
                analysis.add("state", "exploitable")
                analysis.add("response", ["update"])
                analysis.add("detail", reason)
            case .acceptedRisk(let until, let approver):
                analysis.add("state", "exploitable")
                analysis.add("response", ["will_not_fix"])
                analysis.add("detail", "risk accepted by \(approver) until \(day(until)): \(reason ?? "")")
            case .untriaged:
                analysis.add("state", "in_triage")
            }
            var entry = JSONObjectBuilder(capacity: 512)
            entry.add("id", vulnerability)
            if !aliases.isEmpty {
                entry.add(
                    "references",
                    json: "[" + aliases.map { "{\"id\":\(JSONText.quoted($0)),\"source\":{\"name\":\"alias\"}}" }.joined(separator: ",") + "]")
            }
            entry.add(
                "ratings", json: "[{\"severity\":\(JSONText.quoted(issue.severity.rawValue)),\"method\":\"other\",\"source\":{\"name\":\"Rampart\"}}]"
            )
            if let cwe = issue.cwe { entry.add("cwes", json: "[\(cwe)]") }
            entry.add("analysis", json: analysis.result)
            entry.add(
                "affects",
                json: "[" + Array(Set(packages.compactMap(\.purl))).sorted().map { "{\"ref\":\(JSONText.quoted($0))}" }.joined(separator: ",") + "]")
            vulnerabilities.append(entry.result)
        }
        let componentList = components.keys.sorted().compactMap { components[$0] }
        return """
            {"bomFormat":"CycloneDX","specVersion":"1.5","serialNumber":\(JSONText.quoted(serial)),"version":1,\
            "metadata":{"timestamp":\(JSONText.quoted(isoTime(date))),"tools":{"components":[{"type":"application","name":"Rampart"}]}},\
            "components":[\(componentList.joined(separator: ","))],"vulnerabilities":[\(vulnerabilities.joined(separator: ","))]}
            """
    }

    static func cycloneDXJustification(_ justification: VEXJustification) -> VEXJustification? {
        switch justification {
        case .codeNotPresent, .codeNotReachable, .requiresConfiguration, .requiresDependency, .requiresEnvironment, .protectedByCompiler,
            .protectedAtRuntime, .protectedAtPerimeter, .protectedByMitigatingControl:
            justification
        case .componentNotPresent, .vulnerableCodeNotPresent: .codeNotPresent
        case .vulnerableCodeNotInExecutePath: .codeNotReachable
        case .vulnerableCodeCannotBeControlledByAdversary: .requiresEnvironment
        case .inlineMitigationsAlreadyExist: .protectedByMitigatingControl
        case .impactStatement: nil
        }
    }

    /// The issue's vulnerability (CVE first) and its other ids; nil for issues of no advisory.
    static func vulnerability(of issue: StoredIssue) -> (String, [String])? {
        let ids = issue.vulnerabilityIDs
        guard let first = ids.first else { return nil }
        return (first, Array(ids.dropFirst()))
    }

    // MARK: CSV

    /// The CSV's columns, in order.
    public static let csvColumns = [
        "id", "application", "component", "title", "severity", "status", "triage", "triage_reason", "triage_until", "triage_by", "due",
        "sla_breached", "risk", "ssvc", "kev", "epss", "category", "cwe", "vulnerability_ids", "tools", "locations", "first_seen", "last_seen",
    ]

    /// RFC 4180 CSV with a UTF-8 byte order mark (spreadsheets then read UTF-8), CRLF line ends,
    /// and cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR) prefixed
    /// with an apostrophe.
    public static func csv(_ issues: [StoredIssue], sla: (StoredIssue) -> SLAStatus) -> String {
        var lines = [csvColumns.map(cell).joined(separator: ",")]
        for issue in issues {
            let status = sla(issue)
            let values: [String] = [
                String(issue.id), issue.application, issue.component, issue.title, issue.severity.rawValue, issue.status.rawValue,
                issue.triage.state.rawValue, issue.triage.reason ?? "", issue.triage.decision.until.map(day) ?? "", issue.triage.source.summary,
                status.due.map(day) ?? "", status.breached ? "true" : "false", issue.assessment.map { String($0.assessment.score) } ?? "",
                issue.assessment?.assessment.ssvc.decision.rawValue ?? "", issue.assessment?.kev == nil ? "false" : "true",
                issue.assessment?.epss.map { String($0.probability) } ?? "", issue.category.rawValue, issue.cwe.map { "CWE-\($0)" } ?? "",
                issue.vulnerabilityIDs.joined(separator: " "), issue.tools.joined(separator: " "), issue.locations.joined(separator: "\n"),
                isoTime(issue.firstSeen), isoTime(issue.lastSeen),
            ]
            lines.append(values.map(cell).joined(separator: ","))
        }
        return "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"
    }

    static func cell(_ value: String) -> String {
        var text = value
        if let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), Double(text) == nil { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: JUnit

    static func xml(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            // Characters XML 1.0 cannot carry at all are dropped.
            case _ where scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value): continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A gate's verdict as JUnit XML: one failing test case per gating issue, or one passing
    /// case that says how many issues were judged.
    public static func junit(_ failing: [Gated], evaluated: Int, subject: String) -> String {
        var cases: [String] = []
        for item in failing {
            let issue = item.issue
            let detail = ([issue.title] + issue.locations.map { "at \($0)" } + item.reasons.map { "- \($0)" }).joined(separator: "\n")
            cases.append(
                """
                    <testcase classname="rampart.gate.\(xml(issue.application)).\(xml(issue.component))" name="issue \(issue.id): \(xml(issue.title))">
                      <failure message="\(xml(item.reasons.joined(separator: "; ")))" type="\(issue.severity.rawValue)">\(xml(detail))</failure>
                    </testcase>
                """)
        }
        if failing.isEmpty {
            cases.append("    <testcase classname=\"rampart.gate\" name=\"\(xml(subject)): \(evaluated) active issue(s), none gating\"/>")
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites name="rampart gate" tests="\(cases.count)" failures="\(failing.count)">
              <testsuite name="\(xml("rampart gate: " + subject))" tests="\(cases.count)" failures="\(failing.count)" errors="0" skipped="0">
            \(cases.joined(separator: "\n"))
              </testsuite>
            </testsuites>

            """
    }

    static func day(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle().year().month().day()) }
    static func isoTime(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle()) }
}

extension StoredIssue {
    /// One finding per distinct place, the lead finding's first.
    var placesLeadFirst: [StoredFinding] {
        var seen: Set<String> = [lead.place]
        var places = [lead]
        for member in members where seen.insert(member.finding.place).inserted { places.append(member.finding) }
        return places
    }
}
