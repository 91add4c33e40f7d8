import Foundation
import GRDB
import RampartCore
import RampartStore

/// Correlation in the store: each new finding's keys (`Correlation.keys`) are looked up among
/// the stored findings' keys inside the import's transaction, and the finding joins the issue of
/// the surest link, or opens one. The cost grows with the report, not the database: one indexed
/// lookup per key.
extension SQLiteStore {
    struct Correlator {
        let lookup: BulkStatement
        let insertKey: BulkStatement
        let insertIssue: BulkStatement
        /// An issue opened with its score (imports); nil where issues are scored afterwards.
        let insertScoredIssue: BulkStatement?
        let assessments: AssessmentIDs?
        let insertMember: BulkStatement

        init(_ db: Database, scoring: Bool = false) throws {
            lookup = try BulkStatement(
                db,
                sql: """
                    SELECT k.finding_id, k.rule, k.path, k.line, k.method, k.parameter, k.cwe, m.issue_id
                    FROM correlation_key k JOIN issue_member m ON m.finding_id = k.finding_id WHERE k.hash = ?
                    """)
            insertKey = try BulkStatement(
                db,
                sql: """
                    INSERT OR IGNORE INTO correlation_key (hash, finding_id, rule, path, line, method, parameter, cwe)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            insertIssue = try BulkStatement(db, sql: "INSERT INTO issue (component_id, created_at) VALUES (?, ?)")
            insertScoredIssue =
                scoring
                ? try BulkStatement(
                    db,
                    sql: """
                        INSERT INTO issue (component_id, created_at, risk, ssvc, kev, epss, assessment_id, scored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """) : nil
            assessments = scoring ? try AssessmentIDs(db) : nil
            insertMember = try BulkStatement(
                db, sql: "INSERT INTO issue_member (finding_id, issue_id, rule, confidence, linked_to) VALUES (?, ?, ?, ?, ?)")
        }

        /// Links the finding to the issue its surest key meets (ties: the oldest issue), or opens
        /// an issue for it; then records its keys for the findings after it. Returns the issue.
        @discardableResult
        func correlate(
            findingID: Int64, keys: [CorrelationKey], componentID: Int64, createdAt: String, score: () throws -> ScoredIssue? = { nil }
        ) throws -> (issue: Int64, opened: Bool) {
            let best = try bestLink(keys)
            let issueID: Int64
            if let best {
                issueID = best.issue
                try addMember(findingID, issue: issueID, rule: best.rule, confidence: best.confidence, through: best.through)
            } else if let insertScoredIssue, let assessments, let scored = try score() {
                insertScoredIssue.bind(1, componentID)
                insertScoredIssue.bind(2, createdAt)
                insertScoredIssue.bind(3, scored.score)
                insertScoredIssue.bind(4, scored.ssvc.rawValue)
                insertScoredIssue.bind(5, scored.kev ? 1 : 0)
                insertScoredIssue.bind(6, scored.epss)
                insertScoredIssue.bind(7, try assessments.id(of: scored.json))
                insertScoredIssue.bind(8, createdAt)
                try insertScoredIssue.step()
                issueID = insertScoredIssue.lastInsertedRowID
                try addMember(findingID, issue: issueID, rule: .first, confidence: .high, through: nil)
            } else {
                insertIssue.bind(1, componentID)
                insertIssue.bind(2, createdAt)
                try insertIssue.step()
                issueID = insertIssue.lastInsertedRowID
                try addMember(findingID, issue: issueID, rule: .first, confidence: .high, through: nil)
            }
            try insertKeys(keys, findingID: findingID)
            return (issueID, best == nil)
        }

        /// The surest link the keys make to a stored finding's issue (ties: the oldest issue).
        func bestLink(_ keys: [CorrelationKey]) throws -> Link? {
            var best: Link?
            for key in keys {
                lookup.bind(1, key.hash)
                while try lookup.nextRow() {
                    guard let rule = CorrelationRule(rawValue: lookup.text(1) ?? "") else { continue }
                    let stored = CorrelationKey(
                        rule: rule, hash: key.hash, value: key.value, path: lookup.text(2), line: lookup.isNull(3) ? nil : Int(lookup.int64(3)),
                        method: lookup.text(4), parameter: lookup.text(5), cwe: lookup.isNull(6) ? nil : Int(lookup.int64(6)))
                    guard let confidence = Correlation.link(key, stored) else { continue }
                    let issue = lookup.int64(7)
                    if best == nil || confidence > best!.confidence || (confidence == best!.confidence && issue < best!.issue) {
                        best = Link(confidence: confidence, issue: issue, rule: key.rule, through: lookup.int64(0))
                    }
                }
            }
            return best
        }

        func insertKeys(_ keys: [CorrelationKey], findingID: Int64) throws {
            for key in keys {
                insertKey.bind(1, key.hash)
                insertKey.bind(2, findingID)
                insertKey.bind(3, key.rule.rawValue)
                insertKey.bind(4, key.path)
                insertKey.bind(5, key.line)
                insertKey.bind(6, key.method)
                insertKey.bind(7, key.parameter)
                insertKey.bind(8, key.cwe)
                try insertKey.step()
            }
        }

        /// A finding seen again whose keys changed (an advisory that gained or lost an alias, a
        /// rule's new CWE) is linked by its new keys, as if it were new: it moves to the issue its
        /// surest key now meets, or to an issue of its own when it meets none and shares its
        /// issue with others. A finding a person merged or split stays where the person put it.
        /// Returns the issues whose findings changed (emptied ones are deleted).
        func relink(findingID: Int64, keys: [CorrelationKey], componentID: Int64, createdAt: String, in db: Database) throws -> [Int64] {
            let stored = Set(try Int64.fetchAll(db, sql: "SELECT hash FROM correlation_key WHERE finding_id = ?", arguments: [findingID]))
            guard stored != Set(keys.map(\.hash)) else { return [] }
            try db.execute(sql: "DELETE FROM correlation_key WHERE finding_id = ?", arguments: [findingID])
            // Linked before its new keys are stored, so that it cannot meet itself.
            let changed = try move(findingID: findingID, keys: keys, componentID: componentID, createdAt: createdAt, in: db)
            try insertKeys(keys, findingID: findingID)
            return changed
        }

        func move(findingID: Int64, keys: [CorrelationKey], componentID: Int64, createdAt: String, in db: Database) throws -> [Int64] {
            guard let member = try Row.fetchOne(db, sql: "SELECT issue_id, rule FROM issue_member WHERE finding_id = ?", arguments: [findingID])
            else { return [] }
            let current: Int64 = member["issue_id"]
            let currentRule = CorrelationRule(rawValue: member["rule"] ?? "")
            if currentRule == .mergedByPerson || currentRule == .splitByPerson { return [] }
            let others =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM issue_member WHERE issue_id = ? AND finding_id != ?", arguments: [current, findingID]) ?? 0
            let target: Int64
            if let best = try bestLink(keys) {
                guard best.issue != current else { return [] }
                target = best.issue
                try db.execute(
                    sql: "UPDATE issue_member SET issue_id = ?, rule = ?, confidence = ?, linked_to = ? WHERE finding_id = ?",
                    arguments: [target, best.rule.rawValue, best.confidence.rawValue, best.through, findingID])
            } else {
                // Alone already: nothing to move.
                guard others > 0 else { return [] }
                insertIssue.bind(1, componentID)
                insertIssue.bind(2, createdAt)
                try insertIssue.step()
                target = insertIssue.lastInsertedRowID
                try db.execute(
                    sql: "UPDATE issue_member SET issue_id = ?, rule = 'first', confidence = 'high', linked_to = NULL WHERE finding_id = ?",
                    arguments: [target, findingID])
            }
            if others == 0 {
                try db.execute(sql: "DELETE FROM issue WHERE id = ?", arguments: [current])
                return [target]
            }
            return [current, target]
        }

        func addMember(_ findingID: Int64, issue: Int64, rule: CorrelationRule, confidence: LinkConfidence, through: Int64?) throws {
            insertMember.bind(1, findingID)
            insertMember.bind(2, issue)
            insertMember.bind(3, rule.rawValue)
            insertMember.bind(4, confidence.rawValue)
            insertMember.bind(5, through)
            try insertMember.step()
        }
    }

    /// How a finding joins an issue: the rule and confidence of its surest key, and the stored
    /// finding it met.
    struct Link {
        var confidence: LinkConfidence
        var issue: Int64
        var rule: CorrelationRule
        var through: Int64
    }

    /// What new issues' scores depend on besides their findings: the feeds, the inventory and
    /// the VEX statements as of now. Scores made before the write are used only if it is unchanged.
    static func scoringFactsStamp(in db: Database) throws -> String {
        try String.fetchOne(
            db,
            sql: """
                SELECT coalesce((SELECT group_concat(kind || loaded_at) FROM feed), '') || '/' ||
                    coalesce((SELECT max(id) FROM inventory_revision), 0) || '/' || coalesce((SELECT max(id) FROM vex_statement), 0)
                """) ?? ""
    }

    /// Below this many new findings, scores are made beside the write for all of them: reading
    /// the component's keys would cost more than the scores it saves.
    static let storedKeysThreshold = 2_000

    /// The correlation key hashes of a component's stored findings: what a new finding's keys
    /// can meet (keys name their component, so no other component's can).
    static func correlationKeyHashes(componentID: Int64, in db: Database) throws -> Set<Int64> {
        Set(
            try Int64.fetchAll(
                db,
                sql: """
                    SELECT k.hash FROM stream s JOIN finding f ON f.stream_id = s.id JOIN correlation_key k ON k.finding_id = f.id
                    WHERE s.component_id = ?
                    """, arguments: [componentID]))
    }

    /// A component's id from its application's name and its own; nil before its first import.
    static func componentID(application: String, component: String, in db: Database) throws -> Int64? {
        try Int64.fetchOne(
            db, sql: "SELECT c.id FROM component c JOIN application a ON a.id = c.application_id WHERE a.name = ? AND c.name = ?",
            arguments: [application, component])
    }

    /// The routes the inventory maps to files, for a component.
    static func routes(componentID: Int64, in db: Database) throws -> [Correlation.Route] {
        guard let text = try String.fetchOne(db, sql: "SELECT declaration FROM inventory_component WHERE component_id = ?", arguments: [componentID])
        else { return [] }
        return try decodeJSON(ComponentDeclaration.self, text, column: "declaration").routes.map {
            Correlation.Route(path: $0.path, files: $0.files)
        }
    }

    /// Correlates every finding that belongs to no issue yet, in import order: after the
    /// migration that introduced issues, and in a rebuild.
    static func correlateAll(in db: Database) throws {
        let correlator = try Correlator(db)
        var routes: [Int64: [Correlation.Route]] = [:]
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT f.id, f.category, f.rule_id, f.cwes, f.vulnerability_ids, f.location_kind, f.file_path, f.component_name, f.url,
                    f.host, f.secret_hash, f.location, f.first_seen, g.line, g.purl, s.tool, c.id AS component_id, c.name AS component,
                    a.name AS application
                FROM finding f JOIN finding_sighting g ON g.finding_id = f.id JOIN stream s ON s.id = f.stream_id
                JOIN component c ON c.id = s.component_id JOIN application a ON a.id = c.application_id
                WHERE NOT EXISTS (SELECT 1 FROM issue_member m WHERE m.finding_id = f.id)
                ORDER BY f.id
                """)
        // Read first, then write: the cursor must not see the rows the correlator adds.
        var pending: [(id: Int64, finding: Finding, application: String, component: String, componentID: Int64, firstSeen: String)] = []
        while let row = try rows.next() {
            pending.append((row["id"], try storedForCorrelation(row), row["application"], row["component"], row["component_id"], row["first_seen"]))
        }
        for item in pending {
            if routes[item.componentID] == nil { routes[item.componentID] = try Self.routes(componentID: item.componentID, in: db) }
            let keys = Correlation.keys(
                for: item.finding, application: item.application, component: item.component, routes: routes[item.componentID] ?? [])
            try correlator.correlate(findingID: item.id, keys: keys, componentID: item.componentID, createdAt: item.firstSeen)
        }
    }

    /// A stored finding rebuilt with what correlation reads: category, tool, rule, weaknesses,
    /// vulnerability ids, the place (file and line, package, IaC resource, endpoint) and the
    /// secret's hash.
    static func storedForCorrelation(_ row: Row) throws -> Finding {
        let place = (row["location"] as String?).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] } ?? [:]
        let file: String = row["file_path"] ?? ""
        let line: Int? = row["line"]
        let location: Location
        switch row["location_kind"] as String {
        case "code": location = .code(CodeLocation(file: file, startLine: line))
        case "package":
            location = .package(
                PackageLocation(
                    purl: (row["purl"] as String?).flatMap(PackageURL.init(parsing:)), name: row["component_name"] ?? "",
                    ecosystem: place["ecosystem"] as? String))
        case "iac": location = .iac(IaCLocation(file: file, resource: place["resource"] as? String, startLine: line))
        case "endpoint":
            location = .endpoint(
                EndpointLocation(url: row["url"] ?? "", method: place["method"] as? String, parameter: place["parameter"] as? String))
        case "host": location = .host(HostLocation(address: row["host"] ?? ""))
        case "cloud": location = .cloud(CloudLocation(provider: place["provider"] as? String ?? "", resourceID: place["resourceID"] as? String ?? ""))
        case "design": location = .design(DesignLocation(model: place["model"] as? String, element: place["element"] as? String))
        default: location = .containerImage(ImageLocation(name: place["name"] as? String ?? ""))
        }
        var finding = Finding(
            category: try stored(FindingCategory.self, row["category"], column: "category"), tool: ToolInfo(name: row["tool"]),
            ruleID: row["rule_id"], title: "", severity: .info, cwes: try decodeJSON([Int].self, row["cwes"], column: "cwes"),
            vulnerabilityIDs: try decodeJSON([String].self, row["vulnerability_ids"], column: "vulnerability_ids").compactMap(VulnerabilityID.init),
            location: location)
        if let hash = row["secret_hash"] as String? { finding.secret = SecretEvidence(saltedHash: hash, preview: "") }
        return finding
    }
}

extension SQLiteStore {
    public func issues(_ query: IssueQuery) async throws -> [StoredIssue] {
        var narrowed = query
        if query.ids == nil, let ids = try await candidateIssues(query) { narrowed.ids = ids }
        let query = narrowed
        var (conditions, arguments) = Self.placeConditions(application: query.application, component: query.component)
        if let ids = query.ids {
            conditions.append("m.issue_id IN (SELECT value FROM json_each(?))")
            arguments.append("[" + ids.map(String.init).joined(separator: ",") + "]")
        }
        var sql = """
            SELECT \(Self.storedFindingColumns), m.rule AS member_rule, m.confidence AS member_confidence, m.linked_to,
                (SELECT body FROM risk_assessment WHERE id = i.assessment_id) AS issue_assessment, i.severity_override, i.severity_rule, \(Self.triageColumns)
            FROM issue_member m JOIN issue i ON i.id = m.issue_id JOIN finding f ON f.id = m.finding_id JOIN finding_sighting g ON g.finding_id = f.id
            JOIN stream s ON s.id = f.stream_id JOIN component c ON c.id = s.component_id JOIN application a ON a.id = c.application_id
            LEFT JOIN finding_detail d ON d.finding_id = f.id
            """
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY m.issue_id, f.id"
        let finalSQL = sql
        let finalArguments = StatementArguments(arguments)
        return try await writer.read { db in
            var findings: [StoredFinding] = []
            var links: [(issue: Int64, rule: CorrelationRule, confidence: LinkConfidence, linkedTo: Int64?)] = []
            var assessments: [Int64: StoredAssessment] = [:]
            var triages: [Int64: Triage] = [:]
            var overrides: [Int64: SeverityOverride] = [:]
            for row in try Row.fetchAll(db, sql: finalSQL, arguments: finalArguments) {
                let finding = try Self.storedFinding(row)
                let issue: Int64 = row["issue_id"]
                if assessments[issue] == nil, let text = row["issue_assessment"] as String? {
                    assessments[issue] = try Self.storedAssessment(text)
                }
                if triages[issue] == nil {
                    triages[issue] = try Self.triage(row)
                    if let text = row["severity_override"] as String?, let rule = row["severity_rule"] as Int64? {
                        overrides[issue] = SeverityOverride(
                            severity: try Self.stored(Severity.self, text, column: "issue.severity_override"), rule: rule)
                    }
                }
                findings.append(finding)
                links.append(
                    (
                        issue, try Self.stored(CorrelationRule.self, row["member_rule"], column: "rule"),
                        try Self.stored(LinkConfidence.self, row["member_confidence"], column: "confidence"), row["linked_to"]
                    ))
            }
            try Self.applyVEX(to: &findings, in: db)
            var issues: [StoredIssue] = []
            var start = 0
            while start < findings.count {
                var end = start
                while end < findings.count && links[end].issue == links[start].issue { end += 1 }
                let members = (start..<end).map {
                    IssueMember(finding: findings[$0], rule: links[$0].rule, confidence: links[$0].confidence, linkedTo: links[$0].linkedTo)
                }
                var issue = StoredIssue(
                    id: links[start].issue, application: findings[start].application, component: findings[start].component, members: members,
                    assessment: assessments[links[start].issue], triage: triages[links[start].issue] ?? .untriaged)
                issue.severityOverride = overrides[links[start].issue]
                issues.append(issue)
                start = end
            }
            return query.arrange(issues)
        }
    }

    /// `WHERE` conditions on the application (`a`) and component (`c`) names, with their arguments.
    static func placeConditions(application: String?, component: String?) -> ([String], [(any DatabaseValueConvertible)?]) {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let application {
            conditions.append("a.name = ?")
            arguments.append(application)
        }
        if let component {
            conditions.append("c.name = ?")
            arguments.append(component)
        }
        return (conditions, arguments)
    }

    /// The issues a query can return, chosen on the issue table (risk, SSVC, KEV, component) and
    /// its index when the query sorts by risk with a limit and keeps active or fixed issues:
    /// the listing then reads the members of those issues only, whatever the database's size.
    /// Nil when the query needs every issue's members to decide.
    func candidateIssues(_ query: IssueQuery) async throws -> [Int64]? {
        let active: Set<FindingStatus> = [.new, .open, .reopened]
        let statuses = Set(query.statuses)
        guard query.sort == .risk, let limit = query.limit, statuses.isEmpty || statuses == active || statuses == [.fixed] else { return nil }
        var (conditions, arguments) = Self.placeConditions(application: query.application, component: query.component)
        if query.kevOnly { conditions.append("i.kev = 1") }
        if !query.ssvc.isEmpty {
            conditions.append("i.ssvc IN (SELECT value FROM json_each(?))")
            arguments.append(JSONText.array(query.ssvc.map(\.rawValue)))
        }
        if let minimum = query.minimumRisk {
            conditions.append("i.risk >= ?")
            arguments.append(minimum)
        }
        let anyActive = """
            EXISTS (SELECT 1 FROM issue_member m JOIN finding_sighting g ON g.finding_id = m.finding_id
                WHERE m.issue_id = i.id AND g.status != 'fixed')
            """
        conditions.append(statuses == [.fixed] ? "NOT " + anyActive : anyActive)
        let sql = """
            SELECT i.id FROM issue i JOIN component c ON c.id = i.component_id JOIN application a ON a.id = c.application_id
            WHERE \(conditions.joined(separator: " AND ")) ORDER BY i.risk DESC NULLS LAST, i.id LIMIT ?
            """
        arguments.append(limit)
        let finalArguments = StatementArguments(arguments)
        return try await writer.read { db in try Int64.fetchAll(db, sql: sql, arguments: finalArguments) }
    }

    public func mergeIssues(into target: Int64, from sources: [Int64], reason: String, actor: String, at date: Date) async throws {
        try await writer.write { db in
            try Self.requireIssues([target] + sources, in: db)
            let moved = try Int64.fetchAll(
                db,
                sql: "SELECT finding_id FROM issue_member WHERE issue_id IN (" + sources.map { _ in "?" }.joined(separator: ", ")
                    + ") ORDER BY finding_id",
                arguments: StatementArguments(sources))
            let anchor = try Int64.fetchOne(db, sql: "SELECT min(finding_id) FROM issue_member WHERE issue_id = ?", arguments: [target])
            try Self.merge(findings: moved, into: target, in: db)
            try Self.recordDecision("merge", findings: [anchor].compactMap { $0 } + moved, reason: reason, at: date, in: db)
            try Self.rescore(issues: [target], at: date, in: db)
            var after = JSONObjectBuilder()
            after.add("merged", json: JSONText.array(sources.map { Int($0) }))
            after.add("findings", json: JSONText.array(moved.map { Int($0) }))
            try Self.appendAudit(.merge, subject: "issue \(target)", after: after.result, reason: reason, actor: actor, at: date, in: db)
        }
    }

    public func splitIssue(findings: [Int64], reason: String, actor: String, at date: Date) async throws -> Int64 {
        try await writer.write { db in
            let issues = try Int64.fetchAll(
                db, sql: "SELECT DISTINCT issue_id FROM issue_member WHERE finding_id IN (" + findings.map { _ in "?" }.joined(separator: ", ") + ")",
                arguments: StatementArguments(findings))
            guard issues.count == 1, Set(findings).count == findings.count,
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM issue_member WHERE finding_id IN (" + findings.map { _ in "?" }.joined(separator: ", ") + ")",
                    arguments: StatementArguments(findings)) == findings.count
            else { throw IssueDecisionError(message: "the findings to split off must all belong to one issue") }
            let remaining = try Int.fetchOne(db, sql: "SELECT count(*) FROM issue_member WHERE issue_id = ?", arguments: [issues[0]]) ?? 0
            guard remaining > findings.count else {
                throw IssueDecisionError(message: "issue \(issues[0]) has no other finding: splitting all of it off changes nothing")
            }
            let issue = try Self.split(findings: findings, in: db, createdAt: Self.timestamp(date))
            try Self.recordDecision("split", findings: findings, reason: reason, at: date, in: db)
            try Self.rescore(issues: [issues[0], issue], at: date, in: db)
            var after = JSONObjectBuilder()
            after.add("new_issue", Int(issue))
            after.add("findings", json: JSONText.array(findings.map { Int($0) }))
            try Self.appendAudit(.split, subject: "issue \(issues[0])", after: after.result, reason: reason, actor: actor, at: date, in: db)
            return issue
        }
    }

    public func rebuildCorrelation(actor: String, at date: Date) async throws -> Int {
        try await writer.write { db in
            // Triage decisions outlive the issue rows: each rebuilt issue takes the latest
            // decision of its findings' former issues.
            let triage = try Self.triageByFinding(in: db)
            try db.execute(sql: "DELETE FROM issue_member; DELETE FROM correlation_key; DELETE FROM issue;")
            try Self.correlateAll(in: db)
            for decision in try Row.fetchAll(db, sql: "SELECT kind, findings, at FROM issue_decision ORDER BY id") {
                let findings = try Self.decodeJSON([Int64].self, decision["findings"], column: "findings")
                // A finding deleted since (its application removed) drops out of the decision.
                let present = try Int64.fetchAll(
                    db, sql: "SELECT finding_id FROM issue_member WHERE finding_id IN (" + findings.map { _ in "?" }.joined(separator: ", ") + ")",
                    arguments: StatementArguments(findings))
                let kept = findings.filter(present.contains)
                guard let first = kept.first else { continue }
                if decision["kind"] as String == "merge" {
                    guard let target = try Int64.fetchOne(db, sql: "SELECT issue_id FROM issue_member WHERE finding_id = ?", arguments: [first])
                    else {
                        continue
                    }
                    try Self.merge(findings: Array(kept.dropFirst()), into: target, in: db)
                } else {
                    _ = try Self.split(findings: kept, in: db, createdAt: decision["at"])
                }
            }
            try db.execute(sql: "DELETE FROM issue WHERE NOT EXISTS (SELECT 1 FROM issue_member m WHERE m.issue_id = issue.id)")
            let carried = try Self.restoreTriage(triage, in: db)
            try Self.applyRules(issues: nil, actor: actor, at: date, in: db)
            let count = try Self.rescore(issues: nil, at: date, in: db)
            var after = JSONObjectBuilder()
            after.add("issues", count)
            after.add("triage_carried", carried)
            try Self.appendAudit(.correlationRebuilt, subject: "issues", after: after.result, actor: actor, at: date, in: db)
            return count
        }
    }

    /// Every finding of the issues the findings are in moves into `target`; emptied issues go.
    static func merge(findings: [Int64], into target: Int64, in db: Database) throws {
        guard !findings.isEmpty else { return }
        let placeholders = findings.map { _ in "?" }.joined(separator: ", ")
        let sources = try Int64.fetchAll(
            db, sql: "SELECT DISTINCT issue_id FROM issue_member WHERE finding_id IN (\(placeholders)) AND issue_id != ?",
            arguments: StatementArguments(findings + [target]))
        guard !sources.isEmpty else { return }
        let sourceList = sources.map { _ in "?" }.joined(separator: ", ")
        try db.execute(
            sql:
                "UPDATE issue_member SET issue_id = ?, rule = 'merged-by-person', confidence = 'high', linked_to = NULL WHERE issue_id IN (\(sourceList))",
            arguments: StatementArguments([target] + sources))
        try db.execute(sql: "DELETE FROM issue WHERE id IN (\(sourceList))", arguments: StatementArguments(sources))
    }

    /// The findings move to a new issue of their component.
    static func split(findings: [Int64], in db: Database, createdAt: String) throws -> Int64 {
        let placeholders = findings.map { _ in "?" }.joined(separator: ", ")
        guard
            let component = try Int64.fetchOne(
                db,
                sql: "SELECT i.component_id FROM issue_member m JOIN issue i ON i.id = m.issue_id WHERE m.finding_id IN (\(placeholders)) LIMIT 1",
                arguments: StatementArguments(findings))
        else { throw IssueDecisionError(message: "no such finding") }
        try db.execute(sql: "INSERT INTO issue (component_id, created_at) VALUES (?, ?)", arguments: [component, createdAt])
        let issue = db.lastInsertedRowID
        try db.execute(
            sql:
                "UPDATE issue_member SET issue_id = ?, rule = 'split-by-person', confidence = 'high', linked_to = NULL WHERE finding_id IN (\(placeholders))",
            arguments: StatementArguments([issue] + findings))
        return issue
    }

    static func requireIssues(_ ids: [Int64], in db: Database) throws {
        for id in ids where try !Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM issue WHERE id = ?)", arguments: [id])! {
            throw IssueDecisionError(message: "no issue \(id)")
        }
        guard Set(ids).count == ids.count else { throw IssueDecisionError(message: "an issue cannot be merged with itself") }
        let components = try Int64.fetchAll(
            db, sql: "SELECT DISTINCT component_id FROM issue WHERE id IN (" + ids.map { _ in "?" }.joined(separator: ", ") + ")",
            arguments: StatementArguments(ids))
        guard components.count == 1 else { throw IssueDecisionError(message: "issues of different components cannot be merged") }
    }

    static func recordDecision(_ kind: String, findings: [Int64], reason: String, at date: Date, in db: Database) throws {
        try db.execute(
            sql: "INSERT INTO issue_decision (kind, findings, reason, at) VALUES (?, ?, ?, ?)",
            arguments: [kind, "[" + findings.map(String.init).joined(separator: ",") + "]", reason, timestamp(date)])
    }
}
