import DualProp
import XCTest

/// SGD, Adam and the warm-up + cosine schedule against values computed by hand (SPEC §10).
/// Tolerance: each value is a handful of float32 operations on numbers of order 1, so 2e-7
/// absolute (≈ 2 ULP at magnitude 1) unless stated.
final class OptimizerTests: XCTestCase {
    /// One linear block with W = [[1], [−2]] ([IN=2, OUT=1]) and b = [0.5].
    static func net() -> Sequential {
        Sequential([.linear(Linear(weight: Tensor(shape: [2, 1], values: [1, -2]), bias: Tensor(shape: [1], values: [0.5])))])
    }
    static func grads(_ w: [Float], _ b: Float) -> Gradients {
        Gradients(weights: [Tensor(shape: [2, 1], values: w)], biases: [Tensor(shape: [1], values: [b])])
    }
    func assertParameters(_ net: Sequential, _ w: [Double], _ b: Double, accuracy: Double = 2e-7,
                          _ what: String, line: UInt = #line) {
        let p = net.parameters[0]
        for (got, want) in zip(p.weight.scalars, w) { XCTAssertEqual(Double(got), want, accuracy: accuracy, what, line: line) }
        XCTAssertEqual(Double(p.bias.scalars[0]), b, accuracy: accuracy, what, line: line)
    }

    /// PyTorch SGD: g' = g + wd·w; v = μv + g'; w −= lr·v (weight decay on biases too).
    /// lr = 0.1, μ = 0.9, wd = 0.01; step 1 gradients (W: 0.5, 0.25; b: −1), step 2 (W: 0.2, −0.4; b: 0.3).
    /// Step 1: g' = (0.5 + 0.01, 0.25 − 0.02; −1 + 0.005) = (0.51, 0.23; −0.995) = v
    ///         w = (1 − 0.051, −2 − 0.023; 0.5 + 0.0995) = (0.949, −2.023; 0.5995).
    /// Step 2: g' = (0.2 + 0.00949, −0.4 − 0.02023; 0.3 + 0.005995) = (0.20949, −0.42023; 0.305995)
    ///         v = 0.9·v + g' = (0.46 + 0.20949, 0.207 − 0.42023; −0.8955 + 0.305995)
    ///           = (0.66849, −0.21323; −0.589505)
    ///         w = (0.949 − 0.066849, −2.023 + 0.021323; 0.5995 + 0.0589505) = (0.882151, −2.001677; 0.6584505).
    func testSGDMomentumWeightDecay() throws {
        var net = Self.net()
        var sgd = SGD(momentum: 0.9, weightDecay: 0.01)
        try sgd.update(&net, gradients: Self.grads([0.5, 0.25], -1), learningRate: 0.1)
        assertParameters(net, [0.949, -2.023], 0.5995, "step 1")
        XCTAssertEqual(sgd.velocities[0].weight.scalars[0], 0.51, accuracy: 2e-7)
        try sgd.update(&net, gradients: Self.grads([0.2, -0.4], 0.3), learningRate: 0.1)
        assertParameters(net, [0.882151, -2.001677], 0.6584505, "step 2")
        XCTAssertEqual(Double(sgd.velocities[0].bias.scalars[0]), -0.589505, accuracy: 2e-7)
    }

    /// Plain SGD (μ = 0, wd = 0) is w −= lr·g.
    func testPlainSGD() throws {
        var net = Self.net()
        var sgd = SGD(momentum: 0, weightDecay: 0)
        try sgd.update(&net, gradients: Self.grads([0.5, 0.25], -1), learningRate: 0.2)
        assertParameters(net, [0.9, -2.05], 0.7, "plain")
    }

    /// PyTorch Adam (β1 = 0.9, β2 = 0.999, ε = 1e-8, L2 weight decay 0.1 into the gradient), lr = 0.01.
    /// Step 1 (g: W 0.5, 0.25; b −1): g' = (0.5 + 0.1, 0.25 − 0.2; −1 + 0.05) = (0.6, 0.05; −0.95);
    ///   m̂ = g', v̂ = g'², so w −= 0.01·g'/(|g'| + 1e-8) = 0.01·sign(g')·(1 − 1e-8/|g'|):
    ///   w = (0.99, −2.01; 0.51) up to 2e-9.
    /// Step 2 (g: W 0.2, −0.4; b 0.3) on the first weight: w = 0.99, g' = 0.2 + 0.099 = 0.299;
    ///   m = 0.9·0.06 + 0.1·0.299 = 0.0839, m̂ = 0.0839/0.19 = 0.441578947…;
    ///   v = 0.999·0.00036 + 0.001·0.089401 = 0.00044904100, v̂ = v/0.001999 = 0.224632316…,
    ///   √v̂ = 0.473954973…; step = 0.01·0.441578947/0.473954973 = 0.00931691…; w = 0.98068309.
    ///   Second weight: w = −2.01, g' = −0.4 − 0.201 = −0.601; m = 0.9·0.005 − 0.0601 = −0.0556,
    ///   m̂ = −0.292631579; v = 0.999·0.0000025 + 0.001·0.361201 = 0.0003636985, v̂ = 0.181940220,
    ///   √v̂ = 0.426544510; step = −0.00686052…; w = −2.00313948.
    ///   Bias: b = 0.51, g' = 0.3 + 0.051 = 0.351; m = 0.9·(−0.095) + 0.0351 = −0.0504,
    ///   m̂ = −0.265263158; v = 0.999·0.0009025 + 0.001·0.123201 = 0.0010247986, v̂ = 0.512655628,
    ///   √v̂ = 0.716000998; step = −0.00370479…; b = 0.51370479.
    /// Tolerance 1e-6: float32 m̂/√v̂ carries ~1e-6 relative error on values ≈ 1, times lr.
    func testAdamTwoSteps() throws {
        var net = Self.net()
        var adam = Adam(weightDecay: 0.1)
        try adam.update(&net, gradients: Self.grads([0.5, 0.25], -1), learningRate: 0.01)
        assertParameters(net, [0.99, -2.01], 0.51, accuracy: 4e-7, "step 1")
        XCTAssertEqual(adam.step, 1)
        try adam.update(&net, gradients: Self.grads([0.2, -0.4], 0.3), learningRate: 0.01)
        assertParameters(net, [0.98068309, -2.00313948], 0.51370479, accuracy: 1e-6, "step 2")
        XCTAssertEqual(adam.step, 2)
    }

    /// SPEC §10 CIFAR-10 recipe in steps: warm-up 0.001 → 0.025 over 10 steps, cosine to 2e-6 at
    /// step 110, flat after. By hand:
    ///   step 0: 0.001;  step 5: 0.001 + 0.024·5/10 = 0.013;  step 10: peak 0.025;
    ///   step 37.5 ≈ quarter of the decay → use step 37 (progress 27/100 = 0.27):
    ///     2e-6 + 0.024998·½(1 + cos(0.27π)) = 2e-6 + 0.024998·½(1 + 0.661312) = 0.020766737;
    ///   step 60 (progress ½): 2e-6 + 0.024998·½ = 0.012501;  step 110: 2e-6;  step 500: 2e-6.
    /// Tolerance 1e-8 (float32 ULP at 0.025 is 1.9e-9; the cosine is taken in double).
    func testWarmupCosineSchedule() {
        let s = WarmupCosineSchedule(warmupStart: 0.001, peak: 0.025, final: 2e-6, warmupSteps: 10, decaySteps: 110)
        let expected: [(Int, Double)] = [(0, 0.001), (5, 0.013), (10, 0.025), (37, 0.020_766_737),
                                         (60, 0.012_501), (109, 2e-6 + 0.024998 * 0.5 * (1 + cos(Double.pi * 0.99))),
                                         (110, 2e-6), (500, 2e-6)]
        for (step, lr) in expected {
            XCTAssertEqual(Double(s.learningRate(step: step)), lr, accuracy: 1e-8, "step \(step)")
        }
        // Monotone: rising during warm-up, falling during the decay.
        let values = (0...120).map { s.learningRate(step: $0) }
        XCTAssertTrue((0..<10).allSatisfy { values[$0] < values[$0 + 1] })
        XCTAssertTrue((10..<110).allSatisfy { values[$0] > values[$0 + 1] })
        // No warm-up: starts at the peak.
        XCTAssertEqual(WarmupCosineSchedule(warmupStart: 0, peak: 0.1, final: 0, warmupSteps: 0, decaySteps: 4)
            .learningRate(step: 0), 0.1, accuracy: 1e-9)
    }
}
