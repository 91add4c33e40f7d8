import Foundation
import RampartCore

/// Red Hat Satellite's errata list (Katello API `GET /katello/api/errata`, or a host's
/// `GET /api/hosts/:id/errata`): `results` with each erratum's id (RHSA, RHBA, RHEA), type,
/// Red Hat severity, CVEs, bugs, the packages that carry the fix and how many hosts it applies
/// to. An applicable erratum is an update the hosts still need: one finding each, at the package
/// it updates (the erratum's first package name; its versions there are the fixed versions),
/// with the erratum and its CVEs as vulnerability ids. Bug-fix and enhancement errata carry no
/// security rating and are informational.
///
/// The list says how many hosts an erratum applies to, not which: imported per host (the
/// host's errata call), the stream is the host. A file that holds one page of a longer list
/// (`subtotal` above the results it carries) is read, but closes nothing.
struct RedHatSatelliteImporter: ReportImporter {
    let info = FormatInfo(
        id: "redhat-satellite-json", name: "Red Hat Satellite errata JSON", tool: "Red Hat Satellite", category: .infra, syntax: .json,
        notes: "applicable errata (RHSA/RHBA/RHEA) with severity, CVEs, bugs, fixed packages and host counts; a partial page closes nothing",
        defectDojoScanTypes: ["Red Hat Satellite"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let first = root["results"]?.array.first else { return nil }
        return first["errata_id"] != nil && (first["hosts_applicable_count"] != nil || first["cves"] != nil) ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject, let results = root["results"], results.isArray else {
            throw ImportError.content("expected a Satellite errata list with `results`")
        }
        var output = ImporterOutput(tool: ToolInfo(name: "Red Hat Satellite"))
        let listed = results.array.count
        if let subtotal = root["subtotal"]?.int ?? root["total"]?.int, subtotal > listed {
            output.diagnostics.append(
                Diagnostic(
                    "the file holds \(listed) of \(subtotal) errata (page \(root["page"]?.int ?? 1), \(root["per_page"]?.int ?? listed) per page): findings it does not list are not closed"
                ))
            output.toolReportedError = true
        }
        for erratum in results.array {
            guard let id = erratum["errata_id"]?.text ?? erratum["pulp_id"]?.text ?? erratum["name"]?.text else {
                output.diagnostics.append(Diagnostic("erratum without an id skipped", at: erratum.position))
                continue
            }
            let packages = (erratum["packages"]?.array ?? []).compactMap(\.text).map(Self.nameAndVersion)
            let name = packages.first?.name ?? id
            let fixed = packages.filter { $0.name == name }.compactMap(\.version).uniqued()
            let cves = (erratum["cves"]?.array ?? []).compactMap { $0["cve_id"]?.text }
            let bugs = (erratum["bugs"]?.array ?? []).compactMap { bug in bug["bug_id"]?.text.map { (id: $0, href: bug["href"]?.text) } }
            let type = erratum["type"]?.text?.lowercased()
            let severityText = erratum["severity"]?.text
            var lines = [erratum["summary"]?.text, erratum["description"]?.text].compactMap { $0 }
            var facts: [String] = []
            if let applicable = erratum["hosts_applicable_count"]?.int {
                facts.append(
                    "Applies to \(applicable) host(s)" + (erratum["hosts_available_count"]?.int.map { ", installable on \($0)" } ?? "") + ".")
            }
            if let type { facts.append("Type: \(type).") }
            if let issued = erratum["issued"]?.text {
                facts.append("Issued \(issued)" + (erratum["updated"]?.text.map { ", updated \($0)" } ?? "") + ".")
            }
            if erratum["reboot_suggested"]?.bool == true { facts.append("A reboot is suggested after the update.") }
            if !bugs.isEmpty { facts.append("Bugs: " + bugs.map(\.id).joined(separator: ", ") + ".") }
            if !packages.isEmpty { facts.append("Packages: " + packages.map(\.text).joined(separator: ", ") + ".") }
            if !facts.isEmpty { lines.append(facts.joined(separator: "\n")) }
            output.findings.append(
                Finding(
                    category: .infra, tool: output.tool, ruleID: id, title: erratum["title"]?.text ?? id,
                    description: lines.joined(separator: "\n\n"),
                    toolSeverity: severityText, severity: type == "security" ? .from(tool: severityText) : .info,
                    vulnerabilityIDs: .parsing([id] + cves),
                    location: .package(packageLocation(name: name, version: nil, ecosystem: "redhat", fixedVersions: fixed)),
                    remediation: erratum["solution"]?.text,
                    references: (erratum["cves"]?.array ?? []).compactMap { $0["href"]?.text } + bugs.compactMap(\.href),
                    tags: [type].compactMap { $0 }, raw: .json(erratum)))
        }
        return output
    }

    static let architectures = [".x86_64", ".noarch", ".i686", ".aarch64", ".s390x", ".ppc64le", ".src"]

    /// `firefox-115.6.0-1.el8_9.x86_64` → (`firefox`, `115.6.0-1.el8_9`): the name ends before
    /// the version and release, the last two dash-separated parts.
    static func nameAndVersion(_ text: String) -> (name: String, version: String?, text: String) {
        var rest = text
        if let arch = architectures.first(where: rest.hasSuffix) { rest = String(rest.dropLast(arch.count)) }
        let parts = rest.split(separator: "-", omittingEmptySubsequences: false)
        // A part that starts with a digit begins the version.
        guard parts.count > 1, let start = parts.indices.dropFirst().first(where: { parts[$0].first?.isNumber == true }) else {
            return (rest, nil, text)
        }
        return (parts[..<start].joined(separator: "-"), parts[start...].joined(separator: "-"), text)
    }
}
