import Foundation
import RampartCore

/// Nikto's findings: each a test id (Nikto's database), the URI and method it requested and a
/// message. One finding per test and URL: Nikto repeats a test id for different observations
/// (headers), which the message then tells apart.
enum Nikto {
    static func finding(
        id: String, method: String?, url: String, message: String, osvdb: String?, references: [String], raw: RawEvidence, tool: ToolInfo
    )
        -> Finding
    {
        var tags: [String] = []
        if let osvdb, osvdb != "0" { tags.append("osvdb:\(osvdb)") }
        return Finding(
            category: .dast, tool: tool, ruleID: id, title: String(message.prefix(200)), description: message, severity: .info,
            location: .endpoint(EndpointLocation(url: url, method: method, parameter: header(in: message))), references: references, tags: tags,
            raw: raw)
    }

    /// Nikto reports every header it retrieved, or found uncommon, under one test id
    /// ("Retrieved x-powered-by header: Express", "Uncommon header 'x-cache' found"): the header
    /// is what the finding is about, like a parameter.
    static func header(in message: String) -> String? {
        if message.hasPrefix("Uncommon header '"), let close = message.dropFirst(17).firstIndex(of: "'") {
            return String(message[message.index(message.startIndex, offsetBy: 17)..<close]).lowercased().nonBlank
        }
        guard message.hasPrefix("Retrieved "), let end = message.range(of: " header") else { return nil }
        let name = message[message.index(message.startIndex, offsetBy: 10)..<end.lowerBound].trimmingCharacters(in: .whitespaces)
        return name.isEmpty || name.contains(" ") && name != "via" ? nil : name.lowercased()
    }

    /// The site's base URL, without a default port, so that both formats of one scan name it alike:
    /// "https://host" for port 443, "http://host:8080" for 8080.
    static func base(host: String, port: String?, scheme given: String? = nil) -> String {
        let scheme = given ?? (port == "443" || port == "8443" ? "https" : "http")
        let standard = port == nil || port == "80" && scheme == "http" || port == "443" && scheme == "https"
        return "\(scheme)://\(host)" + (standard ? "" : ":\(port!)")
    }
}

/// Nikto's JSON output (`-Format json`): a host, or an array of hosts, with its vulnerabilities.
struct NiktoJSONImporter: ReportImporter {
    let info = FormatInfo(
        id: "nikto-json", name: "Nikto JSON", tool: "Nikto", category: .dast, syntax: .json,
        notes: "web server checks per host and URL with Nikto's test id and message", defectDojoScanTypes: ["Nikto Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, let host = root.isArray ? root.array.first : root, host.isObject else { return nil }
        return host["host"] != nil && host["banner"] != nil && host["vulnerabilities"]?.isArray == true ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected JSON") }
        var output = ImporterOutput(tool: ToolInfo(name: "Nikto"))
        for host in root.isArray ? root.array : [root] {
            let base = Nikto.base(host: host["host"]?.text ?? host["ip"]?.text ?? "unknown", port: host["port"]?.text)
            for item in host["vulnerabilities"]?.array ?? [] {
                output.findings.append(
                    Nikto.finding(
                        id: item["id"]?.text ?? "unknown", method: item["method"]?.text, url: base + (item["url"]?.text ?? "/"),
                        message: item["msg"]?.text ?? "Nikto finding", osvdb: item["OSVDB"]?.text,
                        references: [item["references"]?.text].compactMap { $0?.nonBlank }, raw: .json(item), tool: output.tool))
            }
        }
        return output
    }
}

/// Nikto's XML output (`-Format xml`): scan details per target with their items; older
/// versions nest a second `niktoscan` element.
struct NiktoXMLImporter: ReportImporter {
    let info = FormatInfo(
        id: "nikto-xml", name: "Nikto XML", tool: "Nikto", category: .dast, syntax: .xml,
        notes: "web server checks per target and URI with Nikto's test id, OSVDB id and description", defectDojoScanTypes: ["Nikto Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        report.xmlRoot?.localName == "niktoscan" ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.xmlRoot else { throw ImportError.content("expected an XML document") }
        var output = ImporterOutput(
            tool: ToolInfo(name: "Nikto", version: root.attributes["version"] ?? root.child("niktoscan")?.attributes["version"]))
        for details in root.descendants("scandetails") {
            let scheme = details.attributes["sitename"].flatMap { $0.hasPrefix("https:") ? "https" : $0.hasPrefix("http:") ? "http" : nil }
            let base = Nikto.base(
                host: details.attributes["targethostname"] ?? details.attributes["targetip"] ?? "unknown", port: details.attributes["targetport"],
                scheme: scheme)
            for item in details.children("item") {
                let uri = item.childText("uri") ?? "/"
                let description = (item.childText("description") ?? "Nikto finding").replacingOccurrences(of: "CDATA[", with: "")
                output.findings.append(
                    Nikto.finding(
                        id: item.attributes["id"] ?? "unknown", method: item.attributes["method"], url: uri.hasPrefix("http") ? uri : base + uri,
                        message: description, osvdb: item.attributes["osvdbid"],
                        references: [item.childText("references")].compactMap { $0?.nonBlank },
                        raw: .xml(item), tool: output.tool))
            }
        }
        return output
    }
}
