import DualProp
import XCTest

/// The model builders (SPEC §8, §10) and the Bregman layer's identity property.
final class ModelTests: XCTestCase {
    /// VGG16 at width 1 (SPEC §10): 13 conv 3x3 layers [64,64,M,128,128,M,256×3,M,512×3,M,512×3,M]
    /// with biases, classifier 512→4096→4096→C, torchvision names, RSCK / [IN, OUT] shapes.
    /// Parameter count by hand: conv Σ (9·C_in·K + K) = 1,792 + 36,928 + 73,856 + 147,584 +
    /// 295,168 + 2·590,080 + 1,180,160 + 5·2,359,808 = 14,714,688; classifier (512·4096 + 4096)
    /// + (4096² + 4096) + (4096·10 + 10) = 2,101,248 + 16,781,312 + 40,970 = 18,923,530;
    /// total 33,638,218.
    func testVGG16Structure() throws {
        let net = Sequential.vgg16(classes: 10)
        var convs = 0, linears = 0, pools = 0, relus = 0
        for layer in net.layers {
            switch layer {
            case .conv2d: convs += 1
            case .linear: linears += 1
            case .maxPool2d: pools += 1
            case .activation(let f): XCTAssertEqual(f, .relu); relus += 1
            case .bregmanDense: XCTFail("VGG16 has no Bregman layers")
            case .flatten: break
            }
        }
        XCTAssertEqual([convs, linears, pools, relus], [13, 3, 5, 15])
        XCTAssertEqual(net.depth, 16)
        XCTAssertEqual(net.loss, .softmaxCrossEntropy)
        XCTAssertEqual(net.parameterCount, 33_638_218)

        let plan = [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512]
        let torchIndex = [0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28]
        let params = net.parameters
        XCTAssertEqual(params.count, 16)
        var inChannels = 3
        for (i, k) in plan.enumerated() {
            XCTAssertEqual(params[i].name, "features.\(torchIndex[i])")
            XCTAssertEqual(params[i].weight.shape, [3, 3, inChannels, k], "conv \(i)")
            XCTAssertEqual(params[i].bias.shape, [k], "conv \(i)")
            inChannels = k
        }
        for (j, (inF, outF)) in [(512, 4096), (4096, 4096), (4096, 10)].enumerated() {
            XCTAssertEqual(params[13 + j].name, "classifier.\(3 * j)")
            XCTAssertEqual(params[13 + j].weight.shape, [inF, outF])
            XCTAssertEqual(params[13 + j].bias.shape, [outF])
        }
        // Zero biases; LeCun-normal weights: the sample std of the first classifier layer
        // (2,097,152 draws) is 1/√512 = 0.04419 within 1 % (sampling error ≈ 0.05 %).
        XCTAssertTrue(params.allSatisfy { $0.bias.scalars.allSatisfy { $0 == 0 } })
        let w = params[13].weight.scalars.map(Double.init)
        let std = (w.reduce(0) { $0 + $1 * $1 } / Double(w.count)).squareRoot()
        XCTAssertEqual(std, 1 / 512.0.squareRoot(), accuracy: 0.01 / 512.0.squareRoot())
    }

    /// Reduced width: every hidden width scaled (64/8 = 8 … 4096/8 = 512), forward output
    /// [N, classes], PyTorch export names and OIHW / [out, in] shapes.
    func testReducedVGG16ForwardAndExport() throws {
        let net = Sequential.vgg16(classes: 7, widthMultiplier: 1.0 / 8, seed: 2)
        let shapes = net.parameters.map(\.weight.shape)
        XCTAssertEqual(shapes.first, [3, 3, 3, 8])
        XCTAssertEqual(shapes[12], [3, 3, 64, 64])
        XCTAssertEqual(Array(shapes[13...]), [[64, 512], [512, 512], [512, 7]])
        let x = Tensor(shape: [3, 32, 32, 3], values: testValues(3 * 32 * 32 * 3, seed: 4))
        let logits = try net.forward(x)
        XCTAssertEqual(logits.shape, [3, 7])
        XCTAssertTrue(logits.scalars.allSatisfy(\.isFinite))

        let exported = try net.pytorchParameters(inputShape: [32, 32, 3])
        XCTAssertEqual(exported.count, 32)
        XCTAssertEqual(exported[0].name, "features.0.weight")
        XCTAssertEqual(exported[0].tensor.shape, [8, 3, 3, 3])
        XCTAssertEqual(exported[1].name, "features.0.bias")
        XCTAssertEqual(exported[26].name, "classifier.0.weight")
        XCTAssertEqual(exported[26].tensor.shape, [512, 64])
        XCTAssertEqual(exported[31].name, "classifier.6.bias")
        // OIHW: element [k, c, r, s] of the export is RSCK element [r, s, c, k].
        let rsck = net.parameters[1].weight, oihw = exported[2].tensor
        XCTAssertEqual(oihw.shape, [8, 8, 3, 3])
        for (k, c, r, s) in [(0, 0, 0, 0), (7, 3, 2, 1), (2, 5, 1, 2)] {
            XCTAssertEqual(oihw[k, c, r, s], rsck[r, s, c, k])
        }
    }

    /// MLP builder: widths, names, activation after every hidden layer only.
    func testMLPBuilder() {
        let net = Sequential.mlp(widths: [784, 512, 512, 10], activation: .relu, loss: .leastSquares)
        XCTAssertEqual(net.parameters.map(\.name), ["layers.0", "layers.1", "layers.2"])
        XCTAssertEqual(net.parameters.map(\.weight.shape), [[784, 512], [512, 512], [512, 10]])
        XCTAssertEqual(net.parameterCount, 784 * 512 + 512 + 512 * 512 + 512 + 512 * 10 + 10)
        XCTAssertEqual(net.loss, .leastSquares)
        let activations = net.layers.filter { if case .activation = $0 { return true } else { return false } }
        XCTAssertEqual(activations.count, 2)
    }

    /// SPEC §8: a Bregman layer with W = 0, b = 0 is the identity, z' = f(f⁻¹(z)) = z, for every
    /// invertible family, inputs inside the domain (well away from the 1e-6 clamp of f⁻¹).
    /// Tolerance from the rounding of f∘f⁻¹ in float32: f⁻¹(z) = t carries a relative error of a
    /// few ULP, i.e. |δt| ≲ 4ε·max(|t|, |z/f'(t)|) where the argument itself was rounded; f then
    /// maps δt to f'(t)·δt ≲ 4ε·max(|z|, f'(t)|t|) plus its own ULP. With |t| ≤ 8 on these inputs
    /// (f' ≤ 1), |z' − z| ≤ 16ε·max(|z|, 1) = 1.9e-6·max(|z|, 1) covers every family.
    func testBregmanLayerAtZeroIsIdentity() throws {
        let families: [(Activation, Double, Double)] = [
            (.sigmoid, 0.02, 0.98), (.tanh, -0.97, 0.97), (.isru, -0.97, 0.97), (.softplus, 0.01, 6),
            (.arctan, -1.5, 1.5), (.sin, -0.99, 0.99), (.arcsinh, -3, 3), (.leakyReLU(slope: 0.1), -4, 4),
            (.identity, -5, 5),
        ]
        let eps = Double(Float.ulpOfOne)
        for (f, lo, hi) in families {
            let layer = BregmanDense(width: 16, activation: f, skip: .bregman, initializer: .normal(std: 0), seed: 3)
            XCTAssertTrue(layer.weight.scalars.allSatisfy { $0 == 0 } && layer.bias.scalars.allSatisfy { $0 == 0 })
            let z = Tensor(shape: [4, 16], values: testValues(64, seed: 12, lo: lo, hi: hi))
            let (u, out) = try layer.forward(z)
            XCTAssertTrue(u.scalars.allSatisfy { $0 == 0 }, "\(f): update Wz + b must be 0")
            for (a, b) in zip(out.scalars, z.scalars) {
                XCTAssertEqual(Double(a), Double(b), accuracy: 16 * eps * max(abs(Double(b)), 1), "\(f)")
            }
        }
        // A whole Bregman MLP at W = 0 passes its input to the classifier unchanged.
        let net = Sequential.bregmanMLP(width: 6, hiddenLayers: 3, classes: 4, activation: .sigmoid, skip: .bregman,
                                        initializer: .normal(std: 0), seed: 5)
        let x = Tensor(shape: [3, 6], values: testValues(18, seed: 6, lo: 0.05, hi: 0.95))
        guard case .linear(let classifier) = net.layers.last! else { return XCTFail("last layer is the classifier") }
        let want = try classifier.forward(x), got = try net.forward(x)
        for (a, b) in zip(got.scalars, want.scalars) { XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, abs(b))) }
    }
}
