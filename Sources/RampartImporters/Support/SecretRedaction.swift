import Foundation
import RampartCore

/// Where a format's records carry secrets: each importer that can report one declares its
/// fields here, and hands the values it finds there to the pipeline as `revealedSecrets`.
/// Hiding them is not the importer's job: `SecretRedaction` does it in one place for every
/// field of the finding and for the kept record.
package struct SecretFields: Sendable {
    /// Member paths whose value is the secret itself, in order of preference (the first one
    /// present is hashed for identity). `*` steps into every element of an array.
    var secret: [[String]]
    /// Member paths whose text quotes the secret with context (a matched line, a snippet): hidden
    /// whole, wherever it appears.
    var quoting: [[String]]
    /// Texts that quote the secret on a labelled line (Trivy's SARIF message: `Match: ...`):
    /// the rest of each line after the label is hidden.
    var labelled: [(path: [String], label: String)]

    init(secret: [[String]], quoting: [[String]] = [], labelled: [(path: [String], label: String)] = []) {
        self.secret = secret
        self.quoting = quoting
        self.labelled = labelled
    }

    /// The string values at `path` below `node`.
    static func strings(at path: ArraySlice<String>, in node: JSONNode) -> [String] {
        guard let first = path.first else {
            if let text = node.string { return text.isEmpty ? [] : [text] }
            return node.isArray ? node.array.compactMap(\.string).filter { !$0.isEmpty } : []
        }
        if first == "*" { return node.array.flatMap { strings(at: path.dropFirst(), in: $0) } }
        guard let child = node[first] else { return [] }
        return strings(at: path.dropFirst(), in: child)
    }

    /// The values to hide in `record`: the secret first (when a secret path is present), then
    /// every quoting text.
    func values(in record: JSONNode) -> [String] {
        var found: [String] = []
        for path in secret {
            let values = Self.strings(at: path[...], in: record)
            if !values.isEmpty {
                found += values
                break
            }
        }
        for path in quoting { found += Self.strings(at: path[...], in: record) }
        for (path, label) in labelled {
            for text in Self.strings(at: path[...], in: record) {
                for line in text.split(whereSeparator: \.isNewline) {
                    guard let range = line.range(of: label) else { continue }
                    let value = line[range.upperBound...].trimmingCharacters(in: .whitespaces)
                    if !value.isEmpty { found.append(value) }
                }
            }
        }
        return found
    }
}

/// The pipeline stage that hides secrets. For each finding with revealed secrets it keeps a
/// salted hash and a redacted preview of the first (unless the importer set `secret` itself),
/// and replaces every revealed value by the preview in every text the finding carries and in
/// its kept record (JSON strings at any depth, XML text and attributes), then forgets them.
enum SecretRedaction {
    /// Values shorter than this are hidden only where they stand whole (a field equal to one),
    /// never inside other text, where two characters would match everywhere.
    static let shortestHiddenInText = 4

    static func apply(_ finding: inout Finding, salt: [UInt8]) {
        let revealed = finding.revealedSecrets.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        finding.revealedSecrets = []
        guard let first = revealed.first else { return }
        let evidence = finding.secret ?? SecretEvidence(secret: first, salt: salt)
        finding.secret = evidence
        // Longest first, so that a value inside a longer one does not leave the rest of the longer one.
        let values = Array(Set(revealed)).sorted { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }
        let hider = Hider(values: values, replacement: evidence.preview)
        finding.title = hider.hide(finding.title)
        finding.description = finding.description.map(hider.hide)
        finding.remediation = finding.remediation.map(hider.hide)
        finding.references = finding.references.map(hider.hide)
        finding.tags = finding.tags.map(hider.hide)
        finding.toolFingerprint = finding.toolFingerprint.map(hider.hide)
        if var suppression = finding.suppression {
            suppression.justification = suppression.justification.map(hider.hide)
            finding.suppression = suppression
        }
        switch finding.location {
        case .code(var code):
            code.file = hider.hide(code.file)
            code.snippet = code.snippet.map(hider.hide)
            finding.location = .code(code)
        case .iac(var iac):
            iac.file = hider.hide(iac.file)
            iac.resource = iac.resource.map(hider.hide)
            finding.location = .iac(iac)
        case .endpoint(var endpoint):
            endpoint.url = hider.hide(endpoint.url)
            endpoint.parameter = endpoint.parameter.map(hider.hide)
            endpoint.evidence = endpoint.evidence.map(hider.hide)
            finding.location = .endpoint(endpoint)
        case .design(var design):
            design.model = design.model.map(hider.hide)
            design.element = design.element.map(hider.hide)
            finding.location = .design(design)
        case .package, .containerImage, .cloud, .host:
            break
        }
        if let raw = finding.raw { finding.raw = hider.hide(raw) }
    }

    struct Hider {
        var values: [String]
        var replacement: String

        func hide(_ text: String) -> String {
            var text = text
            for value in values {
                if value.count < SecretRedaction.shortestHiddenInText {
                    if text.trimmingCharacters(in: .whitespacesAndNewlines) == value { return replacement }
                } else if value.utf8.allSatisfy({ $0 < 0x80 }) {
                    // Every string of a secret finding's record is searched: an ASCII value is
                    // found on bytes (Foundation's search bridged each string through NSString).
                    // A byte match inside a composed character would hide more, never less.
                    if let hidden = Self.replacing(value, in: text, with: replacement) { text = hidden }
                } else if text.contains(value) {
                    text = text.replacingOccurrences(of: value, with: replacement)
                }
            }
            return text
        }

        /// `text` with every occurrence of `value` (left to right, not overlapping) replaced;
        /// nil when there is none.
        static func replacing(_ value: String, in text: String, with replacement: String) -> String? {
            var value = value
            var text = text
            return value.withUTF8 { needle in
                text.withUTF8 { bytes -> String? in
                    guard let first = needle.first, needle.count <= bytes.count else { return nil }
                    var result: [UInt8] = []
                    var copied = 0
                    var index = 0
                    while index + needle.count <= bytes.count {
                        if bytes[index] == first && bytes[index..<(index + needle.count)].elementsEqual(needle) {
                            result.append(contentsOf: bytes[copied..<index])
                            result.append(contentsOf: replacement.utf8)
                            index += needle.count
                            copied = index
                        } else {
                            index += 1
                        }
                    }
                    guard copied > 0 else { return nil }
                    result.append(contentsOf: bytes[copied...])
                    return String(decoding: result, as: UTF8.self)
                }
            }
        }

        func hide(_ raw: RawEvidence) -> RawEvidence {
            switch raw.format {
            case "json":
                // Rewritten through the JSON reader, so that a value written with escapes
                // (Go writes & < > as \u0026 \u003c \u003e) is found as well.
                if let document = try? JSONDocument(data: Data(raw.bytes), allowMultipleRoots: false), let root = document.root {
                    return RawEvidence.jsonRewriting(root) { node, _, _ in
                        switch node.kind {
                        case .object, .array: return .descend
                        case .string:
                            let text = node.string ?? ""
                            let hidden = hide(text)
                            return hidden == text ? .keep : .replace(hidden)
                        default: return .keep
                        }
                    }
                }
                return RawEvidence(format: raw.format, bytes: Data(hideBytes(String(decoding: raw.bytes, as: UTF8.self)).utf8))
            case "xml":
                // Rewritten through the XML reader: the record is the tool's text as written, and a
                // value may be written with any character reference (`&#x26;`, `&gt;` or `>`).
                if let document = try? XMLReader.parse(Data(raw.bytes)) {
                    return RawEvidence(format: raw.format, bytes: Data(hidden(document.root).xmlString.utf8))
                }
                return RawEvidence(format: raw.format, bytes: Data(hideBytes(String(decoding: raw.bytes, as: UTF8.self)).utf8))
            default:
                return RawEvidence(format: raw.format, bytes: Data(hideBytes(String(decoding: raw.bytes, as: UTF8.self)).utf8))
            }
        }

        /// The element with the values hidden in its text and attributes, at any depth.
        func hidden(_ element: XMLElement) -> XMLElement {
            XMLElement(
                name: element.name, attributes: element.attributes.mapValues(hide), children: element.children.map(hidden),
                text: hide(element.text), line: element.line)
        }

        /// Text replacement for serialized records: the value as written and as XML escapes it.
        func hideBytes(_ text: String) -> String {
            var text = hide(text)
            for value in values where value.count >= SecretRedaction.shortestHiddenInText {
                let escaped = XMLElement.escape(value)
                if escaped != value { text = text.replacingOccurrences(of: escaped, with: replacement) }
                // A CSV field doubles the quotes of the value it holds.
                let quoted = value.replacingOccurrences(of: "\"", with: "\"\"")
                if quoted != value { text = text.replacingOccurrences(of: quoted, with: replacement) }
            }
            return text
        }
    }
}

/// Whether a code scanner's rule reports secrets (Semgrep's `generic.secrets.*` rules and the
/// Semgrep Secrets product, rules tagged `secrets`): such findings carry the secret itself.
func isSecretsRule(_ ruleID: String, tags: [String] = []) -> Bool {
    let lowerTags = tags.map { $0.lowercased() }
    if lowerTags.contains("secrets") || lowerTags.contains("secret") || lowerTags.contains("hard-coded secrets") { return true }
    // Read on bytes: a rule id's parts are compared with "secrets" in any ASCII case (no other
    // character lowercases to one of its letters).
    return ruleID.utf8.split(whereSeparator: { $0 == 0x2E || $0 == 0x2F }).contains { part in
        part.count == 7 && zip(part, "secrets".utf8).allSatisfy { ($0 | 0x20) == $1 }
    }
}

extension SecretRedaction {
    /// The safety net under every importer: a code finding about a hard-coded credential (a
    /// secrets finding, or one of `hardcodedCredentialCWEs`) whose importer revealed nothing
    /// still quotes the credential in its snippet (njsscan's `match_string`, a linter's line).
    /// Its quoted literals and the snippet itself are hidden, as the SARIF reader hides them.
    static func revealQuotedCredential(_ finding: inout Finding) {
        guard finding.revealedSecrets.isEmpty, finding.secret == nil, case .code(let code) = finding.location, let snippet = code.snippet,
            !snippet.isEmpty, finding.category == .secrets || !Set(finding.cwes).isDisjoint(with: hardcodedCredentialCWEs)
        else { return }
        let literals = quotedLiterals(in: snippet)
        let unmasked = literals.filter { literal in !literal.allSatisfy { "*•xX#?".contains($0) } }
        // The tool masked every literal it quotes (Checkmarx's `"****"`): nothing is left to hide.
        if !literals.isEmpty && unmasked.isEmpty { return }
        finding.revealedSecrets = unmasked + [snippet]
    }
}

/// Hard-coded password (259), cryptographic key (321) and credentials (798): code findings of
/// these weaknesses quote the credential in their snippet.
let hardcodedCredentialCWEs: Set<Int> = [259, 321, 798]

/// The string literals quoted in a line of code (`"..."` or `'...'`, four characters or more):
/// where a hard-coded credential sits in the code a scanner flags.
func quotedLiterals(in code: String) -> [String] {
    var literals: [String] = []
    for line in code.split(whereSeparator: \.isNewline) {
        var quote: Character?
        var current = ""
        for character in line {
            if let open = quote {
                if character == open {
                    if current.count >= 4 { literals.append(current) }
                    quote = nil
                    current = ""
                } else {
                    current.append(character)
                }
            } else if character == "\"" || character == "'" {
                quote = character
            }
        }
    }
    return literals
}
