import DualProp
import Foundation

// An independent float64 implementation of the networks and learning rules of SPEC §2–§8,
// written with naive loops straight from the formulas. It shares nothing with the library but
// the parameter values (read from `Sequential.layers`) and the layouts the library documents:
// activations NHWC / [N, F], conv weights RSCK `[R, S, C, K]`, linear weights `[IN, OUT]`,
// max-pool 2x2/2 with the first maximum in window order (0,0),(0,1),(1,0),(1,1) winning.

/// A float64 tensor: values in row-major order and a shape.
struct RefTensor {
    var v: [Double]
    var shape: [Int]

    init(_ v: [Double], _ shape: [Int]) {
        precondition(v.count == shape.reduce(1, *), "RefTensor: \(v.count) values for shape \(shape)")
        self.v = v; self.shape = shape
    }
    init(zeros shape: [Int]) { self.init([Double](repeating: 0, count: shape.reduce(1, *)), shape) }
    init(_ t: Tensor) { self.init(t.scalars.map(Double.init), t.shape) }

    var count: Int { v.count }
    var rows: Int { shape[0] }
    var rowLength: Int { v.count / max(shape[0], 1) }

    func map(_ f: (Double) -> Double) -> RefTensor { RefTensor(v.map(f), shape) }
    static func + (a: RefTensor, b: RefTensor) -> RefTensor { RefTensor(zip(a.v, b.v).map { $0 + $1 }, a.shape) }
    static func - (a: RefTensor, b: RefTensor) -> RefTensor { RefTensor(zip(a.v, b.v).map { $0 - $1 }, a.shape) }
    static func * (c: Double, a: RefTensor) -> RefTensor { a.map { c * $0 } }
}

/// Float64 activations and inverses from their textbook definitions (SPEC §1).
enum RefActivation {
    static func f(_ act: Activation?, _ t: Double) -> Double {
        guard let act else { return t }
        switch act {
        case .identity: return t
        case .relu: return max(0, t)
        case .hardSigmoid: return min(max(t, 0), 1)
        case .leakyReLU(let c): return t >= 0 ? t : Double(c) * t
        case .sigmoid: return 1 / (1 + exp(-t))
        case .tanh: return Foundation.tanh(t)
        case .isru: return t / (1 + t * t).squareRoot()
        case .softplus: return t > 30 ? t + log1p(exp(-t)) : log1p(exp(t))
        case .arctan: return atan(t)
        case .sin: return Foundation.sin(min(max(t, -Double.pi / 2), Double.pi / 2))
        case .arcsinh: return asinh(t)
        }
    }

    static func inverse(_ act: Activation, _ s: Double) -> Double {
        switch act {
        case .identity, .relu, .hardSigmoid: return s
        case .leakyReLU(let c): return s >= 0 ? s : s / Double(c)
        case .sigmoid: return log(s / (1 - s))
        case .tanh: return atanh(s)
        case .isru: return s / (1 - s * s).squareRoot()
        case .softplus: return log(expm1(s))
        case .arctan: return tan(s)
        case .sin: return asin(s)
        case .arcsinh: return sinh(s)
        }
    }
}

/// The float64 network: one block per parametric layer (SPEC §7: `s = f(pool(W s + b))`).
struct RefNet {
    enum Kind { case dense, conv(stride: Int, padding: Int), bregman(Activation, SkipConnection) }
    struct Block {
        var kind: Kind
        var w: [Double]
        var wShape: [Int]
        var b: [Double]
        var pool = false
        var activation: Activation?
    }

    var blocks: [Block] = []
    let loss: OutputLoss
    var depth: Int { blocks.count }

    /// Read the layers of `net` (independently of `Sequential`'s own block parsing).
    init(_ net: Sequential) {
        loss = net.loss
        for layer in net.layers {
            switch layer {
            case .conv2d(let c):
                precondition(c.geometry.stride.h == c.geometry.stride.w && c.geometry.padding.h == c.geometry.padding.w)
                blocks.append(Block(kind: .conv(stride: c.geometry.stride.h, padding: c.geometry.padding.h),
                                    w: c.weight.scalars.map(Double.init), wShape: c.weight.shape,
                                    b: c.bias.scalars.map(Double.init)))
            case .linear(let l):
                blocks.append(Block(kind: .dense, w: l.weight.scalars.map(Double.init), wShape: l.weight.shape,
                                    b: l.bias.scalars.map(Double.init)))
            case .bregmanDense(let d):
                blocks.append(Block(kind: .bregman(d.activation, d.skip), w: d.weight.scalars.map(Double.init),
                                    wShape: d.weight.shape, b: d.bias.scalars.map(Double.init)))
            case .maxPool2d: blocks[blocks.count - 1].pool = true
            case .activation(let f): blocks[blocks.count - 1].activation = f
            case .flatten: break
            }
        }
    }

    // MARK: linear operators

    /// `W x + b` of block k (pre-pool). Dense and Bregman blocks flatten `x` to `[N, IN]`.
    func linear(_ k: Int, _ x: RefTensor, bias: Bool = true) -> RefTensor {
        let blk = blocks[k]
        switch blk.kind {
        case .dense, .bregman:
            let (inF, outF) = (blk.wShape[0], blk.wShape[1]), n = x.rows
            precondition(x.rowLength == inF, "RefNet.linear: input row \(x.rowLength) vs IN \(inF)")
            var y = RefTensor(zeros: [n, outF])
            for r in 0..<n { for o in 0..<outF {
                var s = bias ? blk.b[o] : 0
                for i in 0..<inF { s += x.v[r * inF + i] * blk.w[i * outF + o] }
                y.v[r * outF + o] = s
            } }
            return y
        case .conv(let st, let pad):
            let (R, S, C, K) = (blk.wShape[0], blk.wShape[1], blk.wShape[2], blk.wShape[3])
            let (n, h, wd) = (x.shape[0], x.shape[1], x.shape[2])
            precondition(x.shape[3] == C)
            let P = (h + 2 * pad - R) / st + 1, Q = (wd + 2 * pad - S) / st + 1
            var y = RefTensor(zeros: [n, P, Q, K])
            for b in 0..<n { for p in 0..<P { for q in 0..<Q { for k in 0..<K {
                var s = bias ? blk.b[k] : 0
                for r in 0..<R { for t in 0..<S {
                    let iy = p * st + r - pad, ix = q * st + t - pad
                    guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
                    for c in 0..<C { s += x.v[((b * h + iy) * wd + ix) * C + c] * blk.w[((r * S + t) * C + c) * K + k] }
                } }
                y.v[((b * P + p) * Q + q) * K + k] = s
            } } } }
            return y
        }
    }

    /// `Wᵀ dy` of block k, shaped `inputShape`.
    func transpose(_ k: Int, _ dy: RefTensor, inputShape: [Int]) -> RefTensor {
        let blk = blocks[k]
        var dx = RefTensor(zeros: inputShape)
        switch blk.kind {
        case .dense, .bregman:
            let (inF, outF) = (blk.wShape[0], blk.wShape[1])
            for r in 0..<dy.rows { for i in 0..<inF {
                var s = 0.0
                for o in 0..<outF { s += dy.v[r * outF + o] * blk.w[i * outF + o] }
                dx.v[r * inF + i] = s
            } }
        case .conv(let st, let pad):
            let (R, S, C, K) = (blk.wShape[0], blk.wShape[1], blk.wShape[2], blk.wShape[3])
            let (h, wd) = (inputShape[1], inputShape[2]), (P, Q) = (dy.shape[1], dy.shape[2])
            for b in 0..<dy.shape[0] { for p in 0..<P { for q in 0..<Q { for k in 0..<K {
                let g = dy.v[((b * P + p) * Q + q) * K + k]
                for r in 0..<R { for t in 0..<S {
                    let iy = p * st + r - pad, ix = q * st + t - pad
                    guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
                    for c in 0..<C { dx.v[((b * h + iy) * wd + ix) * C + c] += g * blk.w[((r * S + t) * C + c) * K + k] }
                } }
            } } } }
        }
        return dx
    }

    /// `(Σ x ⊗ dy, Σ dy)` of block k: gradients of `⟨dy, W x + b⟩` with respect to W and b.
    func weightGradient(_ k: Int, input x: RefTensor, _ dy: RefTensor) -> (w: [Double], b: [Double]) {
        let blk = blocks[k]
        var dw = [Double](repeating: 0, count: blk.w.count), db = [Double](repeating: 0, count: blk.b.count)
        switch blk.kind {
        case .dense, .bregman:
            let (inF, outF) = (blk.wShape[0], blk.wShape[1])
            for r in 0..<dy.rows { for o in 0..<outF {
                let g = dy.v[r * outF + o]
                db[o] += g
                for i in 0..<inF { dw[i * outF + o] += x.v[r * inF + i] * g }
            } }
        case .conv(let st, let pad):
            let (R, S, C, K) = (blk.wShape[0], blk.wShape[1], blk.wShape[2], blk.wShape[3])
            let (h, wd) = (x.shape[1], x.shape[2]), (P, Q) = (dy.shape[1], dy.shape[2])
            for b in 0..<dy.shape[0] { for p in 0..<P { for q in 0..<Q { for k in 0..<K {
                let g = dy.v[((b * P + p) * Q + q) * K + k]
                db[k] += g
                for r in 0..<R { for t in 0..<S {
                    let iy = p * st + r - pad, ix = q * st + t - pad
                    guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
                    for c in 0..<C { dw[((r * S + t) * C + c) * K + k] += x.v[((b * h + iy) * wd + ix) * C + c] * g }
                } }
            } } } }
        }
        return (dw, db)
    }

    /// 2x2/2 max pooling: the maxima and, per output, the flat index of its (first) maximum.
    static func pool(_ z: RefTensor) -> (y: RefTensor, argmax: [Int]) {
        let (n, h, w, c) = (z.shape[0], z.shape[1], z.shape[2], z.shape[3])
        var y = RefTensor(zeros: [n, h / 2, w / 2, c]), arg = [Int](repeating: 0, count: y.count)
        for b in 0..<n { for p in 0..<(h / 2) { for q in 0..<(w / 2) { for ch in 0..<c {
            var best = -Double.infinity, at = -1
            for (dy, dx) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                let i = ((b * h + 2 * p + dy) * w + 2 * q + dx) * c + ch
                if z.v[i] > best { best = z.v[i]; at = i }
            }
            let o = ((b * (h / 2) + p) * (w / 2) + q) * c + ch
            y.v[o] = best; arg[o] = at
        } } } }
        return (y, arg)
    }

    static func unpool(_ g: RefTensor, argmax: [Int], shape: [Int]) -> RefTensor {
        var z = RefTensor(zeros: shape)
        for (o, i) in argmax.enumerated() { z.v[i] += g.v[o] }
        return z
    }

    /// `a_k = pool(W x + b)` with the pool's argmax (nil without pooling) and the pre-pool shape.
    func preActivation(_ k: Int, _ x: RefTensor) -> (a: RefTensor, argmax: [Int]?, prePool: [Int]) {
        let z = linear(k, x)
        guard blocks[k].pool else { return (z, nil, z.shape) }
        let (y, arg) = Self.pool(z)
        return (y, arg, z.shape)
    }

    /// The output of block k given its input x and pre-activation a.
    func activate(_ k: Int, input x: RefTensor, pre a: RefTensor) -> RefTensor {
        if case .bregman(let rho, let skip) = blocks[k].kind {
            switch skip {
            case .standard: return a.map { RefActivation.f(rho, $0) }
            case .euclidean: return RefTensor(zip(x.v, a.v).map { RefActivation.f(rho, $0 + $1) }, a.shape)
            case .bregman:
                return RefTensor(zip(x.v, a.v).map { RefActivation.f(rho, RefActivation.inverse(rho, $0) + $1) }, a.shape)
            }
        }
        return a.map { RefActivation.f(blocks[k].activation, $0) }
    }

    /// The block outputs `s_1 … s_L` (the last is the logits).
    func forwardStates(_ x: RefTensor) -> [RefTensor] {
        var s = x, out: [RefTensor] = []
        for k in 0..<depth {
            s = activate(k, input: s, pre: preActivation(k, s).a)
            out.append(s)
        }
        return out
    }

    /// Mean batch loss: softmax-CE or `½‖a_L − onehot(y)‖²`, averaged over examples.
    func loss(_ x: RefTensor, labels: [Int32]) -> Double {
        let logits = forwardStates(x).last!
        let c = logits.rowLength
        var total = 0.0
        for (r, y) in labels.enumerated() {
            let row = Array(logits.v[(r * c)..<((r + 1) * c)])
            switch loss {
            case .softmaxCrossEntropy:
                let m = row.max()!
                total += m + log(row.reduce(0) { $0 + exp($1 - m) }) - row[Int(y)]
            case .leastSquares:
                for j in 0..<c { let d = row[j] - (j == Int(y) ? 1 : 0); total += 0.5 * d * d }
            }
        }
        return total / Double(labels.count)
    }

    /// Central finite differences of the mean loss for every parameter, step `h`.
    func finiteDifferenceGradients(_ x: RefTensor, labels: [Int32], h: Double) -> [(w: [Double], b: [Double])] {
        var net = self
        func derivative(_ k: Int, _ i: Int, weight: Bool) -> Double {
            let old = weight ? net.blocks[k].w[i] : net.blocks[k].b[i]
            func set(_ v: Double) { if weight { net.blocks[k].w[i] = v } else { net.blocks[k].b[i] = v } }
            set(old + h); let up = net.loss(x, labels: labels)
            set(old - h); let down = net.loss(x, labels: labels)
            set(old)
            return (up - down) / (2 * h)
        }
        return (0..<depth).map { k in
            ((0..<blocks[k].w.count).map { derivative(k, $0, weight: true) },
             (0..<blocks[k].b.count).map { derivative(k, $0, weight: false) })
        }
    }

    /// `‖W_k‖₂` of block k's linear operator (dense blocks only), by 2000 power iterations in float64.
    func spectralNorm(_ k: Int) -> Double {
        let (inF, _) = (blocks[k].wShape[0], blocks[k].wShape[1])
        var u = RefTensor((0..<inF).map { 1 + 0.1 * Double($0 % 7) }, [1, inF]), norm = 0.0
        for _ in 0..<2000 {
            let n = u.v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            u = (1 / n) * u
            let z = linear(k, u, bias: false)
            norm = z.v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            u = transpose(k, z, inputShape: [1, inF])
        }
        return norm
    }
}

/// Float64 DP/DP⊤ inference without any skipping: every scheduled update is performed.
struct RefDual {
    enum Variant { case dp, dpT }
    let net: RefNet
    let variant: Variant
    let alpha: Double, beta: Double
    /// Damping `L_k` per hidden block (nil: plain updates).
    let damping: [Double]?
    let x: RefTensor
    let labels: [Int32]
    var L: Int { net.depth }

    var pre: [RefTensor] = [], argmax: [[Int]?] = [], prePool: [[Int]] = []
    var plus: [RefTensor] = [], minus: [RefTensor] = [], mean: [RefTensor] = [], delta: [RefTensor] = []
    var frozen: RefTensor

    init(_ net: RefNet, _ variant: Variant, alpha: Double, beta: Double, damping: [Double]? = nil,
         x: RefTensor, labels: [Int32]) {
        self.net = net; self.variant = variant; self.alpha = alpha; self.beta = beta
        self.damping = damping; self.x = x; self.labels = labels
        var s = x
        for k in 0..<net.depth {
            let (a, arg, shape) = net.preActivation(k, s)
            pre.append(a); argmax.append(arg); prePool.append(shape)
            s = k < net.depth - 1 ? a.map { RefActivation.f(net.blocks[k].activation, $0) } : a
            plus.append(s); minus.append(s); mean.append(s); delta.append(RefTensor(zeros: s.shape))
        }
        frozen = pre[net.depth - 1]
    }

    func input(_ k: Int) -> RefTensor { k == 0 ? x : mean[k - 1] }

    mutating func refreshPre(_ k: Int) {
        let (a, arg, shape) = net.preActivation(k, input(k))
        pre[k] = a; argmax[k] = arg; prePool[k] = shape
    }

    /// SPEC §4/§5 output nudge (CE: g at the frozen logits for DP⊤, the current ones for DP;
    /// least squares: DP⊤ linearised at the current output, DP exact prox).
    mutating func nudgeOutput() {
        let o = L - 1, a = pre[o], c = a.rowLength
        let ab = 1 - alpha
        var y = RefTensor(zeros: a.shape)
        for (r, l) in labels.enumerated() { y.v[r * c + Int(l)] = 1 }
        switch (net.loss, variant) {
        case (.leastSquares, .dp):
            plus[o] = RefTensor(zip(a.v, y.v).map { ($0 + alpha * beta * $1) / (1 + alpha * beta) }, a.shape)
            minus[o] = RefTensor(zip(a.v, y.v).map { ($0 - ab * beta * $1) / (1 - ab * beta) }, a.shape)
        default:
            var g = RefTensor(zeros: a.shape)
            if net.loss == .leastSquares {
                g = beta * (a - y)
            } else {
                let p = variant == .dpT ? frozen : a
                for r in 0..<a.rows {
                    let row = p.v[(r * c)..<((r + 1) * c)], m = row.max()!
                    let e = row.map { exp($0 - m) }, z = e.reduce(0, +)
                    for j in 0..<c { g.v[r * c + j] = beta * (e[e.startIndex + j] / z - y.v[r * c + j]) }
                }
            }
            let (cPlus, cMinus) = variant == .dpT ? (ab, alpha) : (alpha, ab)
            plus[o] = a - cPlus * g
            minus[o] = a + cMinus * g
        }
        delta[o] = plus[o] - minus[o]
    }

    /// Hidden nudge of block k (SPEC §4/§5, damped per §5.1 when `damping` is set), feedback routed
    /// by the pool argmax of `conv_{k+1}(s⁺_k)`.
    mutating func nudge(_ k: Int) {
        var routed = delta[k + 1]
        if net.blocks[k + 1].pool {
            let (_, arg, shape) = net.preActivation(k + 1, plus[k])
            routed = RefNet.unpool(delta[k + 1], argmax: arg!, shape: shape)
        }
        let v = net.transpose(k + 1, routed, inputShape: plus[k].shape)
        let (cPlus, cMinus) = variant == .dpT ? (1 - alpha, alpha) : (alpha, 1 - alpha)
        let f = net.blocks[k].activation, Lk = damping?[k] ?? 0
        var p = plus[k], m = minus[k]
        for i in 0..<p.count {
            p.v[i] = RefActivation.f(f, (pre[k].v[i] + cPlus * v.v[i] + Lk * plus[k].v[i]) / (1 + Lk))
            m.v[i] = RefActivation.f(f, (pre[k].v[i] - cMinus * v.v[i] + Lk * minus[k].v[i]) / (1 + Lk))
        }
        plus[k] = p; minus[k] = m
        mean[k] = alpha * p + (1 - alpha) * m
        delta[k] = p - m
    }

    mutating func downSweep() { for k in stride(from: L - 2, through: 0, by: -1) { nudge(k) } }

    /// Bottom-up pass: recompute every pre-activation, nudge hidden blocks from `startHidden`, re-nudge the output.
    mutating func upSweep(startHidden: Int) {
        for k in 0..<L {
            refreshPre(k)
            if k < L - 1 { if k >= startHidden { nudge(k) } } else { nudgeOutput() }
        }
    }

    mutating func run(_ schedule: InferenceSchedule) {
        nudgeOutput()
        switch schedule {
        case .sweep: downSweep()
        case .forwardPasses(let k): for _ in 0..<k { upSweep(startHidden: 0) }
        case .repeatedSweeps(let r):
            for _ in 0..<r { downSweep(); upSweep(startHidden: 1) }
            downSweep()
        }
    }

    /// `∇W_{k−1} = −(1/βB) Σ pool_kᵀ(δ_k) ⊗ s̄_{k−1}` (pool argmax of `conv_k(s̄_{k−1})`).
    func gradients() -> [(w: [Double], b: [Double])] {
        let scale = -1 / (beta * Double(labels.count))
        return (0..<L).map { k in
            let (_, arg, shape) = net.preActivation(k, input(k))
            var dz = scale * delta[k]
            if let arg { dz = RefNet.unpool(dz, argmax: arg, shape: shape) }
            return net.weightGradient(k, input: input(k), dz)
        }
    }
}

/// Float64 BP on a `RefNet` without Bregman blocks (SPEC §2): the exact limit of every rule.
func referenceBackprop(_ net: RefNet, _ x: RefTensor, labels: [Int32]) -> [(w: [Double], b: [Double])] {
    var inputs: [RefTensor] = [], pres: [(a: RefTensor, argmax: [Int]?, prePool: [Int])] = []
    var s = x
    for k in 0..<net.depth {
        let p = net.preActivation(k, s)
        inputs.append(s); pres.append(p)
        s = net.activate(k, input: s, pre: p.a)
    }
    let c = s.rowLength, n = Double(labels.count)
    var g = RefTensor(zeros: s.shape)
    for (r, y) in labels.enumerated() {
        let row = s.v[(r * c)..<((r + 1) * c)], m = row.max()!
        let e = row.map { exp($0 - m) }, z = e.reduce(0, +)
        for j in 0..<c {
            let t: Double = j == Int(y) ? 1 : 0
            g.v[r * c + j] = (net.loss == .softmaxCrossEntropy ? e[e.startIndex + j] / z - t : s.v[r * c + j] - t) / n
        }
    }
    var out = [(w: [Double], b: [Double])](repeating: ([], []), count: net.depth)
    for k in stride(from: net.depth - 1, through: 0, by: -1) {
        let f = net.blocks[k].activation
        // One-sided (left) derivative by definition: f'(a) = lim (f(a) − f(a − h))/h, h = 1e-7·max(1,|a|).
        let ga = RefTensor(zip(pres[k].a.v, g.v).map { a, gi in
            guard let f else { return gi }
            switch f {
            case .relu: return a > 0 ? gi : 0
            default:
                let h = 1e-6 * max(1, abs(a))
                return gi * (RefActivation.f(f, a + h) - RefActivation.f(f, a - h)) / (2 * h)
            }
        }, g.shape)
        var dz = ga
        if let arg = pres[k].argmax { dz = RefNet.unpool(ga, argmax: arg, shape: pres[k].prePool) }
        out[k] = net.weightGradient(k, input: inputs[k], dz)
        if k > 0 { g = net.transpose(k, dz, inputShape: inputs[k].shape) }
    }
    return out
}

// MARK: comparison helpers

/// `‖a − b‖ / ‖b‖` over all elements (b the reference).
func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "relativeError: \(a.count) vs \(b.count) elements")
    var num = 0.0, den = 0.0
    for (x, y) in zip(a, b) { num += (x - y) * (x - y); den += y * y }
    return den > 0 ? (num / den).squareRoot() : num.squareRoot()
}

/// Per block, the relative error of float32 gradients against float64 ones (weights and bias together).
func relativeErrors(_ g: Gradients, _ ref: [(w: [Double], b: [Double])]) -> [Double] {
    precondition(g.weights.count == ref.count, "relativeErrors: \(g.weights.count) vs \(ref.count) blocks")
    return ref.indices.map { k in
        relativeError(g.weights[k].scalars.map(Double.init) + g.biases[k].scalars.map(Double.init), ref[k].w + ref[k].b)
    }
}

/// Deterministic pseudo-random values in [lo, hi) (no dependence on the library's generators).
func testValues(_ n: Int, seed: UInt64, lo: Double = -1, hi: Double = 1) -> [Float] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 0x1234_5678
    return (0..<n).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let u = Double(state >> 11) / Double(1 << 53)
        return Float(lo + (hi - lo) * u)
    }
}
