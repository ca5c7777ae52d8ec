/// Model builders: VGG16, MLPs, and the standard/Euclidean/Bregman MLPs of Frecon et al.
extension Sequential {
    /// The VGG16 channel plan; 0 marks a max-pool.
    public static let vgg16Plan = [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0]

    /// VGG16 for 32x32 inputs exactly as in Høier & Zach (2024): 13 conv 3x3 (+bias) with max-pooling between
    /// conv+bias and the activation, classifier 512→4096→4096→classes, ReLU, no batch-norm or
    /// dropout, LeCun-normal weights, zero biases. `widthMultiplier` scales every hidden width
    /// (1 = the paper's). Parameter names follow torchvision's VGG (`features.<i>`,
    /// `classifier.{0,3,6}`), so a PyTorch model built the same way loads the exported weights.
    /// Input `[N, 32, 32, inputChannels]` (NHWC).
    public static func vgg16(classes: Int = 10, widthMultiplier: Double = 1, inputChannels: Int = 3,
                             activation: Activation = .relu, seed: UInt64 = 0) -> Sequential {
        precondition(classes >= 1 && widthMultiplier > 0,
                     "vgg16: need classes ≥ 1 and widthMultiplier > 0, got \(classes), \(widthMultiplier)")
        func scaled(_ c: Int) -> Int { max(1, Int((Double(c) * widthMultiplier).rounded())) }
        var layers: [Layer] = []
        var channels = inputChannels, torchIndex = 0, layerSeed = seed &* 1_000_003
        for c in vgg16Plan {
            if c == 0 {
                layers.append(.maxPool2d(MaxPool2d())); torchIndex += 1
                continue
            }
            layerSeed &+= 1
            layers.append(.conv2d(Conv2d(inChannels: channels, outChannels: scaled(c), seed: layerSeed,
                                         name: "features.\(torchIndex)")))
            layers.append(.activation(activation))
            channels = scaled(c); torchIndex += 2
        }
        let hidden = scaled(4096)
        layers.append(.flatten(Flatten()))
        for (i, (inF, outF)) in [(channels, hidden), (hidden, hidden), (hidden, classes)].enumerated() {
            layerSeed &+= 1
            layers.append(.linear(Linear(inFeatures: inF, outFeatures: outF, seed: layerSeed, name: "classifier.\(3 * i)")))
            if i < 2 { layers.append(.activation(activation)) }
        }
        return Sequential(layers, loss: .softmaxCrossEntropy)
    }

    /// An MLP with the given widths (input first, classes last) and one activation after every
    /// hidden layer. `initializers` gives one scheme per layer (or one for all). Names `layers.<i>`.
    public static func mlp(widths: [Int], activation: Activation, loss: OutputLoss = .softmaxCrossEntropy,
                           initializers: [WeightInit] = [.lecunNormal], seed: UInt64 = 0) -> Sequential {
        precondition(widths.count >= 2 && widths.allSatisfy { $0 > 0 }, "mlp: need ≥ 2 positive widths, got \(widths)")
        precondition(initializers.count == 1 || initializers.count == widths.count - 1,
                     "mlp: give 1 or \(widths.count - 1) initializers, got \(initializers.count)")
        var layers: [Layer] = []
        for i in 0..<(widths.count - 1) {
            let scheme = initializers.count == 1 ? initializers[0] : initializers[i]
            layers.append(.linear(Linear(inFeatures: widths[i], outFeatures: widths[i + 1], initializer: scheme,
                                         seed: seed &* 1_000_003 &+ UInt64(i + 1), name: "layers.\(i)")))
            if i < widths.count - 2 { layers.append(.activation(activation)) }
        }
        return Sequential(layers, loss: loss)
    }

    /// The width-preserving MLPs of Frecon et al.: `hiddenLayers` layers of `width` units
    /// with activation ρ and the given skip connection, then a linear classifier. Inputs must lie in
    /// ρ's domain (e.g. pixels scaled into ]0, 1[ for the sigmoid).
    public static func bregmanMLP(width: Int, hiddenLayers: Int, classes: Int, activation: Activation,
                                  skip: SkipConnection, initializer: WeightInit = .lecunNormal,
                                  loss: OutputLoss = .softmaxCrossEntropy, seed: UInt64 = 0) -> Sequential {
        precondition(hiddenLayers >= 1, "bregmanMLP: need ≥ 1 hidden layer, got \(hiddenLayers)")
        var layers: [Layer] = (0..<hiddenLayers).map { i in
            .bregmanDense(BregmanDense(width: width, activation: activation, skip: skip, initializer: initializer,
                                       seed: seed &* 1_000_003 &+ UInt64(i + 1), name: "layers.\(i)"))
        }
        layers.append(.linear(Linear(inFeatures: width, outFeatures: classes, seed: seed &* 1_000_003 &+ 999,
                                     name: "layers.\(hiddenLayers)")))
        return Sequential(layers, loss: loss)
    }
}
