import Foundation
import RampartCore

/// NeuVector's compliance report (`RESTComplianceData`, from `/v1/host/{id}/compliance` or
/// `/v1/workload/{id}/compliance`, bare or under `report`): the CIS Docker and Kubernetes
/// benchmark checks and custom checks its enforcer ran on one node or workload. Each item has
/// the check (`test_number`), its catalog (`catalog`, older releases `category`: docker,
/// kubernetes, custom, image), what it applies to (`type`: host, container, master, worker,
/// image), the outcome (`level`), the evidence lines (`message`) and the remediation.
///
/// A `WARN` or `HIGH` item is a finding; `PASS`, `INFO` and `NOTE` describe a sound or
/// informational state and are counted in a note; `ERROR` says the check could not run. The
/// report does not name the node or workload it was fetched for: the stream stands for it, and
/// each finding sits at what the check applies to (`kubernetes`/`docker` and the type), so that
/// a rescan of the same target updates it. NeuVector's vulnerability scans are another stream.
struct NeuVectorComplianceImporter: ReportImporter {
    let info = FormatInfo(
        id: "neuvector-compliance-json", name: "NeuVector compliance report JSON", tool: "NeuVector", category: .infra, syntax: .json,
        notes: "CIS Docker/Kubernetes and custom checks of a node or workload that warned, with evidence lines, profile and tags",
        defectDojoScanTypes: ["NeuVector (compliance)"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = Self.body(report), let items = root["items"], items.isArray else { return nil }
        let versioned = root["docker_cis_version"] != nil || root["kubernetes_cis_version"] != nil
        guard let first = items.array.first else { return versioned ? .certain : nil }
        return first["test_number"] != nil && first["level"] != nil ? .certain : nil
    }

    static func body(_ report: ParsedReport) -> JSONNode? {
        guard let root = report.jsonRoot, root.isObject else { return nil }
        if let inner = root["report"], inner.isObject, inner["items"] != nil { return inner }
        return root["items"] != nil && (root["run_at"] != nil || root["run_timestamp"] != nil || root["docker_cis_version"] != nil) ? root : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = Self.body(report) else { throw ImportError.content("expected a NeuVector compliance report with `items`") }
        var output = ImporterOutput(tool: ToolInfo(name: "NeuVector"), scope: ScanScope(kind: "compliance"))
        let benchmarks = [
            "docker": root["docker_cis_version"]?.text.map { "CIS Docker Benchmark \($0)" },
            "kubernetes": root["kubernetes_cis_version"]?.text.map { "CIS Kubernetes Benchmark \($0)" },
        ].compactMapValues { $0 }
        var passed = 0
        var failedToRun = 0
        for item in root["items"]?.array ?? [] {
            guard let check = item["test_number"]?.text else {
                output.diagnostics.append(Diagnostic("item without a test_number skipped", at: item.position))
                continue
            }
            let level = item["level"]?.text?.uppercased() ?? ""
            switch level {
            case "WARN", "HIGH": break
            case "ERROR":
                failedToRun += 1
                continue
            default:
                passed += 1
                continue
            }
            let catalog = (item["catalog"]?.text ?? item["category"]?.text ?? "custom").lowercased()
            let target = item["type"]?.text?.lowercased() ?? "host"
            let group = item["group"]?.text
            let evidence = (item["message"]?.array ?? []).compactMap(\.text)
            var lines = [item["description"]?.text ?? check]
            var facts = ["\(catalog) check \(check) on the \(target)"]
            if let profile = item["profile"]?.text { facts.append(profile) }
            if item["scored"]?.bool == true { facts.append("scored") }
            if item["automated"]?.bool == false { facts.append("to be verified by hand") }
            let benchmark = benchmarks[catalog].map { " (\($0))" } ?? ""
            lines.append(facts.joined(separator: ", ") + benchmark + ".")
            if !evidence.isEmpty { lines.append("Evidence:\n" + evidence.map { "- " + $0 }.joined(separator: "\n")) }
            output.findings.append(
                Finding(
                    category: .infra, tool: output.tool, ruleID: check, title: item["description"]?.text ?? check,
                    description: lines.joined(separator: "\n\n"), toolSeverity: level, severity: level == "HIGH" ? .high : .medium,
                    location: .cloud(
                        CloudLocation(
                            provider: catalog == "docker" ? "docker" : "kubernetes", resourceID: target + (group.map { "/" + $0 } ?? ""),
                            resourceType: target)),
                    remediation: item["remediation"]?.text, tags: (item["tags"]?.array ?? []).compactMap(\.text), raw: .json(item)))
        }
        if passed > 0 { output.diagnostics.append(Diagnostic("\(passed) passed or informational check(s) left out", level: .note)) }
        if failedToRun > 0 { output.diagnostics.append(Diagnostic("\(failedToRun) check(s) could not run (level ERROR)")) }
        return output
    }
}
