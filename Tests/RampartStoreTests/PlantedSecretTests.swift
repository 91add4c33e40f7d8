import Foundation
import RampartImporters
import Testing

/// A known secret is planted into every secrets-capable format's template (each importer
/// folder's `Fixtures/*.planted.*`, with `@SECRET@` wherever the tool puts a secret), imported
/// through the `rampart` executable into a database file, and looked for everywhere a user or
/// an attacker holding a copy could look. A format whose importer declares where it carries
/// secrets must have a template: a new secrets importer is covered by adding it.
@Suite("Planted secrets", .serialized)
struct PlantedSecretTests {
    static let importers = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/RampartImporters")

    /// "Folder/template" for every template.
    static var fixtureNames: [String] {
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: importers.path)) ?? []
        return folders.flatMap { folder -> [String] in
            let names = (try? FileManager.default.contentsOfDirectory(atPath: importers.appendingPathComponent("\(folder)/Fixtures").path)) ?? []
            return names.filter { $0.contains(".planted.") }.map { "\(folder)/\($0)" }
        }.sorted()
    }

    static func url(_ name: String) -> URL {
        let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
        return importers.appendingPathComponent("\(parts[0])/Fixtures/\(parts[1])")
    }

    @Test("every format that can carry a secret has a planted-secret template")
    func everySecretsFormatHasATemplate() async throws {
        let pipeline = ImportPipeline()
        var covered: Set<String> = []
        for name in Self.fixtureNames {
            let template = try String(contentsOf: Self.url(name), encoding: .utf8)
            let planted = Data(template.replacingOccurrences(of: "@SECRET@", with: "AKIAZ7PLANTED4SECRET99").utf8)
            let report = try await pipeline.normalize(planted, file: name, context: ImportContext(secretSalt: Array("salt".utf8)))
            covered.insert(report.format.id)
        }
        let declaring = pipeline.importers.filter { !$0.secretFields.isEmpty }.map(\.info.id)
        #expect(declaring.count >= 6)
        let missing = declaring.filter { !covered.contains($0) }
        #expect(missing.isEmpty, "formats that declare secret fields but have no planted template: \(missing)")
    }

    /// A long key, a short password, and one with characters Go escapes in JSON (\u0026 \u003c \u003e).
    static let secrets = ["AKIAZ7PLANTED4SECRET99", "hunt3r2x", "p&ss<PLANTED>99"]

    /// How the secret may be written: as is, JSON-escaped the way Go writes it, XML-escaped.
    static func forms(of secret: String) -> [String] {
        let go = secret.replacingOccurrences(of: "&", with: "\\u0026").replacingOccurrences(of: "<", with: "\\u003c")
            .replacingOccurrences(of: ">", with: "\\u003e")
        let xml = secret.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
            of: ">", with: "&gt;")
        return Array(Set([secret, go, xml]))
    }

    /// Runs `rampart` and returns its exit status and everything it printed.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: Data) {
        guard let url = RampartBinary.url else { throw RampartBinary.NotBuilt() }
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, data)
    }

    @Test("the secret is in no database byte, listing, record or report", arguments: fixtureNames)
    func neverStored(fixture: String) throws {
        let template = try String(contentsOf: Self.url(fixture), encoding: .utf8)
        #expect(template.contains("@SECRET@"))
        for secret in Self.secrets {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rampart-planted-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let database = directory.appendingPathComponent("secrets.db").path
            let report = directory.appendingPathComponent(String(fixture.split(separator: "/").last!))
            // Written in the report as its tool would: JSON escapes as Go does.
            let written = Self.forms(of: secret).first { $0.contains("\\u") } ?? secret
            try Data(template.replacingOccurrences(of: "@SECRET@", with: written).utf8).write(to: report)

            var seen: [(String, Data)] = []
            let imported = try Self.run(["import", "--db", database, "--app", "planted", report.path, "--json"])
            #expect(imported.status == 0, "\(fixture): \(String(decoding: imported.output, as: UTF8.self))")
            seen.append(("import --json", imported.output))
            let listed = try Self.run(["findings", "--db", database, "--status", "all", "--json"])
            seen.append(("findings --json", listed.output))
            let findings = (try JSONSerialization.jsonObject(with: listed.output) as? [[String: Any]]) ?? []
            #expect(!findings.isEmpty, "\(fixture) yields findings")
            #expect(findings.contains { ($0["secret_preview"] as? String) != nil }, "\(fixture): a finding keeps the secret's preview")
            for finding in findings {
                let id = "\(finding["id"] ?? "")"
                seen.append(("evidence \(id)", try Self.run(["evidence", "--db", database, id]).output))
                if let preview = finding["secret_preview"] as? String, secret.count < 16 {
                    #expect(preview.hasPrefix("…") || secret.count >= 8, "\(fixture): short secrets show no characters (\(preview))")
                }
            }
            let scans = try Self.run(["scans", "--db", database, "--json"])
            seen.append(("scans --json", scans.output))
            for scan in (try JSONSerialization.jsonObject(with: scans.output) as? [[String: Any]]) ?? [] {
                seen.append(("report", try Self.run(["report", "--db", database, "\(scan["id"] ?? "")"]).output))
            }
            for suffix in ["", "-wal", "-shm"] {
                if let bytes = FileManager.default.contents(atPath: database + suffix) { seen.append(("database\(suffix)", bytes)) }
            }
            for (place, bytes) in seen {
                for form in Self.forms(of: secret) {
                    #expect(bytes.range(of: Data(form.utf8)) == nil, "\(fixture): '\(secret)' found in \(place)")
                }
            }
            try? FileManager.default.removeItem(at: directory)
        }
    }
}
