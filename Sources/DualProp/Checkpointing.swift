/// Loading parameters back from PyTorch-convention tensors: the inverse of
/// `Sequential.pytorchParameters(inputShape:)`, so a checkpoint written in PyTorch layout (conv
/// OIHW, linear `[out, in]`) restores a network bit for bit.

/// A checkpoint that does not fit the network: which tensor and what is wrong.
public struct ParameterLoadError: Error, CustomStringConvertible, Sendable, Equatable {
    /// `"<tensor name>: <problem>"`.
    public let description: String

    /// An error with the given message.
    public init(_ description: String) { self.description = description }
}

extension Sequential {
    /// Replace every weight and bias by the PyTorch-layout tensor of the same name
    /// (`<name>.weight`, `<name>.bias`, shapes as `pytorchParameters(inputShape:)` gives them).
    /// Extra tensors in `tensors` are ignored; a missing tensor or a wrong shape throws
    /// `ParameterLoadError` naming it, and leaves the network unchanged. The layout conversions are
    /// permutations, so `loadPyTorchParameters(pytorchParameters())` restores the exact bits.
    public mutating func loadPyTorchParameters(_ tensors: [String: Tensor], inputShape: [Int]? = nil) throws {
        let expected = try pytorchParameters(inputShape: inputShape)
        for (name, t) in expected {
            guard let found = tensors[name] else { throw ParameterLoadError("\(name): missing from the checkpoint") }
            guard found.shape == t.shape else {
                throw ParameterLoadError("\(name): shape \(found.shape) in the checkpoint, the network has \(t.shape)")
            }
        }
        // Block input shapes (NHWC), to undo the CHW flatten permutation of `pytorchParameters`.
        var shape = inputShape.map { [1] + $0 }
        var converted: [(weight: Tensor, bias: Tensor)] = []
        for b in blocks {
            switch layers[b.layer] {
            case .conv2d(let c):
                let w = try ConvKernels.weightsFromOIHW(tensors["\(c.name).weight"]!)
                converted.append((w, tensors["\(c.name).bias"]!))
                if let s = shape {
                    let o = try ConvKernels.outputShape(input: s, weights: c.weight.shape, geometry: c.geometry)
                    shape = b.pool ? PoolKernels.outputShape(o) : o
                }
            case .linear(let l):
                var w = tensors["\(l.name).weight"]!
                if let s = shape, s.count == 4, s[1] * s[2] > 1 { w = Self.permuteCHWtoHWC(w, h: s[1], w: s[2], c: s[3]) }
                converted.append((Self.transposed(w), tensors["\(l.name).bias"]!))
                shape = [1, l.weight.shape[1]]
            case .bregmanDense(let d):
                converted.append((Self.transposed(tensors["\(d.name).weight"]!), tensors["\(d.name).bias"]!))
            default: break
            }
        }
        withParameters { k, w, b in w = converted[k].weight; b = converted[k].bias }
    }

    /// `[rows, cols]` → `[cols, rows]` (PyTorch `[out, in]` → this library's `[in, out]`).
    static func transposed(_ w: Tensor) -> Tensor {
        let (rows, cols) = (w.shape[0], w.shape[1])
        let v = w.scalars
        return Tensor(shape: [cols, rows]) { idx in v[(idx % rows) * cols + idx / rows] }
    }

    /// `[out, C·H·W]` columns in CHW order → HWC order (inverse of `permuteHWCtoCHW`).
    static func permuteCHWtoHWC(_ w: Tensor, h: Int, w width: Int, c: Int) -> Tensor {
        let o = w.shape[0], n = h * width * c, v = w.scalars
        var out = [Float](repeating: 0, count: o * n)
        for r in 0..<o {
            for y in 0..<h { for x in 0..<width { for ch in 0..<c {
                out[r * n + (y * width + x) * c + ch] = v[r * n + (ch * h + y) * width + x]
            } } }
        }
        return Tensor(shape: [o, n], values: out)
    }
}
