// The libFuzzer entry point for every fuzz target (built only with WHEELTRUST_FUZZ=1; see
// scripts/fuzz.sh). The target is chosen by WHEELTRUST_FUZZ_TARGET; its body lives in
// Tests/FuzzCorpusTests, where the committed corpus is also replayed by `swift test`.
import Foundation
import FuzzBodies

let selected: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["WHEELTRUST_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTargets.named(name) else {
        var message = "WHEELTRUST_FUZZ_TARGET must name one of:\n"
        for target in FuzzTargets.all { message += "  \(target.name): \(target.summary)\n" }
        FileHandle.standardError.write(Data(message.utf8))
        exit(2)
    }
    return target
}()

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(
    _ argc: UnsafeMutablePointer<Int32>?,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?
) -> Int32 {
    _ = selected
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let broken = selected.runBlocking(bytes)
    if !broken.isEmpty {
        // A broken invariant is a finding like a crash: trap so libFuzzer keeps the input.
        fatalError("\(selected.name): " + broken.joined(separator: "; "))
    }
    return 0
}
