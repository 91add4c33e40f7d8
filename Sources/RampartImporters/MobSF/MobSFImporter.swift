import Foundation
import RampartCore

/// MobSF's static-analysis report as JSON (the Web API's `api/v1/report_json`, or the JSON
/// download of a scan), for Android (APK, AAB), iOS (IPA) and Windows apps. The sections
/// changed shape between releases (a list in 3.1, `{..._findings, ..._summary}` from 3.5 on);
/// both are read.
///
/// A finding is what MobSF rates as a weakness: the code, manifest, network-security and App
/// Transport Security checks rated high, warning or info; certificate and binary hardening
/// checks rated high or warning (MobSF rates a sound signature or a passed check info); dangerous
/// permissions; hard-coded key, certificate and keystore files; possible hard-coded secrets
/// (kept only as a keyed hash); Firebase databases MobSF found open. Checks rated secure or
/// good are passes, and API usage, trackers and NIAP statements describe the app: they are
/// counted in a note, not made findings.
struct MobSFImporter: ReportImporter {
    let info = FormatInfo(
        id: "mobsf-json", name: "MobSF report JSON", tool: "MobSF", category: .sast, syntax: .json,
        notes: "mobile app static analysis (Android, iOS): code, manifest, binary, certificate, network and secrets sections",
        defectDojoScanTypes: ["MobSF Scan", "MobSF Scorecard Scan"])

    static let fields = SecretFields(secret: [["secrets", "*"]])
    var secretFields: [SecretFields] { [Self.fields] }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["app_type"] != nil, root["md5"] != nil else { return nil }
        let sections = ["code_analysis", "manifest_analysis", "binary_analysis", "permissions", "appsec"]
        return sections.contains(where: { root[$0] != nil }) ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a JSON object") }
        var reader = Reader(root: root)
        reader.readAll()
        return reader.output
    }

    /// Which platform an app type is built for: the manifest file its permissions live in, and
    /// the stream's scope (an Android and an iOS build of one app are two streams).
    enum Platform: String {
        case android, ios, windows

        /// iOS reports name the source language as the app type (`Swift`, `Objective C`) or the
        /// archive (`ipa`, `dylib`, `a`), and carry a bundle id.
        init(report root: JSONNode) {
            let appType = root["app_type"]?.text?.lowercased() ?? ""
            if appType == "appx" {
                self = .windows
            } else if ["ipa", "dylib", "a", "swift", "objective c", "objc"].contains(appType) || root["bundle_id"] != nil {
                self = .ios
            } else {
                self = .android
            }
        }

        var manifest: String {
            switch self {
            case .android: "AndroidManifest.xml"
            case .ios: "Info.plist"
            case .windows: "AppxManifest.xml"
            }
        }
    }

    struct Reader {
        let root: JSONNode
        let platform: Platform
        var output: ImporterOutput
        /// Checks MobSF rated secure or good, and permissions that are not dangerous.
        var passed = 0
        var ordinaryPermissions = 0

        init(root: JSONNode) {
            self.root = root
            platform = Platform(report: root)
            output = ImporterOutput(tool: ToolInfo(name: "MobSF", version: root["version"]?.text.map(Self.version)))
            let app = root["package_name"]?.text ?? root["bundle_id"]?.text ?? root["app_name"]?.text ?? root["file_name"]?.text ?? ""
            output.scope = ScanScope(kind: platform.rawValue, target: app)
        }

        /// "v3.6.7 Beta" → "3.6.7 Beta".
        static func version(_ text: String) -> String {
            text.hasPrefix("v") && text.dropFirst().first?.isNumber == true ? String(text.dropFirst()) : text
        }

        mutating func readAll() {
            readCode()
            readManifest()
            readPermissions()
            readNetworkSecurity()
            readCertificate()
            readTransportSecurity()
            readBinaries()
            readFiles()
            readSecrets()
            readFirebase()
            var notes: [String] = []
            if passed > 0 { notes.append("\(passed) check(s) MobSF rates secure or good (passes, not findings)") }
            if ordinaryPermissions > 0 { notes.append("\(ordinaryPermissions) permission(s) that are not dangerous") }
            let trackers = root["trackers", "detected_trackers"]?.int ?? 0
            if trackers > 0 { notes.append("\(trackers) tracker(s) detected (see the report)") }
            if !notes.isEmpty { output.diagnostics.append(Diagnostic("Not imported as findings: " + notes.joined(separator: "; "), level: .note)) }
        }

        /// A section's items: the 3.5+ wrapper's list (`manifest_findings`) or the section itself.
        func items(_ section: String, wrapper: String) -> [JSONNode] {
            guard let node = root[section] else { return [] }
            if node.isObject { return node[wrapper]?.array ?? [] }
            return node.array
        }

        /// MobSF's rating as Rampart's, or nil for a pass. `infoIsPass`: the binary hardening
        /// checks rate a passed check info.
        mutating func severity(_ text: String?, infoIsPass: Bool = false) -> Severity? {
            switch text?.asciiTrimmed.lowercased() {
            case "high", "dangerous", "critical", "insecure": return .high
            case "warning", "medium", "hotspot": return .medium
            case "low": return .low
            case "info":
                if infoIsPass {
                    passed += 1
                    return nil
                }
                return .info
            case "secure", "good":
                passed += 1
                return nil
            default: return .medium
            }
        }

        static func slug(_ text: String) -> String {
            var slug = ""
            for scalar in text.lowercased().unicodeScalars {
                if CharacterSet.alphanumerics.contains(scalar) && scalar.isASCII {
                    slug.unicodeScalars.append(scalar)
                } else if !slug.isEmpty && !slug.hasSuffix("_") {
                    slug += "_"
                }
                if slug.count >= 60 { break }
            }
            while slug.hasSuffix("_") { slug.removeLast() }
            return slug.isEmpty ? "check" : slug
        }

        /// The first sentence of a description, for a title.
        static func firstSentence(_ text: String) -> String {
            let plain = plainText(fromHTML: text)
            let line = plain.split(whereSeparator: \.isNewline).first.map(String.init) ?? plain
            if let end = line.range(of: ". ") { return String(line[..<end.lowerBound]) }
            return line.hasSuffix(".") ? String(line.dropLast()) : line
        }

        mutating func add(
            rule: String, title: String, description: String?, severity: Severity, toolSeverity: String?, metadata: JSONNode? = nil,
            location: CodeLocation, raw: JSONNode, category: FindingCategory = .sast, cwes weaknesses: [Int] = [], confidence: Confidence? = nil,
            revealing secrets: [String] = []
        ) {
            var references: [String] = []
            var tags: [String] = []
            var cwes = weaknesses
            // MobSF's `cvss` is a number per rule, not a rating of this finding (the logging rule
            // says 7.5 at severity info): it stays in the record, out of scoring.
            if let metadata {
                cwes += CWE.parseAll(metadata["cwe"]?.strings ?? [])
                if let reference = metadata["ref"]?.text ?? metadata["reference"]?.text { references.append(reference) }
                tags = [metadata["owasp-mobile"]?.text, metadata["masvs"]?.text].compactMap { $0 }
            }
            var finding = Finding(
                category: category, tool: output.tool, ruleID: rule, title: title, description: description, toolSeverity: toolSeverity,
                severity: severity, confidence: confidence, cwes: cwes, location: .code(location), references: references, tags: tags,
                raw: .json(raw))
            finding.revealedSecrets = secrets
            output.findings.append(finding)
        }

        /// Code analysis: rule → `{files: {path: "line,line"}, metadata}`; one finding per rule and file.
        mutating func readCode() {
            guard let section = root["code_analysis"], section.isObject else { return }
            let rules = section["findings"]?.isObject == true ? section["findings"]!.entries : section.entries.filter { $0.value["metadata"] != nil }
            for (rule, entry) in rules {
                guard let metadata = entry["metadata"] else { continue }
                let toolSeverity = metadata["severity"]?.text
                guard let severity = severity(toolSeverity) else { continue }
                let description = metadata["description"]?.text.map { plainText(fromHTML: $0) }
                let title = description.map(Self.firstSentence) ?? rule
                let files = entry["files"]?.entries ?? []
                if files.isEmpty {
                    add(
                        rule: rule, title: title, description: description, severity: severity, toolSeverity: toolSeverity, metadata: metadata,
                        location: CodeLocation(file: "."), raw: entry)
                }
                for file in files {
                    let lineList: String = file.value.text ?? ""
                    let numbers = lineList.split(separator: ",").compactMap { Int(String($0).asciiTrimmed) }.filter { $0 > 0 }.sorted()
                    var text = description ?? title
                    if numbers.count > 1 { text += "\n\nLines: " + numbers.map(String.init).joined(separator: ", ") }
                    add(
                        rule: rule, title: title, description: text, severity: severity, toolSeverity: toolSeverity, metadata: metadata,
                        location: CodeLocation(file: file.key, startLine: numbers.first), raw: file.value)
                }
            }
        }

        /// Manifest analysis: 3.1 `[{title, stat, desc, name, component}]`, 3.5+
        /// `{manifest_findings: [{rule, title, severity, description, name, component}]}`. The
        /// flagged element (an activity, a service, the SDK level) tells two results of one rule apart.
        mutating func readManifest() {
            for item in items("manifest_analysis", wrapper: "manifest_findings") {
                let toolSeverity = item["severity"]?.text ?? item["stat"]?.text
                guard let severity = severity(toolSeverity) else { continue }
                let title = plainText(
                    fromHTML: (item["title"]?.text ?? item["name"]?.text ?? "Manifest issue").replacingOccurrences(of: "<br>", with: " "))
                let rule = item["rule"]?.text ?? Self.slug(item["name"]?.text ?? title)
                let component = (item["component"]?.array ?? []).compactMap(\.text).joined(separator: " ")
                add(
                    rule: "manifest/" + rule, title: title,
                    description: (item["description"]?.text ?? item["desc"]?.text).map { plainText(fromHTML: $0) },
                    severity: severity, toolSeverity: toolSeverity,
                    location: CodeLocation(file: platform.manifest, snippet: component.isEmpty ? nil : component), raw: item)
            }
        }

        /// Permissions: Android `{name: {status, info, description}}`, iOS 3.1 `[{name, status, description, reason}]`.
        mutating func readPermissions() {
            guard let section = root["permissions"] else { return }
            let permissions: [(name: String, node: JSONNode)] =
                section.isObject ? section.entries.map { ($0.key, $0.value) } : section.array.map { ($0["name"]?.text ?? "", $0) }
            for (name, node) in permissions where !name.isEmpty {
                guard node["status"]?.text?.lowercased() == "dangerous" else {
                    ordinaryPermissions += 1
                    continue
                }
                let purpose = [node["info"]?.text, node["description"]?.text, node["reason"]?.text.map { "Reason given: \($0)" }].compactMap { $0 }
                add(
                    rule: "permission/dangerous", title: "Dangerous permission: \(name)",
                    description: (["The app requests a permission that gives access to private data or device features."] + purpose)
                        .joined(separator: "\n\n"),
                    severity: .low, toolSeverity: "dangerous", location: CodeLocation(file: platform.manifest, snippet: name), raw: node)
            }
        }

        /// Network security configuration: 3.1 `[{scope, severity, description}]`, 3.5+ `{network_findings: [...]}`.
        mutating func readNetworkSecurity() {
            for item in items("network_security", wrapper: "network_findings") {
                let toolSeverity = item["severity"]?.text
                guard let severity = severity(toolSeverity) else { continue }
                let description = item["description"]?.text ?? "Network security configuration issue"
                let scope = item["scope"]?.strings ?? []
                add(
                    rule: "network/" + Self.slug(description), title: Self.firstSentence(description),
                    description: scope.isEmpty ? description : description + "\n\nScope: " + scope.joined(separator: ", "), severity: severity,
                    toolSeverity: toolSeverity,
                    location: CodeLocation(file: "res/xml/network_security_config.xml", snippet: scope.isEmpty ? nil : scope.joined(separator: ", ")),
                    raw: item)
            }
        }

        /// Signing certificate: `certificate_findings` as `[severity, description, title]` (or without title).
        mutating func readCertificate() {
            guard let section = root["certificate_analysis"], section.isObject else { return }
            for item in section["certificate_findings"]?.array ?? [] {
                let parts = item.array.compactMap(\.text)
                // MobSF rates a sound signature info ("Signed Application").
                guard parts.count >= 2, let severity = severity(parts[0], infoIsPass: true) else { continue }
                let title = parts.count >= 3 ? parts[2] : Self.firstSentence(parts[1])
                add(
                    rule: "certificate/" + Self.slug(title), title: title, description: parts[1], severity: severity, toolSeverity: parts[0],
                    location: CodeLocation(file: "."), raw: item)
            }
        }

        /// iOS App Transport Security: 3.1 `[{issue, status, description}]`, 3.5+ `{ats_findings: [{issue, severity, description}]}`.
        mutating func readTransportSecurity() {
            for item in items("ats_analysis", wrapper: "ats_findings") {
                let toolSeverity = item["severity"]?.text ?? item["status"]?.text
                guard let severity = severity(toolSeverity) else { continue }
                let issue = item["issue"]?.text ?? "App Transport Security"
                // "NSExceptionMinimumTLSVersion set to TLSv1.0 on api.example.org": the rule is the
                // setting, without the domain and version it names.
                let words = issue.split(separator: " ")
                let setting = words.filter { !$0.contains(".") }.joined(separator: " ")
                // The domain tells two exceptions of one setting apart (the message without digits cannot: int2 and int3).
                let domains = words.filter { $0.contains(".") && !$0.hasPrefix("TLSv") }.joined(separator: " ")
                add(
                    rule: "ats/" + Self.slug(setting), title: issue.contains("Transport Security") ? issue : "App Transport Security: \(issue)",
                    description: item["description"]?.text,
                    severity: severity, toolSeverity: toolSeverity,
                    location: CodeLocation(file: platform.manifest, snippet: domains.isEmpty ? nil : domains), raw: item)
            }
        }

        /// Binary hardening. Android ELF libraries, iOS dylibs and frameworks: `[{name, nx: {severity,
        /// description}, pie: ...}]`; the iOS main binary: `macho_analysis` of the same checks, and
        /// `binary_analysis` as `{title: {detailed_desc, severity, cvss, cwe, ...}}` (3.1) or `{findings: {...}}`.
        mutating func readBinaries() {
            let binaryName = root["macho_analysis", "name"]?.text ?? root["file_name"]?.text ?? "."
            if let section = root["binary_analysis"] {
                if section.isArray {
                    for binary in section.array { readHardening(binary) }
                } else if section.isObject {
                    let checks = section["findings"]?.isObject == true ? section["findings"]!.entries : section.entries.filter { $0.value.isObject }
                    for (title, check) in checks {
                        let toolSeverity = check["severity"]?.text
                        guard let severity = severity(toolSeverity, infoIsPass: true) else { continue }
                        let detail = check["detailed_desc"]?.text ?? check["description"]?.text
                        add(
                            rule: "binary/" + Self.slug(title), title: title, description: detail, severity: severity, toolSeverity: toolSeverity,
                            metadata: check, location: CodeLocation(file: binaryName), raw: check)
                    }
                }
            }
            if let macho = root["macho_analysis"], macho.isObject { readHardening(macho) }
            for section in ["dylib_analysis", "framework_analysis"] {
                for binary in root[section]?.array ?? [] { readHardening(binary) }
            }
        }

        /// One binary's hardening checks (`nx`, `pie`, `stack_canary`, `relro`, `arc`, ...).
        mutating func readHardening(_ binary: JSONNode) {
            guard binary.isObject else { return }
            let name = binary["name"]?.text ?? "."
            for (check, result) in binary.entries where result.isObject {
                let toolSeverity = result["severity"]?.text
                guard let severity = severity(toolSeverity, infoIsPass: true) else { continue }
                let description = result["description"]?.text ?? check
                add(
                    rule: "binary/" + check, title: Self.firstSentence(description), description: description, severity: severity,
                    toolSeverity: toolSeverity, metadata: result, location: CodeLocation(file: name), raw: result)
            }
        }

        /// Files of note: Android `[{finding, files: [path]}]`, iOS `[{issue, files: [{file_path}]}]`.
        /// A list of the app's property lists ("Plist Files") describes the app and is not a finding.
        mutating func readFiles() {
            for item in root["file_analysis"]?.array ?? [] {
                let issue = item["finding"]?.text ?? item["issue"]?.text ?? "File of note"
                if issue.lowercased().hasPrefix("plist files") { continue }
                let lowered = issue.lowercased()
                let sensitive = ["key", "certificate", "keystore", "credential", "password"].contains(where: lowered.contains)
                for file in item["files"]?.array ?? [] {
                    guard let path = file.string ?? file["file_path"]?.text else { continue }
                    add(
                        rule: "file/" + Self.slug(issue), title: Self.firstSentence(issue), description: issue, severity: sensitive ? .medium : .info,
                        toolSeverity: nil, location: CodeLocation(file: path), raw: file, cwes: sensitive ? [321] : [])
                }
            }
        }

        /// Possible hard-coded secrets: strings `"name" : "value"` from the app's resources. The
        /// value is hashed and hidden; the name stays, as the title.
        mutating func readSecrets() {
            for entry in root["secrets"]?.array ?? [] {
                guard let text = entry.string, !text.isEmpty else { continue }
                var name = "value"
                var value = text
                if let separator = text.range(of: "\" : \"") {
                    name = String(text[..<separator.lowerBound]).trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
                    value = String(text[separator.upperBound...])
                    if value.hasSuffix("\"") { value.removeLast() }
                }
                add(
                    rule: "secret/hardcoded", title: "Possible hard-coded secret: \(name)",
                    description: "MobSF found a string whose name suggests a secret in the app's resources.", severity: .high, toolSeverity: nil,
                    location: CodeLocation(file: "."), raw: entry, category: .secrets, confidence: .low, revealing: [value, text])
            }
        }

        /// Firebase databases: `[{url, open}]`; one MobSF found readable without authentication is a finding.
        mutating func readFirebase() {
            for item in root["firebase_urls"]?.array ?? [] where item["open"]?.bool == true {
                guard let url = item["url"]?.text else { continue }
                add(
                    rule: "firebase/open-database", title: "Firebase database readable without authentication",
                    description: "The app's Firebase database \(url) answers unauthenticated reads.", severity: .high, toolSeverity: nil,
                    location: CodeLocation(file: ".", snippet: url), raw: item, cwes: [306])
            }
        }
    }
}
