import Foundation
import RampartCore

/// Burp Suite DAST's (formerly Enterprise Edition's) "Scan remediation" report, which the
/// product exports only as HTML. Per site, a table lists every issue (type, path, severity,
/// confidence, with the issue's id), and a details section holds each issue: detail,
/// background or description, remediation, references, CWE and CAPEC classifications, and
/// the request and response. One finding per issue, that is per type and URL, as for Burp's
/// XML; the issue's part of the page is kept as its evidence.
struct BurpSuiteDASTImporter: ReportImporter {
    let info = FormatInfo(
        id: "burp-suite-dast-html", name: "Burp Suite DAST HTML", tool: "Burp Suite DAST", category: .dast, syntax: .html,
        notes: "the scan remediation report (HTML, the product's only export): issues per URL with severity, confidence, CWE and request",
        defectDojoScanTypes: ["Burp Suite DAST Scan", "Burp Enterprise Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let page = report.html else { return nil }
        let labels = page.root.descendants { $0.name == "span" && $0.hasClass("label") }.map(\.plainText)
        guard labels.contains(where: { $0.contains("Burp Suite") }) else { return nil }
        return page.root.descendants { $0.hasClass("issue-container") || ($0.name == "table" && $0.hasClass("issue-table")) }.isEmpty
            ? .likely : .certain
    }

    /// A row of the issue table: what the details section does not say.
    struct Listing {
        var site: String
        var path: String
        var severity: String?
        var confidence: String?
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let page = report.html else { throw ImportError.content("expected an HTML page") }
        var output = ImporterOutput(tool: ToolInfo(name: "Burp Suite DAST", version: nil))
        let parts = page.root.descendants {
            $0.name == "h1" || ($0.name == "table" && $0.hasClass("issue-table")) || ($0.name == "div" && $0.hasClass("issue-container"))
        }
        let siteName = summaryValue("Site name", in: page.root)
        var site = summaryValue("Included URLs", in: page.root) ?? siteName ?? ""
        var firstSite: String?
        var listings: [String: Listing] = [:]
        var containers: [(site: String, element: HTMLElement)] = []
        for part in parts {
            switch part.name {
            case "h1":
                let heading = part.plainText
                for prefix in ["Issues found on ", "More details for "] where heading.hasPrefix(prefix) {
                    site = String(heading.dropFirst(prefix.count)).asciiTrimmed
                    if firstSite == nil { firstSite = site }
                }
            case "table":
                for row in part.descendants(where: { $0.name == "tr" }) where !row.hasClass("issue-type-row") {
                    let cells = row.elements.filter { $0.name == "td" }
                    guard cells.count >= 3,
                        let link = cells.last?.descendants(where: { $0.name == "a" }).first?.attributes["href"], link.hasPrefix("#")
                    else { continue }
                    listings[String(link.dropFirst())] = Listing(
                        site: site, path: cells[0].plainText, severity: cells[1].plainText.nonBlank, confidence: cells[2].plainText.nonBlank)
                }
            default:
                containers.append((site, part))
            }
        }
        // The scanned URL, else Burp's name for the site (a label a person chose).
        if let scanned = firstSite ?? siteName { output.scope = ScanScope(kind: "dast", target: scanned) }
        for (containerSite, container) in containers {
            output.findings.append(finding(container, site: containerSite, listings: listings, page: page, tool: output.tool))
        }
        if containers.isEmpty && !listings.isEmpty {
            output.diagnostics.append(Diagnostic("the report lists \(listings.count) issue(s) but holds no details section; nothing was read"))
            output.toolReportedError = true
        }
        return output
    }

    /// The first value under a label of the scan summary ("Site name:", "Included URLs:").
    func summaryValue(_ label: String, in root: HTMLElement) -> String? {
        let values = root.descendants { $0.name == "div" && ($0.hasClass("label") || $0.hasClass("value")) }
        for (index, element) in values.enumerated() where element.hasClass("label") && element.plainText.hasPrefix(label) {
            if index + 1 < values.count, values[index + 1].hasClass("value") { return values[index + 1].plainText.nonBlank }
        }
        return nil
    }

    func finding(_ container: HTMLElement, site: String, listings: [String: Listing], page: HTMLDocument, tool: ToolInfo) -> Finding {
        let id = container.descendants { $0.name == "a" && $0.attributes["name"] != nil }.first?.attributes["name"] ?? ""
        let listing = listings[id]
        var title = "Burp Suite issue"
        var path = listing?.path
        var sections: [String: HTMLElement] = [:]
        var pendingHeading: String?
        for element in container.elements {
            switch element.name {
            case "h2": title = element.plainText
            case "a" where element.attributes["href"] != nil && path == nil: path = element.plainText
            case "h3": pendingHeading = element.plainText.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ": \n"))
            case "div":
                if let heading = pendingHeading, sections[heading] == nil { sections[heading] = element }
                pendingHeading = nil
            default: break
            }
        }
        let links = { (heading: String) -> [(href: String, text: String)] in
            (sections[heading]?.descendants { $0.name == "a" } ?? []).compactMap { link in
                link.attributes["href"].map { ($0, link.plainText) }
            }
        }
        let classifications = links("vulnerability classifications")
        let cwes = CWE.parseAll(classifications.map(\.text).filter { $0.uppercased().hasPrefix("CWE-") })
        let capec = classifications.map(\.text).filter { $0.uppercased().hasPrefix("CAPEC-") }.compactMap {
            $0.split(separator: ":").first.map(String.init)
        }
        let description = ["issue detail", "issue background", "issue description"].compactMap { sections[$0]?.plainText.nonBlank }
            .joined(separator: "\n\n").nonBlank
        let request = sections.first { $0.key.hasPrefix("request") }?.value.rawText.trimmingCharacters(in: .whitespacesAndNewlines)
        let method = request.flatMap { $0.split(separator: " ", maxSplits: 1).first.map(String.init) }.flatMap {
            $0.allSatisfy { $0.isUppercase } ? $0 : nil
        }
        let url = endpointURL(base: listing?.site ?? site, path: path ?? "/")
        let parameter = sections["issue detail"].flatMap { Self.parameter(inDetail: $0.plainText) }
        let severityText = listing?.severity
        return Finding(
            category: .dast, tool: tool, ruleID: title, title: title, description: description, toolSeverity: severityText,
            severity: .from(tool: severityText, default: .medium), confidence: listing?.confidence.flatMap(Confidence.init(toolText:)), cwes: cwes,
            location: .endpoint(EndpointLocation(url: url, method: method, parameter: parameter)),
            remediation: sections["issue remediation"]?.plainText.nonBlank,
            references: links("references").map(\.href), tags: capec,
            raw: RawEvidence(format: "html", bytes: page.source(of: container)))
    }

    /// What the issue detail says was injected or read, which tells two issues of one type at
    /// one URL apart (the HTML has no parameter column): "The value of the q request parameter
    /// is copied..." names `q`, "The value of the URL path folder 1 is..." `URL path folder 1`; "Data is read from location.search and passed to
    /// xhr.send" names `location.search -> xhr.send`. Values that change from scan to scan
    /// (payloads, random origins) are never taken.
    static func parameter(inDetail detail: String) -> String? {
        func between(_ start: String, _ end: String, in text: Substring) -> Substring? {
            guard let from = text.range(of: start), let to = text[from.upperBound...].range(of: end) else { return nil }
            let value = text[from.upperBound..<to.lowerBound]
            return value.isEmpty || value.count > 120 ? nil : value
        }
        let text = detail.split(whereSeparator: \.isNewline).joined(separator: " ")[...]
        if let source = between("Data is read from ", " and passed to ", in: text) {
            let rest = text[text.range(of: " and passed to ")!.upperBound...]
            let sink = rest.prefix { !$0.isWhitespace }.trimmingCharacters(in: CharacterSet(charactersIn: ".,"))
            return sink.isEmpty ? String(source) : "\(source) -> \(sink)"
        }
        for lead in ["The value of the ", "The name of the "] {
            guard let from = text.range(of: lead) else { continue }
            let rest = text[from.upperBound...]
            let ends = [" is ", " appears ", " seems ", " was ", " might "].compactMap { rest.range(of: $0)?.lowerBound }
            guard let end = ends.min(), rest.distance(from: rest.startIndex, to: end) <= 120 else { continue }
            var name = String(rest[..<end]).replacingOccurrences(of: "`", with: "")
            // "q request parameter" is the parameter q, as other DAST tools name it.
            for suffix in [" request parameter", " parameter"] where name.hasSuffix(suffix) {
                name = String(name.dropLast(suffix.count))
                break
            }
            return name.isEmpty ? nil : name
        }
        return nil
    }
}
