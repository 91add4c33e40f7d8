import Foundation
import RampartCore
import Testing

@testable import RampartImporters

/// The generic format's JSON Schema (docs/generic-format.schema.json) is what in-house tools
/// validate against: it must name exactly what the importer reads.
@Suite("Generic format")
struct GenericFormatTests {
    static let schemaURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/generic-format.schema.json")

    static func schema() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: schemaURL)) as? [String: Any])
    }

    static func findingProperties() throws -> [String: Any] {
        let definitions = try #require(try schema()["$defs"] as? [String: Any])
        let finding = try #require(definitions["finding"] as? [String: Any])
        return try #require(finding["properties"] as? [String: Any])
    }

    @Test("the schema's categories, severities, confidences and suppressions are the model's")
    func enumerationsMatch() throws {
        let properties = try Self.findingProperties()
        func values(_ name: String) throws -> Set<String> {
            let property = try #require(properties[name] as? [String: Any], "no \(name) in the schema")
            return Set(try #require(property["enum"] as? [String]))
        }
        #expect(try values("category") == Set(FindingCategory.allCases.map(\.rawValue)))
        #expect(try values("severity") == Set(Severity.allCases.map(\.rawValue)))
        #expect(try values("confidence") == Set(Confidence.allCases.map(\.rawValue)))
        #expect(try values("suppression") == ["false_positive", "not_affected", "accepted", "in_source", "external", "fixed"])
    }

    @Test("the schema's location kinds are those the importer reads, and every kind's members are read")
    func locationKindsMatch() async throws {
        let definitions = try #require(try Self.schema()["$defs"] as? [String: Any])
        let location = try #require(definitions["location"] as? [String: Any])
        let variants = try #require(location["oneOf"] as? [[String: Any]])
        var kinds: [String] = []
        for variant in variants {
            let properties = try #require(variant["properties"] as? [String: Any])
            let kind = try #require((properties["kind"] as? [String: Any])?["const"] as? String)
            kinds.append(kind)
            // A finding using every member of this kind imports, and its location is of this kind.
            var sample: [String: Any] = ["kind": kind]
            for (name, definition) in properties where name != "kind" {
                let type = (definition as? [String: Any])?["type"] as? String
                sample[name] =
                    type == "integer" ? 7 : type == "array" ? ["1.0"] : name == "purl" ? "pkg:npm/qs@6.7.0" : "value-of-\(name)"
            }
            let document: [String: Any] = [
                "format": "rampart-generic", "version": 1, "tool": ["name": "t"],
                "findings": [["rule_id": "R", "title": "T", "category": "sast", "severity": "low", "location": sample]],
            ]
            let data = try JSONSerialization.data(withJSONObject: document)
            let report = try await ImportPipeline().normalize(data, file: "generic.json", context: ImportContext(secretSalt: [1]))
            #expect(report.diagnostics.isEmpty, "\(kind): \(report.diagnostics)")
            #expect(report.findings.first?.location.kind == kind)
        }
        #expect(Set(kinds) == Set(RampartGeneric.locationKinds))
    }
}
