// One libFuzzer executable for every file reader: `dualprop-fuzz TARGET [libFuzzer arguments]`.
// TARGET is safetensors, zip-npy, cifar, idx-gzip or run-state. One executable, not one per reader,
// so that scripts/fuzz.sh builds the instrumented package once (the build is most of CI's fuzz time).
// Built by scripts/fuzz.sh with -sanitize=fuzzer -DDUALPROP_LIBFUZZER (main runs libFuzzer's driver);
// a plain build makes a replay tool: `.build/release/dualprop-fuzz zip-npy FILE...` runs the probe
// on saved inputs and prints the outcome.
import DualPropData
import DualPropTraining
#if canImport(Glibc)
import Glibc
#endif

/// The probes by target name: nil when accepted, the message when refused, "unexpected …" for a bug.
let probes: [(name: String, probe: @Sendable ([UInt8]) -> String?)] = [
    ("safetensors", { ReaderProbes.safetensors($0).message }),
    ("zip-npy", { ReaderProbes.zipOrNPY($0).message }),
    ("cifar", { ReaderProbes.cifar($0).message }),
    ("idx-gzip", { ReaderProbes.idx($0).message }),
    ("run-state", { RunStateFixture.probe($0) }),
]

let arguments = CommandLine.arguments
guard arguments.count >= 2, let target = probes.first(where: { $0.name == arguments[1] }) else {
    print("usage: dualprop-fuzz TARGET [libFuzzer arguments | FILE...]; TARGET: \(probes.map(\.name).joined(separator: ", "))")
    exit(2)
}
FuzzMain.run(target: target.probe)
