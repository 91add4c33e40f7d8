import Foundation
import RampartCore

/// sslscan's XML output (`--xml=`): per host and port, the protocols and ciphers the server
/// accepts, Heartbleed per protocol version, renegotiation, compression, fallback protection
/// and the certificate. Weaknesses become findings: Heartbleed, SSLv2/SSLv3 and TLS 1.0/1.1
/// enabled, each weak, null or anonymous cipher, insecure renegotiation, TLS compression
/// (CRIME), no fallback protection, and an expired or self-signed certificate or a short key.
struct SSLScanImporter: ReportImporter {
    let info = FormatInfo(
        id: "sslscan-xml", name: "sslscan XML", tool: "sslscan", category: .infra, syntax: .xml,
        notes: "TLS weaknesses per host and port: Heartbleed, old protocols, weak ciphers, renegotiation, compression, certificate",
        defectDojoScanTypes: ["Sslscan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.xmlRoot, root.localName == "document" else { return nil }
        if root.attributes["title"] == "SSLScan Results" { return .certain }
        return root.child("ssltest") != nil ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.xmlRoot else { throw ImportError.content("expected an XML document") }
        var output = ImporterOutput(tool: ToolInfo(name: "sslscan", version: root.attributes["version"]))
        for test in root.children("ssltest") {
            let host = test.attributes["host"] ?? "unknown"
            let location = Location.host(
                HostLocation(address: host, port: test.attributes["port"].flatMap(ReportInteger.parse) ?? 443, transport: "tcp", service: "tls"))
            func add(
                _ rule: String, _ title: String, _ description: String, _ severity: Severity, cwes: [Int] = [], cves: [String] = [], raw: XMLElement
            ) {
                output.findings.append(
                    Finding(
                        category: .infra, tool: output.tool, ruleID: rule, title: title, description: description, severity: severity, cwes: cwes,
                        vulnerabilityIDs: .parsing(cves), location: location, raw: .xml(raw)))
            }
            let heartbleed = test.children("heartbleed").filter { $0.attributes["vulnerable"] == "1" }
            if let first = heartbleed.first {
                add(
                    "heartbleed", "Heartbleed",
                    "The server is vulnerable to Heartbleed over \(heartbleed.compactMap { $0.attributes["sslversion"] }.joined(separator: ", ")).",
                    .critical, cwes: [125], cves: ["CVE-2014-0160"], raw: first)
            }
            for element in test.children("protocol") where element.attributes["enabled"] == "1" {
                let name = "\(element.attributes["type"]?.uppercased() == "SSL" ? "SSLv" : "TLSv")\(element.attributes["version"] ?? "")"
                switch name {
                case "SSLv2", "SSLv3":
                    add("protocol:\(name)", "\(name) enabled", "The server accepts \(name), which is broken.", .high, cwes: [327], raw: element)
                case "TLSv1.0", "TLSv1.1":
                    add(
                        "protocol:\(name)", "\(name) enabled", "The server accepts \(name), which is deprecated (RFC 8996).", .medium, cwes: [327],
                        raw: element)
                default: break
                }
            }
            for cipher in test.children("cipher") {
                let strength = cipher.attributes["strength"] ?? ""
                guard ["weak", "null", "anonymous", "medium"].contains(strength) else { continue }
                let name = cipher.attributes["cipher"] ?? "cipher"
                let version = cipher.attributes["sslversion"] ?? ""
                add(
                    "cipher:\(version):\(name)", "\(strength.prefix(1).uppercased() + strength.dropFirst()) cipher accepted: \(name) (\(version))",
                    "The server accepts \(name) over \(version) (\(cipher.attributes["bits"] ?? "?") bits), rated \(strength) by sslscan.",
                    strength == "medium" ? .low : .medium, cwes: [327], raw: cipher)
            }
            if let renegotiation = test.child("renegotiation"), renegotiation.attributes["supported"] == "1",
                renegotiation.attributes["secure"] != "1"
            {
                add(
                    "insecure-renegotiation", "Insecure TLS renegotiation", "The server supports renegotiation without RFC 5746's protection.",
                    .medium, cves: ["CVE-2009-3555"], raw: renegotiation)
            }
            if let compression = test.child("compression"), compression.attributes["supported"] == "1" {
                add(
                    "compression", "TLS compression enabled", "TLS compression exposes the connection to CRIME.", .medium, cves: ["CVE-2012-4929"],
                    raw: compression)
            }
            if let fallback = test.child("fallback"), fallback.attributes["supported"] == "0" {
                add(
                    "no-fallback-scsv", "TLS fallback SCSV not supported", "The server does not protect against protocol downgrade (RFC 7507).", .low,
                    raw: fallback)
            }
            if let certificate = test.child("certificate") ?? test.child("certificates")?.child("certificate") {
                if certificate.childText("expired") == "true" {
                    add(
                        "certificate-expired", "Certificate expired",
                        "The certificate expired on \(certificate.childText("not-valid-after") ?? "an earlier date").", .high, cwes: [298],
                        raw: certificate)
                }
                if certificate.childText("self-signed") == "true" {
                    add(
                        "certificate-self-signed", "Self-signed certificate", "The certificate is signed by its own key.", .medium, cwes: [295],
                        raw: certificate)
                }
                if let key = certificate.child("pk"), let bits = key.attributes["bits"].flatMap(ReportInteger.parse), key.attributes["type"] == "RSA",
                    bits < 2048
                {
                    add(
                        "weak-key", "Weak RSA key (\(bits) bits)", "The certificate's RSA key has \(bits) bits; 2048 is the minimum.", .medium,
                        cwes: [326], raw: key)
                }
            }
        }
        return output
    }
}
