internal import CKernels

/// Softmax cross-entropy over logits `[B, classes]` and integer labels, numerically stable
/// (max-subtraction, log-sum-exp accumulated in double).
public enum SoftmaxCrossEntropy {
    /// The loss summed and averaged over the batch, and the gradient with respect to the logits.
    public struct Result: Sendable {
        /// `Σ_i (logsumexp(z_i) − z_i[label_i])`.
        public let sum: Double
        /// `sum / B` (0 for an empty batch).
        public let mean: Double
        /// `gradScale · (softmax(z) − onehot(label))`, `[B, classes]`.
        public let gradient: Tensor
    }

    static func check(_ logits: Tensor, _ labels: [Int32], _ ctx: String) {
        precondition(logits.rank == 2, "\(ctx): logits must be [B, classes], got \(logits.shape)")
        precondition(labels.count == logits.shape[0], "\(ctx): \(labels.count) labels for logits \(logits.shape)")
    }

    /// Loss and gradient. `gradScale` multiplies the gradient: 1 for the sum, `1/B` for the mean.
    /// Throws when a label is outside `0..<classes`.
    public static func evaluate(logits: Tensor, labels: [Int32], gradScale: Float = 1) throws -> Result {
        check(logits, labels, "SoftmaxCrossEntropy.evaluate")
        var sum = 0.0, mean = 0.0
        var grad = Tensor(unfilledShape: logits.shape)
        try logits.withUnsafeBufferPointer { zp in
            try labels.withUnsafeBufferPointer { lp in
                try grad.withUnsafeMutableBufferPointer { gp in
                    try DualPropKernels.check(ck_softmax_xent_fwd(Int64(logits.shape[0]), Int64(logits.shape[1]), zp.baseAddress,
                                                  lp.baseAddress, gradScale, &sum, &mean, gp.baseAddress),
                              "SoftmaxCrossEntropy.evaluate(logits: \(logits.shape))")
                }
            }
        }
        return Result(sum: sum, mean: mean, gradient: grad)
    }

    /// How many rows have their label among the `k` largest logits (a tie with the label counts as correct).
    public static func topKCorrect(logits: Tensor, labels: [Int32], k: Int) throws -> Int {
        check(logits, labels, "SoftmaxCrossEntropy.topKCorrect")
        var count: Int64 = 0
        try logits.withUnsafeBufferPointer { zp in
            try labels.withUnsafeBufferPointer { lp in
                try DualPropKernels.check(ck_topk_correct(Int64(logits.shape[0]), Int64(logits.shape[1]), zp.baseAddress,
                                          lp.baseAddress, Int64(k), &count),
                          "SoftmaxCrossEntropy.topKCorrect(k: \(k))")
            }
        }
        return Int(count)
    }
}
