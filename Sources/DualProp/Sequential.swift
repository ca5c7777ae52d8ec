/// The loss on a network's output (the last block has no activation: its output is `a_L`).
public enum OutputLoss: String, Sendable, CaseIterable {
    /// Softmax cross-entropy on the logits `a_L`.
    case softmaxCrossEntropy
    /// Squared error `½‖a_L − onehot(y)‖²` (Høier & Zach 2024 Table 1/2; original DP uses its exact prox).
    case leastSquares
}

/// A feed-forward network as a sequence of layers, grouped into *blocks*: each parametric layer
/// (`Conv2d`, `Linear`, `BregmanDense`) starts a block that may add one `MaxPool2d` and one
/// activation. A block's output is a layer of units `s_k = f(pool(W s_{k−1} + b))`; the
/// last block has no activation (its output is the logits `a_L`). Pooling written after the
/// activation is moved before it, which is exact because every activation family is monotone.
public struct Sequential: Sendable {
    /// The layers, in order. Edit parameters through `withParameters` or the layer values.
    public private(set) var layers: [Layer]
    /// The loss on the output.
    public let loss: OutputLoss
    /// Block structure: the index of each parametric layer, whether a pool follows, and the
    /// activation (nil for the output block).
    let blocks: [BlockSpec]

    struct BlockSpec: Sendable {
        let layer: Int
        let pool: Bool
        let activation: Activation?
    }

    /// Build a network; the precondition message names the layer that breaks the block pattern.
    public init(_ layers: [Layer], loss: OutputLoss = .softmaxCrossEntropy) {
        var blocks: [BlockSpec] = []
        var current: (layer: Int, pool: Bool, activation: Activation?)?
        func close() { if let c = current { blocks.append(BlockSpec(layer: c.layer, pool: c.pool, activation: c.activation)) } }
        for (i, layer) in layers.enumerated() {
            switch layer {
            case .conv2d, .linear, .bregmanDense:
                close(); current = (i, false, nil)
            case .maxPool2d:
                precondition(current != nil && current!.pool == false,
                             "Sequential: layer \(i) (MaxPool2d) must follow a Conv2d block with no pool yet")
                if case .conv2d = layers[current!.layer] {} else {
                    preconditionFailure("Sequential: layer \(i) (MaxPool2d) must follow a Conv2d block")
                }
                current!.pool = true
            case .activation(let f):
                precondition(current != nil && current!.activation == nil,
                             "Sequential: layer \(i) (activation \(f)) must follow a parametric layer, once per block")
                if case .bregmanDense = layers[current!.layer] {
                    preconditionFailure("Sequential: layer \(i): BregmanDense applies its own activation")
                }
                current!.activation = f
            case .flatten:
                break // Linear flattens its input itself
            }
        }
        close()
        precondition(!blocks.isEmpty, "Sequential: a network needs at least one Conv2d/Linear layer")
        if case .bregmanDense = layers[blocks.last!.layer] {
            preconditionFailure("Sequential: the output block must be Conv2d or Linear (logits), not BregmanDense")
        }
        precondition(blocks.last!.activation == nil,
                     "Sequential: the last block must have no activation (its output is the logits)")
        self.layers = layers
        self.loss = loss
        self.blocks = blocks
    }

    /// The number of blocks (layers of units), `L`.
    public var depth: Int { blocks.count }

    // MARK: parameters

    /// Parameter tensors in block order: `(name, weight, bias)`, names as given to the layers.
    public var parameters: [(name: String, weight: Tensor, bias: Tensor)] {
        blocks.map { b in
            switch layers[b.layer] {
            case .conv2d(let c): return (c.name, c.weight, c.bias)
            case .linear(let l): return (l.name, l.weight, l.bias)
            case .bregmanDense(let d): return (d.name, d.weight, d.bias)
            default: preconditionFailure("unreachable: block \(b.layer) is not parametric")
            }
        }
    }

    /// Mutate the weight and bias of every block (index `k`, 0-based) in place: when nothing
    /// else shares this network, `body` holds the only reference to each tensor, so a mutation
    /// writes where the tensor is (into the `ParameterStore` buffer for a network an `SGD`
    /// updates) instead of copying it first.
    public mutating func withParameters(_ body: (Int, inout Tensor, inout Tensor) throws -> Void) rethrows {
        for (k, b) in blocks.enumerated() {
            // The array lets go of the layer, and the layer is moved out of its enum before
            // `body` runs (a `switch` keeps its subject alive to its end): a reference left
            // anywhere would make every in-place update copy the tensor first (copy-on-write).
            var layer = Layer.flatten(Flatten())
            swap(&layer, &layers[b.layer])
            var conv: Conv2d? = nil, linear: Linear? = nil, bregman: BregmanDense? = nil
            switch consume layer {
            case .conv2d(let c): conv = c
            case .linear(let l): linear = l
            case .bregmanDense(let d): bregman = d
            case let other: layers[b.layer] = other; continue
            }
            if var c = conv.take() {
                defer { layers[b.layer] = .conv2d(c) }  // back, updated, even when `body` throws
                try body(k, &c.weight, &c.bias)
            } else if var l = linear.take() {
                defer { layers[b.layer] = .linear(l) }
                try body(k, &l.weight, &l.bias)
            } else if var d = bregman.take() {
                defer { layers[b.layer] = .bregmanDense(d) }
                try body(k, &d.weight, &d.bias)
            }
        }
    }

    /// Total number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.weight.count + $1.bias.count } }

    /// Parameters under PyTorch conventions: `<name>.weight` (conv OIHW, linear `[out, in]`) and
    /// `<name>.bias`. A `Linear` fed by an NHWC map with spatial size > 1 would need PyTorch's CHW
    /// flatten order: `pytorchParameters` permutes its input dimension when `inputShape` tells it.
    public func pytorchParameters(inputShape: [Int]? = nil) throws -> [(name: String, tensor: Tensor)] {
        var out: [(String, Tensor)] = []
        var shape = inputShape.map { [1] + $0 }
        for b in blocks {
            switch layers[b.layer] {
            case .conv2d(let c):
                out.append(("\(c.name).weight", try c.pytorchWeight())); out.append(("\(c.name).bias", c.bias))
                if let s = shape {
                    let o = try ConvKernels.outputShape(input: s, weights: c.weight.shape, geometry: c.geometry)
                    shape = b.pool ? PoolKernels.outputShape(o) : o
                }
            case .linear(let l):
                var w = l.pytorchWeight()
                if let s = shape, s.count == 4, s[1] * s[2] > 1 { w = Self.permuteHWCtoCHW(w, h: s[1], w: s[2], c: s[3]) }
                out.append(("\(l.name).weight", w)); out.append(("\(l.name).bias", l.bias))
                shape = [1, l.weight.shape[1]]
            case .bregmanDense(let d):
                out.append(("\(d.name).weight", Linear(weight: d.weight, bias: d.bias).pytorchWeight()))
                out.append(("\(d.name).bias", d.bias))
            default: break
            }
        }
        return out
    }

    /// `[out, H·W·C]` columns in HWC order → CHW order (PyTorch flattens NCHW).
    static func permuteHWCtoCHW(_ w: Tensor, h: Int, w width: Int, c: Int) -> Tensor {
        let o = w.shape[0], n = h * width * c, v = w.scalars
        var out = [Float](repeating: 0, count: o * n)
        for r in 0..<o {
            for y in 0..<h { for x in 0..<width { for ch in 0..<c {
                out[r * n + (ch * h + y) * width + x] = v[r * n + (y * width + x) * c + ch]
            } } }
        }
        return Tensor(shape: [o, n], values: out)
    }

    // MARK: block operators (shared by every learning rule)

    /// `W x + b` of block `k` before pooling.
    func linear(_ k: Int, _ x: Tensor) throws -> Tensor {
        switch layers[blocks[k].layer] {
        case .conv2d(let c): return try c.forward(x)
        case .linear(let l): return try l.forward(x)
        case .bregmanDense(let d): return try d.forward(x).update
        default: preconditionFailure("unreachable")
        }
    }

    /// `Wᵀ dz` of block `k`, shaped like the block's input `inputShape` (no pooling).
    func linearTranspose(_ k: Int, _ dz: Tensor, inputShape: [Int]) throws -> Tensor {
        switch layers[blocks[k].layer] {
        case .conv2d(let c): return try c.transpose(dz, inputShape: inputShape)
        case .linear(let l): return try l.transpose(dz, inputShape: inputShape)
        case .bregmanDense(let d): return try Dense.backwardData(dz, weights: d.weight).reshaped(inputShape)
        default: preconditionFailure("unreachable")
        }
    }

    /// Weight and bias gradients of block `k` for input `x` and pre-pool signal `dz`.
    func linearGradient(_ k: Int, input x: Tensor, _ dz: Tensor) throws -> (weight: Tensor, bias: Tensor) {
        switch layers[blocks[k].layer] {
        case .conv2d(let c): return try c.weightGradient(input: x, outputGradient: dz)
        case .linear(let l): return try l.weightGradient(input: x, outputGradient: dz)
        case .bregmanDense: let (w, b) = try Dense.backwardWeights(Linear.flat(x), dz); return (w, b)
        default: preconditionFailure("unreachable")
        }
    }

    /// The pre-activation of block `k`: `pool(W x + b)`, with the pool switches and the pre-pool shape.
    func preActivation(_ k: Int, _ x: Tensor) throws -> (a: Tensor, switches: PoolSwitches?, prePoolShape: [Int]) {
        let r = try preActivationAndPrePool(k, x)
        return (r.a, r.switches, r.prePool.shape)
    }

    /// `preActivation`, also returning the map before pooling, `z = W x + b` (`a` itself when
    /// block `k` does not pool).
    func preActivationAndPrePool(_ k: Int, _ x: Tensor) throws -> (a: Tensor, switches: PoolSwitches?, prePool: Tensor) {
        let z = try linear(k, x)
        guard blocks[k].pool else { return (z, nil, z) }
        let (y, sw) = try PoolKernels.forward(z)
        return (y, sw, z)
    }

    /// The 3x3 stride-1 padding-1 convolution of block `k`, when that is what the block is.
    func sameConv3x3(_ k: Int) -> Conv2d? {
        guard case .conv2d(let c) = layers[blocks[k].layer], c.geometry == .same3x3,
              c.weight.shape.count == 4, c.weight.shape[0] == 3, c.weight.shape[1] == 3 else { return nil }
        return c
    }

    /// Route a signal on the pooled pre-activation of block `k` back to the pre-pool map.
    func unpool(_ k: Int, _ g: Tensor, switches: PoolSwitches?, prePoolShape: [Int]) throws -> Tensor {
        guard blocks[k].pool, let switches else { return g }
        return try PoolKernels.backward(g, switches: switches, inputShape: prePoolShape)
    }

    // MARK: forward

    /// What one forward pass leaves behind for a backward pass.
    struct Trace {
        /// `inputs[k]`: the input of block k (`inputs[0] = x`).
        var inputs: [Tensor] = []
        /// `pre[k]`: `a_k` (pooled); for Bregman blocks the update `u = W z + b`.
        var pre: [Tensor] = []
        var switches: [PoolSwitches?] = []
        var prePoolShapes: [[Int]] = []
        /// Logits `a_L`.
        var output = Tensor(shape: [0])
    }

    func activate(_ k: Int, input x: Tensor, pre a: Tensor) throws -> Tensor {
        if case .bregmanDense(let d) = layers[blocks[k].layer] {
            switch d.skip {
            case .standard: return try d.activation(a)
            case .euclidean: return try d.activation(add(Linear.flat(x), a))
            case .bregman: return try BregmanActivation.forward(d.activation, input: Linear.flat(x), update: a)
            }
        }
        guard let f = blocks[k].activation else { return a }
        return try f(a)
    }

    func trace(_ x: Tensor) throws -> Trace {
        var t = Trace()
        var s = x
        for k in 0..<depth {
            if let f = try fusedConvReLU(k, s, keepPreActivation: true), let a = f.pre { // conv + ReLU in one pass
                t.inputs.append(s); t.pre.append(a); t.switches.append(nil); t.prePoolShapes.append(a.shape)
                s = f.output
                continue
            }
            let (a, sw, shape) = try preActivation(k, s)
            t.inputs.append(s); t.pre.append(a); t.switches.append(sw); t.prePoolShapes.append(shape)
            s = try activate(k, input: s, pre: a)
        }
        t.output = s
        return t
    }

    /// The logits `a_L` of a batch `x` (`[N, H, W, C]` for conv nets, `[N, features]` for MLPs).
    public func forward(_ x: Tensor) throws -> Tensor {
        var s = x
        for k in 0..<depth {
            if let f = try fusedConvReLU(k, s, keepPreActivation: false) { s = f.output; continue } // conv + ReLU in one pass
            let a = try preActivation(k, s).a
            s = try activate(k, input: s, pre: a)
        }
        return s
    }
}

extension Sequential {
    /// `W x` of block `k` (no bias, no pooling): the operator whose norm damping needs.
    func linearWithoutBias(_ k: Int, _ x: Tensor) throws -> Tensor {
        switch layers[blocks[k].layer] {
        case .conv2d(let c): return try ConvKernels.forward(x, weights: c.weight, bias: nil, geometry: c.geometry)
        case .linear(let l): return try Dense.forward(Linear.flat(x), weights: l.weight, bias: nil)
        case .bregmanDense(let d): return try Dense.forward(Linear.flat(x), weights: d.weight, bias: nil)
        default: preconditionFailure("unreachable")
        }
    }
}
