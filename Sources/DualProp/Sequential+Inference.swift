extension Sequential {
    /// Inference: the logits of a batch, so a trained model reads like a function, `model(x)`.
    ///
    /// The same computation as ``forward(_:)``: the input is `[N, H, W, C]` (NHWC) for networks
    /// that start with a convolution and `[N, features]` for MLPs; the result is `[N, classes]`
    /// (the output block has no activation). Apply softmax to the logits for probabilities.
    /// - Throws: `KernelError` when a kernel rejects its arguments.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try forward(input)
    }

    /// The predicted class of each example of a batch: the index of its largest logit (the first
    /// on ties), one per row of `model(input)`.
    /// - Throws: `KernelError` when a kernel rejects its arguments.
    public func predictedClasses(_ input: Tensor) throws -> [Int] {
        let logits = try forward(input)
        precondition(logits.rank == 2 && logits.shape[1] > 0, "Sequential.predictedClasses: logits must be [N, classes], got \(logits.shape)")
        let classes = logits.shape[1]
        return logits.withUnsafeBufferPointer { p in
            (0..<logits.shape[0]).map { row in
                var best = 0
                for c in 1..<max(classes, 1) where p[row * classes + c] > p[row * classes + best] { best = c }
                return best
            }
        }
    }
}
