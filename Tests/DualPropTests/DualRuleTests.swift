import DualProp
import XCTest

/// DP and DP⊤ (SPEC §4–§6): the library's engine against the float64 rule written naively in
/// Reference.swift (every scheduled update performed, no skipping), and the identities the math
/// guarantees between rules and schedules.
final class DualRuleTests: XCTestCase {
    // MARK: fixtures

    /// A 3-hidden-layer tanh MLP (depth L = 4) with non-zero biases.
    static func mlp(_ act: Activation = .tanh, loss: OutputLoss = .softmaxCrossEntropy) -> Sequential {
        var net = Sequential.mlp(widths: [6, 7, 6, 5, 3], activation: act, loss: loss, seed: 9)
        net.withParameters { k, _, b in b = Tensor(shape: b.shape, values: testValues(b.count, seed: UInt64(k + 70), lo: -0.2, hi: 0.2)) }
        return net
    }
    static let mlpInput = Tensor(shape: [5, 6], values: testValues(30, seed: 71))
    static let mlpLabels: [Int32] = [0, 1, 2, 1, 0]

    /// conv(2→3)+pool+tanh, conv(3→4)+pool+relu, linear 16→5 + tanh, linear 5→3 on 2x8x8x2
    /// (depth 4; block 0's feedback passes the pool of block 1, SPEC §7).
    static func convNet(loss: OutputLoss = .softmaxCrossEntropy) -> Sequential {
        var net = Sequential([
            .conv2d(Conv2d(inChannels: 2, outChannels: 3, seed: 81, name: "c0")), .maxPool2d(MaxPool2d()), .activation(.tanh),
            .conv2d(Conv2d(inChannels: 3, outChannels: 4, seed: 82, name: "c1")), .maxPool2d(MaxPool2d()), .activation(.relu),
            .flatten(Flatten()),
            .linear(Linear(inFeatures: 16, outFeatures: 5, seed: 83, name: "fc0")), .activation(.tanh),
            .linear(Linear(inFeatures: 5, outFeatures: 3, seed: 84, name: "fc1")),
        ], loss: loss)
        net.withParameters { k, w, b in
            w = Tensor(shape: w.shape, values: w.scalars.map { 1.5 * $0 })
            b = Tensor(shape: b.shape, values: testValues(b.count, seed: UInt64(k + 90), lo: -0.2, hi: 0.2))
        }
        return net
    }
    static let convInput = Tensor(shape: [2, 8, 8, 2], values: testValues(256, seed: 85))
    static let convLabels: [Int32] = [2, 0]

    static func maxError(_ a: Gradients, _ b: Gradients) -> Double { a.relativeErrors(to: b).max()! }

    // MARK: engine vs the float64 rule

    /// Every schedule (sweep; K = 1 … L+2 forward passes; 1 and 3 repeated sweeps), both
    /// variants, α ∈ {0, ½, 1}, both losses, on the MLP and the conv net with pooling, at β = 0.5.
    /// The reference performs every update the schedule names, so agreement also shows that the
    /// engine's skipping of units whose inputs did not change is exact.
    /// Tolerance 1e-4 per block: float32 rounding of a, v and f (≈ 1e-7 relative) is amplified
    /// by the cancellation in δ = s⁺ − s⁻ by |s|/|δ| ≲ 1e2 at β = 0.5 (worst measured 4.5e-6).
    func testEngineMatchesFloat64Rule() throws {
        let cases: [(String, Sequential, Tensor, [Int32])] = [
            ("mlp ce", Self.mlp(), Self.mlpInput, Self.mlpLabels),
            ("mlp lsq", Self.mlp(loss: .leastSquares), Self.mlpInput, Self.mlpLabels),
            ("conv ce", Self.convNet(), Self.convInput, Self.convLabels),
            ("conv lsq", Self.convNet(loss: .leastSquares), Self.convInput, Self.convLabels),
        ]
        let beta: Float = 0.5
        var worst = 0.0
        for (what, net, x, y) in cases {
            let ref = RefNet(net), L = net.depth
            let schedules: [InferenceSchedule] = [.sweep, .repeatedSweeps(1), .repeatedSweeps(3)]
                + (1...(L + 2)).map { .forwardPasses($0) }
            for alpha: Float in [0, 0.5, 1] {
                for schedule in schedules {
                    for variant in [RefDual.Variant.dpT, .dp] {
                        let rule: any LearningRule = variant == .dpT
                            ? AdjointDualPropagation(alpha: alpha, beta: beta, schedule: schedule)
                            : DualPropagation(alpha: alpha, beta: beta, schedule: schedule)
                        let got = try rule.step(net, input: x, labels: y).gradients
                        var r = RefDual(ref, variant, alpha: Double(alpha), beta: Double(beta), x: RefTensor(x), labels: y)
                        r.run(schedule)
                        for (k, e) in relativeErrors(got, r.gradients()).enumerated() {
                            worst = max(worst, e)
                            XCTAssertLessThan(e, 1e-4, "\(what) \(variant) α=\(alpha) \(schedule): block \(k)")
                        }
                    }
                }
            }
        }
        if ProcessInfo.processInfo.environment["DP_TEST_VERBOSE"] != nil { print("engine vs float64 rule: worst", worst) }
    }

    // MARK: identities

    /// SPEC §3/§4: DP⊤ with α = 0 is Fenchel BP with τ = β, on the conv net with pooling, the
    /// reduced VGG16 and (least squares) the MLP. ck_nudge.h evaluates both arguments as
    /// fl(a + fl(c·v)) so the activations agree bitwise; what differs is v = Wᵀ(−βe) vs
    /// fl(τ·Wᵀe) (one rounding of the product per layer) amplified by the cancellation
    /// f(a) − f(a − τg): relative ≈ 1e-7·|a|/|τg| per layer, so ∝ 1/τ. Tolerance 1e-4 for the
    /// 4-block nets (measured ≤ 1.5e-6), 1e-3 for the 16-block VGG (measured 1.2e-4 at τ = 0.05,
    /// 1.2e-5 at τ = 0.5: the 1/τ law of rounding, not a formula difference, which would be O(1)).
    func testAdjointAlphaZeroIsFenchelWithPooling() throws {
        let vgg = RuleConvergenceTests.vgg(.relu)
        let cases: [(String, Sequential, Tensor, [Int32])] = [
            ("conv", Self.convNet(), Self.convInput, Self.convLabels),
            ("mlp lsq", Self.mlp(loss: .leastSquares), Self.mlpInput, Self.mlpLabels),
            ("vgg16/16", vgg, RuleConvergenceTests.vggInput, [3, 7]),
        ]
        for (what, net, x, y) in cases {
            for beta: Float in [0.05, 0.5, 2] {
                let dpt = try AdjointDualPropagation(alpha: 0, beta: beta).step(net, input: x, labels: y)
                let fbp = try FenchelBackpropagation(tau: beta).step(net, input: x, labels: y)
                let e = Self.maxError(dpt.gradients, fbp.gradients)
                if ProcessInfo.processInfo.environment["DP_TEST_VERBOSE"] != nil { print("dpT α=0 vs fbp", what, beta, e) }
                XCTAssertLessThan(e, what.hasPrefix("vgg") ? 1e-3 : 1e-4, "\(what) β=\(beta)")
                XCTAssertEqual(dpt.loss, fbp.loss, "\(what): both report the forward-pass loss")
            }
        }
    }

    /// SPEC §4: for α ∈ {0,1}, DP⊤'s s̄_k equals the forward activation s_k, under every schedule,
    /// on dense and pooled conv layers (read through the package-level inspection hook). s̄ is
    /// f(a + 0·v) (α=1: s̄ = s⁺) or f(a − 0·v) (α=0: s̄ = s⁻) with a recomputed from an s̄ below
    /// that is itself the forward value, so the only difference allowed is the rounding of f in the
    /// nudge kernel vs the activation kernel: 4 float32 ULP of |s| (≤ 5e-7·max(|s|, 1e-30)).
    func testMeanStateIsForwardPassForAlphaZeroAndOne() throws {
        for (what, net, x, y) in [("mlp", Self.mlp(), Self.mlpInput, Self.mlpLabels),
                                  ("conv", Self.convNet(), Self.convInput, Self.convLabels)] {
            let forward = try net.forwardStates(x)
            for alpha: Float in [0, 1] {
                for schedule in [InferenceSchedule.sweep, .forwardPasses(net.depth + 2), .repeatedSweeps(3)] {
                    let states = try AdjointDualPropagation(alpha: alpha, beta: 0.5, schedule: schedule)
                        .inferredStates(net, input: x, labels: y)
                    for k in 0..<(net.depth - 1) {
                        XCTAssertEqual(states.mean[k].shape, forward[k].shape)
                        let nudged = states.delta[k].scalars.contains { $0 != 0 }
                        XCTAssertTrue(nudged, "\(what) α=\(alpha) \(schedule): block \(k) was never nudged")
                        for (i, (m, s)) in zip(states.mean[k].scalars, forward[k].scalars).enumerated()
                        where abs(m - s) > 5e-7 * max(abs(s), 1e-30) {
                            XCTFail("\(what) α=\(alpha) \(schedule): s̄[\(k)][\(i)] = \(m) but forward s = \(s)")
                            break
                        }
                    }
                }
            }
        }
    }

    /// SPEC §6: K forward-only passes carry the output signal down one layer per pass, so for
    /// DP⊤ with α ∈ {0,1} (s̄ = forward pass, hence a_k never changes) K = L − 1 passes already
    /// equal one top-down sweep, K = L and K = L + 3 change nothing more, while K = L − 2 leaves
    /// block 0 untouched (δ = 0, zero gradient). Extra passes and repeated sweeps must also be
    /// identical to the sweep. Tolerance 1e-6 relative: the only difference is f's rounding
    /// between the nudge and activation kernels feeding recomputed pre-activations (measured 0).
    func testForwardPassesEqualSweepForAlphaZeroAndOne() throws {
        for loss in OutputLoss.allCases {
            for act in [Activation.tanh, .relu] {
                let net = Self.mlp(act, loss: loss), L = net.depth
                let (x, y) = (Self.mlpInput, Self.mlpLabels)
                for alpha: Float in [0, 1] {
                    func grads(_ s: InferenceSchedule) throws -> Gradients {
                        try AdjointDualPropagation(alpha: alpha, beta: 0.3, schedule: s).step(net, input: x, labels: y).gradients
                    }
                    let sweep = try grads(.sweep)
                    let what = "\(act) \(loss) α=\(alpha)"
                    for k in [L - 1, L, L + 3] {
                        XCTAssertLessThan(Self.maxError(try grads(.forwardPasses(k)), sweep), 1e-6, "\(what): K=\(k)")
                    }
                    XCTAssertLessThan(Self.maxError(try grads(.repeatedSweeps(4)), sweep), 1e-6, "\(what): 4 repeated sweeps")
                    let short = try grads(.forwardPasses(L - 2))
                    XCTAssertTrue(short.weights[0].scalars.allSatisfy { $0 == 0 }, "\(what): K=L−2 must not reach block 0")
                    XCTAssertGreaterThan(sweep.weights[0].scalars.map(abs).max()!, 0, "\(what): sweep reaches block 0")
                    // Passes beyond convergence are skipped or recompute identical values: bitwise equal.
                    XCTAssertEqual(try grads(.forwardPasses(L)).weights, try grads(.forwardPasses(L + 3)).weights, what)
                }
            }
        }
    }

    /// SPEC §5 vs §4 at α = ½: DP (s⁺ = f(a + ½v), s⁻ = f(a − ½v)) and DP⊤ (s⁺ = f(a + ½v),
    /// s⁻ = f(a − ½v)) update hidden units identically; they differ only at the output, where DP
    /// nudges at the current logits and DP⊤ at the frozen ones. In the sweep schedule the
    /// current logits are the frozen ones, so every gradient agrees (bitwise: same kernels on
    /// the same numbers). With one forward pass (K = 1) the hidden states still agree exactly,
    /// but the output block is re-nudged at the moved logits by DP only, so its δ differs.
    func testDPEqualsAdjointAtHalfOnHiddenUnits() throws {
        for (what, net, x, y) in [("mlp", Self.mlp(), Self.mlpInput, Self.mlpLabels),
                                  ("conv", Self.convNet(), Self.convInput, Self.convLabels)] {
            for beta: Float in [0.1, 1] {
                let dp = try DualPropagation(alpha: 0.5, beta: beta).step(net, input: x, labels: y).gradients
                let dpt = try AdjointDualPropagation(alpha: 0.5, beta: beta).step(net, input: x, labels: y).gradients
                XCTAssertEqual(dp.weights, dpt.weights, "\(what) β=\(beta): sweep weights")
                XCTAssertEqual(dp.biases, dpt.biases, "\(what) β=\(beta): sweep biases")

                let one = InferenceSchedule.forwardPasses(1)
                let sp = try DualPropagation(alpha: 0.5, beta: beta, schedule: one).inferredStates(net, input: x, labels: y)
                let st = try AdjointDualPropagation(alpha: 0.5, beta: beta, schedule: one).inferredStates(net, input: x, labels: y)
                for k in 0..<(net.depth - 1) {
                    XCTAssertEqual(sp.plus[k], st.plus[k], "\(what) β=\(beta) K=1: s⁺ of hidden block \(k)")
                    XCTAssertEqual(sp.minus[k], st.minus[k], "\(what) β=\(beta) K=1: s⁻ of hidden block \(k)")
                }
                XCTAssertNotEqual(sp.delta[net.depth - 1], st.delta[net.depth - 1], "\(what) β=\(beta) K=1: output δ")
            }
        }
    }

    // MARK: damping (SPEC §5.1)

    /// With L_k·|1 − 2α| the damping vanishes at α = ½, so damped DP is plain DP (identical
    /// arithmetic: (a + c·v + 0)·1), for every schedule.
    func testDampingScaledByAsymmetryVanishesAtHalf() throws {
        let net = Self.mlp(.relu)
        for schedule in [InferenceSchedule.sweep, .forwardPasses(5), .repeatedSweeps(4)] {
            let plain = try DualPropagation(alpha: 0.5, beta: 0.5, schedule: schedule)
                .step(net, input: Self.mlpInput, labels: Self.mlpLabels).gradients
            let damped = try DualPropagation(alpha: 0.5, beta: 0.5, schedule: schedule,
                                             damping: .powerIteration(iterations: 3, scaledByAsymmetry: true))
                .step(net, input: Self.mlpInput, labels: Self.mlpLabels).gradients
            XCTAssertEqual(plain.weights, damped.weights, "\(schedule)")
            XCTAssertEqual(plain.biases, damped.biases, "\(schedule)")
        }
    }

    /// The damped update s ← f((a + c·v + L·s_old)/(1 + L)) is the proximal step of
    /// G(s) = ½‖s‖² + ι_C (ReLU; seed 002 App. F), so where it converges its fixed point is the
    /// plain update's: s = f(a + c·v). (For non-quadratic G, e.g. tanh, it is not — the SPEC's
    /// Eq. 50 form is for ReLU-type units.) Check on a ReLU MLP with L_k = (γ_k² − 1)/2 > 0 (not
    /// scaled by |1 − 2α|): after 150 rounds of repeated sweeps both DP α = ½ (plain and damped)
    /// and damped DP α = 0.25 / plain DP α = 0.25 reach the same fixed point. Tolerance 1e-4 relative:
    /// the iterations contract by ≤ ~0.9 per round (1e-7 after 150), leaving float32 rounding
    /// (≈ 1e-6·|s|/|δ| at β = 0.1); measured ≤ 1.1e-5. Weights ×1.3 so that
    /// every ‖W_k‖₂ > 1 (damping on in every hidden block).
    func testDampedFixedPointEqualsUndampedFixedPoint() throws {
        var net = Self.mlp(.relu)
        net.withParameters { _, w, _ in w = Tensor(shape: w.shape, values: w.scalars.map { 1.3 * $0 }) }
        // The damping must actually be on: every hidden block's upward operator has ‖W‖₂ > 1.
        let ref = RefNet(net)
        for k in 1..<net.depth { XCTAssertGreaterThan(ref.spectralNorm(k), 1.05, "block \(k): damping would be 0") }
        for alpha: Float in [0.5, 0.25] {
            let rounds = InferenceSchedule.repeatedSweeps(150)
            let plain = try DualPropagation(alpha: alpha, beta: 0.1, schedule: rounds)
                .step(net, input: Self.mlpInput, labels: Self.mlpLabels).gradients
            let damped = try DualPropagation(alpha: alpha, beta: 0.1, schedule: rounds,
                                             damping: .powerIteration(iterations: 3, scaledByAsymmetry: false))
                .step(net, input: Self.mlpInput, labels: Self.mlpLabels).gradients
            let e = Self.maxError(damped, plain)
            if ProcessInfo.processInfo.environment["DP_TEST_VERBOSE"] != nil { print("damped vs plain fixed point α=\(alpha):", e) }
            XCTAssertLessThan(e, 1e-4, "α=\(alpha)")
            // And it is a fixed point: a few more rounds change nothing beyond rounding.
            let more = try DualPropagation(alpha: alpha, beta: 0.1, schedule: .repeatedSweeps(170),
                                           damping: .powerIteration(iterations: 3, scaledByAsymmetry: false))
                .step(net, input: Self.mlpInput, labels: Self.mlpLabels).gradients
            XCTAssertLessThan(Self.maxError(more, damped), 1e-5, "α=\(alpha): not converged")
        }
    }

    /// The damped iterate itself, before convergence, against the float64 rule with exact
    /// L_k = max(0, (‖W_k‖₂² − 1)/2) (the engine estimates ‖W_k‖₂ by 60 power iterations, which
    /// converge to ~1e-7 on these 5–7-wide matrices): DP α ∈ {0, ½, 1} and DP⊤ α = 0, 3 rounds
    /// of repeated sweeps and 4 forward passes, β = 0.5, tanh and ReLU. Tolerance 1e-4 as in
    /// `testEngineMatchesFloat64Rule` plus the ≈ 1e-6 relative error of the estimated L_k.
    func testDampedIterationMatchesFloat64Rule() throws {
        for act in [Activation.relu, .tanh] {
            let net = Self.mlp(act), ref = RefNet(net)
            let exactL = (0..<(net.depth - 1)).map { k -> Double in
                let g = ref.spectralNorm(k + 1); return max(0, (g * g - 1) / 2)
            }
            for schedule in [InferenceSchedule.repeatedSweeps(3), .forwardPasses(4)] {
                for (variant, alpha) in [(RefDual.Variant.dp, Float(0)), (.dp, 0.5), (.dp, 1)] {
                    let damping = Damping.powerIteration(iterations: 60, scaledByAsymmetry: false)
                    let got = try DualPropagation(alpha: alpha, beta: 0.5, schedule: schedule, damping: damping)
                        .step(net, input: Self.mlpInput, labels: Self.mlpLabels).gradients
                    var r = RefDual(ref, variant, alpha: Double(alpha), beta: 0.5, damping: exactL,
                                    x: RefTensor(Self.mlpInput), labels: Self.mlpLabels)
                    r.run(schedule)
                    for (k, e) in relativeErrors(got, r.gradients()).enumerated() {
                        XCTAssertLessThan(e, 1e-4, "\(act) \(variant) α=\(alpha) \(schedule): block \(k)")
                    }
                }
            }
        }
    }
}
