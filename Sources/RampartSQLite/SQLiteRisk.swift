import Foundation
import GRDB
import RampartCore
import RampartStore
import Synchronization

/// Feeds and risk in the store: KEV and EPSS replaced whole by a load, and each issue's risk
/// (`RiskModel`) stored with its assessment, recomputed when its findings, the feeds or the
/// inventory change.
extension SQLiteStore {
    public func loadFeed(_ update: FeedUpdate, actor: String, at date: Date) async throws -> Int {
        // Every issue is scored again with the new feed in place: the issues' members and the
        // other facts are read before the write and the scores made on every core; the write
        // keeps them only if nothing they were read from changed meanwhile.
        let prepared = try await PreparedRescore(replacing: update, from: writer)
        let scores = await prepared.score(at: date)
        return try await writer.write { db in
            let holds = try Self.rescoreStamp(in: db) == prepared.stamp
            let now = Self.timestamp(date)
            switch update.content {
            case .kev(let entries):
                try db.execute(sql: "DELETE FROM kev")
                let insert = try BulkStatement(
                    db, sql: "INSERT OR REPLACE INTO kev (cve, vendor, product, name, date_added, due_date, ransomware) VALUES (?, ?, ?, ?, ?, ?, ?)")
                for entry in entries {
                    insert.bind(1, entry.cve)
                    insert.bind(2, entry.vendor)
                    insert.bind(3, entry.product)
                    insert.bind(4, entry.name)
                    insert.bind(5, entry.dateAdded)
                    insert.bind(6, entry.dueDate)
                    insert.bind(7, entry.knownRansomwareUse ? 1 : 0)
                    try insert.step()
                }
            case .epss(let scores):
                try db.execute(sql: "DELETE FROM epss")
                let insert = try BulkStatement(db, sql: "INSERT OR REPLACE INTO epss (cve, probability, percentile) VALUES (?, ?, ?)")
                for score in scores {
                    insert.bind(1, score.cve)
                    insert.bind(2, score.probability)
                    insert.bind(3, score.percentile)
                    try insert.step()
                }
            }
            try db.execute(
                sql: "INSERT OR REPLACE INTO feed (kind, version, published, entries, source, loaded_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [update.kind.rawValue, update.version, update.published, update.count, update.source, now])
            var after = JSONObjectBuilder()
            after.add("version", update.version)
            after.add("published", update.published)
            after.add("entries", update.count)
            try Self.appendAudit(
                .feedUpdated, subject: "feed \(update.kind.rawValue)", after: after.result, reason: update.source, actor: actor, at: date, in: db)
            return try Self.store(prepared, scores, holds: holds, at: date, in: db)
        }
    }

    public func feeds() async throws -> [FeedInfo] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM feed ORDER BY kind").map { row in
                FeedInfo(
                    kind: try Self.stored(FeedKind.self, row["kind"], column: "kind"), version: row["version"], published: row["published"],
                    entries: row["entries"], source: row["source"], loadedAt: try Self.date(row["loaded_at"]))
            }
        }
    }

    public func rescoreIssues(at date: Date) async throws -> Int {
        let prepared = try await PreparedRescore(replacing: nil, from: writer)
        let scores = await prepared.score(at: date)
        return try await writer.write { db in
            try Self.store(prepared, scores, holds: Self.rescoreStamp(in: db) == prepared.stamp, at: date, in: db)
        }
    }

    /// Stores the scores made outside the write if what they were read from still `holds`;
    /// otherwise scores every issue here. Returns how many issues were scored.
    static func store(_ prepared: PreparedRescore, _ scores: [ScoredIssue?], holds: Bool, at date: Date, in db: Database) throws -> Int {
        guard holds else { return try rescore(issues: nil, at: date, in: db) }
        try storeScores(zip(prepared.groups.lazy.map(\.issue), scores), at: date, everyIssue: true, in: db)
        return prepared.groups.count
    }

    /// What a rescoring made outside the write reads besides the feeds: the issues, their members
    /// and the inventory. Imports, merges, splits, rebuilds and inventory, VEX or feed changes move it.
    static func rescoreStamp(in db: Database) throws -> String {
        try scoringFactsStamp(in: db)
            + (try String.fetchOne(
                db,
                sql: """
                    SELECT '/' || coalesce((SELECT max(id) FROM scan), 0) || '/' || coalesce((SELECT max(id) FROM issue), 0) || '/' ||
                        coalesce((SELECT max(id) FROM issue_decision), 0)
                    """) ?? "")
    }

    /// Every issue's members and stored assessment, and the facts to score them with (a feed being
    /// loaded in place of the stored one), read in one snapshot.
    struct PreparedRescore: Sendable {
        var stamp: String
        var groups: [ScoringGroup]
        var facts: ScoringFacts

        /// The stamp is read first: whatever changes after it, the write sees a different stamp.
        /// The issues are read in as many id ranges as there are cores, each on its own reader.
        init(replacing update: FeedUpdate?, from reader: any DatabaseReader) async throws {
            (stamp, facts) = try await reader.read { db in
                (try SQLiteStore.rescoreStamp(in: db), try ScoringFacts(db, replacing: update))
            }
            let bounds: (Int64?, Int64?) = try await reader.read { db in
                let row = try Row.fetchOne(db, sql: "SELECT min(issue_id) AS low, max(issue_id) AS high FROM issue_member")
                return (row?["low"], row?["high"])
            }
            guard let low = bounds.0, let high = bounds.1 else {
                groups = []
                return
            }
            let parts = Int64(max(1, ProcessInfo.processInfo.activeProcessorCount))
            let step = (high - low) / parts + 1
            groups = try await withThrowingTaskGroup(of: (Int64, [ScoringGroup]).self) { group in
                for part in 0..<parts {
                    let range = (low + part * step)...(low + (part + 1) * step - 1)
                    group.addTask { (part, try await reader.read { db in try SQLiteStore.scoringGroups(issues: nil, within: range, in: db) }) }
                }
                var read: [Int64: [ScoringGroup]] = [:]
                for try await (part, groups) in group { read[part] = groups }
                return read.keys.sorted().flatMap { read[$0] ?? [] }
            }
        }

        /// Each issue's new score, nil where its stored assessment would not change; on every core.
        func score(at date: Date) async -> [ScoredIssue?] {
            await Concurrently.map(count: groups.count) { index in
                groups[index].rescored(facts.input(for: groups[index].members), at: date)
            }
        }
    }

    /// The feeds, the inventory's contexts and the VEX statements, as values: scoring on every core.
    struct ScoringFacts: Sendable {
        var kev: [String: KEVEntry] = [:]
        var epss: [String: EPSSScore] = [:]
        var contexts: [Int64: ComponentContext] = [:]
        var statements: [String: [KeptStatement]] = [:]

        init(_ db: Database, replacing update: FeedUpdate?) throws {
            switch update?.content {
            case .kev(let entries): kev = Dictionary(entries.map { ($0.cve, $0) }, uniquingKeysWith: { _, last in last })
            default: kev = try SQLiteStore.kevEntries(in: db)
            }
            switch update?.content {
            case .epss(let scores): epss = Dictionary(scores.map { ($0.cve, $0) }, uniquingKeysWith: { _, last in last })
            default:
                let rows = try BulkStatement(db, sql: "SELECT cve, probability, percentile FROM epss")
                while try rows.nextRow() {
                    let cve = rows.text(0) ?? ""
                    epss[cve] = EPSSScore(cve: cve, probability: rows.double(1), percentile: rows.double(2))
                }
            }
            contexts = try SQLiteStore.componentContexts(in: db)
            statements = try SQLiteStore.keptStatements(applications: nil, in: db)
        }

        func input(for members: [ScoringMember]) -> RiskInput {
            SQLiteStore.riskInput(
                for: members, kev: { kev[$0] }, epss: { epss[$0] }, context: contexts[members[0].componentID], statements: statements)
        }
    }

    /// Each declared component's context, by component id.
    static func componentContexts(in db: Database) throws -> [Int64: ComponentContext] {
        let inventory = try SQLiteStore.inventory(in: db)
        var contexts: [Int64: ComponentContext] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT c.id, c.name AS component, a.name AS application FROM component c JOIN application a ON a.id = c.application_id")
        {
            guard let application = inventory.application(named: row["application"]) else { continue }
            contexts[row["id"]] = ComponentContext(application: application, component: application.component(named: row["component"]))
        }
        return contexts
    }

    /// An issue's members as scoring reads them, and the digest of its stored assessment.
    struct ScoringGroup: Sendable {
        var issue: Int64
        var storedHash: UInt64?
        var members: [ScoringMember]

        /// The issue's score from `input`, nil where it would store the same assessment again.
        func rescored(_ input: RiskInput, at date: Date) -> ScoredIssue? {
            let scored = ScoredIssue(assessing: input, at: date)
            return SQLiteStore.assessmentHash(scored.json) == storedHash ? nil : scored
        }
    }

    /// The hash a rescoring compares a new assessment's text with the stored one by.
    static func assessmentHash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hasher = ChangeHasher()
        hasher.combine(buffer: bytes)
        return hasher.value
    }

    static func assessmentHash(_ text: String) -> UInt64 {
        var text = text
        return text.withUTF8 { assessmentHash(UnsafeRawBufferPointer($0)) }
    }

    /// The members of the issues (all when nil), grouped by issue in id order. Read column by
    /// column (a rescoring reads a million rows): names by component, dates by their text.
    static func scoringGroups(issues: [Int64]?, within range: ClosedRange<Int64>? = nil, in db: Database) throws -> [ScoringGroup] {
        var sql = """
            SELECT m.issue_id, m.rule, i.component_id, f.severity, f.cvss_score, f.cvss_vector, f.vulnerability_ids, g.status, f.first_seen,
                s.tool, coalesce(json_array_length(f.location, '$.fixedVersions'), 0), g.purl, r.digest, f.exploit_maturity
            FROM issue_member m JOIN issue i ON i.id = m.issue_id JOIN finding f ON f.id = m.finding_id
            JOIN finding_sighting g ON g.finding_id = f.id JOIN stream s ON s.id = f.stream_id
            LEFT JOIN risk_assessment r ON r.id = i.assessment_id
            """
        if issues != nil { sql += " WHERE m.issue_id IN (SELECT value FROM json_each(?))" }
        if range != nil { sql += (issues == nil ? " WHERE" : " AND") + " m.issue_id BETWEEN ? AND ?" }
        sql += " ORDER BY m.issue_id"
        if issues?.isEmpty == true { return [] }
        var names: [Int64: (application: String, component: String)] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT c.id, a.name AS application, c.name AS component FROM component c JOIN application a ON a.id = c.application_id")
        {
            names[row["id"]] = (row["application"], row["component"])
        }
        let rows = try BulkStatement(db, sql: sql)
        if let issues { rows.bind(1, "[" + issues.map(String.init).joined(separator: ",") + "]") }
        if let range {
            rows.bind(issues == nil ? 1 : 2, range.lowerBound)
            rows.bind(issues == nil ? 2 : 3, range.upperBound)
        }
        var dates: [String: Date] = [:]
        var tools: [String: String] = [:]
        var groups: [ScoringGroup] = []
        while try rows.nextRow() {
            let issue = rows.int64(0)
            if groups.last?.issue != issue {
                groups.append(ScoringGroup(issue: issue, storedHash: rows.isNull(12) ? nil : UInt64(bitPattern: rows.int64(12)), members: []))
            }
            let componentID = rows.int64(2)
            let firstSeenText = rows.text(8) ?? ""
            let firstSeen: Date
            if let known = dates[firstSeenText] {
                firstSeen = known
            } else {
                firstSeen = try date(firstSeenText)
                dates[firstSeenText] = firstSeen
            }
            let toolText = rows.text(9) ?? ""
            let tool = tools[toolText] ?? toolText
            tools[toolText] = tool
            let place = names[componentID] ?? ("", "")
            groups[groups.count - 1].members.append(
                ScoringMember(
                    rule: rows.text(1) ?? "", componentID: componentID, severity: try stored(Severity.self, rows.text(3) ?? "", column: "severity"),
                    cvssScore: rows.isNull(4) ? nil : rows.double(4), cvssVector: rows.text(5),
                    vulnerabilityIDs: try identifiers(rows.textBytes(6)), active: rows.text(7) != "fixed", firstSeen: firstSeen, tool: tool,
                    fixAvailable: rows.int64(10) > 0, purl: rows.text(11), application: place.application, component: place.component,
                    exploitMaturity: try rows.text(13).map { try stored(ExploitMaturity.self, $0, column: "exploit_maturity") }))
        }
        return groups
    }

    /// A `vulnerability_ids` column: a JSON array of identifiers, which hold no character JSON
    /// escapes; one that does goes through the JSON decoder.
    static func identifiers(_ bytes: UnsafeRawBufferPointer) throws -> [String] {
        guard !bytes.contains(UInt8(ascii: "\\")) else {
            return try decodeJSON([String].self, String(decoding: bytes, as: UTF8.self), column: "vulnerability_ids")
        }
        var identifiers: [String] = []
        var start: Int?
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\"") {
            if let open = start {
                identifiers.append(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(open + 1)..<index]), as: UTF8.self))
                start = nil
            } else {
                start = index
            }
        }
        guard start == nil, bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]") else {
            throw StoredValueError(column: "vulnerability_ids", value: String(decoding: bytes, as: UTF8.self))
        }
        return identifiers
    }

    /// Stores each score given, leaving an issue whose score is nil (unchanged) as it is; then
    /// drops the assessments no issue names any more: when `everyIssue` was scored, any stored
    /// assessment; otherwise those the scored issues named before (so that an import's cost
    /// grows with the issues it touched, not with the database). Assessments of issues a merge
    /// or split deleted go with the next rescoring of every issue.
    static func storeScores(_ scores: some Sequence<(Int64, ScoredIssue?)>, at date: Date, everyIssue: Bool, in db: Database) throws {
        let update = try BulkStatement(
            db, sql: "UPDATE issue SET risk = ?, ssvc = ?, kev = ?, epss = ?, assessment_id = ?, scored_at = ? WHERE id = ?")
        let previous = try BulkStatement(db, sql: "SELECT assessment_id FROM issue WHERE id = ?")
        let assessments = try AssessmentIDs(db)
        let scoredAt = timestamp(date)
        var replaced: Set<Int64> = []
        for case (let issue, let scored?) in scores {
            if !everyIssue {
                previous.bind(1, issue)
                while try previous.nextRow() {
                    if !previous.isNull(0) { replaced.insert(previous.int64(0)) }
                }
            }
            update.bind(1, scored.score)
            update.bind(2, scored.ssvc.rawValue)
            update.bind(3, scored.kev ? 1 : 0)
            update.bind(4, scored.epss)
            update.bind(5, try assessments.id(of: scored.json))
            update.bind(6, scoredAt)
            update.bind(7, issue)
            try update.step()
        }
        if everyIssue {
            try dropUnusedAssessments(in: db)
        } else {
            let drop = try BulkStatement(
                db, sql: "DELETE FROM risk_assessment WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM issue WHERE assessment_id = ?1)")
            for id in replaced {
                drop.bind(1, id)
                try drop.step()
            }
        }
    }

    /// Deletes the stored assessments no issue names: one indexed probe per stored assessment,
    /// however many issues there are. Run after a write's last rescoring, since an id that a
    /// write's `AssessmentIDs` handed out must stay until the write stops using it.
    static func dropUnusedAssessments(in db: Database) throws {
        try db.execute(sql: "DELETE FROM risk_assessment WHERE NOT EXISTS (SELECT 1 FROM issue WHERE assessment_id = risk_assessment.id)")
    }

    /// The stored assessments a write has named, by text: each distinct text is stored once, and
    /// a write meets the same few texts thousands of times (a report's issues share them).
    final class AssessmentIDs {
        private let find: BulkStatement
        private let insert: BulkStatement
        private var known: [String: Int64] = [:]

        init(_ db: Database) throws {
            find = try BulkStatement(db, sql: "SELECT id, body FROM risk_assessment WHERE digest = ?")
            insert = try BulkStatement(db, sql: "INSERT INTO risk_assessment (digest, body) VALUES (?, ?)")
        }

        /// The id of the stored assessment with this text, stored now if there is none.
        func id(of text: String) throws -> Int64 {
            if let id = known[text] { return id }
            let digest = Int64(bitPattern: SQLiteStore.assessmentHash(text))
            find.bind(1, digest)
            var found: Int64?
            // Texts that share a digest are told apart by the text.
            while try find.nextRow() {
                if found == nil && find.text(1) == text { found = find.int64(0) }
            }
            let id: Int64
            if let found {
                id = found
            } else {
                insert.bind(1, digest)
                insert.bind(2, text)
                try insert.step()
                id = insert.lastInsertedRowID
            }
            known[text] = id
            return id
        }
    }

    /// Scores the issues (all when nil) at `date` inside the write, and stores each assessment
    /// that changed. Returns how many issues were scored.
    @discardableResult
    static func rescore(issues: [Int64]?, at date: Date, in db: Database, context read: ScoringContext? = nil) throws -> Int {
        let groups = try scoringGroups(issues: issues, in: db)
        if groups.isEmpty {
            // The issues may have gone (a rebuild or an inventory change deleted them): so may their assessments.
            if issues == nil { try dropUnusedAssessments(in: db) }
            return 0
        }
        let context = try read ?? ScoringContext(db)
        try storeScores(
            groups.lazy.map { group in (group.issue, group.rescored(context.input(for: group.members), at: date)) }, at: date,
            everyIssue: issues == nil, in: db)
        return groups.count
    }

    /// An issue's stored assessment (`StoredAssessment.jsonText`).
    static func storedAssessment(_ text: String) throws -> StoredAssessment {
        do {
            return try StoredAssessment(jsonText: text)
        } catch {
            throw StoredValueError(column: "risk_assessment.body", value: text)
        }
    }

    /// What scoring reads of one member finding.
    struct ScoringMember: Sendable {
        /// A finding just imported, as the issue it opens.
        init(opening finding: borrowing Finding, componentID: Int64, application: String, component: String, at date: Date) {
            let primary = finding.primaryCVSS
            var fix = false
            var purl: String?
            if case .package(let package) = finding.location {
                fix = !package.fixedVersions.isEmpty
                purl = package.purl?.description
            }
            self.init(
                rule: CorrelationRule.first.rawValue, componentID: componentID, severity: finding.severity, cvssScore: primary?.score,
                cvssVector: primary?.vector?.description, vulnerabilityIDs: finding.vulnerabilityIDs.map(\.value), active: true, firstSeen: date,
                tool: finding.tool.name, fixAvailable: fix, purl: purl, application: application, component: component,
                exploitMaturity: finding.exploitMaturity)
        }

        init(
            rule: String, componentID: Int64, severity: Severity, cvssScore: Double?, cvssVector: String?, vulnerabilityIDs: [String], active: Bool,
            firstSeen: Date, tool: String, fixAvailable: Bool, purl: String?, application: String, component: String,
            exploitMaturity: ExploitMaturity? = nil
        ) {
            self.exploitMaturity = exploitMaturity
            self.rule = rule
            self.componentID = componentID
            self.severity = severity
            self.cvssScore = cvssScore
            self.cvssVector = cvssVector
            self.vulnerabilityIDs = vulnerabilityIDs
            self.active = active
            self.firstSeen = firstSeen
            self.tool = tool
            self.fixAvailable = fixAvailable
            self.purl = purl
            self.application = application
            self.component = component
        }

        var rule: String
        var componentID: Int64
        var severity: Severity
        var cvssScore: Double?
        var cvssVector: String?
        var vulnerabilityIDs: [String]
        var active: Bool
        var firstSeen: Date
        var tool: String
        var fixAvailable: Bool
        var purl: String?
        var application: String
        var component: String
        var exploitMaturity: ExploitMaturity?
    }

    /// The feeds, the inventory and the VEX statements, read once per scoring pass. KEV is small
    /// and read whole; EPSS scores are looked up per CVE.
    struct ScoringContext {
        var kev: [String: KEVEntry] = [:]
        let epss: BulkStatement
        var contexts: [Int64: ComponentContext] = [:]
        var statements: [String: [KeptStatement]] = [:]

        init(_ db: Database) throws {
            kev = try SQLiteStore.kevEntries(in: db)
            epss = try BulkStatement(db, sql: "SELECT probability, percentile FROM epss WHERE cve = ?")
            contexts = try SQLiteStore.componentContexts(in: db)
            statements = try SQLiteStore.keptStatements(applications: nil, in: db)
        }

        func epssScore(_ cve: String) throws -> EPSSScore? {
            epss.bind(1, cve)
            var score: EPSSScore?
            while try epss.nextRow() { score = EPSSScore(cve: cve, probability: epss.double(0), percentile: epss.double(1)) }
            return score
        }

        func input(for members: [ScoringMember]) -> RiskInput {
            SQLiteStore.riskInput(
                for: members, kev: { kev[$0] }, epss: { try? epssScore($0) }, context: contexts[members[0].componentID], statements: statements)
        }
    }

    /// What the risk model reads of an issue, from its members and the facts around them:
    /// KEV and EPSS by CVE, the component's context, the application's VEX statements.
    static func riskInput(
        for members: [ScoringMember], kev: (String) -> KEVEntry?, epss: (String) -> EPSSScore?, context: ComponentContext?,
        statements: [String: [KeptStatement]]
    ) -> RiskInput {
        let speaking = members.contains(where: \.active) ? members.filter(\.active) : members
        let cves = Set(speaking.flatMap(\.vulnerabilityIDs).filter { $0.hasPrefix("CVE-") }).sorted()
        let kevEntry = cves.lazy.compactMap(kev).first
        var best: EPSSScore?
        for cve in cves {
            if let score = epss(cve), score.probability > (best?.probability ?? -1) { best = score }
        }
        let scored = speaking.filter { $0.cvssScore != nil }.max { ($0.cvssScore ?? 0) < ($1.cvssScore ?? 0) }
        let vexNotAffected = speaking.allSatisfy { member in
            guard let candidates = statements[member.application] else { return false }
            let ids = member.vulnerabilityIDs.compactMap(VulnerabilityID.init)
            guard !ids.isEmpty else { return false }
            let purl = member.purl.flatMap(PackageURL.init(parsing:))
            let applying = candidates.first {
                $0.applied.statement.applies(toFindingNaming: ids, purl: purl, sameComponent: $0.component == member.component)
            }
            return applying.map { $0.applied.statement.status == .notAffected || $0.applied.statement.status == .fixed } ?? false
        }
        return RiskInput(
            severity: speaking.map(\.severity).max() ?? .info, cvssScore: scored?.cvssScore, cvssVector: scored?.cvssVector, kev: kevEntry,
            epss: best, exploitMaturity: speaking.compactMap(\.exploitMaturity).max(), tools: Set(members.map(\.tool)).count,
            confirmedByDAST: members.contains { $0.rule == CorrelationRule.dastConfirmsSAST.rawValue },
            fixAvailable: speaking.contains(where: \.fixAvailable), vexNotAffected: vexNotAffected,
            firstSeen: members.map(\.firstSeen).min() ?? .distantPast, context: context)
    }

    /// The facts an import's new issues are scored with, read before the write so that the
    /// scoring runs on every core: KEV, the EPSS scores of the report's CVEs, the component's
    /// context and the application's VEX statements.
    struct PreparedScoring: Sendable {
        var kev: [String: KEVEntry] = [:]
        var epss: [String: EPSSScore] = [:]
        var context: ComponentContext?
        var statements: [String: [KeptStatement]] = [:]
        /// The scores made so far, shared by the cores making them.
        let made = ScoreMemo()

        init(application: String, component: String, cves: Set<String>, in db: Database) throws {
            kev = try SQLiteStore.kevEntries(in: db)
            statements = try SQLiteStore.keptStatements(applications: [application], in: db)
            let inventory = try SQLiteStore.inventory(in: db)
            if let declared = inventory.application(named: application) {
                context = ComponentContext(application: declared, component: declared.component(named: component))
            }
            let list = cves.sorted()
            for start in stride(from: 0, to: list.count, by: 5000) {
                let chunk = list[start..<min(start + 5000, list.count)]
                for row in try Row.fetchAll(
                    db, sql: "SELECT cve, probability, percentile FROM epss WHERE cve IN (SELECT value FROM json_each(?))",
                    arguments: [JSONText.array(Array(chunk))])
                {
                    epss[row["cve"]] = EPSSScore(cve: row["cve"], probability: row["probability"], percentile: row["percentile"])
                }
            }
        }

        /// The score of the issue a new finding opens.
        func score(_ finding: borrowing Finding, application: String, component: String, at date: Date) -> ScoredIssue {
            let member = ScoringMember(opening: finding, componentID: 0, application: application, component: component, at: date)
            let input = SQLiteStore.riskInput(
                for: [member], kev: { kev[$0] }, epss: { epss[$0] }, context: context, statements: statements)
            return made.score(input, at: date)
        }
    }

    /// Scores by their input. A report's new findings share a handful of inputs (severity, CVSS,
    /// feed entries, first seen), and an assessment with its JSON text cost more than the rest of
    /// a new finding's row; the memo keeps a bounded number, so all-different inputs only score.
    final class ScoreMemo: Sendable {
        private struct Key: Hashable {
            var input: RiskInput
            var date: Date
        }
        private let scores = Mutex<[Key: ScoredIssue]>([:])
        private let limit = 4_096

        func score(_ input: RiskInput, at date: Date) -> ScoredIssue {
            // The component's context is the same for every finding of an import: not hashed for each.
            var key = Key(input: input, date: date)
            key.input.context = nil
            if let known = scores.withLock({ $0[key] }) { return known }
            let scored = ScoredIssue(assessing: input, at: date)
            scores.withLock { if $0.count < limit { $0[key] = scored } }
            return scored
        }
    }

    /// The KEV catalog as loaded, by CVE: small (under 2,000 entries), read whole.
    static func kevEntries(in db: Database) throws -> [String: KEVEntry] {
        var entries: [String: KEVEntry] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT * FROM kev") {
            let entry = KEVEntry(
                cve: row["cve"], vendor: row["vendor"], product: row["product"], name: row["name"], dateAdded: row["date_added"],
                dueDate: row["due_date"], knownRansomwareUse: row["ransomware"] as Int == 1)
            entries[entry.cve] = entry
        }
        return entries
    }
}
