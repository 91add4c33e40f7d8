/// CVSS v4.0 base scores (FIRST, CVSS v4.0 specification, section 8): the score of each
/// MacroVector, refined by the vector's severity distance to the MacroVector's most severe
/// vectors. The tables are the specification's published data; the code is Rampart's own.
enum CVSS4Scoring {
    /// MacroVector (EQ1..EQ6 digits) → score × 10, as FIRST publishes them.
    static let macroVectorScores: [String: Double] = {
        let table = """
            000000=100 000001=99 000010=98 000011=95 000020=95 000021=92 000100=100 000101=96 000110=93 000111=87 000120=91 000121=81
            000200=93 000201=90 000210=89 000211=80 000220=81 000221=68 001000=98 001001=95 001010=95 001011=92 001020=90 001021=84
            001100=93 001101=92 001110=89 001111=81 001120=81 001121=65 001200=88 001201=80 001210=78 001211=70 001220=69 001221=48
            002001=92 002011=82 002021=72 002101=79 002111=69 002121=50 002201=69 002211=55 002221=27 010000=99 010001=97 010010=95
            010011=92 010020=92 010021=85 010100=95 010101=91 010110=90 010111=83 010120=84 010121=71 010200=92 010201=81 010210=82
            010211=71 010220=72 010221=53 011000=95 011001=93 011010=92 011011=85 011020=85 011021=73 011100=92 011101=82 011110=80
            011111=72 011120=70 011121=59 011200=84 011201=70 011210=71 011211=52 011220=50 011221=30 012001=86 012011=75 012021=52
            012101=71 012111=52 012121=29 012201=63 012211=29 012221=17 100000=98 100001=95 100010=94 100011=87 100020=91 100021=81
            100100=94 100101=89 100110=86 100111=74 100120=77 100121=64 100200=87 100201=75 100210=74 100211=63 100220=63 100221=49
            101000=94 101001=89 101010=88 101011=77 101020=76 101021=67 101100=86 101101=76 101110=74 101111=58 101120=59 101121=50
            101200=72 101201=57 101210=57 101211=52 101220=52 101221=25 102001=83 102011=70 102021=54 102101=65 102111=58 102121=26
            102201=53 102211=21 102221=13 110000=95 110001=90 110010=88 110011=76 110020=76 110021=70 110100=90 110101=77 110110=75
            110111=62 110120=61 110121=53 110200=77 110201=66 110210=68 110211=59 110220=52 110221=30 111000=89 111001=78 111010=76
            111011=67 111020=62 111021=58 111100=74 111101=59 111110=57 111111=57 111120=47 111121=23 111200=61 111201=52 111210=57
            111211=29 111220=24 111221=16 112001=71 112011=59 112021=30 112101=58 112111=26 112121=15 112201=23 112211=13 112221=6
            200000=93 200001=87 200010=86 200011=72 200020=75 200021=58 200100=86 200101=74 200110=74 200111=61 200120=56 200121=34
            200200=70 200201=54 200210=52 200211=40 200220=40 200221=22 201000=85 201001=75 201010=74 201011=55 201020=62 201021=51
            201100=72 201101=57 201110=55 201111=41 201120=46 201121=19 201200=53 201201=36 201210=34 201211=19 201220=19 201221=8
            202001=64 202011=51 202021=20 202101=47 202111=21 202121=11 202201=24 202211=9 202221=4 210000=88 210001=75 210010=73
            210011=53 210020=60 210021=50 210100=73 210101=55 210110=59 210111=40 210120=41 210121=20 210200=54 210201=43 210210=45
            210211=22 210220=20 210221=11 211000=75 211001=55 211010=58 211011=45 211020=40 211021=21 211100=61 211101=51 211110=48
            211111=18 211120=20 211121=9 211200=46 211201=18 211210=17 211211=7 211220=8 211221=2 212001=53 212011=24 212021=14
            212101=24 212111=12 212121=5 212201=10 212211=3 212221=1
            """
        var scores: [String: Double] = [:]
        for entry in table.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let parts = entry.split(separator: "=")
            scores[String(parts[0])] = Double(parts[1])! / 10
        }
        return scores
    }()

    /// The most severe vectors of each EQ level (specification table 24 and the EQ3/EQ6 join).
    static let mostSevere: [[String: [String]]] = [
        ["0": ["AV:N/PR:N/UI:N"], "1": ["AV:A/PR:N/UI:N", "AV:N/PR:L/UI:N", "AV:N/PR:N/UI:P"], "2": ["AV:P/PR:N/UI:N", "AV:A/PR:L/UI:P"]],
        ["0": ["AC:L/AT:N"], "1": ["AC:H/AT:N", "AC:L/AT:P"]],
        [
            "00": ["VC:H/VI:H/VA:H/CR:H/IR:H/AR:H"], "01": ["VC:H/VI:H/VA:L/CR:M/IR:M/AR:H", "VC:H/VI:H/VA:H/CR:M/IR:M/AR:M"],
            "10": ["VC:L/VI:H/VA:H/CR:H/IR:H/AR:H", "VC:H/VI:L/VA:H/CR:H/IR:H/AR:H"],
            "11": [
                "VC:L/VI:H/VA:L/CR:H/IR:M/AR:H", "VC:L/VI:H/VA:H/CR:H/IR:M/AR:M", "VC:H/VI:L/VA:H/CR:M/IR:H/AR:M",
                "VC:H/VI:L/VA:L/CR:M/IR:H/AR:H", "VC:L/VI:L/VA:H/CR:H/IR:H/AR:M",
            ],
            "21": ["VC:L/VI:L/VA:L/CR:H/IR:H/AR:H"],
        ],
        ["0": ["SC:H/SI:S/SA:S"], "1": ["SC:H/SI:H/SA:H"], "2": ["SC:L/SI:L/SA:L"]],
        ["0": ["E:A"], "1": ["E:P"], "2": ["E:U"]],
    ]

    /// The depth of each EQ level, in steps of 0.1 (the "max severity" table, +1).
    static let depth: (eq1: [Double], eq2: [Double], eq3eq6: [String: Double], eq4: [Double]) = (
        [1, 4, 5], [1, 2], ["00": 7, "01": 6, "10": 8, "11": 8, "21": 10], [6, 5, 4]
    )

    /// Severity level of each metric value: 0 is the most severe.
    static let levels: [String: [String: Double]] = [
        "AV": ["N": 0.0, "A": 0.1, "L": 0.2, "P": 0.3], "PR": ["N": 0.0, "L": 0.1, "H": 0.2], "UI": ["N": 0.0, "P": 0.1, "A": 0.2],
        "AC": ["L": 0.0, "H": 0.1], "AT": ["N": 0.0, "P": 0.1],
        "VC": ["H": 0.0, "L": 0.1, "N": 0.2], "VI": ["H": 0.0, "L": 0.1, "N": 0.2], "VA": ["H": 0.0, "L": 0.1, "N": 0.2],
        "SC": ["H": 0.1, "L": 0.2, "N": 0.3], "SI": ["S": 0.0, "H": 0.1, "L": 0.2, "N": 0.3], "SA": ["S": 0.0, "H": 0.1, "L": 0.2, "N": 0.3],
        "CR": ["H": 0.0, "M": 0.1, "L": 0.2], "IR": ["H": 0.0, "M": 0.1, "L": 0.2], "AR": ["H": 0.0, "M": 0.1, "L": 0.2],
        "E": ["U": 0.2, "P": 0.1, "A": 0.0],
    ]

    /// The value a metric takes for scoring: a modified (environmental) value overrides the
    /// base one; unset threat and requirement metrics count at their worst (E:A, CR/IR/AR:H).
    static func effective(_ metric: String, in values: [String: String]) -> String {
        if let modified = values["M" + metric], modified != "X" { return modified }
        let value = values[metric] ?? "X"
        if value == "X" {
            switch metric {
            case "E": return "A"
            case "CR", "IR", "AR": return "H"
            default: break
            }
        }
        return value
    }

    /// The six EQ levels of a vector.
    static func macroVector(_ values: [String: String]) -> [Int] {
        let m = { effective($0, in: values) }
        let (av, pr, ui) = (m("AV"), m("PR"), m("UI"))
        let eq1: Int
        if av == "N" && pr == "N" && ui == "N" {
            eq1 = 0
        } else if (av == "N" || pr == "N" || ui == "N") && av != "P" {
            eq1 = 1
        } else {
            eq1 = 2
        }
        let eq2 = m("AC") == "L" && m("AT") == "N" ? 0 : 1
        let (vc, vi, va) = (m("VC"), m("VI"), m("VA"))
        let eq3 = vc == "H" && vi == "H" ? 0 : (vc == "H" || vi == "H" || va == "H") ? 1 : 2
        let eq4: Int
        if m("SI") == "S" || m("SA") == "S" {
            eq4 = 0
        } else if m("SC") == "H" || m("SI") == "H" || m("SA") == "H" {
            eq4 = 1
        } else {
            eq4 = 2
        }
        let eq5 = ["A": 0, "P": 1, "U": 2][m("E")] ?? 0
        let eq6 = (m("CR") == "H" && vc == "H") || (m("IR") == "H" && vi == "H") || (m("AR") == "H" && va == "H") ? 0 : 1
        return [eq1, eq2, eq3, eq4, eq5, eq6]
    }

    static func key(_ levels: [Int]) -> String { levels.map(String.init).joined() }

    /// The base score of a validated v4.0 vector given as metric → value.
    static func score(_ values: [String: String]) -> Double {
        let impacts = ["VC", "VI", "VA", "SC", "SI", "SA"]
        if impacts.allSatisfy({ effective($0, in: values) == "N" }) { return 0 }
        let eq = macroVector(values)
        guard let value = macroVectorScores[key(eq)] else { return 0 }

        // 1. How far the score may fall towards the next lower MacroVector of each EQ
        //    (nil where there is none).
        func lower(_ change: (inout [Int]) -> Void) -> Double? {
            var next = eq
            change(&next)
            return macroVectorScores[key(next)]
        }
        let eq1Lower = lower { $0[0] += 1 }
        let eq2Lower = lower { $0[1] += 1 }
        let eq3eq6Lower: Double?
        switch (eq[2], eq[5]) {
        case (0, 0):
            // Two paths down: 00 → 01 and 00 → 10; the higher score is the nearer one.
            let viaEQ6 = lower { $0[5] += 1 }
            let viaEQ3 = lower { $0[2] += 1 }
            eq3eq6Lower = [viaEQ6, viaEQ3].compactMap { $0 }.max()
        case (0, 1), (1, 1): eq3eq6Lower = lower { $0[2] += 1 }
        case (1, 0): eq3eq6Lower = lower { $0[5] += 1 }
        default:
            eq3eq6Lower = lower {
                $0[2] += 1
                $0[5] += 1
            }
        }
        let eq4Lower = lower { $0[3] += 1 }
        let eq5Lower = lower { $0[4] += 1 }

        // 2. Severity distance from the first of the MacroVector's most severe vectors that
        //    is at least as severe as this one in every metric.
        var candidates: [String] = [""]
        let parts = [
            mostSevere[0][String(eq[0])]!, mostSevere[1][String(eq[1])]!, mostSevere[2]["\(eq[2])\(eq[5])"] ?? [],
            mostSevere[3][String(eq[3])]!, mostSevere[4][String(eq[4])]!,
        ]
        for options in parts {
            candidates = candidates.flatMap { prefix in options.map { prefix.isEmpty ? $0 : prefix + "/" + $0 } }
        }
        var distances: [String: Double] = [:]
        for candidate in candidates {
            var maximum: [String: String] = [:]
            for pair in candidate.split(separator: "/") {
                let kv = pair.split(separator: ":")
                maximum[String(kv[0])] = String(kv[1])
            }
            distances = [:]
            for (metric, scale) in levels {
                distances[metric] = (scale[effective(metric, in: values)] ?? 0) - (scale[maximum[metric] ?? ""] ?? 0)
            }
            if distances.values.allSatisfy({ $0 >= 0 }) { break }
        }
        let d = { distances[$0] ?? 0 }
        let eq1Distance = d("AV") + d("PR") + d("UI")
        let eq2Distance = d("AC") + d("AT")
        let eq3eq6Distance = d("VC") + d("VI") + d("VA") + d("CR") + d("IR") + d("AR")
        let eq4Distance = d("SC") + d("SI") + d("SA")

        // 3. Each EQ moves the score by its share of the distance to the next lower
        //    MacroVector; the score falls by the mean of those moves.
        let step = 0.1
        var moves: [Double] = []
        if let eq1Lower { moves.append((value - eq1Lower) * (eq1Distance / (depth.eq1[eq[0]] * step))) }
        if let eq2Lower { moves.append((value - eq2Lower) * (eq2Distance / (depth.eq2[eq[1]] * step))) }
        if let eq3eq6Lower, let eq3eq6Depth = depth.eq3eq6["\(eq[2])\(eq[5])"] {
            moves.append((value - eq3eq6Lower) * (eq3eq6Distance / (eq3eq6Depth * step)))
        }
        if let eq4Lower { moves.append((value - eq4Lower) * (eq4Distance / (depth.eq4[eq[3]] * step))) }
        if eq5Lower != nil { moves.append(0) }  // EQ5's share is always 0
        let mean = moves.isEmpty ? 0 : moves.reduce(0, +) / Double(moves.count)
        let score = min(10, max(0, value - mean))
        return (score * 10).rounded(.toNearestOrAwayFromZero) / 10
    }
}
