import ArgumentParser
import DualPropKernels

/// `ck-bench`: microbenchmarks of the kernel library. Each kernel family is one subcommand in
/// its own file; every subcommand prints a table (median of repeats) and, with `--json`, JSON.
struct CKBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ck-bench",
        abstract: "Microbenchmarks of the DualProp C kernels (build with -c release).",
        version: "ck-bench \(Runtime.version)",
        subcommands: [GemmBench.self, ConvBench.self, NudgeBench.self, LiftedBench.self, SplitReport.self, WinogradBench.self,
                      WinogradErrorBench.self]
    )
}

// A file named main.swift is top-level code, so the entry point is this call (not @main).
CKBench.main()
