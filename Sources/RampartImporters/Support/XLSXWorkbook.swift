import Foundation

/// The cell values of an Office Open XML spreadsheet (`.xlsx`), read from its ZIP archive with
/// the hardened XML reader: the workbook's sheets in order, each a grid of rows of text cells.
/// Shared strings, inline strings, numbers and booleans are read as the text Excel shows for a
/// general cell; formulas give their cached value; styles and dates are not interpreted.
package struct XLSXWorkbook: Sendable {
    package struct Sheet: Sendable {
        package var name: String
        /// Rows as written (empty rows skipped), each cell at its column index (A is 0).
        package var rows: [(line: Int, cells: [String?])]
    }

    package var sheets: [Sheet]

    package struct Problem: Error, CustomStringConvertible {
        package var description: String
    }

    /// Nil when the archive is no spreadsheet.
    package init?(_ archive: ZIPArchive) throws(Problem) {
        func file(_ path: String) -> Data? { archive.entries.first { $0.name == path }?.data }
        guard let workbookData = file("xl/workbook.xml") else { return nil }
        func parse(_ data: Data, _ path: String) throws(Problem) -> XMLElement {
            do { return try XMLReader.parse(data).root } catch { throw Problem(description: "\(path): \(error)") }
        }
        let workbook = try parse(workbookData, "xl/workbook.xml")
        var targets: [String: String] = [:]
        if let relations = file("xl/_rels/workbook.xml.rels") {
            for relation in try parse(relations, "xl/_rels/workbook.xml.rels").children("Relationship") {
                if let id = relation.attributes["Id"], let target = relation.attributes["Target"] { targets[id] = target }
            }
        }
        var shared: [String] = []
        if let strings = file("xl/sharedStrings.xml") {
            shared = try parse(strings, "xl/sharedStrings.xml").children("si").map(Self.text(of:))
        }
        var sheets: [Sheet] = []
        for (position, sheet) in (workbook.child("sheets")?.children("sheet") ?? []).enumerated() {
            let name = sheet.attributes["name"] ?? "Sheet\(position + 1)"
            let id = sheet.attributes.first { $0.key.hasSuffix(":id") || $0.key == "id" }?.value
            var target = id.flatMap { targets[$0] } ?? "worksheets/sheet\(position + 1).xml"
            if target.hasPrefix("/") { target.removeFirst() } else { target = "xl/" + target }
            guard let data = file(target) else { continue }
            let root = try parse(data, target)
            var rows: [(line: Int, cells: [String?])] = []
            for row in root.child("sheetData")?.children("row") ?? [] {
                var cells: [String?] = []
                for (index, cell) in row.children("c").enumerated() {
                    let column = cell.attributes["r"].flatMap(Self.column(of:)) ?? index
                    guard column < 16_384 else { continue }
                    let value: String?
                    switch cell.attributes["t"] {
                    case "s": value = cell.childText("v").flatMap { Int($0) }.flatMap { $0 >= 0 && $0 < shared.count ? shared[$0] : nil }
                    case "inlineStr": value = cell.child("is").map(Self.text(of:))
                    default: value = cell.child("v")?.value
                    }
                    if cells.count <= column { cells += [String?](repeating: nil, count: column + 1 - cells.count) }
                    cells[column] = value
                }
                if cells.contains(where: { $0?.isEmpty == false }) { rows.append((row.line, cells)) }
            }
            sheets.append(Sheet(name: name, rows: rows))
        }
        self.sheets = sheets
    }

    /// A string item's text: its `t`, or its runs' `t`s.
    static func text(of item: XMLElement) -> String {
        if let plain = item.child("t") { return plain.text }
        return item.children("r").compactMap { $0.child("t")?.text }.joined()
    }

    /// `AB12` → 27.
    static func column(of reference: String) -> Int? {
        var column = 0
        var letters = 0
        for scalar in reference.unicodeScalars {
            guard scalar.value >= 65, scalar.value <= 90 else { break }
            column = column * 26 + Int(scalar.value - 64)
            letters += 1
            if letters > 3 { return nil }
        }
        return letters == 0 ? nil : column - 1
    }

    package func sheet(named name: String) -> Sheet? { sheets.first { $0.name == name } }
}

extension XLSXWorkbook.Sheet {
    /// The rows after the first, as records keyed by the first row's names.
    package var records: [(line: Int, fields: [String: String])] {
        guard let header = rows.first else { return [] }
        let names = header.cells.map { $0?.trimmingCharacters(in: .whitespaces) ?? "" }
        return rows.dropFirst().map { row in
            var fields: [String: String] = [:]
            for (index, value) in row.cells.enumerated() {
                guard let value = value?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { continue }
                fields[index < names.count && !names[index].isEmpty ? names[index] : "column \(index + 1)"] = value
            }
            return (row.line, fields)
        }
    }
}
