import Foundation
import RampartCore

/// govulncheck's JSON output: the message stream of `govulncheck -json` (protocol v1: `config`,
/// `SBOM`, `progress`, `osv` and `finding` messages, one after another or in an array), and the
/// single `{"Vulns": [...]}` object of releases before 1.0.
///
/// One finding per vulnerability and module. govulncheck reports at three depths: the module is
/// required, a vulnerable package is imported, or a vulnerable symbol is called. The deepest one
/// sets the severity (the Go database gives none), and the call path is kept in the description.
struct GovulncheckImporter: ReportImporter {
    let info = FormatInfo(
        id: "govulncheck-json", name: "govulncheck JSON", tool: "govulncheck", category: .sca, syntax: .json,
        notes: "Go vulnerabilities per module (OSV id, aliases, fixed version) with reachability: called, imported or required",
        defectDojoScanTypes: ["Govulncheck Scanner", "Govulncheck Scanner V2"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard case .json(let document) = report, let first = Self.messages(document).first, first.isObject else { return nil }
        if first["config", "scanner_name"]?.string == "govulncheck" { return .certain }
        if first["config", "protocol_version"] != nil, first["config", "db"] != nil { return .likely }
        // Before 1.0: `{"Vulns": [...]}`, with the call graph (`Calls`, `Imports`, `Requires`) until 0.x.
        if let vulns = first["Vulns"], vulns.isArray || vulns.isNull, first.entries.count <= 2 || first["Requires"] != nil { return .likely }
        return nil
    }

    /// The stream's messages, whether written one after another or as one array.
    static func messages(_ document: JSONDocument) -> [JSONNode] {
        document.roots.flatMap { $0.isArray ? $0.array : [$0] }
    }

    /// How far govulncheck followed a vulnerability into the code.
    enum Depth: Int, Comparable {
        case required, imported, called
        static func < (lhs: Depth, rhs: Depth) -> Bool { lhs.rawValue < rhs.rawValue }

        var severity: Severity {
            switch self {
            case .called: .high
            case .imported: .medium
            case .required: .low
            }
        }
        var summary: String {
            switch self {
            case .called: "Your code calls a vulnerable symbol."
            case .imported: "Your code imports a vulnerable package but govulncheck found no call to a vulnerable symbol."
            case .required: "A required module is vulnerable; no vulnerable package is imported."
            }
        }
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard case .json(let document) = report else { throw ImportError.content("expected JSON") }
        let messages = Self.messages(document)
        if messages.count == 1, let legacy = messages.first, legacy["Vulns"] != nil { return readLegacy(legacy) }
        var output = ImporterOutput(tool: ToolInfo(name: "govulncheck"))
        var entries: [String: JSONNode] = [:]
        // (osv, module) in first-seen order, with the deepest trace seen for it.
        var order: [String] = []
        var deepest: [String: (depth: Depth, trace: JSONNode, fixed: String?, osv: String, module: String, version: String?)] = [:]
        for message in messages {
            if let config = message["config"] {
                output.tool.version = config["scanner_version"]?.text
                if let mode = config["scan_mode"]?.text { output.scope = ScanScope(kind: mode) }
            } else if let osv = message["osv"], let id = osv["id"]?.text {
                entries[id] = osv
            } else if let finding = message["finding"] {
                guard let osv = finding["osv"]?.text, let trace = finding["trace"], let top = trace.array.first else {
                    output.diagnostics.append(Diagnostic("a finding without an OSV id or trace was skipped", at: finding.position))
                    continue
                }
                let module = top["module"]?.text ?? "unknown"
                let depth: Depth = top["function"] != nil ? .called : top["package"] != nil ? .imported : .required
                let key = osv + "\u{0}" + module
                if let known = deepest[key] {
                    if depth > known.depth {
                        deepest[key] = (
                            depth, trace, finding["fixed_version"]?.text ?? known.fixed, osv, module, top["version"]?.text ?? known.version
                        )
                    }
                } else {
                    order.append(key)
                    deepest[key] = (depth, trace, finding["fixed_version"]?.text, osv, module, top["version"]?.text)
                }
            }
        }
        for key in order {
            guard let found = deepest[key] else { continue }
            let entry = entries[found.osv]
            output.findings.append(
                finding(
                    osv: found.osv, entry: entry, module: found.module, version: found.version, fixed: found.fixed, depth: found.depth,
                    path: Self.callPath(found.trace), raw: entry.map { RawEvidence.json($0) } ?? .json(found.trace), tool: output.tool))
        }
        return output
    }

    /// The pre-1.0 output: `Vulns[]`, each an `OSV` entry and the `Modules` it was found in,
    /// with `Packages` and their `CallStacks`.
    private func readLegacy(_ root: JSONNode) -> ImporterOutput {
        var output = ImporterOutput(tool: ToolInfo(name: "govulncheck"))
        for vuln in root["Vulns"]?.array ?? [] {
            guard let entry = vuln["OSV"], let id = entry["id"]?.text else {
                output.diagnostics.append(Diagnostic("a vulnerability without an OSV entry was skipped", at: vuln.position))
                continue
            }
            for module in vuln["Modules"]?.array ?? [] {
                let packages = module["Packages"]?.array ?? []
                let stacks = packages.flatMap { $0["CallStacks"]?.array ?? [] }
                let depth: Depth = !stacks.isEmpty ? .called : packages.isEmpty ? .required : .imported
                let path =
                    stacks.first.map { stack in
                        (stack["Frames"]?.array ?? []).reversed().compactMap { frame -> String? in
                            guard let function = frame["FuncName"]?.text else { return nil }
                            let position = frame["Position"]
                            let place = position?["Filename"]?.text.map { " (\($0)\(position?["Line"]?.int.map { ":\($0)" } ?? ""))" } ?? ""
                            return "\(frame["PkgPath"]?.text.map { $0 + "." } ?? "")\(function)\(place)"
                        }
                    } ?? packages.compactMap { $0["Path"]?.text }
                output.findings.append(
                    finding(
                        osv: id, entry: entry, module: module["Path"]?.text ?? "unknown", version: module["FoundVersion"]?.text,
                        fixed: module["FixedVersion"]?.text, depth: depth, path: path, raw: .json(vuln), tool: output.tool))
            }
        }
        return output
    }

    private func finding(
        osv: String, entry: JSONNode?, module: String, version: String?, fixed: String?, depth: Depth, path: [String], raw: RawEvidence,
        tool: ToolInfo
    ) -> Finding {
        let aliases = entry?["aliases"]?.strings ?? []
        let cvss = (entry?["severity"]?.array ?? []).compactMap { CVSSScore(vector: $0["score"]?.text, score: nil) }
        // Some pipelines write their own label into `severity` (a string, not OSV's array).
        let label = entry?["severity"]?.string
        let summary = entry?["summary"]?.text
        var description = [depth.summary]
        if let details = entry?["details"]?.text { description.append(details) }
        if !path.isEmpty { description.append("Call path:\n" + path.joined(separator: "\n")) }
        return Finding(
            category: .sca, tool: tool, ruleID: osv, title: summary.map { "\(osv): \($0)" } ?? "\(osv) in \(module)",
            description: description.joined(separator: "\n\n"), toolSeverity: label,
            severity: .from(tool: label, score: cvss.first?.score, default: depth.severity),
            vulnerabilityIDs: .parsing([osv] + aliases), cvss: cvss,
            location: .package(
                packageLocation(
                    name: module, version: version,
                    ecosystem: module == "stdlib" || module == "toolchain" ? "golang-stdlib" : "go", fixedVersions: fixed.map { [$0] } ?? [])),
            remediation: fixed.map { "Upgrade \(module) to \($0)" } ?? "No fixed version is known",
            references: ["https://pkg.go.dev/vuln/\(osv)"] + (entry?["references"]?.array.compactMap { $0["url"]?.text } ?? []),
            tags: depth == .called ? ["reachable"] : [], raw: raw)
    }

    /// A trace runs from the vulnerable symbol to the caller in the user's code: shown caller first.
    static func callPath(_ trace: JSONNode) -> [String] {
        trace.array.reversed().compactMap { frame in
            guard let function = frame["function"]?.text else { return nil }
            let receiver = frame["receiver"]?.text.map { "(\($0))." } ?? ""
            let position = frame["position"]
            let place = position?["filename"]?.text.map { " (\($0)\(position?["line"]?.int.map { ":\($0)" } ?? ""))" } ?? ""
            return "\(frame["package"]?.text ?? "").\(receiver)\(function)\(place)"
        }
    }
}
