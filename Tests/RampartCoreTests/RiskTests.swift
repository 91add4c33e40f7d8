import Foundation
import RampartCore
import Testing

@Suite("Risk model and SSVC")
struct RiskTests {
    @Test(
        "CISA's SSVC tree, row by row",
        arguments: [
            ("none", false, "partial", "low", "track"), ("none", false, "total", "high", "track*"), ("none", true, "partial", "high", "attend"),
            ("none", true, "total", "medium", "track"), ("poc", false, "partial", "high", "track*"), ("poc", false, "total", "medium", "track*"),
            ("poc", false, "total", "high", "attend"), ("poc", true, "partial", "medium", "track"), ("poc", true, "total", "medium", "track*"),
            ("poc", true, "partial", "high", "attend"), ("active", false, "partial", "medium", "track"),
            ("active", false, "partial", "high", "attend"), ("active", false, "total", "low", "track"),
            ("active", false, "total", "medium", "attend"),
            ("active", false, "total", "high", "act"), ("active", true, "partial", "low", "attend"), ("active", true, "partial", "medium", "attend"),
            ("active", true, "partial", "high", "act"), ("active", true, "total", "low", "attend"), ("active", true, "total", "medium", "act"),
        ])
    func ssvcTree(exploitation: String, automatable: Bool, impact: String, mission: String, decision: String) throws {
        let result = SSVCAssessment.decide(
            try #require(SSVCAssessment.Exploitation(rawValue: exploitation)), automatable,
            try #require(SSVCAssessment.TechnicalImpact(rawValue: impact)),
            try #require(SSVCAssessment.MissionWellbeing(rawValue: mission)))
        #expect(result.rawValue == decision)
    }

    @Test("every combination of the tree has a decision, and more exploitation never lowers it")
    func ssvcMonotone() {
        for automatable in [false, true] {
            for impact in SSVCAssessment.TechnicalImpact.allCases {
                for mission in SSVCAssessment.MissionWellbeing.allCases {
                    let decisions = SSVCAssessment.Exploitation.allCases.map { SSVCAssessment.decide($0, automatable, impact, mission) }
                    #expect(decisions == decisions.sorted())
                }
            }
        }
    }

    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"

    func assess(kev: Bool, epss: Double?, context: ComponentContext?) -> RiskAssessment {
        RiskModel.assess(
            RiskInput(
                severity: .critical, cvssScore: 9.8, cvssVector: Self.vector,
                kev: kev ? KEVEntry(cve: "CVE-2021-44228", dateAdded: "2021-12-10") : nil,
                epss: epss.map { EPSSScore(cve: "CVE-2021-44228", probability: $0, percentile: 0.5) }, firstSeen: Self.now, context: context),
            now: Self.now)
    }

    @Test(
        "a KEV-listed vulnerability in an internet-facing production app of high criticality outranks an equal-CVSS one not in KEV; both outrank it in an isolated dev component"
    )
    func ranking() {
        let exposed = ComponentContext(criticality: .high, exposure: .internet, production: true, data: [.pii])
        let isolatedDev = ComponentContext(criticality: .high, exposure: .isolated, production: false, data: [.pii])
        let kevExposed = assess(kev: true, epss: 0.94, context: exposed)
        let plainExposed = assess(kev: false, epss: 0.002, context: exposed)
        let kevIsolated = assess(kev: true, epss: 0.94, context: isolatedDev)
        #expect(kevExposed.score > plainExposed.score)
        #expect(plainExposed.score > kevIsolated.score)
        #expect(kevExposed.ssvc.decision == .act)
        #expect(kevIsolated.ssvc.automatable == false)
        #expect(plainExposed.ssvc.exploitation == SSVCAssessment.Exploitation.none)
    }

    @Test("the factors add up to the score and say why")
    func explainable() {
        for assessment in [
            assess(kev: true, epss: 0.94, context: ComponentContext(criticality: .critical, exposure: .internet, production: true, data: [.pci])),
            assess(kev: false, epss: 0.3, context: ComponentContext(criticality: .low, exposure: .internal, production: false, data: [])),
            assess(kev: false, epss: nil, context: nil),
        ] {
            let sum = assessment.factors.map(\.contribution).reduce(0, +)
            #expect(abs(sum - assessment.score) < 0.05)
            #expect((0...100).contains(assessment.score))
            #expect(
                Set(assessment.factors.map(\.name)).isSuperset(of: ["severity", "exploitation", "exposure", "criticality", "environment", "data"]))
        }
        let capped = assess(
            kev: true, epss: 0.94, context: ComponentContext(criticality: .critical, exposure: .internet, production: true, data: [.pci]))
        #expect(capped.score <= 100)
        #expect(capped.factors.first { $0.name == "exploitation" }?.value.contains("KEV") == true)
    }

    @Test("VEX not affected takes the risk to zero; age and a fix add to it")
    func vexAgeFix() {
        let context = ComponentContext(criticality: .medium, exposure: .internal, production: true, data: [])
        let base = RiskInput(severity: .high, cvssScore: 7.5, firstSeen: Self.now, context: context)
        var vex = base
        vex.vexNotAffected = true
        #expect(RiskModel.assess(vex, now: Self.now).score == 0)
        var old = base
        old.firstSeen = Self.now.addingTimeInterval(-200 * 86_400)
        old.fixAvailable = true
        #expect(RiskModel.assess(old, now: Self.now).score > RiskModel.assess(base, now: Self.now).score)
        // The age factor names the day first seen (1_800_000_000 is 2027-01-15 08:00 UTC), so the
        // stored assessment of an issue does not change from one day to the next.
        let aged = RiskModel.assess(old, now: Self.now).factors.first { $0.name == "age" }
        #expect(aged?.value == "first seen 2026-06-29")
        #expect(aged?.contribution ?? 0 > 0)
        #expect(RiskModel.assess(base, now: Self.now) == RiskModel.assess(base, now: Self.now.addingTimeInterval(86_400)))
        for (seconds, day) in [(951_782_400.0, "2000-02-29"), (-86_400, "1969-12-31"), (4_107_542_399, "2100-02-28")] {
            var dated = base
            dated.firstSeen = Date(timeIntervalSince1970: seconds)
            #expect(RiskModel.assess(dated, now: Self.now).factors.first { $0.name == "age" }?.value == "first seen " + day)
        }
    }

    @Test("a tool's exploit maturity adds to exploitation and makes SSVC poc; KEV still outweighs it")
    func exploitMaturity() {
        let context = ComponentContext(criticality: .high, exposure: .internet, production: true, data: [])
        func assess(_ maturity: ExploitMaturity?, kev: Bool = false, epss: Double? = nil) -> RiskAssessment {
            RiskModel.assess(
                RiskInput(
                    severity: .high, cvssScore: 7.5, kev: kev ? KEVEntry(cve: "CVE-2021-44228", dateAdded: "2021-12-10") : nil,
                    epss: epss.map { EPSSScore(cve: "CVE-2021-44228", probability: $0, percentile: 0.5) }, exploitMaturity: maturity,
                    firstSeen: Self.now, context: context), now: Self.now)
        }
        let none = assess(nil)
        let unproven = assess(.unproven)
        let poc = assess(.proofOfConcept)
        let functional = assess(.functional)
        let high = assess(.high)
        #expect(unproven.score == none.score && unproven.ssvc.exploitation == SSVCAssessment.Exploitation.none)
        #expect(none.score < poc.score && poc.score < functional.score && functional.score < high.score)
        #expect(poc.ssvc.exploitation == .poc)
        #expect(functional.factors.first { $0.name == "exploitation" }?.value == "exploit maturity functional (reported by a tool)")
        #expect(assess(.high, kev: true).score == assess(nil, kev: true).score, "KEV's 35 points already count more than any maturity")
        // A small EPSS does not hide a functional exploit; the factor names both.
        let both = assess(.functional, epss: 0.01)
        #expect(both.score == functional.score)
        #expect(both.factors.first { $0.name == "exploitation" }?.value.contains("exploit maturity functional") == true)
        #expect(ExploitMaturity(toolText: "Proof of Concept") == .proofOfConcept && ExploitMaturity(toolText: "Not Defined") == nil)
    }

    @Test("SSVC reads CVSS 3.1 and 4.0 vectors; EPSS is shown with four decimals")
    func vectorsAndEPSSText() {
        let context = ComponentContext(criticality: .high, exposure: .internet, production: true, data: [])
        func ssvc(_ vector: String) -> SSVCAssessment {
            RiskModel.assess(RiskInput(severity: .high, cvssVector: vector, firstSeen: Self.now, context: context), now: Self.now).ssvc
        }
        let v31 = ssvc("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
        #expect(v31.automatable && v31.technicalImpact == .total)
        let v40 = ssvc("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
        #expect(v40.automatable && v40.technicalImpact == .total)
        let local = ssvc("CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:L/A:N")
        #expect(!local.automatable && local.technicalImpact == .partial)
        let scored = RiskModel.assess(
            RiskInput(
                severity: .high, epss: EPSSScore(cve: "CVE-2021-44228", probability: 0.94358, percentile: 0.99957), firstSeen: Self.now,
                context: context), now: Self.now)
        #expect(scored.factors.first { $0.name == "exploitation" }?.value == "EPSS 0.9436 (percentile 1.000)")
        let small = RiskModel.assess(
            RiskInput(
                severity: .high, epss: EPSSScore(cve: "CVE-2020-0001", probability: 0.00043, percentile: 0.05), firstSeen: Self.now,
                context: context), now: Self.now)
        #expect(small.factors.first { $0.name == "exploitation" }?.value == "EPSS 0.0004 (percentile 0.050)")
    }
}
