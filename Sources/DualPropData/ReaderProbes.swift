import Foundation

/// Every file reader of the package run on bytes in memory, for the fuzz targets (`Fuzz/`) and
/// the mutation tests. A probe returns normally whether the bytes were accepted or refused with a
/// ``DataError``; anything else (another error type) is a bug and is returned as such. A trap,
/// or memory beyond the small bound the readers promise, is what the fuzzers look for.
package enum ReaderProbes {
    /// The outcome of one probe.
    package enum Outcome: Equatable {
        /// The bytes were read.
        case accepted
        /// The bytes were refused with a ``DataError``.
        case refused(DataError)
        /// An error that is not a ``DataError`` escaped (a bug).
        case unexpected(String)
    }

    static func run(_ body: () throws -> Void) -> Outcome {
        do { try body(); return .accepted } catch let e as DataError { return .refused(e) } catch {
            return .unexpected("\(type(of: error)): \(error)")
        }
    }

    /// `SafeTensors.decode`.
    package static func safetensors(_ bytes: [UInt8]) -> Outcome {
        run { _ = try SafeTensors.decode(bytes, name: "fuzz.safetensors") }
    }

    /// A zip archive: the central directory, every member extracted (CRC-checked), `.npy`
    /// members parsed, and the archive decoded as an ImageNet32 `.npz`. Bytes starting with the
    /// `.npy` magic are parsed as one array instead.
    package static func zipOrNPY(_ bytes: [UInt8]) -> Outcome {
        if bytes.starts(with: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]) { return npy(bytes) }
        return run {
            let zip = try ZipArchive(MemorySource(name: "fuzz.npz", bytes: bytes))
            for e in zip.entries {
                let member = try zip.extract(e)
                if e.name.hasSuffix(".npy") {
                    let array = try NPYArray(bytes: member, name: zip.memberPath(e))
                    _ = try? array.integerValues(name: e.name)
                    _ = try? array.uint8Values(name: e.name)
                }
            }
            _ = try ImageNet32.decodeNPZ(zip)
        }
    }

    /// One `.npy` array and its typed views.
    package static func npy(_ bytes: [UInt8]) -> Outcome {
        run {
            let array = try NPYArray(bytes: bytes, name: "fuzz.npy")
            _ = try array.integerValues(name: "fuzz.npy")
        }
    }

    /// CIFAR-10 and CIFAR-100 record files: accepted when either layout reads the bytes.
    package static func cifar(_ bytes: [UInt8]) -> Outcome {
        let ten = run { _ = try CIFARRecords.read(MemorySource(name: "fuzz.bin", bytes: bytes), labelBytes: 1, classCounts: [10]) }
        if case .unexpected = ten { return ten }
        let hundred = run { _ = try CIFARRecords.read(MemorySource(name: "fuzz.bin", bytes: bytes), labelBytes: 2, classCounts: [20, 100]) }
        if case .unexpected = hundred { return hundred }
        return ten == .accepted ? ten : hundred == .accepted ? hundred : ten
    }

    /// MNIST idx image and label files, plain or gzip-compressed, and gzip on its own.
    package static func idx(_ bytes: [UInt8]) -> Outcome {
        let source = MemorySource(name: "fuzz-idx-ubyte", bytes: bytes)
        let images = run { _ = try IDX.readImages(source) }
        if case .unexpected = images { return images }
        let labels = run { _ = try IDX.readLabels(source) }
        if case .unexpected = labels { return labels }
        if bytes.starts(with: [0x1f, 0x8b]) { return run { _ = try Inflate.gunzip(bytes, limit: 1 << 24, name: "fuzz.gz") } }
        return images == .accepted ? images : labels
    }
}

#if DUALPROP_LIBFUZZER
/// libFuzzer's driver (LLVM ≥ 13), linked by `-sanitize=fuzzer`. Declared by symbol name: its
/// arguments are plain pointers and an integer, passed alike by the Swift and C conventions.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt
#endif

/// The `main` of every fuzz target. Built with `-sanitize=fuzzer -DDUALPROP_LIBFUZZER` it hands
/// the command line and `callback` to libFuzzer's driver (SwiftPM links an executable's own
/// `main`, so libFuzzer's cannot be used); otherwise it replays files through `probe`.
package enum FuzzMain {
    package static func run(_ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt,
                            probe: ([UInt8]) -> String?) -> Never {
        #if DUALPROP_LIBFUZZER
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, callback))
        #else
        FuzzReplay.main(probe)
        #endif
    }
}

/// The `main` of a fuzz target built without libFuzzer: runs `probe` on every file named on the
/// command line (e.g. a crash input libFuzzer saved) and prints the outcome; exits 1 when a probe
/// reports an unexpected error.
package enum FuzzReplay {
    package static func main(_ probe: ([UInt8]) -> String?) -> Never {
        let files = CommandLine.arguments.dropFirst()
        if files.isEmpty {
            print("usage: \(CommandLine.arguments[0]) FILE... (built with -sanitize=fuzzer it is a libFuzzer target; see README)")
            exit(2)
        }
        var failed = false
        for path in files {
            guard let data = FileManager.default.contents(atPath: path) else { print("\(path): unreadable"); failed = true; continue }
            let outcome = probe(Array(data))
            print("\(path): \(outcome ?? "accepted")")
            if outcome?.hasPrefix("unexpected") == true { failed = true }
        }
        exit(failed ? 1 : 0)
    }
}

extension ReaderProbes.Outcome {
    /// nil when accepted; the error message when refused; "unexpected …" for a bug.
    package var message: String? {
        switch self {
        case .accepted: return nil
        case .refused(let e): return e.description
        case .unexpected(let m): return "unexpected " + m
        }
    }
}
