import Foundation
import RampartCore

/// Crashtest Security's JSON scan export: the findings of each of its scanners (`findings.xss`,
/// `findings.sqlinjection`, `findings.ssl`...), each a sentence (`information`) naming what was
/// found where, and `descriptions`: per finding kind (`finding_description_slug`) its title,
/// CVSS base score, description and fix.
///
/// One finding per entry, at the URL and parameter its sentence names, else at the scanned site
/// (the first URL the report names). A fingerprinted product with known CVEs
/// (`cve_findings`) is a finding itself (informational) and one finding per CVE, at that
/// product's version on the site. Severity follows the kind's CVSS base score, a CVE's own.
struct CrashtestSecurityImporter: ReportImporter {
    let info = FormatInfo(
        id: "crashtest-json", name: "Crashtest Security JSON", tool: "Crashtest Security", category: .dast, syntax: .json,
        notes: "web scanner findings at the URL and parameter they name, with the kind's CVSS score; fingerprinted products' CVEs",
        defectDojoScanTypes: ["Crashtest Security JSON File"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let findings = root["findings"], findings.isObject else { return nil }
        let keys = Set(findings.keys)
        return keys.contains("sqlinjection") && keys.contains("xss") && keys.contains("ssl") ? .certain : nil
    }

    /// The first `http(s)://` URL in a sentence, without the quote or period that ends it.
    static func url(in text: String) -> String? {
        guard let start = text.range(of: "https://") ?? text.range(of: "http://") else { return nil }
        let rest = text[start.lowerBound...]
        let end = rest.firstIndex { $0 == "\"" || $0 == "'" || $0 == " " || $0 == "," } ?? rest.endIndex
        var url = String(rest[..<end])
        while url.hasSuffix(".") { url.removeLast() }
        return url
    }

    /// `parameter "ip"`, `parameter 'txtName'`, `parameter id (GET)`.
    static func parameter(in text: String) -> String? {
        guard let range = text.range(of: "parameter ") else { return nil }
        let rest = text[range.upperBound...].drop { $0 == "\"" || $0 == "'" }
        let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "[" || $0 == "]" }
        return name.isEmpty ? nil : String(name)
    }

    /// `Found open port "443/tcp" ...`.
    static func port(in text: String) -> (number: Int, transport: String?)? {
        guard let range = text.range(of: "port \"") else { return nil }
        let value = text[range.upperBound...].prefix { $0 != "\"" }.split(separator: "/")
        guard let number = value.first.flatMap({ ReportInteger.parse(String($0)) }), number > 0 else { return nil }
        return (number, value.count > 1 ? String(value[1]) : nil)
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Crashtest Security"))
        var kinds: [String: JSONNode] = [:]
        for description in root["descriptions"]?.array ?? [] {
            if let slug = description["slug"]?.text { kinds[slug] = description }
        }
        let entries = (root["findings"]?.entries ?? []).flatMap { scanner in scanner.value.array.map { (scanner.key, $0) } }
        // XSS sentences name the site without a scheme (`on site shop.example/...`).
        let site =
            entries.lazy.compactMap { Self.url(in: $0.1["information"]?.text ?? "") }.first.flatMap { URLComponents(string: $0) }
            .map { "\($0.scheme ?? "https")://\($0.host ?? "")" } ?? "https://scanned-site"
        let siteHost = URLComponents(string: site)?.host ?? site
        // One problem at one place said several times (TLS 1.0 and TLS 1.1 offered) is one
        // finding: its sentences, then the kind's description, make its description.
        var merged: [String: Int] = [:]
        var said: [Int: (sentences: [String], kind: String?)] = [:]
        for (scanner, entry) in entries {
            guard let information = entry["information"]?.text?.nonBlank else {
                output.diagnostics.append(Diagnostic("\(scanner) finding without information skipped", at: entry.position))
                continue
            }
            let slug = entry["finding_description_slug"]?.text?.nonBlank ?? scanner
            let kind = kinds[slug]
            var url = Self.url(in: information)
            if url == nil, let onSite = information.range(of: "on site ") {
                let rest = information[onSite.upperBound...].prefix { !$0.isWhitespace }
                url = "https://" + rest.trimmingCharacters(in: CharacterSet(charactersIn: "."))
            }
            let score = kind?["baseScore"]?.double
            let location: Location
            if scanner == "portscan", let port = Self.port(in: information) {
                location = .host(HostLocation(address: siteHost, port: port.number, transport: port.transport))
            } else {
                location = .endpoint(EndpointLocation(url: url ?? site, parameter: Self.parameter(in: information)))
            }
            let key = slug + "\u{1F}" + "\(location)"
            if let existing = merged[key] {
                output.findings[existing].occurrences += 1
                said[existing]?.sentences.append(information)
                continue
            }
            merged[key] = output.findings.count
            said[output.findings.count] = ([information], kind?["description"]?.text?.nonBlank)
            output.findings.append(
                Finding(
                    category: .dast, tool: output.tool, ruleID: slug, title: kind?["title"]?.text?.nonBlank ?? slug,
                    toolSeverity: score.map { "CVSS \($0)" },
                    severity: score.map { Severity(cvssScore: $0) } ?? .info,
                    location: location, remediation: kind?["how_to_fix"]?.text?.nonBlank,
                    references: [kind?["reference_owasp"]?.text, kind?["reference_resolution"]?.text].compactMap { $0?.nonBlank }, tags: [scanner],
                    raw: .json(entry)))
            let product = entry["product"]?.text?.nonBlank
            for cve in entry["cve_findings"]?.array ?? [] {
                guard let id = cve["cve_id"]?.text?.nonBlank else { continue }
                let name = cve["product"]?.text?.nonBlank ?? product?.lowercased() ?? "unknown product"
                let cveScore = cve["cvss"]?.double
                output.findings.append(
                    Finding(
                        category: .dast, tool: output.tool, ruleID: id, title: "\(id) in \(name)", description: cve["information"]?.text?.nonBlank,
                        toolSeverity: cveScore.map { "CVSS \($0)" }, severity: cveScore.map { Severity(cvssScore: $0) } ?? .medium,
                        vulnerabilityIDs: .parsing([id]), cvss: CVSSScore(vector: nil, score: cveScore).map { [$0] } ?? [],
                        location: .package(
                            PackageLocation(
                                name: name, version: cve["version"]?.text?.nonBlank ?? entry["version"]?.text?.nonBlank,
                                manifestPath: siteHost)),
                        tags: [scanner], raw: .json(cve)))
            }
        }
        for (index, text) in said {
            output.findings[index].description = ([text.sentences.joined(separator: "\n")] + [text.kind].compactMap { $0 }).joined(separator: "\n\n")
        }
        return output
    }
}
