// libFuzzer target: the resumable checkpoint loader (`last-state.safetensors`: safetensors,
// training-state JSON, tensor names and shapes, and the state's checks against the configuration).
// Built by scripts/fuzz.sh with -sanitize=fuzzer -DDUALPROP_LIBFUZZER (main runs libFuzzer's driver);
// a plain build makes a replay tool: `.build/release/fuzz-run-state FILE...` runs the probe on saved inputs.
import DualPropData
import DualPropTraining

/// One input: a trap, or an error other than a refusal, is a finding.
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let message = RunStateFixture.probe(bytes), message.hasPrefix("unexpected") { fatalError(message) }
    return 0
}

@main struct FuzzTarget {
    static func main() { FuzzMain.run(fuzzOneInput) { RunStateFixture.probe($0) } }
}
