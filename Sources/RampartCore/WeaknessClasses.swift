/// Weakness classes: groups of CWEs that describe one kind of problem as different tools name
/// it (CWE-89 and CWE-943 are both SQL injection; CWE-259 and CWE-798 both hard-coded
/// credentials). Correlation compares classes, not CWE numbers, so that Bandit's CWE-89 and
/// a Semgrep rule's CWE-943 on one line are one issue (docs/correlation.md). A CWE no class
/// lists is a class of its own.
public enum WeaknessClass {
    /// Class name → its CWEs, following the CWE hierarchy's parents and children that tools use
    /// interchangeably for one finding.
    static let groups: [(name: String, cwes: [Int])] = [
        ("sql-injection", [89, 564, 943]),
        ("os-command-injection", [77, 78, 88]),
        ("code-injection", [94, 95, 96, 1336]),
        ("cross-site-scripting", [79, 80, 83, 87]),
        ("path-traversal", [22, 23, 35, 36, 73]),
        ("xml-external-entity", [611, 776, 827]),
        ("ldap-injection", [90]),
        ("xpath-injection", [643]),
        ("header-injection", [113, 644, 93]),
        ("log-injection", [117]),
        ("ssrf", [918]),
        ("open-redirect", [601]),
        ("csrf", [352]),
        ("deserialization", [502]),
        ("hard-coded-credentials", [259, 321, 798, 547]),
        ("weak-cryptography", [326, 327, 328, 780, 916, 1240]),
        ("weak-randomness", [330, 331, 335, 338]),
        ("certificate-validation", [295, 296, 297, 599]),
        ("cleartext-transmission", [319, 311, 523]),
        ("cleartext-storage", [312, 313, 315, 922]),
        ("information-exposure", [200, 201, 209, 497, 532, 538, 215]),
        ("debug-enabled", [489, 215]),
        ("insecure-temporary-file", [377, 378, 379, 108]),
        ("permissions", [276, 277, 278, 279, 281, 732]),
        ("authorization", [285, 862, 863, 639, 284]),
        ("authentication", [287, 306, 307, 1390]),
        ("session", [384, 613]),
        ("cookie-flags", [614, 1004, 1275]),
        ("resource-exhaustion", [400, 770, 1333, 409]),
        ("error-handling", [390, 391, 703, 754, 755]),
        ("input-validation", [20, 1284, 1287]),
        ("mass-assignment", [915]),
        ("unrestricted-upload", [434]),
        ("clickjacking", [1021]),
        ("cors", [942, 346]),
        ("prototype-pollution", [1321]),
        ("race-condition", [362, 367]),
        ("null-dereference", [476]),
        ("buffer-overflow", [119, 120, 121, 122, 125, 131, 787, 805]),
        ("integer-overflow", [190, 191, 680]),
        ("format-string", [134]),
        ("use-after-free", [416, 415]),
        ("binding-all-interfaces", [605, 1327]),
        ("security-misconfiguration", [16, 1032]),
    ]

    static let byCWE: [Int: String] = {
        var map: [Int: String] = [:]
        for group in groups {
            for cwe in group.cwes where map[cwe] == nil { map[cwe] = group.name }
        }
        return map
    }()

    /// The class of one CWE.
    public static func of(cwe: Int) -> String {
        byCWE[cwe] ?? "cwe-\(cwe)"
    }

    /// Whether two CWEs name compatible weaknesses.
    public static func compatible(_ a: Int, _ b: Int) -> Bool {
        a == b || of(cwe: a) == of(cwe: b)
    }
}

/// Which weakness each rule of the main SAST tools detects, for when the tool gives no CWE or
/// a wrong one (docs/correlation.md lists the tables). A rule's CWEs here are added to the
/// tool's own.
public enum RuleWeaknesses {
    /// Bandit test ids, from Bandit's plugin documentation.
    static let bandit: [String: [Int]] = [
        "B101": [703], "B102": [78], "B103": [732], "B104": [605], "B105": [259], "B106": [259], "B107": [259], "B108": [377],
        "B110": [703], "B112": [703], "B113": [400], "B201": [94], "B202": [22], "B301": [502], "B302": [502], "B303": [327],
        "B304": [327], "B305": [327], "B306": [377], "B307": [78], "B308": [79], "B310": [22], "B311": [330], "B312": [319],
        "B313": [20], "B314": [20], "B315": [20], "B316": [20], "B317": [20], "B318": [20], "B319": [20], "B320": [20], "B321": [319],
        "B323": [295], "B324": [327], "B401": [319], "B402": [319], "B403": [502], "B404": [78], "B405": [20], "B406": [20],
        "B407": [20], "B408": [20], "B409": [20], "B410": [20], "B411": [20], "B412": [20], "B413": [327], "B415": [327],
        "B501": [295], "B502": [327], "B503": [327], "B504": [327], "B505": [326], "B506": [20], "B507": [295], "B508": [319],
        "B509": [319], "B601": [78], "B602": [78], "B603": [78], "B604": [78], "B605": [78], "B606": [78], "B607": [78],
        "B608": [89], "B609": [78], "B610": [89], "B611": [89], "B612": [94], "B613": [838], "B614": [502], "B615": [494],
        "B701": [94], "B702": [79], "B703": [79], "B704": [79],
    ]

    /// CodeQL query ids (`language/name`), from CodeQL's query help.
    static let codeql: [String: [Int]] = [
        "sql-injection": [89], "command-line-injection": [78], "shell-command-injection-from-environment": [78],
        "unsafe-shell-command-construction": [78], "code-injection": [94], "reflective-xss": [79], "xss": [79],
        "stored-xss": [79], "xss-through-dom": [79], "path-injection": [22], "tainted-path": [22], "zipslip": [22],
        "xxe": [611], "unsafe-deserialization": [502], "request-forgery": [918], "full-ssrf": [918], "partial-ssrf": [918],
        "url-redirection": [601], "server-side-unvalidated-url-redirection": [601], "client-side-unvalidated-url-redirection": [601],
        "hardcoded-credentials": [798], "weak-cryptographic-algorithm": [327], "weak-sensitive-data-hashing": [328],
        "insecure-randomness": [338], "clear-text-logging-sensitive-data": [312], "clear-text-storage-sensitive-data": [312],
        "stack-trace-exposure": [209], "flask-debug": [489], "missing-rate-limiting": [770], "polynomial-redos": [1333],
        "redos": [1333], "log-injection": [117], "ldap-injection": [90], "xpath-injection": [643], "template-injection": [1336],
        "missing-token-validation": [352], "insecure-cookie": [614], "request-without-cert-validation": [295],
        "disabling-certificate-validation": [295], "prototype-pollution": [1321], "prototype-polluting-assignment": [1321],
    ]

    /// Words in Semgrep's public rule ids (`python.lang.security.audit.formatted-sql-query`)
    /// and in other tools' rule names, in order: the first that appears names the weakness.
    static let keywords: [(word: String, cwes: [Int])] = [
        ("sql", [89]), ("nosql", [943]), ("subprocess", [78]), ("command-injection", [78]), ("os-command", [78]),
        ("shell", [78]), ("xss", [79]), ("cross-site-scripting", [79]), ("path-traversal", [22]), ("directory-traversal", [22]),
        ("xxe", [611]), ("ssrf", [918]), ("open-redirect", [601]), ("csrf", [352]), ("pickle", [502]), ("deserializ", [502]),
        ("yaml-load", [502]), ("hardcoded", [798]), ("hard-coded", [798]), ("password", [798]), ("secret", [798]),
        ("md5", [328]), ("sha1", [328]), ("weak-hash", [328]), ("insecure-hash", [328]), ("random", [330]), ("eval", [95]),
        ("exec", [95]), ("code-injection", [94]), ("debug", [489]), ("redos", [1333]), ("tls", [295]), ("ssl", [295]),
        ("cert", [295]), ("ldap", [90]), ("xpath", [643]), ("template", [1336]), ("redirect", [601]), ("tempfile", [377]),
        ("mktemp", [377]), ("cookie", [614]), ("cors", [942]), ("prototype", [1321]),
    ]

    /// The CWEs a tool's rule detects by the Bandit and CodeQL tables, which are exact; and,
    /// only when `inferring` (the tool gave no CWE), by the keywords of its rule id.
    public static func cwes(tool: String, ruleID: String, inferring: Bool) -> [Int] {
        let rule = ruleID.lowercased()
        let toolID = ToolIdentity.canonicalID(tool)
        // `b` and three digits: a Bandit test id from whatever tool carried it (a regular
        // expression here cost more than the rest of correlating a DAST finding).
        let banditShaped =
            rule.utf8.count == 4 && rule.utf8.first == UInt8(ascii: "b") && rule.utf8.dropFirst().allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
        if toolID == "bandit" || banditShaped {
            if let cwes = bandit[ruleID.uppercased().prefix(4).description] { return cwes }
        }
        if toolID == "codeql" || rule.utf8.contains(0x2F) {
            let name = rule.split(separator: "/").last.map(String.init) ?? rule
            if let cwes = codeql[name] { return cwes }
        }
        if inferring {
            // Searched on the bytes: a rule id is short, and a Foundation substring search per
            // keyword was a visible part of correlating a large report.
            let bytes = Array(rule.utf8)
            for keyword in keywords where Self.contains(bytes, keyword.word.utf8) { return keyword.cwes }
        }
        return []
    }

    static func contains(_ haystack: [UInt8], _ needle: String.UTF8View) -> Bool {
        let count = needle.count
        guard count > 0, haystack.count >= count else { return count == 0 }
        let first = needle.first!
        for start in 0...(haystack.count - count) where haystack[start] == first && haystack[start..<(start + count)].elementsEqual(needle) {
            return true
        }
        return false
    }
}
