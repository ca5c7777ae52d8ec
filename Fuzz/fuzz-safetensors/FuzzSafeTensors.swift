// libFuzzer target: safetensors headers and data (SafeTensors.decode).
// Built by scripts/fuzz.sh with -sanitize=fuzzer -DDUALPROP_LIBFUZZER (main runs libFuzzer's driver);
// a plain build makes a replay tool: `.build/release/fuzz-safetensors FILE...` runs the probe on saved inputs.
import DualPropData

/// One input: a trap, or an error other than a refusal, is a finding.
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let message = ReaderProbes.safetensors(bytes).message, message.hasPrefix("unexpected") { fatalError(message) }
    return 0
}

@main struct FuzzTarget {
    static func main() { FuzzMain.run(fuzzOneInput) { ReaderProbes.safetensors($0).message } }
}
