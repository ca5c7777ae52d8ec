// libFuzzer target: zip archives (central directory, zip64, STORED/DEFLATE members), .npz and .npy arrays.
// Built by scripts/fuzz.sh with -sanitize=fuzzer -DDUALPROP_LIBFUZZER (main runs libFuzzer's driver);
// a plain build makes a replay tool: `.build/release/fuzz-zip-npy FILE...` runs the probe on saved inputs.
import DualPropData

/// One input: a trap, or an error other than a refusal, is a finding.
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let message = ReaderProbes.zipOrNPY(bytes).message, message.hasPrefix("unexpected") { fatalError(message) }
    return 0
}

@main struct FuzzTarget {
    static func main() { FuzzMain.run(fuzzOneInput) { ReaderProbes.zipOrNPY($0).message } }
}
