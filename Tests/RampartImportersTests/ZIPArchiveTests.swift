import Foundation
import Testing

@testable import RampartImporters

/// Zipped reports are read in memory; a hostile archive must be refused before it costs memory.
@Suite("ZIP archive reader")
struct ZIPArchiveTests {
    struct Member {
        var name: String
        var body: [UInt8]
        var method: UInt16 = 0
        var declaredSize: UInt32? = nil
        var flags: UInt16 = 0
    }

    /// A raw deflate stream of one stored block: how a deflate entry can be built without zlib.
    static func storedDeflate(_ bytes: [UInt8]) -> [UInt8] {
        let length = UInt16(bytes.count)
        return [0x01, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)] + bytes
    }

    static func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
    static func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }

    /// An archive with the given members (CRCs are not checked by the reader, so they are zero).
    static func archive(_ members: [Member]) -> Data {
        var out: [UInt8] = []
        var directory: [UInt8] = []
        for member in members {
            let offset = UInt32(out.count)
            let name = Array(member.name.utf8)
            let size = member.declaredSize ?? UInt32(member.method == 8 ? member.body.count - 5 : member.body.count)
            let common =
                le16(20) + le16(member.flags) + le16(member.method) + le16(0) + le16(0) + le32(0) + le32(UInt32(member.body.count)) + le32(size)
                + le16(UInt16(name.count)) + le16(0)
            out += [0x50, 0x4B, 0x03, 0x04] + common + name + member.body
            directory += [0x50, 0x4B, 0x01, 0x02] + le16(20) + common + le16(0) + le16(0) + le16(0) + le32(0) + le32(offset) + name
        }
        let directoryOffset = UInt32(out.count)
        out += directory
        out +=
            [0x50, 0x4B, 0x05, 0x06] + le16(0) + le16(0) + le16(UInt16(members.count)) + le16(UInt16(members.count))
            + le32(UInt32(directory.count)) + le32(directoryOffset) + le16(0)
        return Data(out)
    }

    @Test("stored and deflated entries are read, folders skipped")
    func readsEntries() throws {
        let data = Self.archive([
            Member(name: "report/", body: []),
            Member(name: "report/security_2026.csv", body: Array("a,b\n1,2\n".utf8)),
            Member(name: "report/components_2026.csv", body: Self.storedDeflate(Array("name\nzlib\n".utf8)), method: 8),
        ])
        #expect(ZIPArchive.looksLikeZIP(data))
        let archive = try ZIPArchive(data, maxInflated: 1 << 20)
        #expect(archive.entries.map(\.name) == ["report/security_2026.csv", "report/components_2026.csv"])
        #expect(String(decoding: archive.entries[1].data, as: UTF8.self) == "name\nzlib\n")
        #expect(archive.entries(named: { $0.hasPrefix("security_") }).count == 1)
    }

    @Test(
        "hostile archives are refused with the reason",
        arguments: [
            ("encrypted", [Member(name: "a.csv", body: Array("x".utf8), flags: 1)], "encrypted"),
            ("bomb", [Member(name: "a.csv", body: Self.storedDeflate(Array("x".utf8)), method: 8, declaredSize: 900_000)], "zip bomb"),
            ("lying size", [Member(name: "a.csv", body: Self.storedDeflate(Array("abcdef".utf8)), method: 8, declaredSize: 3)], "declared"),
            ("method", [Member(name: "a.csv", body: Array("x".utf8), method: 12)], "compression method 12"),
            ("stored sizes", [Member(name: "a.csv", body: Array("xyz".utf8), declaredSize: 9)], "two sizes"),
        ] as [(String, [Member], String)])
    func refuses(label: String, members: [Member], reason: String) {
        do {
            _ = try ZIPArchive(Self.archive(members), maxInflated: 1 << 20)
            Issue.record("\(label): read")
        } catch {
            #expect(error.description.contains(reason), "\(label): \(error.description)")
        }
    }

    @Test("a truncated archive (no central directory) and the import limit are refused")
    func truncatedAndLimit() {
        let data = Self.archive([Member(name: "a.csv", body: Array(repeating: 0x41, count: 100))])
        #expect(throws: ZIPArchive.Refusal.self) { try ZIPArchive(data.prefix(data.count - 10), maxInflated: 1 << 20) }
        #expect(throws: ZIPArchive.Refusal.self) { try ZIPArchive(data, maxInflated: 50) }
    }

    @Test("a zipped report no format claims is refused, named as an archive")
    func unclaimedArchive() async throws {
        let data = Self.archive([Member(name: "notes.txt", body: Array("hello".utf8))])
        await #expect(throws: ImportError.self) {
            _ = try await ImportPipeline().normalize(data, file: "notes.zip", context: ImportContext(secretSalt: Array("salt".utf8)))
        }
        do {
            _ = try await ImportPipeline().normalize(data, file: "notes.zip", context: ImportContext(secretSalt: Array("salt".utf8)))
        } catch let error as ImportError {
            #expect(error.description.contains("a ZIP archive of 1 file(s)"))
        }
    }
}
