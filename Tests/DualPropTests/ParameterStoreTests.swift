@testable import DualProp
import XCTest

/// The contiguous parameter store behind `SGD`: the one-pass update is bitwise the per-tensor
/// `Optim.sgdStep` of before (no tolerance: both run the same leaf on the same elements with the
/// same SIMD/tail split), at every thread count and ISA; the layers view one buffer; and value semantics
/// hold for copies and for tensors a user mutates.
final class ParameterStoreTests: XCTestCase {
    /// Conv 3→5 (135 weights: not a multiple of 16, so each tensor has a scalar tail), conv 5→7,
    /// and a 301×97 linear layer (29,197 weights: above the 16,384-element threading threshold).
    static func net() -> Sequential {
        Sequential([
            .conv2d(Conv2d(inChannels: 3, outChannels: 5, seed: 1, name: "c1")), .activation(.relu),
            .conv2d(Conv2d(inChannels: 5, outChannels: 7, seed: 2, name: "c2")), .maxPool2d(MaxPool2d()), .activation(.relu),
            .linear(Linear(inFeatures: 301, outFeatures: 97, seed: 3, name: "fc")),
        ])
    }

    static func gradients(_ net: Sequential, step: Int) -> Gradients {
        let p = net.parameters
        func fill(_ t: Tensor, _ salt: Int) -> Tensor {
            Tensor(shape: t.shape) { i in Float(sin(Double(i * 7 + salt * 131 + step * 17) * 0.37)) }
        }
        return Gradients(weights: p.indices.map { fill(p[$0].weight, 2 * $0) }, biases: p.indices.map { fill(p[$0].bias, 2 * $0 + 1) })
    }

    /// The update as it was before the store: `Optim.sgdStep` per tensor.
    static func referenceSteps(_ net: Sequential, steps: Int, lr: Float, mu: Float, wd: Float) throws -> [[Float]] {
        var w = net.parameters.flatMap { [$0.weight, $0.bias] }
        var v = w.map { Tensor(shape: $0.shape) }
        for s in 0..<steps {
            let g = gradients(net, step: s)
            let flat = zip(g.weights, g.biases).flatMap { [$0, $1] }
            for i in w.indices {
                try Optim.sgdStep(weights: &w[i], gradient: flat[i], velocity: &v[i], learningRate: lr, momentum: mu, weightDecay: wd)
            }
        }
        return w.map(\.scalars) + v.map(\.scalars)
    }

    func testOnePassUpdateIsBitwiseThePerTensorUpdateAtAnyThreadCount() throws {
        let saved = Runtime.threads
        defer { Runtime.threads = saved; try? Runtime.setMaxISA(Runtime.detectedISA) }
        for isa in Runtime.availableISAs {
          try Runtime.setMaxISA(isa)
          Runtime.threads = 1
          let reference = try Self.referenceSteps(Self.net(), steps: 3, lr: 0.05, mu: 0.9, wd: 5e-4)
          for threads in [1, 2, 3, 7, 16] {
            Runtime.threads = threads
            var net = Self.net()
            var sgd = SGD(momentum: 0.9, weightDecay: 5e-4)
            for s in 0..<3 { try sgd.update(&net, gradients: Self.gradients(net, step: s), learningRate: 0.05) }
            let got = net.parameters.flatMap { [$0.weight.scalars, $0.bias.scalars] }
                + sgd.velocities.flatMap { [$0.weight.scalars, $0.bias.scalars] }
            XCTAssertEqual(got.count, reference.count)
            for (i, (a, b)) in zip(got, reference).enumerated() {
                XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern), "tensor \(i) at \(threads) threads, \(isa)")
            }
          }
        }
    }

    func testAdamOnePassIsBitwiseThePerTensorUpdate() throws {
        let saved = Runtime.threads
        defer { Runtime.threads = saved; try? Runtime.setMaxISA(Runtime.detectedISA) }
        for isa in Runtime.availableISAs {
            try Runtime.setMaxISA(isa)
            let start = Self.net()
            var w = start.parameters.flatMap { [$0.weight, $0.bias] }
            var m = w.map { Tensor(shape: $0.shape) }, v = m
            Runtime.threads = 1
            for s in 0..<3 {
                let g = Self.gradients(start, step: s)
                let flat = zip(g.weights, g.biases).flatMap { [$0, $1] }
                for i in w.indices {
                    try Optim.adamStep(weights: &w[i], gradient: flat[i], m: &m[i], v: &v[i], step: s + 1,
                                       learningRate: 0.01, weightDecay: 1e-3)
                }
            }
            for threads in [1, 3, 16] {
                Runtime.threads = threads
                var net = Self.net()
                var adam = Adam(weightDecay: 1e-3)
                for s in 0..<3 { try adam.update(&net, gradients: Self.gradients(net, step: s), learningRate: 0.01) }
                let got = net.parameters.flatMap { [$0.weight.scalars, $0.bias.scalars] }
                XCTAssertEqual(got.map { $0.map(\.bitPattern) }, w.map { $0.scalars.map(\.bitPattern) }, "weights at \(threads) threads, \(isa)")
                let moments = adam.moments.flatMap { [$0.m.scalars, $0.mb.scalars, $0.v.scalars, $0.vb.scalars] }
                let reference = stride(from: 0, to: w.count, by: 2).flatMap { [m[$0].scalars, m[$0 + 1].scalars, v[$0].scalars, v[$0 + 1].scalars] }
                XCTAssertEqual(moments, reference, "moments at \(threads) threads, \(isa)")
            }
        }
    }

    func testLayersViewOneAlignedBufferInBlockOrder() throws {
        var net = Self.net()
        var sgd = SGD()
        sgd.prepare(&net)
        let store = try XCTUnwrap(sgd.store)
        XCTAssertEqual(store.entries.map(\.name), ["c1.weight", "c1.bias", "c2.weight", "c2.bias", "fc.weight", "fc.bias"])
        var end = 0
        for e in store.entries {
            XCTAssertEqual(e.offset % ParameterStore.alignment, 0, e.name)
            XCTAssertGreaterThanOrEqual(e.offset, end, e.name)
            end = e.offset + e.count
        }
        XCTAssertEqual(store.bufferCount, end)
        for (k, p) in net.parameters.enumerated() {
            XCTAssertTrue(p.weight.isView(of: store.parameters, offset: store.entries[2 * k].offset), "block \(k) weight")
            XCTAssertTrue(p.bias.isView(of: store.parameters, offset: store.entries[2 * k + 1].offset), "block \(k) bias")
        }
        // In place: a second step does not move the network to another buffer.
        try sgd.update(&net, gradients: Self.gradients(net, step: 0), learningRate: 0.1)
        let before = try XCTUnwrap(sgd.store).parameters
        try sgd.update(&net, gradients: Self.gradients(net, step: 1), learningRate: 0.1)
        XCTAssertTrue(net.parameters[2].weight.isView(of: before, offset: store.entries[4].offset), "the step moved the buffer")
    }

    func testCopiesTakenBeforeAStepKeepTheirValues() throws {
        var net = Self.net()
        var sgd = SGD(momentum: 0.9)
        try sgd.update(&net, gradients: Self.gradients(net, step: 0), learningRate: 0.1)
        let copy = net
        let weight = net.parameters[1].weight
        let (copyValues, weightValues) = (copy.parameters.map(\.weight.scalars), weight.scalars)
        try sgd.update(&net, gradients: Self.gradients(net, step: 1), learningRate: 0.1)
        XCTAssertEqual(copy.parameters.map(\.weight.scalars), copyValues, "a copy of the network changed with the step")
        XCTAssertEqual(weight.scalars, weightValues, "a kept parameter tensor changed with the step")
        XCTAssertNotEqual(net.parameters[1].weight.scalars, weightValues, "the network did not change")
        // Once the copies are gone, the next step writes in place again.
        let buffer = try XCTUnwrap(sgd.store).parameters
        try sgd.update(&net, gradients: Self.gradients(net, step: 2), learningRate: 0.1)
        XCTAssertTrue(net.parameters[0].weight.isView(of: buffer, offset: 0))
    }

    /// A user's mutation detaches the tensor (copy-on-write); the next step re-attaches it with
    /// the mutated value, and the result is the per-tensor update of the mutated network.
    func testAMutatedParameterIsReattachedWithItsNewValue() throws {
        var net = Self.net()
        var sgd = SGD(momentum: 0, weightDecay: 0)
        try sgd.update(&net, gradients: Self.gradients(net, step: 0), learningRate: 0.1)
        net.withParameters { k, w, _ in if k == 2 { w[flat: 5] = 42 } }
        XCTAssertEqual(net.parameters[2].weight[flat: 5], 42)
        let g = Self.gradients(net, step: 1)
        try sgd.update(&net, gradients: g, learningRate: 0.1)
        XCTAssertEqual(net.parameters[2].weight[flat: 5], 42 - 0.1 * g.weights[2][flat: 5])
        let store = try XCTUnwrap(sgd.store)
        XCTAssertTrue(net.parameters[2].weight.isView(of: store.parameters, offset: store.entries[4].offset))
    }

    func testVelocitiesRoundTripThroughTheStore() throws {
        var net = Self.net()
        var sgd = SGD(momentum: 0.9)
        XCTAssertTrue(sgd.velocities.isEmpty)
        XCTAssertFalse(sgd.hasMomentum)
        try sgd.update(&net, gradients: Self.gradients(net, step: 0), learningRate: 0.1)
        let v = sgd.velocities
        XCTAssertTrue(sgd.hasMomentum)
        var resumed = SGD(momentum: 0.9)
        resumed.velocities = v  // before its store exists, as a resumed run does
        var other = net
        try sgd.update(&net, gradients: Self.gradients(net, step: 1), learningRate: 0.1)
        try resumed.update(&other, gradients: Self.gradients(other, step: 1), learningRate: 0.1)
        XCTAssertEqual(net.parameters.map(\.weight.scalars), other.parameters.map(\.weight.scalars))
        XCTAssertEqual(sgd.velocities.map(\.bias.scalars), resumed.velocities.map(\.bias.scalars))
    }

    func testPackedKernelRefusesAMisalignedLayout() throws {
        var w = [Float](repeating: 0, count: 200), v = w
        let g = [Float](repeating: 1, count: 200)
        try g.withUnsafeBufferPointer { gp in
            try w.withUnsafeMutableBufferPointer { wp in
                try v.withUnsafeMutableBufferPointer { vp in
                    XCTAssertThrowsError(try Optim.sgdStepPacked(offsets: [0, 65], counts: [10, 10], gradients: [gp.baseAddress, gp.baseAddress],
                                                                 weights: wp.baseAddress!, velocity: vp.baseAddress!,
                                                                 learningRate: 1, momentum: 0, weightDecay: 0))
                    XCTAssertThrowsError(try Optim.sgdStepPacked(offsets: [0, 0], counts: [10, 10], gradients: [gp.baseAddress, gp.baseAddress],
                                                                 weights: wp.baseAddress!, velocity: vp.baseAddress!,
                                                                 learningRate: 1, momentum: 0, weightDecay: 0))
                }
            }
        }
        XCTAssertEqual(w, [Float](repeating: 0, count: 200), "a refused call wrote")
    }
}
