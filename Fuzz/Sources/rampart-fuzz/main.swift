import Foundation
import RampartCore
import RampartImporters

// Feeds each input through every stage of normalization (syntax, detection, the detected
// importer, identity, bounded diagnostics), as `rampart import` does before it writes. Any
// trap, sanitizer report or timeout is a bug: bad input must end in an error.

let pipeline = ImportPipeline()

final class Completion: @unchecked Sendable {
    let semaphore = DispatchSemaphore(value: 0)
}

func importOne(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    let data = Data(bytes: start, count: count)
    let completion = Completion()
    Task {
        _ = try? await pipeline.normalize(data, file: "fuzz", context: ImportContext(secretSalt: [1, 2, 3]))
        completion.semaphore.signal()
    }
    completion.semaphore.wait()
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt { importOne(data, size) }

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(runFuzzerDriver(&argc, &argv, { importOne($0, $1) }))
