import Foundation
import RampartCore

/// SSLyze JSON, both layouts: 3.x/4.x (`scan_commands_results`, results directly) and 5.x/6.x
/// (`scan_result.<command>.result`). One finding per weakness and server: Heartbleed, OpenSSL
/// CCS injection, ROBOT, insecure or client-initiated renegotiation, TLS compression (CRIME),
/// no TLS_FALLBACK_SCSV, SSL 2.0/3.0 and TLS 1.0/1.1 enabled, TLS 1.2/1.3 cipher suites outside
/// Mozilla's intermediate list, and certificates that are untrusted, expired (against the
/// scan's own date) or do not match the host name.
struct SSLyzeImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "sslyze-json", name: "SSLyze JSON", tool: "SSLyze", category: .infra, syntax: .json,
        notes: "3.x to 6.x: protocol, cipher, renegotiation, Heartbleed/CCS/ROBOT and certificate weaknesses per server",
        defectDojoScanTypes: ["SSLyze Scan (JSON)"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject else { return nil }
        return root["sslyze_version"] != nil && root["server_scan_results"] != nil ? .certain : nil
    }

    /// Mozilla's intermediate configuration (v5.7): the TLS 1.2 and 1.3 suites a server should offer.
    static let recommended: Set<String> = [
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
    ]

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected an SSLyze JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "SSLyze", version: root["sslyze_version"]?.text))
        // Certificates expire relative to when the scan ran, never to when the report is read.
        let scanDate = (root["date_scans_completed"]?.text ?? root["date_scans_started"]?.text).flatMap(Self.date)
        for server in root["server_scan_results"]?.array ?? [] {
            let location = server["server_location"] ?? server["server_info", "server_location"]
            guard let hostname = location?["hostname"]?.text ?? location?["ip_address"]?.text else {
                output.diagnostics.append(Diagnostic("server result without a host skipped", at: server.position))
                continue
            }
            if let status = server["scan_status"]?.string ?? server["connectivity_status"]?.string, status == "ERROR_NO_CONNECTIVITY" {
                output.diagnostics.append(Diagnostic("\(hostname): SSLyze could not connect; nothing was checked", at: server.position))
                continue
            }
            func result(_ command: String) -> JSONNode? {
                if let entry = server["scan_result", command] { return entry["status"]?.string == "COMPLETED" ? entry["result"] : nil }
                return server["scan_commands_results", command]
            }
            var checked = SSLyzeServer(host: hostname, port: location?["port"]?.int)
            checked.heartbleed = result("heartbleed")?["is_vulnerable_to_heartbleed"]?.bool
            checked.ccsInjection = result("openssl_ccs_injection")?["is_vulnerable_to_ccs_injection"]?.bool
            checked.robot = result("robot")?["robot_result"]?.string
            let renegotiation = result("session_renegotiation")
            checked.secureRenegotiation = renegotiation?["supports_secure_renegotiation"]?.bool
            checked.clientRenegotiation =
                renegotiation?["is_vulnerable_to_client_renegotiation_dos"]?.bool ?? renegotiation?["accepts_client_renegotiation"]?.bool
            checked.compression = result("tls_compression")?["supports_compression"]?.bool
            checked.fallbackSCSV = result("tls_fallback_scsv")?["supports_fallback_scsv"]?.bool
            for version in SSLyzeServer.Version.allCases {
                guard let suites = result(version.rawValue + "_cipher_suites") else { continue }
                checked.accepted[version] = (suites["accepted_cipher_suites"]?.array ?? []).compactMap { $0["cipher_suite", "name"]?.text }
            }
            for deployment in result("certificate_info")?["certificate_deployments"]?.array ?? [] {
                checked.untrustedStores += (deployment["path_validation_results"]?.array ?? []).filter { validation in
                    if let successful = validation["was_validation_successful"]?.bool { return !successful }
                    return validation["verified_certificate_chain"]?.isNull ?? true
                }.compactMap { $0["trust_store", "name"]?.text }
                if deployment["leaf_certificate_subject_matches_hostname"]?.bool == false { checked.hostnameMismatch = true }
                let leaf = deployment["received_certificate_chain"]?.array.first
                if let expiry = leaf?["not_valid_after"]?.text ?? leaf?["notAfter"]?.text { checked.expiry = expiry }
            }
            output.findings += checked.findings(scanDate: scanDate, tool: output.tool, raw: .json(server))
        }
        return output
    }

    /// SSLyze writes ISO 8601 dates with or without a zone (`2022-03-15T23:59:59`).
    static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate]
        if let date = formatter.date(from: String(text.prefix(19))) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}

/// What SSLyze found on one server, whichever report it came from.
struct SSLyzeServer {
    enum Version: String, CaseIterable {
        case ssl2 = "ssl_2_0"
        case ssl3 = "ssl_3_0"
        case tls10 = "tls_1_0"
        case tls11 = "tls_1_1"
        case tls12 = "tls_1_2"
        case tls13 = "tls_1_3"
    }

    var host: String
    var port: Int?
    var heartbleed: Bool?
    var ccsInjection: Bool?
    var robot: String?
    var secureRenegotiation: Bool?
    var clientRenegotiation: Bool?
    var compression: Bool?
    var fallbackSCSV: Bool?
    /// Accepted cipher suites by protocol version, for the versions that were checked.
    var accepted: [Version: [String]] = [:]
    var untrustedStores: [String] = []
    var hostnameMismatch = false
    /// The leaf certificate's expiry as written.
    var expiry: String?

    func findings(scanDate: Date?, tool: ToolInfo, raw: RawEvidence) -> [Finding] {
        let target = "\(host):\(port.map(String.init) ?? "443")"
        var findings: [Finding] = []
        func add(_ rule: String, _ title: String, _ severity: Severity, cves: [String] = [], cwe: Int, detail: String, remediation: String) {
            findings.append(
                Finding(
                    category: .infra, tool: tool, ruleID: rule, title: "\(title) (\(target))", description: detail, severity: severity, cwes: [cwe],
                    vulnerabilityIDs: .parsing(cves), location: .host(HostLocation(address: host, port: port, transport: "tcp", service: "tls")),
                    remediation: remediation, raw: raw))
        }
        if heartbleed == true {
            add(
                "heartbleed", "Vulnerable to Heartbleed", .critical, cves: ["CVE-2014-0160"], cwe: 125,
                detail: "The server's OpenSSL leaks process memory (keys, passwords) through TLS heartbeats.",
                remediation: "Upgrade OpenSSL and replace the private key and certificate.")
        }
        if ccsInjection == true {
            add(
                "ccs-injection", "Vulnerable to OpenSSL CCS injection", .high, cves: ["CVE-2014-0224"], cwe: 310,
                detail: "A man in the middle can force weak keying material on connections.", remediation: "Upgrade OpenSSL.")
        }
        if let robot, robot.hasPrefix("VULNERABLE") {
            add(
                "robot", "Vulnerable to ROBOT", robot.contains("STRONG") ? .high : .medium, cves: ["CVE-2017-13099"], cwe: 203,
                detail: "RSA key exchange leaks a Bleichenbacher oracle (\(robot)).",
                remediation: "Disable RSA key exchange cipher suites or patch the TLS stack.")
        }
        if secureRenegotiation == false {
            add(
                "insecure-renegotiation", "Insecure renegotiation", .high, cves: ["CVE-2009-3555"], cwe: 310,
                detail: "The server does not support secure renegotiation (RFC 5746).", remediation: "Enable secure renegotiation.")
        }
        if clientRenegotiation == true {
            add(
                "client-renegotiation", "Client-initiated renegotiation accepted", .medium, cwe: 400,
                detail: "Clients can renegotiate at will, which makes the server spend CPU on their behalf (denial of service).",
                remediation: "Disable client-initiated renegotiation.")
        }
        if compression == true {
            add(
                "tls-compression", "TLS compression enabled (CRIME)", .medium, cves: ["CVE-2012-4929"], cwe: 310,
                detail: "TLS-level compression lets an attacker recover secrets such as session cookies.", remediation: "Disable TLS compression.")
        }
        if fallbackSCSV == false {
            add(
                "no-fallback-scsv", "TLS_FALLBACK_SCSV not supported", .low, cwe: 757, detail: "Protocol downgrade attacks are not prevented.",
                remediation: "Support TLS_FALLBACK_SCSV or disable old protocols.")
        }
        let old: [(Version, String, Severity, [String])] = [
            (.ssl2, "SSL 2.0", .high, ["CVE-2016-0800"]), (.ssl3, "SSL 3.0", .high, ["CVE-2014-3566"]), (.tls10, "TLS 1.0", .medium, []),
            (.tls11, "TLS 1.1", .medium, []),
        ]
        for (version, name, severity, cves) in old where !(accepted[version] ?? []).isEmpty {
            add(
                version.rawValue, "\(name) not recommended", severity, cves: cves, cwe: 327, detail: "The server accepts \(name) connections.",
                remediation: "Disable \(name); offer TLS 1.2 and 1.3 only.")
        }
        for (version, name) in [(Version.tls12, "TLS 1.2"), (.tls13, "TLS 1.3")] {
            let weak = (accepted[version] ?? []).filter { !SSLyzeImporter.recommended.contains($0) }
            guard !weak.isEmpty else { continue }
            add(
                version.rawValue + "-ciphers", "Unrecommended cipher suites for \(name)", .medium, cwe: 327,
                detail: "Accepted suites outside Mozilla's intermediate configuration:\n" + weak.joined(separator: "\n"),
                remediation: "Offer only the intermediate configuration's suites (AEAD with forward secrecy).")
        }
        if !untrustedStores.isEmpty {
            add(
                "certificate-untrusted", "Certificate not trusted", .high, cwe: 295,
                detail: "The chain does not validate against: " + untrustedStores.uniqued().joined(separator: ", "),
                remediation: "Serve a certificate chain issued by a public CA, with its intermediates.")
        }
        if hostnameMismatch {
            add(
                "certificate-hostname-mismatch", "Certificate does not match the host name", .high, cwe: 297,
                detail: "The leaf certificate names neither \(host) nor a wildcard covering it.",
                remediation: "Serve a certificate for this host name.")
        }
        if let scanDate, let expiry, let date = SSLyzeImporter.date(expiry), date < scanDate {
            add(
                "certificate-expired", "Certificate expired", .high, cwe: 298, detail: "The leaf certificate expired on \(expiry).",
                remediation: "Renew the certificate.")
        }
        return findings
    }
}

/// SSLyze 1.x and 2.x XML (`document/results/target`), the same checks as its JSON. The XML
/// carries no scan date, so expiry is not judged from it.
struct SSLyzeXMLImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "sslyze-xml", name: "SSLyze XML", tool: "SSLyze", category: .infra, syntax: .xml,
        notes: "1.x and 2.x XML: protocol, cipher, renegotiation, Heartbleed/CCS/ROBOT and certificate weaknesses per target",
        defectDojoScanTypes: ["Sslyze Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.xmlRoot, root.localName == "document" else { return nil }
        return root.attributes["SSLyzeVersion"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.xmlRoot else { throw ImportError.content("expected an SSLyze XML document") }
        var output = ImporterOutput(tool: ToolInfo(name: "SSLyze", version: root.attributes["SSLyzeVersion"]))
        let versions: [String: SSLyzeServer.Version] = [
            "sslv2": .ssl2, "sslv3": .ssl3, "tlsv1": .tls10, "tlsv1_1": .tls11, "tlsv1_2": .tls12, "tlsv1_3": .tls13,
        ]
        for target in root.child("results")?.children("target") ?? [] {
            guard let host = target.attributes["host"] ?? target.attributes["ip"] else { continue }
            var checked = SSLyzeServer(host: host, port: ReportInteger.parse(target.attributes["port"]))
            func flag(_ path: [String], _ attribute: String) -> Bool? {
                var element: XMLElement? = target
                for name in path { element = element?.child(name) }
                return element?.attributes[attribute].map { $0.lowercased() == "true" }
            }
            checked.heartbleed = flag(["heartbleed", "openSslHeartbleed"], "isVulnerable")
            checked.ccsInjection = flag(["openssl_ccs", "openSslCcsInjection"], "isVulnerable")
            checked.robot = target.path("robot", "robotAttack")?.attributes["resultEnum"]
            checked.secureRenegotiation = flag(["reneg", "sessionRenegotiation"], "isSecure")
            checked.clientRenegotiation = flag(["reneg", "sessionRenegotiation"], "canBeClientInitiated")
            checked.compression = flag(["compression", "compressionMethod"], "isSupported")
            checked.fallbackSCSV = flag(["fallback", "tlsFallbackScsv"], "isSupported")
            for (name, version) in versions {
                guard let element = target.child(name) else { continue }
                checked.accepted[version] = (element.child("acceptedCipherSuites")?.children("cipherSuite") ?? []).compactMap {
                    $0.attributes["name"]
                }
            }
            if let validation = target.path("certinfo", "certificateValidation") {
                checked.untrustedStores = validation.children("pathValidation").filter { $0.attributes["validationResult"] != "ok" }.compactMap {
                    $0.attributes["usingTrustStore"]
                }
                checked.hostnameMismatch = validation.child("hostnameValidation")?.attributes["certificateMatchesServerHostname"] == "False"
            }
            output.findings += checked.findings(scanDate: nil, tool: output.tool, raw: .xml(target))
        }
        return output
    }
}
