import DualPropData

/// A 2-D convolution layer over NHWC activations with RSCK weights `[R, S, C, K]` and a bias `[K]`
/// (the kernel library's layouts; `pytorchWeight` gives PyTorch's OIHW).
public struct Conv2d: Sendable {
    /// Stride and zero padding of a convolution (the kernel library's `ConvKernels.Geometry`).
    public typealias Geometry = ConvKernels.Geometry

    /// Stable parameter-name prefix (`<name>.weight`, `<name>.bias`).
    public var name: String
    /// Weights `[R, S, C, K]`.
    public var weight: Tensor
    /// Bias `[K]`.
    public var bias: Tensor
    /// Stride and zero padding.
    public let geometry: ConvKernels.Geometry

    /// A layer with initialised weights and zero bias.
    /// - Parameters:
    ///   - inChannels: `C`, the input channels.
    ///   - outChannels: `K`, the output channels.
    ///   - kernelSize: `R = S`, the kernel's height and width.
    ///   - stride: the stride in both directions.
    ///   - padding: the zero padding on each side (the defaults give a 3x3 "same" convolution).
    ///   - initializer: the weight distribution.
    ///   - seed: the seed of its generator.
    ///   - name: the parameter-name prefix (`<name>.weight`, `<name>.bias`).
    public init(inChannels: Int, outChannels: Int, kernelSize: Int = 3, stride: Int = 1, padding: Int = 1,
                initializer: WeightInit = .lecunNormal, seed: UInt64, name: String = "conv") {
        precondition(inChannels > 0 && outChannels > 0 && kernelSize > 0,
                     "Conv2d: channels and kernel size must be positive, got C=\(inChannels) K=\(outChannels) R=\(kernelSize)")
        var rng = SplitMix64(seed: seed)
        let fanIn = kernelSize * kernelSize * inChannels
        let shape = [kernelSize, kernelSize, inChannels, outChannels]
        weight = Tensor(shape: shape, values: initializer.values(count: shape.reduce(1, *), fanIn: fanIn,
                                                                 fanOut: kernelSize * kernelSize * outChannels, rng: &rng))
        bias = Tensor(shape: [outChannels])
        geometry = .init(stride: stride, padding: padding)
        self.name = name
    }

    /// A layer with the given weights `[R, S, C, K]` and bias `[K]`.
    public init(weight: Tensor, bias: Tensor, geometry: ConvKernels.Geometry = .same3x3, name: String = "conv") {
        precondition(weight.rank == 4 && bias.shape == [weight.shape[3]],
                     "Conv2d: weight must be [R, S, C, K] and bias [K], got \(weight.shape) and \(bias.shape)")
        self.weight = weight; self.bias = bias; self.geometry = geometry; self.name = name
    }

    /// `y = conv(x) + b`: `[N, H, W, C]` → `[N, P, Q, K]`.
    public func forward(_ x: Tensor) throws -> Tensor {
        try ConvKernels.forward(x, weights: weight, bias: bias, geometry: geometry)
    }

    /// The transposed operator (BP input gradient, DP feedback `Wᵀδ`): `[N, P, Q, K]` → `inputShape`.
    public func transpose(_ dy: Tensor, inputShape: [Int]) throws -> Tensor {
        try ConvKernels.backwardData(dy, weights: weight, inputShape: inputShape, geometry: geometry)
    }

    /// Weight and bias gradients `Σ dy ⊗ x` for the forward input `x` and output-side signal `dy`.
    public func weightGradient(input x: Tensor, outputGradient dy: Tensor) throws -> (weight: Tensor, bias: Tensor) {
        let dw = try ConvKernels.backwardWeights(x, dy, kernelSize: (weight.shape[0], weight.shape[1]),
                                                 geometry: geometry)
        return (dw, try ConvKernels.biasBackward(dy))
    }

    /// The weights in PyTorch's `Conv2d.weight` layout `[K, C, R, S]` (OIHW).
    public func pytorchWeight() throws -> Tensor { try ConvKernels.weightsToOIHW(weight) }
}

/// A fully connected layer `y = x·W + b` with `W` `[IN, OUT]` (PyTorch's `Linear.weight` is `Wᵀ`).
/// An input of rank > 2 is flattened to `[N, IN]` (NHWC order).
public struct Linear: Sendable {
    /// Stable parameter-name prefix.
    public var name: String
    /// Weights `[IN, OUT]`.
    public var weight: Tensor
    /// Bias `[OUT]`.
    public var bias: Tensor

    /// A layer with initialised weights and zero bias.
    public init(inFeatures: Int, outFeatures: Int, initializer: WeightInit = .lecunNormal, seed: UInt64,
                name: String = "linear") {
        precondition(inFeatures > 0 && outFeatures > 0,
                     "Linear: feature counts must be positive, got \(inFeatures) → \(outFeatures)")
        var rng = SplitMix64(seed: seed)
        weight = Tensor(shape: [inFeatures, outFeatures],
                        values: initializer.values(count: inFeatures * outFeatures, fanIn: inFeatures,
                                                   fanOut: outFeatures, rng: &rng))
        bias = Tensor(shape: [outFeatures])
        self.name = name
    }

    /// A layer with the given weights `[IN, OUT]` and bias `[OUT]`.
    public init(weight: Tensor, bias: Tensor, name: String = "linear") {
        precondition(weight.rank == 2 && bias.shape == [weight.shape[1]],
                     "Linear: weight must be [IN, OUT] and bias [OUT], got \(weight.shape) and \(bias.shape)")
        self.weight = weight; self.bias = bias; self.name = name
    }

    static func flat(_ x: Tensor) -> Tensor {
        x.rank == 2 ? x : x.reshaped([x.shape[0], x.count / max(x.shape[0], 1)])
    }

    /// `y = flatten(x)·W + b`: `[N, ...]` → `[N, OUT]`.
    public func forward(_ x: Tensor) throws -> Tensor {
        try Dense.forward(Self.flat(x), weights: weight, bias: bias)
    }

    /// The transposed operator `dy·Wᵀ`, reshaped to `inputShape`.
    public func transpose(_ dy: Tensor, inputShape: [Int]) throws -> Tensor {
        try Dense.backwardData(dy, weights: weight).reshaped(inputShape)
    }

    /// Weight and bias gradients `flatten(x)ᵀ·dy` and `Σ_rows dy`.
    public func weightGradient(input x: Tensor, outputGradient dy: Tensor) throws -> (weight: Tensor, bias: Tensor) {
        let (w, b) = try Dense.backwardWeights(Self.flat(x), dy)
        return (w, b)
    }

    /// The weights in PyTorch's `Linear.weight` layout `[OUT, IN]`.
    public func pytorchWeight() -> Tensor {
        let (i, o) = (weight.shape[0], weight.shape[1])
        let w = weight.scalars
        return Tensor(shape: [o, i]) { idx in w[(idx % i) * o + idx / i] }
    }
}

/// Max pooling 2x2 / stride 2 (first maximum wins ties); no parameters.
public struct MaxPool2d: Sendable {
    /// The only pooling this library implements: 2x2 windows, stride 2.
    public init() {}

    /// Window maxima `[N, H/2, W/2, C]` and the argmax of each window.
    public func forward(_ x: Tensor) throws -> (output: Tensor, switches: PoolSwitches) {
        try PoolKernels.forward(x)
    }

    /// The transpose: routes `dy` to the recorded window positions of an input of shape `inputShape`.
    public func transpose(_ dy: Tensor, switches: PoolSwitches, inputShape: [Int]) throws -> Tensor {
        try PoolKernels.backward(dy, switches: switches, inputShape: inputShape)
    }
}

/// Flattens `[N, ...]` to `[N, features]` (NHWC order); a marker for the sequential container —
/// `Linear` flattens its input itself.
public struct Flatten: Sendable {
    /// The flatten marker.
    public init() {}
}

/// The three width-preserving dense layers of Frecon et al. (Bilevel Learning of Deep Representations), trained with BP.
public enum SkipConnection: String, Sendable, CaseIterable {
    /// `z' = ρ(W z + b)`.
    case standard
    /// `z' = ρ(z + W z + b)`.
    case euclidean
    /// `z' = ρ(ρ⁻¹(z) + W z + b)`: the identity at `W = 0, b = 0`.
    case bregman
}

/// A width-preserving dense layer with activation ρ and one of the skip connections of Frecon et al.
public struct BregmanDense: Sendable {
    /// Stable parameter-name prefix.
    public var name: String
    /// Weights `[WIDTH, WIDTH]` (input-major like `Linear`).
    public var weight: Tensor
    /// Bias `[WIDTH]`.
    public var bias: Tensor
    /// The activation ρ (must be invertible for `.bregman`).
    public let activation: Activation
    /// Which of the three layers.
    public let skip: SkipConnection

    /// A layer of the given width; `initializer` draws `W` (Frecon et al. starts Bregman layers at W = 0:
    /// pass `.normal(std: 0)` for that).
    public init(width: Int, activation: Activation, skip: SkipConnection, initializer: WeightInit = .lecunNormal,
                seed: UInt64, name: String = "bregman") {
        precondition(width > 0, "BregmanDense: width must be positive, got \(width)")
        precondition(skip != .bregman || ![.relu, .hardSigmoid].contains(activation),
                     "BregmanDense: a Bregman layer needs an invertible activation, got \(activation)")
        var rng = SplitMix64(seed: seed)
        weight = Tensor(shape: [width, width], values: initializer.values(count: width * width, fanIn: width,
                                                                           fanOut: width, rng: &rng))
        bias = Tensor(shape: [width])
        self.activation = activation; self.skip = skip; self.name = name
    }

    /// `(u, z')` with `u = W z + b` and `z'` the layer output.
    public func forward(_ z: Tensor) throws -> (update: Tensor, output: Tensor) {
        let u = try Dense.forward(Linear.flat(z), weights: weight, bias: bias)
        switch skip {
        case .standard: return (u, try activation(u))
        case .euclidean: return (u, try activation(add(Linear.flat(z), u)))
        case .bregman: return (u, try BregmanActivation.forward(activation, input: Linear.flat(z), update: u))
        }
    }

    /// BP through the layer: the input gradient and the parameter gradients, given the forward
    /// input `z`, its `update` `u` and the gradient `dout` of the output.
    public func backward(input z: Tensor, update u: Tensor, outputGradient dout: Tensor) throws
        -> (input: Tensor, weight: Tensor, bias: Tensor) {
        let zf = Linear.flat(z)
        let du: Tensor, skipGradient: Tensor?
        switch skip {
        case .standard:
            du = try activationBackward(activation, preActivation: u, gradient: dout); skipGradient = nil
        case .euclidean:
            du = try activationBackward(activation, preActivation: add(zf, u), gradient: dout); skipGradient = du
        case .bregman:
            let r = try BregmanActivation.backward(activation, input: zf, update: u, outputGradient: dout)
            du = r.update; skipGradient = r.input
        }
        let (dw, db) = try Dense.backwardWeights(zf, du)
        var dz = try Dense.backwardData(du, weights: weight)
        if let skipGradient { dz = add(dz, skipGradient) }
        return (dz.reshaped(z.shape), dw, db)
    }
}

/// One element of a `Sequential` network.
public enum Layer: Sendable {
    /// A convolution (starts a block).
    case conv2d(Conv2d)
    /// A fully connected layer (starts a block).
    case linear(Linear)
    /// A width-preserving standard/Euclidean/Bregman dense layer with its own activation (a block).
    case bregmanDense(BregmanDense)
    /// 2x2 max pooling, between a linear operator and its activation.
    case maxPool2d(MaxPool2d)
    /// An element-wise activation.
    case activation(Activation)
    /// Flatten to `[N, features]`.
    case flatten(Flatten)
}
