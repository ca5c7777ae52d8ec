import Foundation
import XCTest
import DualPropData

/// Where the fuzz seed corpora go: `$DUALPROP_FUZZ_CORPUS`, else `<package>/.build/fuzz-corpus`,
/// one folder per fuzz target (scripts/fuzz.sh reads them).
enum FuzzCorpus {
    static var root: String {
        if let d = ProcessInfo.processInfo.environment["DUALPROP_FUZZ_CORPUS"], !d.isEmpty { return d }
        return Fixtures.packageRoot + "/.build/fuzz-corpus"
    }

    static func write(_ seeds: [String: [UInt8]], target: String) throws {
        let dir = root + "/" + target
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, bytes) in seeds { try Data(bytes).write(to: URL(fileURLWithPath: dir + "/" + name)) }
    }
}

/// A deterministic, structure-aware mutator: bit flips, boundary values written over 1-, 2-, 4-
/// and 8-byte fields (little and big endian: 0, 2^k ± 1, 2^31, 2^32 − 1, 2^62, 2^63, 2^64 − 1),
/// digit runs replaced inside JSON/npy headers, truncation, duplication and splicing.
struct SeedMutator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }

    static let boundaries: [UInt64] = [0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 1 << 32,
                                       1 << 40, 1 << 62, (1 << 63) - 1, 1 << 63, UInt64.max, UInt64.max - 7]
    static let numbers = ["0", "-1", "-4", "4294967296", "4611686018427387904", "9223372036854775807",
                          "9223372036854775808", "18446744073709551615", "1e30", "2.5", "-9223372036854775808"]

    mutating func mutate(_ input: [UInt8]) -> [UInt8] {
        var b = input
        for _ in 0...below(3) {
            switch below(8) {
            case 0 where !b.isEmpty:
                b[below(b.count)] ^= UInt8(1) << UInt8(below(8))
            case 1 where b.count >= 8, 2 where b.count >= 8:
                let width = [1, 2, 4, 8][below(4)], at = below(b.count - width + 1)
                let v = Self.boundaries[below(Self.boundaries.count)]
                let bigEndian = below(2) == 0
                for i in 0..<width { b[at + i] = UInt8(truncatingIfNeeded: v >> UInt64(8 * (bigEndian ? width - 1 - i : i))) }
            case 3:
                // Replace a run of digits (a JSON or npy header number) with a boundary number.
                let digits = b.indices.filter { b[$0] >= 0x30 && b[$0] <= 0x39 }
                if let start = digits.isEmpty ? nil : digits[below(digits.count)] {
                    var end = start
                    while end < b.count && b[end] >= 0x30 && b[end] <= 0x39 { end += 1 }
                    b.replaceSubrange(start..<end, with: Array(Self.numbers[below(Self.numbers.count)].utf8))
                }
            case 4 where !b.isEmpty:
                b.removeLast(below(min(b.count, 64)) + 1)
            case 5 where !b.isEmpty:
                let at = below(b.count), n = min(below(64) + 1, b.count - at)
                b.insert(contentsOf: b[at..<(at + n)], at: below(b.count))
            case 6 where b.count > 1:
                b = Array(b[below(b.count)...]) + Array(b[..<below(b.count)])
            default:
                if !b.isEmpty { b[below(b.count)] = UInt8(truncatingIfNeeded: next()) }
            }
        }
        return b
    }
}

/// Writes the seed corpus of every data fuzz target, and runs a bounded, seeded mutation pass
/// over it through the same probes as the fuzzers (so the suite checks the readers even where
/// libFuzzer is not built). Any trap ends the test process; an unexpected error fails the test.
final class FuzzSeedCorpusTests: XCTestCase {
    static func seeds() throws -> [(target: String, probe: ([UInt8]) -> ReaderProbes.Outcome, seeds: [String: [UInt8]])] {
        let f = Fixtures.path
        func file(_ parts: String...) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: ([Fixtures.directory] + parts).joined(separator: "/")))) }
        let tensors = [NamedTensor(name: "a", shape: [2, 3], values: (0..<6).map(Float.init)),
                       NamedTensor(name: "b", shape: [], values: [1]), NamedTensor(name: "c", shape: [0, 4], values: [])]
        _ = f
        return [
            ("fuzz-safetensors", ReaderProbes.safetensors, [
                "tensors": SafeTensors.encode(tensors, metadata: ["format": "test", "epoch": "3"]),
                "empty": SafeTensors.encode([]),
                "negative-dims": Crafted.safetensors(header: #"{"w":{"dtype":"F32","shape":[-2,-2],"data_offsets":[0,16]}}"#,
                                                     data: [UInt8](repeating: 0, count: 16)),
            ]),
            ("fuzz-zip-npy", ReaderProbes.zipOrNPY, [
                "npz-stored": Crafted.npz(images: 2), "npz-deflated": Crafted.npz(images: 2, deflated: true),
                "npz-zip64": try file("imagenet32-zip64", "val_data.npz"),
                "npz-fixture": try file("imagenet32-npz", "val_data.npz"),
                "npy-u1": Crafted.npy(shape: "(2, 3)", data: [1, 2, 3, 4, 5, 6]),
                "npy-i8": Crafted.npy(descr: "<i8", shape: "(2,)", data: Crafted.le(1, 8) + Crafted.le(1000, 8)),
            ]),
            ("fuzz-cifar", ReaderProbes.cifar, [
                "cifar10-two": [UInt8](repeating: 3, count: 2 * 3073),
                "cifar100-one": [UInt8](repeating: 5, count: 3074),
            ]),
            ("fuzz-idx-gzip", ReaderProbes.idx, [
                "images": Crafted.idxImages(count: 1, rows: 28, columns: 28, data: [UInt8](repeating: 9, count: 784)),
                "images-gz": Crafted.gzip(Crafted.idxImages(count: 2, rows: 28, columns: 28, data: [UInt8](repeating: 9, count: 1568))),
                "labels": Crafted.idxLabels([1, 2, 3]),
                "labels-gz": try file("mnist", "train-labels-idx1-ubyte.gz"),
            ]),
        ]
    }

    func testWriteSeedCorpusAndMutate() throws {
        let iterations = Int(ProcessInfo.processInfo.environment["DUALPROP_MUTATIONS"] ?? "") ?? 1500
        for (target, probe, seeds) in try Self.seeds() {
            try FuzzCorpus.write(seeds, target: target)
            var mutator = SeedMutator(seed: 17)
            let inputs = seeds.keys.sorted().map { seeds[$0]! }
            var refused = 0
            for k in 0..<iterations {
                let input = mutator.mutate(inputs[k % inputs.count])
                switch probe(input) {
                case .accepted: break
                case .refused: refused += 1
                case .unexpected(let m): XCTFail("\(target) mutation \(k): unexpected \(m)")
                }
            }
            XCTAssertGreaterThan(refused, 0, "\(target): no mutation was refused, the mutator is not reaching the checks")
        }
    }
}
