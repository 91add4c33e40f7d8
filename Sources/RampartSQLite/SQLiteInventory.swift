import Foundation
import GRDB
import RampartCore
import RampartStore

extension SQLiteStore {
    public func inventory() async throws -> Inventory {
        try await writer.read { db in try Self.inventory(in: db) }
    }

    static func inventory(in db: Database) throws -> Inventory {
        let applications = try Row.fetchAll(
            db,
            sql: """
                SELECT a.id, a.name, i.owner, i.team, i.criticality, i.exposure, i.data, i.environments, i.stale_after_days
                FROM inventory_application i JOIN application a ON a.id = i.application_id ORDER BY i.position
                """)
        return try Inventory(
            applications: applications.map { row in
                let id: Int64 = row["id"]
                let components = try String.fetchAll(
                    db,
                    sql: """
                        SELECT i.declaration FROM inventory_component i JOIN component c ON c.id = i.component_id
                        WHERE c.application_id = ? ORDER BY i.position
                        """, arguments: [id]
                ).map { try decodeJSON(ComponentDeclaration.self, $0, column: "declaration") }
                return try ApplicationDeclaration(
                    name: row["name"], owner: row["owner"], team: row["team"],
                    criticality: stored(Criticality.self, row["criticality"], column: "criticality"),
                    data: decodeJSON([DataClassification].self, row["data"], column: "data"),
                    exposure: stored(Exposure.self, row["exposure"], column: "exposure"),
                    environments: decodeJSON([DeploymentEnvironment].self, row["environments"], column: "environments"),
                    staleAfterDays: row["stale_after_days"], components: components)
            })
    }

    public func applyInventory(_ inventory: Inventory, source: String, actor: String, at date: Date) async throws -> [InventoryChange] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try await writer.write { db in
            let changes = try Self.inventory(in: db).changes(to: inventory)
            let now = Self.timestamp(date)
            try db.execute(sql: "DELETE FROM inventory_component")
            try db.execute(sql: "DELETE FROM inventory_application")
            for (position, application) in inventory.applications.enumerated() {
                try db.execute(
                    sql: "INSERT INTO application (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                    arguments: [application.name, now])
                guard let applicationID = try Int64.fetchOne(db, sql: "SELECT id FROM application WHERE name = ?", arguments: [application.name])
                else { throw StoredValueError(column: "application.name", value: application.name) }
                try db.execute(
                    sql: """
                        INSERT INTO inventory_application (application_id, position, owner, team, criticality, exposure, data, environments,
                            stale_after_days)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        applicationID, position, application.owner, application.team, application.criticality.rawValue,
                        application.exposure.rawValue, String(decoding: try encoder.encode(application.data), as: UTF8.self),
                        String(decoding: try encoder.encode(application.environments), as: UTF8.self), application.staleAfterDays,
                    ])
                for (componentPosition, component) in application.components.enumerated() {
                    try db.execute(
                        sql: "INSERT INTO component (application_id, name) VALUES (?, ?) ON CONFLICT (application_id, name) DO NOTHING",
                        arguments: [applicationID, component.name])
                    try db.execute(
                        sql: """
                            INSERT INTO inventory_component (component_id, position, declaration)
                            SELECT id, ?, ? FROM component WHERE application_id = ? AND name = ?
                            """,
                        arguments: [
                            componentPosition, String(decoding: try encoder.encode(component), as: UTF8.self), applicationID, component.name,
                        ])
                }
            }
            // What the inventory no longer declares and nothing was ever imported into goes; an
            // application or component with scans stays, as undeclared, with all its findings.
            try db.execute(
                sql: """
                    DELETE FROM component WHERE id NOT IN (SELECT component_id FROM inventory_component)
                        AND NOT EXISTS (SELECT 1 FROM stream WHERE stream.component_id = component.id)
                    """)
            try db.execute(
                sql: """
                    DELETE FROM application WHERE id NOT IN (SELECT application_id FROM inventory_application)
                        AND NOT EXISTS (SELECT 1 FROM component WHERE component.application_id = application.id)
                    """)
            try db.execute(
                sql: "INSERT INTO inventory_revision (applied_at, source, changes) VALUES (?, ?, ?)",
                arguments: [now, source, String(decoding: try encoder.encode(changes), as: UTF8.self)])
            // Exposure, criticality and data weigh every issue of a changed component.
            if !changes.isEmpty {
                try Self.rescore(issues: nil, at: date, in: db)
                try Self.appendAudit(
                    .inventoryApplied, subject: "inventory", after: String(decoding: try encoder.encode(changes), as: UTF8.self), reason: source,
                    actor: actor, at: date, in: db)
            }
            return changes
        }
    }
}
