internal import CKernels

/// The dual-propagation variant a nudge implements.
public enum NudgeRule: Sendable, Hashable {
    /// DP⊤, the adjoint variant: `s⁺ = f(a + ᾱv)`, `s⁻ = f(a − αv)`.
    case dpT
    /// DP, the original: `s⁺ = f(a + αv)`, `s⁻ = f(a − ᾱv)`.
    case dp

    var c: ck_rule { self == .dpT ? CK_RULE_DPT : CK_RULE_DP }
}

/// The two states of a layer of units and their weighted mean `s̄ = α s⁺ + (1 − α) s⁻`.
public struct NudgedStates: Sendable {
    /// The positively nudged state `s⁺`.
    public var plus: Tensor
    /// The negatively nudged state `s⁻`.
    public var minus: Tensor
    /// The mean state `s̄ = α s⁺ + (1 − α) s⁻`.
    public var mean: Tensor

    /// States of the given values (all three of one shape).
    public init(plus: Tensor, minus: Tensor, mean: Tensor) {
        precondition(plus.shape == minus.shape && plus.shape == mean.shape,
                     "NudgedStates: shapes \(plus.shape), \(minus.shape), \(mean.shape) differ")
        self.plus = plus
        self.minus = minus
        self.mean = mean
    }
}

/// The fused kernels of the inference-learning rules; formulas in `ck_nudge.h`.
public enum Nudge {
    /// Hidden-unit nudge in one pass: DP⊤ `s⁺ = f(a + ᾱv)`, `s⁻ = f(a − αv)`; DP `s⁺ = f(a + αv)`,
    /// `s⁻ = f(a − ᾱv)`; both `s̄ = α s⁺ + ᾱ s⁻`.
    /// - Parameters:
    ///   - activation: the activation family `f`.
    ///   - rule: DP⊤ or DP.
    ///   - alpha: `α ∈ [0, 1]` (`ᾱ = 1 − α`).
    ///   - a: the pre-activation, any shape.
    ///   - v: the feedback `Wᵀδ`, the shape of `a`.
    public static func hidden(_ activation: Activation, rule: NudgeRule, alpha: Float,
                              preActivation a: Tensor, feedback v: Tensor) throws -> NudgedStates {
        precondition(a.shape == v.shape, "Nudge.hidden: feedback shape \(v.shape) != pre-activation shape \(a.shape)")
        var s = NudgedStates(plus: Tensor(unfilledShape: a.shape), minus: Tensor(unfilledShape: a.shape), mean: Tensor(unfilledShape: a.shape))
        try run(activation, rule, alpha, damping: nil, a, v, &s, "Nudge.hidden")
        return s
    }

    /// Hidden-unit nudge that also returns `δ = s⁺ − s⁻`, in the same pass over memory (the
    /// learning signal needs `s⁺`, `s̄` and `δ`). Bitwise equal to
    /// ``hidden(_:rule:alpha:preActivation:feedback:)`` followed by a subtraction.
    /// - Parameters:
    ///   - activation: the activation family `f`.
    ///   - rule: DP⊤ or DP.
    ///   - alpha: `α ∈ [0, 1]` (`ᾱ = 1 − α`).
    ///   - a: the pre-activation, any shape.
    ///   - v: the feedback `Wᵀδ`, the shape of `a`.
    ///   - keepMinus: also return `s⁻` (one more array written); otherwise `minus` is nil.
    public static func hiddenWithDelta(_ activation: Activation, rule: NudgeRule, alpha: Float,
                                       preActivation a: Tensor, feedback v: Tensor, keepMinus: Bool = false)
        throws -> (plus: Tensor, minus: Tensor?, mean: Tensor, delta: Tensor) {
        precondition(a.shape == v.shape, "Nudge.hiddenWithDelta: feedback shape \(v.shape) != pre-activation shape \(a.shape)")
        var plus = Tensor(unfilledShape: a.shape), mean = Tensor(unfilledShape: a.shape), delta = Tensor(unfilledShape: a.shape)
        var minus = Tensor(unfilledShape: keepMinus ? a.shape : [0])
        let status = a.withUnsafeBufferPointer { ap in
            v.withUnsafeBufferPointer { vp in
                plus.withUnsafeMutableBufferPointer { pp in
                    minus.withUnsafeMutableBufferPointer { mp in
                        mean.withUnsafeMutableBufferPointer { sp in
                            delta.withUnsafeMutableBufferPointer { dp in
                                ck_nudge_delta(activation.descriptor, rule.c, alpha, ap.baseAddress, vp.baseAddress,
                                               pp.baseAddress, keepMinus ? mp.baseAddress : nil, sp.baseAddress,
                                               dp.baseAddress, Int64(a.count))
                            }
                        }
                    }
                }
            }
        }
        try check(status, "Nudge.hiddenWithDelta(\(activation), \(rule), α=\(alpha))")
        return (plus, keepMinus ? minus : nil, mean, delta)
    }

    /// ``hiddenWithDelta(_:rule:alpha:preActivation:feedback:keepMinus:)`` for a layer whose
    /// `s̄` may come out bitwise unchanged (α ∈ {0, 1}: `s̄ = f(a ∓ 0·v)`): the new `s̄` is
    /// compared with `previousMean` instead of written, and when they are equal `previousMean`
    /// itself is returned as `mean` (`ck_nudge_delta_reuse_mean`: one read in place of a write and
    /// a comparison). Every result is bitwise what `hiddenWithDelta` returns.
    /// - Parameters:
    ///   - activation: the activation family `f`.
    ///   - rule: DP⊤ or DP.
    ///   - alpha: `α ∈ [0, 1]` (`ᾱ = 1 − α`).
    ///   - a: the pre-activation, any shape.
    ///   - v: the feedback `Wᵀδ`, the shape of `a`.
    ///   - previousMean: the `s̄` the layer holds now, the shape of `a`; nil: no comparison (the
    ///     plain ``hiddenWithDelta(_:rule:alpha:preActivation:feedback:keepMinus:)``).
    ///   - keepMinus: also return `s⁻`; otherwise `minus` is nil.
    /// - Returns: the states, δ, and whether `mean` is `previousMean` (unchanged).
    public static func hiddenWithDelta(_ activation: Activation, rule: NudgeRule, alpha: Float,
                                       preActivation a: Tensor, feedback v: Tensor, previousMean: Tensor?,
                                       keepMinus: Bool = false)
        throws -> (plus: Tensor, minus: Tensor?, mean: Tensor, delta: Tensor, meanUnchanged: Bool) {
        guard let previousMean else {
            let st = try hiddenWithDelta(activation, rule: rule, alpha: alpha, preActivation: a, feedback: v,
                                         keepMinus: keepMinus)
            return (st.plus, st.minus, st.mean, st.delta, false)
        }
        precondition(a.shape == v.shape && a.shape == previousMean.shape,
                     "Nudge.hiddenWithDelta: shapes a \(a.shape), v \(v.shape), previous mean \(previousMean.shape) differ")
        var plus = Tensor(unfilledShape: a.shape), delta = Tensor(unfilledShape: a.shape)
        var minus = Tensor(unfilledShape: keepMinus ? a.shape : [0])
        // Written only when s̄ changed; allocated lazily would need a second call, and an
        // unfilled tensor costs no pass over memory (the step arena reuses its buffer).
        var mean = Tensor(unfilledShape: a.shape)
        var reused = false
        let status = a.withUnsafeBufferPointer { ap in
            v.withUnsafeBufferPointer { vp in
                previousMean.withUnsafeBufferPointer { op in
                    plus.withUnsafeMutableBufferPointer { pp in
                        minus.withUnsafeMutableBufferPointer { mp in
                            mean.withUnsafeMutableBufferPointer { sp in
                                delta.withUnsafeMutableBufferPointer { dp in
                                    ck_nudge_delta_reuse_mean(activation.descriptor, rule.c, alpha, ap.baseAddress,
                                                              vp.baseAddress, pp.baseAddress,
                                                              keepMinus ? mp.baseAddress : nil, op.baseAddress,
                                                              sp.baseAddress, dp.baseAddress, Int64(a.count), &reused)
                                }
                            }
                        }
                    }
                }
            }
        }
        try check(status, "Nudge.hiddenWithDelta(\(activation), \(rule), α=\(alpha), previousMean:)")
        return (plus, keepMinus ? minus : nil, reused ? previousMean : mean, delta, reused)
    }

    /// The nudge of a layer that a single top-down sweep will not visit again: only `s̄` and
    /// `δ = s⁺ − s⁻` are written (the feedback that `s⁺` routes through ran before the nudge, and
    /// the weight gradients need `s̄` and `δ`), one array fewer than
    /// ``hiddenWithDelta(_:rule:alpha:preActivation:feedback:keepMinus:)``, whose `mean` and
    /// `delta` these are bitwise. With `previousMean`, `s̄` is compared with it instead of written
    /// and `previousMean` itself comes back when they are bitwise equal (DP⊤ at α ∈ {0, 1}).
    /// - Parameters:
    ///   - activation: the activation family `f`.
    ///   - rule: DP⊤ or DP.
    ///   - alpha: `α ∈ [0, 1]` (`ᾱ = 1 − α`).
    ///   - a: the pre-activation, any shape.
    ///   - v: the feedback `Wᵀδ`, the shape of `a`.
    ///   - previousMean: the `s̄` the layer holds now (the shape of `a`), or nil to write `s̄`.
    /// - Returns: `s̄`, `δ`, and whether `mean` is `previousMean`.
    public static func meanAndDelta(_ activation: Activation, rule: NudgeRule, alpha: Float,
                                    preActivation a: Tensor, feedback v: Tensor, previousMean: Tensor? = nil)
        throws -> (mean: Tensor, delta: Tensor, meanUnchanged: Bool) {
        precondition(a.shape == v.shape && (previousMean.map { $0.shape == a.shape } ?? true),
                     "Nudge.meanAndDelta: shapes a \(a.shape), v \(v.shape), previous mean \(previousMean?.shape ?? a.shape) differ")
        var mean = Tensor(unfilledShape: a.shape), delta = Tensor(unfilledShape: a.shape)
        var reused = false
        let status = a.withUnsafeBufferPointer { ap in
            v.withUnsafeBufferPointer { vp in
                mean.withUnsafeMutableBufferPointer { sp in
                    delta.withUnsafeMutableBufferPointer { dp in
                        guard let previousMean else {
                            return ck_nudge_delta(activation.descriptor, rule.c, alpha, ap.baseAddress, vp.baseAddress,
                                                  nil, nil, sp.baseAddress, dp.baseAddress, Int64(a.count))
                        }
                        return previousMean.withUnsafeBufferPointer { op in
                            ck_nudge_delta_reuse_mean(activation.descriptor, rule.c, alpha, ap.baseAddress, vp.baseAddress,
                                                      nil, nil, op.baseAddress, sp.baseAddress, dp.baseAddress,
                                                      Int64(a.count), &reused)
                        }
                    }
                }
            }
        }
        try check(status, "Nudge.meanAndDelta(\(activation), \(rule), α=\(alpha))")
        return (reused ? previousMean! : mean, delta, reused)
    }

    /// Damped nudge: `s± ← f((a ± c±·v + L·s±_old)/(1 + L))` with the rule's
    /// coefficients, updating `states` in place (its `plus`/`minus` are the old states on entry).
    public static func hiddenDamped(_ activation: Activation, rule: NudgeRule, alpha: Float, damping: Float,
                                    preActivation a: Tensor, feedback v: Tensor,
                                    states: inout NudgedStates) throws {
        precondition(a.shape == v.shape && a.shape == states.plus.shape,
                     "Nudge.hiddenDamped: shapes a \(a.shape), v \(v.shape), states \(states.plus.shape) differ")
        try run(activation, rule, alpha, damping: damping, a, v, &states, "Nudge.hiddenDamped")
    }

    private static func run(_ act: Activation, _ rule: NudgeRule, _ alpha: Float, damping: Float?,
                            _ a: Tensor, _ v: Tensor, _ s: inout NudgedStates, _ ctx: String) throws {
        let d = act.descriptor, n = Int64(a.count)
        // Move the states out of `s` so that, unless the caller still shares them, they are
        // updated in place rather than copied first (copy-on-write).
        var plus = s.plus, minus = s.minus, mean = s.mean
        let none = Tensor(shape: [0])
        s.plus = none; s.minus = none; s.mean = none
        let status = a.withUnsafeBufferPointer { ap in
            v.withUnsafeBufferPointer { vp in
                plus.withUnsafeMutableBufferPointer { pp in
                    minus.withUnsafeMutableBufferPointer { mp in
                        mean.withUnsafeMutableBufferPointer { sp in
                            if let L = damping {
                                return ck_nudge_damped(d, rule.c, alpha, L, ap.baseAddress, vp.baseAddress,
                                                       pp.baseAddress, mp.baseAddress, sp.baseAddress, n)
                            }
                            return ck_nudge(d, rule.c, alpha, ap.baseAddress, vp.baseAddress,
                                            pp.baseAddress, mp.baseAddress, sp.baseAddress, n)
                        }
                    }
                }
            }
        }
        try check(status, "\(ctx)(\(act), \(rule), α=\(alpha))")
        s = NudgedStates(plus: plus, minus: minus, mean: mean)
    }

    /// Fenchel back-propagation error `e = (f(a) − f(a − τg))/τ` per element (no batch mean).
    public static func fenchelError(_ activation: Activation, tau: Float, preActivation a: Tensor,
                                    gradient g: Tensor) throws -> Tensor {
        precondition(a.shape == g.shape, "Nudge.fenchelError: gradient shape \(g.shape) != pre-activation shape \(a.shape)")
        var e = Tensor(unfilledShape: a.shape)
        let d = activation.descriptor
        let status = a.withUnsafeBufferPointer { ap in
            g.withUnsafeBufferPointer { gp in
                e.withUnsafeMutableBufferPointer { ep in
                    ck_fenchel_error(d, tau, ap.baseAddress, gp.baseAddress, ep.baseAddress, Int64(a.count))
                }
            }
        }
        try check(status, "Nudge.fenchelError(\(activation), τ=\(tau))")
        return e
    }

    /// Output nudge for softmax cross-entropy per row of `(rows, classes)` logits:
    /// `g = β(softmax(p) − onehot(y))`; DP⊤ `s⁺ = a − ᾱg`, `s⁻ = a + αg`; DP `s⁺ = a − αg`, `s⁻ = a + ᾱg`.
    /// - Parameters:
    ///   - rule: DP⊤ or DP.
    ///   - alpha: `α ∈ [0, 1]` (`ᾱ = 1 − α`).
    ///   - beta: the nudging strength `β > 0`.
    ///   - p: the logits of the initial forward pass (DP⊤); `nil` means `p = a` (DP).
    ///   - a: the current output pre-activation (the logits).
    ///   - labels: one class index per row.
    /// - Returns: `s⁺`, `s⁻` and `g`, each of `logits`' shape.
    public static func outputCrossEntropy(rule: NudgeRule, alpha: Float, beta: Float,
                                          frozenLogits p: Tensor?, logits a: Tensor, labels: [Int32])
        throws -> (plus: Tensor, minus: Tensor, g: Tensor) {
        precondition(a.rank == 2, "Nudge.outputCrossEntropy: logits must be (rows, classes), got \(a.shape)")
        precondition(labels.count == a.shape[0], "Nudge.outputCrossEntropy: \(labels.count) labels for \(a.shape[0]) rows")
        if let p { precondition(p.shape == a.shape, "Nudge.outputCrossEntropy: frozen logits \(p.shape) != logits \(a.shape)") }
        var plus = Tensor(unfilledShape: a.shape), minus = Tensor(unfilledShape: a.shape), g = Tensor(unfilledShape: a.shape)
        let pp = p ?? a
        let status = pp.withUnsafeBufferPointer { pb in
            a.withUnsafeBufferPointer { ab in
                labels.withUnsafeBufferPointer { lb in
                    plus.withUnsafeMutableBufferPointer { sp in
                        minus.withUnsafeMutableBufferPointer { sm in
                            g.withUnsafeMutableBufferPointer { gb in
                                ck_output_nudge_ce(rule.c, alpha, beta, pb.baseAddress, ab.baseAddress, lb.baseAddress,
                                                   sp.baseAddress, sm.baseAddress, gb.baseAddress,
                                                   Int64(a.shape[0]), Int64(a.shape[1]))
                            }
                        }
                    }
                }
            }
        }
        try check(status, "Nudge.outputCrossEntropy(\(rule), α=\(alpha), β=\(beta))")
        return (plus, minus, g)
    }

    /// Output nudge for the least-squares loss `(β/2)‖s − y‖²`: DP⊤ linearised (`g = β(a − y)`),
    /// DP the exact proximal states (requires `(1 − α)β < 1`).
    public static func outputLeastSquares(rule: NudgeRule, alpha: Float, beta: Float,
                                          output a: Tensor, target y: Tensor) throws -> (plus: Tensor, minus: Tensor) {
        precondition(a.shape == y.shape, "Nudge.outputLeastSquares: target shape \(y.shape) != output shape \(a.shape)")
        var plus = Tensor(unfilledShape: a.shape), minus = Tensor(unfilledShape: a.shape)
        let status = a.withUnsafeBufferPointer { ab in
            y.withUnsafeBufferPointer { yb in
                plus.withUnsafeMutableBufferPointer { sp in
                    minus.withUnsafeMutableBufferPointer { sm in
                        ck_output_nudge_lsq(rule.c, alpha, beta, ab.baseAddress, yb.baseAddress,
                                            sp.baseAddress, sm.baseAddress, Int64(a.count))
                    }
                }
            }
        }
        try check(status, "Nudge.outputLeastSquares(\(rule), α=\(alpha), β=\(beta))")
        return (plus, minus)
    }

    /// Energy difference `Σ D_G(s⁺‖s̄) − D_G(s⁻‖s̄)`, for monitoring.
    public static func energyDelta(_ activation: Activation, states s: NudgedStates) throws -> Double {
        var out = 0.0
        let d = activation.descriptor
        let status = s.plus.withUnsafeBufferPointer { pp in
            s.minus.withUnsafeBufferPointer { mp in
                s.mean.withUnsafeBufferPointer { bp in
                    ck_energy_delta(d, pp.baseAddress, mp.baseAddress, bp.baseAddress, Int64(s.plus.count), &out)
                }
            }
        }
        try check(status, "Nudge.energyDelta(\(activation))")
        return out
    }
}

/// The Bregman layer's activation step: `out = f(f⁻¹(z) + u)`.
public enum BregmanActivation {
    /// Forward: `f(f⁻¹(z) + u)` for the layer input `z` and `u = Wz + b` of the same shape.
    public static func forward(_ activation: Activation, input z: Tensor, update u: Tensor) throws -> Tensor {
        precondition(z.shape == u.shape, "BregmanActivation.forward: update shape \(u.shape) != input shape \(z.shape)")
        var out = Tensor(unfilledShape: z.shape)
        let d = activation.descriptor
        let status = z.withUnsafeBufferPointer { zp in
            u.withUnsafeBufferPointer { up in
                out.withUnsafeMutableBufferPointer { op in
                    ck_bregman_fwd(d, zp.baseAddress, up.baseAddress, op.baseAddress, Int64(z.count))
                }
            }
        }
        try check(status, "BregmanActivation.forward(\(activation))")
        return out
    }

    /// Backward: `du = f'(w)·dout` and `dz = du·(f⁻¹)'(z)` with `w = f⁻¹(z) + u` (the caller adds `Wᵀdu`).
    public static func backward(_ activation: Activation, input z: Tensor, update u: Tensor,
                                outputGradient dout: Tensor) throws -> (input: Tensor, update: Tensor) {
        precondition(z.shape == u.shape && z.shape == dout.shape,
                     "BregmanActivation.backward: shapes z \(z.shape), u \(u.shape), dout \(dout.shape) differ")
        var dz = Tensor(unfilledShape: z.shape), du = Tensor(unfilledShape: z.shape)
        let d = activation.descriptor
        let status = z.withUnsafeBufferPointer { zp in
            u.withUnsafeBufferPointer { up in
                dout.withUnsafeBufferPointer { gp in
                    dz.withUnsafeMutableBufferPointer { dzp in
                        du.withUnsafeMutableBufferPointer { dup in
                            ck_bregman_bwd(d, zp.baseAddress, up.baseAddress, gp.baseAddress,
                                           dzp.baseAddress, dup.baseAddress, Int64(z.count))
                        }
                    }
                }
            }
        }
        try check(status, "BregmanActivation.backward(\(activation))")
        return (dz, du)
    }
}
