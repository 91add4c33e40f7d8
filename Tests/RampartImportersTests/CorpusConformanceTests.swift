import Foundation
import RampartCore
import Testing

@testable import RampartImporters

/// Runs every supported tool's files in ../shared/corpus and compares with manifest.json:
/// finding counts and the stable fields (vulnerability ids, component name and version, file
/// path, line, CWE). Prints an agreement table. Skips, with a visible notice, when the corpus
/// is absent.
@Suite("Corpus conformance")
struct CorpusConformanceTests {
    /// DefectDojo reuses some files across tools' tests (a Yarn error log sits in three
    /// folders): a file is its content's, so the scan types of every folder holding the same
    /// bytes are the file's.
    static func scanTypesOfContent(_ entries: [[String: Any]]) -> [String: Set<String>] {
        var scanTypes: [String: Set<String>] = [:]
        for entry in entries {
            if let sha = entry["sha256"] as? String { scanTypes[sha, default: []].formUnion(entry["scan_types"] as? [String] ?? []) }
        }
        return scanTypes
    }

    /// The formats that read a corpus file: those that declare one of its DefectDojo scan types.
    static func formats(forScanTypes scanTypes: [String], in pipeline: ImportPipeline) -> Set<String> {
        Set(pipeline.formats.filter { !Set($0.defectDojoScanTypes).isDisjoint(with: scanTypes) }.map(\.id))
    }

    static var corpusDirectory: URL? {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let corpus = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus")
        return FileManager.default.fileExists(atPath: corpus.appendingPathComponent("manifest.json").path) ? corpus : nil
    }

    struct FileResult {
        var path: String
        var tool: String
        var expectedCount: Int?
        var countMin: Int?
        /// What DefectDojo's parser counts in another of its own modes (Checkmarx's "detailed"
        /// scan type), as opposed to a subset its test filtered: the same report read another way.
        var modeCounts: [Int] = []
        var actualCount: Int?
        var detected: String?
        /// Detection could not tell (empty file, `null`, `[]`); read with the tool's format named, as DefectDojo always does.
        var neededExplicitFormat = false
        var error: String?
        /// Detection refused the file: it holds no report data.
        var refusedAsFormatless = false
        var assertedFindings = 0
        var matchedFindings = 0
        var misses: [String] = []
        /// For each asserted finding that matched none, the smallest sets of fields (one field,
        /// else two) whose removal makes it match; empty when no such set explains the miss.
        var missingFields: [[Set<String>]] = []

        var countAgrees: Bool? {
            guard error == nil || expectedCount == nil else { return false }
            if let expectedCount { return actualCount == expectedCount || actualCount.map(modeCounts.contains) == true }
            if let countMin, let actualCount { return actualCount >= countMin }
            return nil
        }
    }

    static func evaluate(corpus: URL) async throws -> [FileResult] {
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: corpus.appendingPathComponent("manifest.json"))) as! [String: Any]
        let entries = manifest["files"] as! [[String: Any]]
        let pipeline = ImportPipeline()
        let context = ImportContext(secretSalt: Array("corpus-salt".utf8))
        var results: [FileResult] = []
        let scanTypesOfContent = Self.scanTypesOfContent(entries)
        for entry in entries {
            guard let tool = entry["tool"] as? String, entry["role"] as? String == "report" else { continue }
            guard !Self.formats(forScanTypes: entry["scan_types"] as? [String] ?? [], in: pipeline).isEmpty else { continue }
            // A file shared with another tool's folder (a Yarn error log beside GitLab's reports) is rightly read as its content's format.
            let formats = Self.formats(forScanTypes: Array(scanTypesOfContent[entry["sha256"] as? String ?? ""] ?? []), in: pipeline)
            let path = entry["path"] as! String
            var result = FileResult(path: path, tool: tool)
            let conditional = entry["conditional"] as? Bool ?? false
            result.expectedCount = conditional ? nil : entry["count"] as? Int
            result.countMin = entry["count_min"] as? Int
            result.modeCounts = (entry["count_variants"] as? [[String: Any]] ?? []).compactMap { variant in
                guard let condition = variant["condition"] as? String, condition.contains("mode"), !condition.contains("filtered") else { return nil }
                return variant["count"] as? Int
            }
            let expectsError = entry["error_expected"] != nil
            do {
                let data = try Data(contentsOf: corpus.appendingPathComponent(path))
                let report: NormalizedReport
                if entry["empty"] as? Bool == true {
                    // An empty file carries no format; DefectDojo always has the scan type named.
                    report = try await pipeline.normalize(data, file: path, formatID: formats.sorted().first, context: context)
                    result.neededExplicitFormat = true
                } else {
                    do {
                        report = try await pipeline.normalize(data, file: path, context: context)
                    } catch let error as ImportError where error.kind == .unknownFormat {
                        // DefectDojo rejects it too: an agreement, not a refusal to explain.
                        if expectsError {
                            result.expectedCount = 0
                            result.actualCount = 0
                            results.append(result)
                            continue
                        }
                        // Detection refuses a file that names no format (`[]`, `null`); the refusal is
                        // pinned, and the count is compared as DefectDojo's is, with the scan type named.
                        result.refusedAsFormatless = true
                        result.neededExplicitFormat = true
                        do {
                            report = try await pipeline.normalize(data, file: path, formatID: formats.sorted().first, context: context)
                        } catch {
                            result.actualCount = nil
                            results.append(result)
                            continue
                        }
                    }
                }
                result.detected = report.format.id
                result.actualCount = report.findings.count
                // A tool's report written in a standard (Snyk Code's SARIF) is rightly read as that standard.
                if !formats.contains(report.format.id) && !report.format.isStandard { result.error = "detected as \(report.format.id)" }
                for assertion in entry["findings"] as? [[String: Any]] ?? [] where !(assertion["conditional"] as? Bool ?? false) {
                    let stable = stableFields(assertion)
                    guard !stable.isEmpty else { continue }
                    result.assertedFindings += 1
                    if report.findings.contains(where: { matches($0, stable) }) {
                        result.matchedFindings += 1
                    } else {
                        result.misses.append(stable.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " "))
                        func explains(_ fields: Set<String>) -> Bool {
                            let without = stable.filter { !fields.contains($0.key) }
                            return report.findings.contains(where: { matches($0, without) })
                        }
                        let keys = stable.keys.sorted()
                        var explanations = keys.map { Set([$0]) }.filter(explains)
                        if explanations.isEmpty {
                            explanations = keys.indices.flatMap { i in keys.indices.dropFirst(i + 1).map { Set([keys[i], keys[$0]]) } }.filter(
                                explains)
                        }
                        result.missingFields.append(explanations)
                    }
                }
            } catch {
                if expectsError { result.expectedCount = 0 }
                result.error = expectsError ? nil : "\(error)"
                result.actualCount = expectsError ? 0 : nil
            }
            results.append(result)
        }
        return results
    }

    static let stableKeys = ["vulnerability_ids", "component_name", "component_version", "file_path", "line", "cwe"]

    static func stableFields(_ assertion: [String: Any]) -> [String: Any] {
        var fields: [String: Any] = [:]
        for key in stableKeys {
            guard let value = assertion[key], !(value is NSNull) else { continue }
            if let text = value as? String, text.isEmpty { continue }
            if key == "cwe", let number = value as? Int, number <= 0 { continue }
            fields[key] = value
        }
        return fields
    }

    static func normalizedPath(_ path: String) -> String {
        var text = FindingIdentity.normalizePath(path)
        while text.hasPrefix("/") { text.removeFirst() }
        return text
    }

    static func matches(_ finding: Finding, _ fields: [String: Any]) -> Bool {
        for (key, value) in fields {
            switch key {
            case "vulnerability_ids":
                let expected = (value as? [String] ?? []).compactMap { VulnerabilityID($0)?.value }
                // DefectDojo lists a misconfiguration's check id (KSV001) as its vulnerability id; Rampart keeps it as the rule id.
                let actual = Set(finding.vulnerabilityIDs.map(\.value) + [finding.ruleID])
                if !expected.allSatisfy(actual.contains) { return false }
            case "component_name":
                if case .iac(let iac) = finding.location {
                    if iac.resource != value as? String { return false }
                    continue
                }
                // A cloud finding's component is its resource.
                if case .cloud(let cloud) = finding.location {
                    if cloud.resourceID != value as? String { return false }
                    continue
                }
                guard case .package(let package) = finding.location else { return false }
                let expected = (value as? String ?? "").lowercased()
                var names = [package.name.lowercased()]
                if let purl = package.purl {
                    names.append(purl.name.lowercased())
                    if let namespace = purl.namespace {
                        names.append("\(namespace):\(purl.name)".lowercased())
                        names.append("\(namespace)/\(purl.name)".lowercased())
                    }
                }
                if !names.contains(expected) { return false }
            case "component_version":
                guard case .package(let package) = finding.location, package.version == (value as? String) else { return false }
            case "file_path":
                let expected = normalizedPath(value as? String ?? "")
                var candidates = [finding.location.filePath].compactMap { $0 }
                if case .package(let package) = finding.location {
                    candidates += [package.artifactPath, package.manifestPath, package.image?.name].compactMap { $0 }
                }
                if case .endpoint(let endpoint) = finding.location { candidates.append(endpoint.url) }
                if !candidates.map(normalizedPath).contains(where: { $0 == expected || $0.hasSuffix("/" + expected) || expected.hasSuffix("/" + $0) })
                {
                    return false
                }
            case "line":
                if finding.location.line != value as? Int { return false }
            case "cwe":
                if !finding.cwes.contains(value as? Int ?? -1) { return false }
            default:
                break
            }
        }
        return true
    }

    /// The differences docs/corpus-differences.md explains, read from its tables: the test
    /// fails on any other difference, and on a listed one that no longer occurs.
    struct PinnedDifferences {
        /// File → the count Rampart gives.
        var counts: [String: Int] = [:]
        /// File → fields whose asserted value Rampart does not give.
        var fields: [String: Set<String>] = [:]
        /// Files detection refuses: they hold no report data.
        var refused: Set<String> = []
        /// Files Rampart rejects as malformed (an error naming the position) where DefectDojo reads something.
        var rejected: Set<String> = []

        static func read() throws -> PinnedDifferences {
            let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("docs/corpus-differences.md")
            var pinned = PinnedDifferences()
            var section = ""
            for line in try String(contentsOf: document, encoding: .utf8).split(separator: "\n") {
                if line.hasPrefix("## ") { section = String(line.dropFirst(3)) }
                guard line.hasPrefix("| `") else { continue }
                let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
                let path = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
                switch section {
                case "Counts": pinned.counts[path] = Int(cells[2])
                case "Asserted fields":
                    let field = cells[1].split(separator: " ").first.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "`")) } ?? ""
                    pinned.fields[path, default: []].insert(field)
                case "Refused": pinned.refused.insert(path)
                case "Rejected": pinned.rejected.insert(path)
                default: break
                }
            }
            return pinned
        }
    }

    @Test(
        "supported tools' corpus files agree with the manifest, but for the differences docs/corpus-differences.md explains",
        .enabled(if: corpusDirectory != nil, "../shared/corpus is not present: corpus conformance not run"))
    func conformance() async throws {
        let corpus = try #require(Self.corpusDirectory)
        let pinned = try PinnedDifferences.read()
        let results = try await Self.evaluate(corpus: corpus)
        var lines = ["tool                 files  counted  count-agree  asserted  matched"]
        var byTool: [String: [FileResult]] = [:]
        for result in results { byTool[result.tool, default: []].append(result) }
        for tool in byTool.keys.sorted() {
            let files = byTool[tool]!
            let counted = files.filter { $0.countAgrees != nil }
            let agree = counted.filter { $0.countAgrees == true }
            let asserted = files.reduce(0) { $0 + $1.assertedFindings }
            let matched = files.reduce(0) { $0 + $1.matchedFindings }
            lines.append(
                tool.padding(toLength: 21, withPad: " ", startingAt: 0) + String(files.count).padding(toLength: 7, withPad: " ", startingAt: 0)
                    + String(counted.count).padding(toLength: 9, withPad: " ", startingAt: 0)
                    + String(agree.count).padding(toLength: 13, withPad: " ", startingAt: 0)
                    + String(asserted).padding(toLength: 10, withPad: " ", startingAt: 0) + String(matched))
        }
        let counted = results.filter { $0.countAgrees != nil }
        let agreeing = counted.filter { $0.countAgrees == true }.count
        let asserted = results.reduce(0) { $0 + $1.assertedFindings }
        let matched = results.reduce(0) { $0 + $1.matchedFindings }
        lines.append(
            String(
                format:
                    "count agreement: %d/%d files; stable fields: %d/%d asserted findings; every difference is listed in docs/corpus-differences.md",
                agreeing, counted.count, matched, asserted))
        print(lines.joined(separator: "\n"))

        var unexplained: [String] = []
        for result in results {
            let path = result.path
            if pinned.refused.contains(path) {
                if !result.refusedAsFormatless { unexplained.append("\(path): listed as refused, but it was read") }
                continue
            }
            if result.refusedAsFormatless { unexplained.append("\(path): refused as holding no report data") }
            if pinned.rejected.contains(path) {
                if result.error == nil { unexplained.append("\(path): listed as rejected, but it was read") }
                continue
            }
            if let error = result.error { unexplained.append("\(path): \(error.prefix(200))") }
            if let expected = result.expectedCount, let actual = result.actualCount, actual != expected, !result.modeCounts.contains(actual) {
                if pinned.counts[path] != actual {
                    unexplained.append(
                        "\(path): \(actual) findings, manifest \(expected), listed \(pinned.counts[path].map(String.init) ?? "nothing")")
                }
            } else if pinned.counts[path] != nil {
                unexplained.append("\(path): listed count difference no longer occurs (\(result.actualCount.map(String.init) ?? "-") findings)")
            }
            let allowed = pinned.fields[path] ?? []
            // `*`: the file's asserted findings are not imported at all (its count row says why).
            for (miss, explanations) in zip(result.misses, result.missingFields)
            where !allowed.contains("*") && !explanations.contains(where: { $0.isSubset(of: allowed) }) {
                unexplained.append("\(path): asserted finding not matched: \(miss)")
            }
            if allowed.contains("*") && result.misses.isEmpty { unexplained.append("\(path): listed missing findings are found now") }
            for field in allowed where field != "*" && !result.missingFields.joined().contains(where: { $0.contains(field) }) {
                unexplained.append("\(path): listed difference in '\(field)' no longer occurs")
            }
        }
        for path in Set(pinned.counts.keys).union(pinned.fields.keys).union(pinned.refused).union(pinned.rejected)
        where !results.contains(where: { $0.path == path }) {
            unexplained.append("\(path): listed in docs/corpus-differences.md but not in the corpus run")
        }
        #expect(
            unexplained.isEmpty,
            "differences from the manifest that docs/corpus-differences.md does not explain:\n\(unexplained.joined(separator: "\n"))")
    }

    @Test(
        "detection claims each corpus report for its own tool or a standard it is written in, never for another, never two equally",
        .enabled(if: corpusDirectory != nil, "../shared/corpus is not present: corpus detection not run"))
    func detectionAcrossCorpus() async throws {
        let corpus = try #require(Self.corpusDirectory)
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: corpus.appendingPathComponent("manifest.json"))) as! [String: Any]
        let pipeline = ImportPipeline()
        let standards = Set(pipeline.formats.filter(\.isStandard).map(\.id))
        var problems: [String] = []
        var claimed = 0
        var reports = 0
        let scanTypesOfContent = Self.scanTypesOfContent(manifest["files"] as! [[String: Any]])
        for entry in manifest["files"] as! [[String: Any]] where entry["role"] as? String == "report" {
            let path = entry["path"] as! String
            reports += 1
            guard let data = try? Data(contentsOf: corpus.appendingPathComponent(path)),
                let parsed = try? await pipeline.parseSyntax(data, file: path)
            else { continue }
            let claims = pipeline.candidates(for: parsed)
            guard let best = claims.first else { continue }
            claimed += 1
            let rivals = claims.dropFirst().filter { $0.confidence == best.confidence }.map(\.importer.info.id)
            if !rivals.isEmpty { problems.append("\(path): claimed as surely (\(best.confidence)) by \(best.importer.info.id) and \(rivals)") }
            let scanTypes = scanTypesOfContent[entry["sha256"] as? String ?? ""] ?? Set(entry["scan_types"] as? [String] ?? [])
            let own = Self.formats(forScanTypes: Array(scanTypes), in: pipeline)
            let id = best.importer.info.id
            if own.contains(id) || (standards.contains(id) && best.confidence == .certain) { continue }
            problems.append("\(path) (\(entry["tool"] as? String ?? "?")): claimed by \(id) (\(best.confidence))")
        }
        print("corpus detection: \(claimed) of \(reports) report files claimed by an importer, \(problems.count) problems")
        #expect(problems.isEmpty, "\(problems.count) detection problems:\n\(problems.joined(separator: "\n"))")
    }
}
