import Foundation
import XCTest
import DualProp
import DualPropData
import DualPropTraining

/// Issue 17 item 3: `last-state.safetensors` is untrusted. Impossible states are refused with a
/// message naming the file and the field, before training continues from them.
final class RunStateTests: XCTestCase {
    typealias Fixture = RunStateFixture

    func bytes(_ state: TrainingState, momentum: Bool = true, edit: ([NamedTensor]) -> [NamedTensor] = { $0 }) throws -> [UInt8] {
        let file = try SafeTensors.decode(RunStateValidation.encode(state, network: Fixture.network, withMomentum: momentum))
        return SafeTensors.encode(edit(file.tensors), metadata: file.metadata)
    }

    func assertRefused(_ state: TrainingState, _ field: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let message = Fixture.probe(try bytes(state))
        XCTAssertNotNil(message, "state with bad \(field) was accepted", file: file, line: line)
        XCTAssertTrue(message?.contains("last-state.safetensors: bad training state: \(field)") == true, message ?? "", file: file, line: line)
    }

    func testValidStatesAreAccepted() throws {
        for (epoch, batch) in [(0, 0), (0, 3), (1, 0), (2, 5), (3, 0)] {
            XCTAssertNil(Fixture.probe(try bytes(Fixture.state(epoch: epoch, batch: batch))), "epoch \(epoch) batch \(batch)")
            XCTAssertNil(Fixture.probe(try bytes(Fixture.state(epoch: epoch, batch: batch), momentum: false)))
        }
    }

    /// The reported cases: out-of-range batchInEpoch / negative epoch trapped; impossible epoch,
    /// loss, best epoch and step were accepted and printed.
    func testImpossibleFieldsAreRefused() throws {
        var s = Fixture.state(epoch: 1, batch: 2)
        s.batchInEpoch = 100; s.step = 106; try assertRefused(s, "batchInEpoch")
        s = Fixture.state(epoch: 1, batch: 2); s.batchInEpoch = -1; try assertRefused(s, "batchInEpoch")
        s = Fixture.state(epoch: 0, batch: 0); s.epoch = -1; try assertRefused(s, "epoch")
        s = Fixture.state(epoch: 0, batch: 0); s.epoch = 4_611_686_018_427_387_904; try assertRefused(s, "epoch")
        s = Fixture.state(epoch: 3, batch: 0); s.batchInEpoch = 1; s.step += 1; try assertRefused(s, "batchInEpoch")
        s = Fixture.state(epoch: 1, batch: 2); s.step = Int.max; try assertRefused(s, "step")
        s = Fixture.state(epoch: 1, batch: 2); s.runningLoss = 7.6e200 * Double(s.runningCount); try assertRefused(s, "runningLoss")
        s = Fixture.state(epoch: 1, batch: 2); s.runningLoss = -.ulpOfOne; try assertRefused(s, "runningLoss")
        s = Fixture.state(epoch: 1, batch: 2); s.runningCount = 1_000_000; try assertRefused(s, "runningCount")
        s = Fixture.state(epoch: 1, batch: 2); s.runningCorrect = s.runningCount + 1; try assertRefused(s, "runningCorrect")
        s = Fixture.state(epoch: 1, batch: 2); s.runningSeconds = -1; try assertRefused(s, "runningSeconds")
        s = Fixture.state(epoch: 2, batch: 0); s.bestEpoch = 77; try assertRefused(s, "bestEpoch")
        s = Fixture.state(epoch: 2, batch: 0); s.bestEpoch = 1; try assertRefused(s, "bestEpoch")  // epoch 2 is better
        s = Fixture.state(epoch: 2, batch: 0); s.bestMetric = 0.99; try assertRefused(s, "bestMetric")
        s = Fixture.state(epoch: 0, batch: 2); s.bestEpoch = 1; try assertRefused(s, "bestEpoch")
        s = Fixture.state(epoch: 2, batch: 0); s.history.removeLast(); try assertRefused(s, "history")
        s = Fixture.state(epoch: 2, batch: 0); s.history[1].top1 = 1.5; try assertRefused(s, "history[1]")
        s = Fixture.state(epoch: 2, batch: 0); s.history[0].epoch = 9; try assertRefused(s, "history[0]")
        s = Fixture.state(epoch: 1, batch: 0); s.format = 2; try assertRefused(s, "format")
        s = Fixture.state(epoch: 1, batch: 0); s.configHash = "0123456789abcdef"; try assertRefused(s, "configHash")
        s = Fixture.state(epoch: 1, batch: 0); s.rngSeed = 99; try assertRefused(s, "rngSeed")
    }

    func testTensorsAreChecked() throws {
        let s = Fixture.state(epoch: 1, batch: 0)
        let extra = Fixture.probe(try bytes(s) { $0 + [NamedTensor(name: "model.extra.weight", shape: [1], values: [0])] })
        XCTAssertTrue(extra?.contains("unexpected tensor model.extra.weight") == true, extra ?? "accepted")
        let missing = Fixture.probe(try bytes(s) { Array($0.dropFirst()) })
        XCTAssertTrue(missing?.contains("is missing") == true, missing ?? "accepted")
        let nan = Fixture.probe(try bytes(s) { ts in ts.map { t in var t = t; if t.name.hasSuffix("classifier.0.bias") { t.values[0] = .nan }; return t } })
        XCTAssertTrue(nan?.contains("non-finite") == true, nan ?? "accepted")
        let shape = Fixture.probe(try bytes(s) { ts in ts.map { t in
            t.name == "model.classifier.6.bias" ? NamedTensor(name: t.name, shape: [2, 5], values: t.values) : t } })
        XCTAssertTrue(shape?.contains("does not fit the network") == true, shape ?? "accepted")
        // Negative dimensions whose product is right (hit a precondition in Tensor before).
        let original = try bytes(s)
        let n = Int(original.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        let header = String(decoding: original[8..<(8 + n)], as: UTF8.self)
        let replaced = header.replacingOccurrences(of: #""shape":[10],"#, with: #""shape":[-2,-5],"#)
        XCTAssertNotEqual(replaced, header)
        let length = UInt64(replaced.utf8.count)
        let crafted = (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) } + Array(replaced.utf8) + original[(8 + n)...]
        let negative = Fixture.probe(crafted)
        XCTAssertTrue(negative?.contains("wrong shape") == true, negative ?? "accepted")
    }

    /// The seed corpus of the run-state fuzz target, and a bounded seeded mutation pass over it.
    func testWriteSeedCorpusAndMutate() throws {
        let seeds = ["epoch0": try bytes(Fixture.state(epoch: 0, batch: 0)),
                     "mid-epoch": try bytes(Fixture.state(epoch: 1, batch: 3)),
                     "finished-no-momentum": try bytes(Fixture.state(epoch: 3, batch: 0), momentum: false)]
        let root = ProcessInfo.processInfo.environment["DUALPROP_FUZZ_CORPUS"].flatMap { $0.isEmpty ? nil : $0 }
            ?? TestSupport.packageRoot + "/.build/fuzz-corpus"
        try FileManager.default.createDirectory(atPath: root + "/fuzz-run-state", withIntermediateDirectories: true)
        for (name, b) in seeds { try Data(b).write(to: URL(fileURLWithPath: root + "/fuzz-run-state/" + name)) }
        var rng = SplitMix64(seed: 17)
        let inputs = seeds.keys.sorted().map { seeds[$0]! }
        let iterations = Int(ProcessInfo.processInfo.environment["DUALPROP_MUTATIONS"] ?? "") ?? 300
        for k in 0..<iterations {
            var b = inputs[k % inputs.count]
            // Mutate the JSON state (where the fields are) more often than the tensor data.
            let headerEnd = 8 + Int(b.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
            let at = rng.below(4) == 0 ? rng.below(b.count) : 8 + rng.below(headerEnd - 8)
            switch rng.below(3) {
            case 0: b[at] ^= UInt8(1) << UInt8(rng.below(8))
            case 1: if (0x30...0x39).contains(b[at]) { b[at] = [0x2d, 0x39, 0x30][rng.below(3)] } else { b[at] = UInt8(truncatingIfNeeded: rng.next()) }
            default: b.removeLast(rng.below(min(64, b.count)))
            }
            if let m = Fixture.probe(b), m.hasPrefix("unexpected") { XCTFail("mutation \(k): \(m)") }
        }
    }
}
