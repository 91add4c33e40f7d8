import Foundation
import RampartCore
import Yams

/// A policy file (docs/triage.md, docs/gate.md): an SLA policy under `sla:` and a CI gate policy
/// under `gate:`, in YAML or JSON. Unknown keys are errors, as in inventory files.
///
///     sla:
///       basis: severity            # or risk (the risk score's band)
///       days: {critical: 7, high: 30, medium: 90, low: 120}
///       due_soon: 7d
///       criticality:
///         critical: {critical: 3, high: 14}
///     gate:
///       fail_on: {severity: high, risk: 70, kev: true, ssvc_act: true, sla_breach: true}
///       baseline: main
public struct PolicyFile: Sendable, Hashable {
    public var sla: SLAPolicy?
    public var gate: GatePolicy?
    /// The branch whose issues a gate does not blame on the change under test.
    public var baseline: String?

    public init(sla: SLAPolicy? = nil, gate: GatePolicy? = nil, baseline: String? = nil) {
        self.sla = sla
        self.gate = gate
        self.baseline = baseline
    }

    public static func read(_ data: Data, file: String) throws(InventoryFileError) -> PolicyFile {
        func fail(_ message: String) -> InventoryFileError {
            var error = InventoryFileError(file: file, issues: [InventoryIssue(field: "(file)", message: message)])
            error.kind = "policy"
            return error
        }
        guard data.count <= InventoryFile.maximumBytes else { throw fail("larger than \(InventoryFile.maximumBytes >> 20) MB") }
        guard let text = String(validating: data, as: UTF8.self) else { throw fail("not UTF-8 text") }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            var wrapped = InventoryFileError(file: file, issues: [InventoryFile.issue(error)])
            wrapped.kind = "policy"
            throw wrapped
        } catch {
            throw fail("not YAML or JSON")
        }
        guard let root else { throw fail("the file is empty: a policy has `sla:` or `gate:`") }
        var reader = InventoryFile.Reader()
        var policy = PolicyFile()
        if let entries = reader.mapping(root, "", keys: ["sla", "gate"]) {
            if entries.isEmpty { reader.issue(root, "(file)", "a policy has `sla:` or `gate:`") }
            if let node = entries["sla"] { policy.sla = reader.sla(node) }
            if let node = entries["gate"] { (policy.gate, policy.baseline) = reader.gate(node) }
        }
        guard reader.issues.isEmpty else {
            var error = InventoryFileError(file: file, issues: reader.issues)
            error.kind = "policy"
            throw error
        }
        return policy
    }
}

extension InventoryFile.Reader {
    mutating func levels(_ node: Node?, _ field: String) -> [Severity: Int] {
        guard let node, let entries = mapping(node, field, keys: Set(Severity.allCases.map(\.rawValue))) else { return [:] }
        var days: [Severity: Int] = [:]
        for (key, value) in entries {
            guard let level = Severity(rawValue: key), let count = self.days(value, "\(field).\(key)") else { continue }
            if count < 1 { issue(value, "\(field).\(key)", "at least one day") } else { days[level] = count }
        }
        return days
    }

    mutating func sla(_ node: Node) -> SLAPolicy? {
        guard let entries = mapping(node, "sla", keys: ["basis", "days", "due_soon", "criticality"]) else { return nil }
        let basis = choice(entries["basis"], "sla.basis", as: SLAPolicy.Basis.self) ?? .severity
        guard entries["days"] != nil else {
            issue(node, "sla.days", "required: days to fix by severity, e.g. {critical: 7, high: 30}")
            return nil
        }
        let days = levels(entries["days"], "sla.days")
        var byCriticality: [Criticality: [Severity: Int]] = [:]
        if let node = entries["criticality"], let table = mapping(node, "sla.criticality", keys: Set(Criticality.allCases.map(\.rawValue))) {
            for (key, value) in table {
                guard let level = Criticality(rawValue: key) else { continue }
                byCriticality[level] = levels(value, "sla.criticality.\(key)")
            }
        }
        let dueSoon = self.days(entries["due_soon"], "sla.due_soon") ?? 7
        return SLAPolicy(basis: basis, days: days, byCriticality: byCriticality, dueSoonDays: dueSoon)
    }

    mutating func gate(_ node: Node) -> (GatePolicy?, String?) {
        guard let entries = mapping(node, "gate", keys: ["fail_on", "baseline"]) else { return (nil, nil) }
        var policy = GatePolicy.standard
        if let node = entries["fail_on"],
            let failOn = mapping(node, "gate.fail_on", keys: ["severity", "risk", "kev", "ssvc_act", "sla_breach"])
        {
            if let text = string(failOn["severity"], "gate.fail_on.severity") {
                if text.lowercased() == "none" {
                    policy.failOnSeverity = nil
                } else {
                    policy.failOnSeverity = choice(failOn["severity"], "gate.fail_on.severity", as: Severity.self)
                }
            }
            if let text = string(failOn["risk"], "gate.fail_on.risk") {
                if let risk = Double(text), (0...100).contains(risk) {
                    policy.failOnRisk = risk
                } else {
                    issue(failOn["risk"], "gate.fail_on.risk", "expected a risk score between 0 and 100")
                }
            }
            if let value = bool(failOn["kev"], "gate.fail_on.kev") { policy.failOnKEV = value }
            if let value = bool(failOn["ssvc_act"], "gate.fail_on.ssvc_act") { policy.failOnSSVCAct = value }
            if let value = bool(failOn["sla_breach"], "gate.fail_on.sla_breach") { policy.failOnSLABreach = value }
        }
        return (policy, string(entries["baseline"], "gate.baseline"))
    }
}
