import Foundation
import FuzzDriver
import FuzzTargets

// Usage: synapscribe-fuzz <target> [libFuzzer options and corpus folders or input files...]
//
// The first argument names the target (see FuzzTarget); everything after it goes to libFuzzer unchanged.

/// The target this process fuzzes; set once before libFuzzer starts calling back.
nonisolated(unsafe) var selectedTarget: FuzzTarget = .sigv4

/// libFuzzer's callback: one input through the selected target. Also exported under the conventional name, which
/// the libFuzzer runtime linked by -sanitize=fuzzer references.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    selectedTarget.run(bytes)
    return 0
}

let arguments = CommandLine.arguments
guard arguments.count >= 2, let target = FuzzTarget(rawValue: arguments[1]) else {
    let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
    FileHandle.standardError.write(Data("usage: synapscribe-fuzz <target> [libFuzzer arguments...]\ntargets: \(names)\n".utf8))
    exit(2)
}
selectedTarget = target

// libFuzzer sees argv without the target name.
let driverArguments = [arguments[0]] + arguments.dropFirst(2)
var cStrings: [UnsafeMutablePointer<CChar>?] = driverArguments.map { strdup($0) } + [nil]
var argc = CInt(driverArguments.count)
let status = cStrings.withUnsafeMutableBufferPointer { buffer in
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = buffer.baseAddress
    return LLVMFuzzerRunDriver(&argc, &argv, testOneInput)
}
exit(status)
