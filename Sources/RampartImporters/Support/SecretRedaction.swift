import Foundation
import RampartCore

/// A credential that a code scanner found written in the code (Bandit's hard-coded password
/// tests, Semgrep's secrets rules). The finding keeps the salted hash and a preview; every text
/// the finding or its kept record carries has the value replaced by the preview.
struct HardcodedSecret {
    /// The texts to hide: the secret itself, and any other text the tool printed it in.
    let values: [String]
    let evidence: SecretEvidence

    /// - Parameters:
    ///   - secret: the credential (or, when the tool does not isolate it, the text holding it).
    ///   - alsoHiding: other texts holding it, such as captured values.
    init?(_ secret: String?, alsoHiding others: [String] = [], salt: [UInt8]) {
        guard let secret = secret?.trimmingCharacters(in: .whitespacesAndNewlines), !secret.isEmpty else { return nil }
        evidence = SecretEvidence(secret: secret, salt: salt)
        // Longest first, so a value inside a longer one does not leave the rest of the longer one.
        values = ([secret] + others.filter { $0.count >= 4 }).sorted { $0.count > $1.count }
    }

    /// `text` with every hidden value replaced by the preview.
    func redact(_ text: String) -> String {
        values.reduce(text) { $0.replacingOccurrences(of: $1, with: evidence.preview) }
    }

    /// The record re-serialized with every string that holds a hidden value redacted, at any depth.
    func redactedRecord(_ node: JSONNode) -> RawEvidence {
        .jsonRewriting(node) { value, _, _ in
            switch value.kind {
            case .object, .array: return .descend
            case .string:
                let text = value.string ?? ""
                let redacted = redact(text)
                return redacted == text ? .keep : .replace(redacted)
            default: return .keep
            }
        }
    }
}

/// Whether a code scanner's rule reports secrets (Semgrep's `generic.secrets.*` rules and the
/// Semgrep Secrets product, rules tagged `secrets`): such findings carry the secret itself.
func isSecretsRule(_ ruleID: String, tags: [String] = []) -> Bool {
    let lowerTags = tags.map { $0.lowercased() }
    if lowerTags.contains("secrets") || lowerTags.contains("secret") || lowerTags.contains("hard-coded secrets") { return true }
    return ruleID.lowercased().split(whereSeparator: { $0 == "." || $0 == "/" }).contains("secrets")
}

/// Hard-coded password (259), cryptographic key (321) and credentials (798): code findings of
/// these weaknesses quote the credential in their snippet.
let hardcodedCredentialCWEs: Set<Int> = [259, 321, 798]
