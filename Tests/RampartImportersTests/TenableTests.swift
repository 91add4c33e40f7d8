import Foundation
import RampartCore
import Testing

@testable import RampartImporters

/// What Tenable's exports say beyond the reference fixtures: exploit signals for the risk
/// model, and fixed vulnerabilities listed beside open ones.
@Suite("Tenable exports")
struct TenableTests {
    static func normalize(_ text: String) async throws -> NormalizedReport {
        try await ImportPipeline().normalize(Data(text.utf8), file: "tenable", context: ImportContext(secretSalt: [1]))
    }

    @Test("a Tenable.io export's fixed rows are not findings, and its exploit columns set the exploit maturity")
    func tenableIOExport() async throws {
        let report = try await Self.normalize(
            """
            asset.display_ipv4_address;definition.id;definition.name;definition.severity;port;protocol;state;definition.exploited_by_malware;definition.exploitability_ease;definition.vpr.drivers_exploit_code_maturity
            10.0.0.1;1001;Old OpenSSL;HIGH;443;TCP;ACTIVE;FALSE;AVAILABLE;PROOF_OF_CONCEPT
            10.0.0.1;1002;Wormable SMB;CRITICAL;445;TCP;RESURFACED;TRUE;AVAILABLE;HIGH
            10.0.0.1;1003;Patched thing;MEDIUM;80;TCP;FIXED;FALSE;AVAILABLE;FUNCTIONAL
            10.0.0.2;1004;No exploit known;LOW;22;TCP;NEW;FALSE;NOT_AVAILABLE;
            10.0.0.2;1005;Silent plugin;INFO;0;TCP;ACTIVE;;;

            """)
        #expect(report.format.id == "tenable-csv")
        let byRule = Dictionary(uniqueKeysWithValues: report.findings.map { ($0.ruleID, $0) })
        #expect(Set(byRule.keys) == ["1001", "1002", "1004", "1005"])
        #expect(byRule["1001"]?.exploitMaturity == .proofOfConcept)
        #expect(byRule["1002"]?.exploitMaturity == .high)
        #expect(byRule["1004"]?.exploitMaturity == .unproven)
        #expect(byRule["1005"]?.exploitMaturity == nil)
        #expect(report.diagnostics.contains { $0.message.contains("1 fixed vulnerability row(s)") })
    }

    @Test("Tenable.sc's Exploit? and Exploit Frameworks columns set the exploit maturity")
    func tenableSCExport() async throws {
        let report = try await Self.normalize(
            """
            Plugin,Plugin Name,Family,Severity,IP Address,Protocol,Port,Exploit?,Exploit Frameworks,Exploit Ease
            2001,Framework exploit,General,High,10.0.0.3,TCP,443,Yes,"Metasploit (Apache Struts REST Plugin)",Exploits are available
            2002,Plain exploit,General,High,10.0.0.3,TCP,8443,Yes,,Exploits are available
            2003,Nothing known,General,Medium,10.0.0.3,TCP,22,No,,No known exploits are available

            """)
        let byRule: [String: ExploitMaturity?] = Dictionary(uniqueKeysWithValues: report.findings.map { ($0.ruleID, $0.exploitMaturity) })
        #expect(byRule == ["2001": .functional, "2002": .proofOfConcept, "2003": .unproven])
    }

    @Test("a .nessus item's most mature exploit signal wins; an item that says nothing has none")
    func nessusXML() async throws {
        func item(_ id: Int, _ body: String) -> String {
            "<ReportItem port=\"443\" svc_name=\"www\" protocol=\"tcp\" severity=\"3\" pluginID=\"\(id)\" pluginName=\"P\(id)\" pluginFamily=\"General\">\(body)</ReportItem>"
        }
        let report = try await Self.normalize(
            """
            <?xml version="1.0" ?>
            <NessusClientData_v2><Report name="r"><ReportHost name="10.0.0.4"><HostProperties/>
            \(item(1, "<exploit_available>true</exploit_available><exploit_code_maturity>PoC</exploit_code_maturity><exploited_by_malware>true</exploited_by_malware>"))
            \(item(2, "<exploit_available>true</exploit_available><exploit_framework_metasploit>true</exploit_framework_metasploit>"))
            \(item(3, "<exploit_available>false</exploit_available><exploitability_ease>No exploit is required</exploitability_ease>"))
            \(item(4, "<exploit_code_maturity>Functional</exploit_code_maturity>"))
            \(item(5, "<synopsis>nothing about exploits</synopsis>"))
            </ReportHost></Report></NessusClientData_v2>
            """)
        let byRule = Dictionary(uniqueKeysWithValues: report.findings.map { ($0.ruleID, $0.exploitMaturity?.rawValue ?? "none") })
        #expect(byRule == ["1": "high", "2": "functional", "3": "unproven", "4": "functional", "5": "none"])
    }
}
