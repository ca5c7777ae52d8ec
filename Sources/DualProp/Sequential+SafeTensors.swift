import DualPropData

/// Saving and loading a model's weights as a safetensors file (https://huggingface.co/docs/safetensors),
/// under PyTorch names and layouts: `<layer>.weight` (convolutions OIHW, linear layers
/// `[out, in]`) and `<layer>.bias`, all `F32`, so `safetensors.torch.load_file` reads the same
/// tensors a PyTorch model of the same architecture holds. The file stores weights only: the
/// architecture comes from the `Sequential` you load into.
extension Sequential {
    /// Metadata keys this library writes into a weights file.
    public enum WeightsFileKey {
        /// Says what the file is: `"dualprop.Sequential weights"` plus the layouts.
        public static let format = "format"
        /// The per-example input shape the file was saved for (`"32,32,3"`), when one was given.
        public static let inputShape = "input_shape"
    }

    /// Writes every weight and bias to `path` as safetensors, atomically (a crash leaves the old
    /// file or the new one, never a torn one).
    /// - Parameters:
    ///   - path: the file to write (replaced if it exists).
    ///   - inputShape: the per-example input shape (`[H, W, C]` for images). Give it for a network
    ///     where a `Linear` layer follows a convolution: PyTorch flattens CHW, this library HWC,
    ///     so the first linear weight's columns are permuted to PyTorch's order. It is recorded in
    ///     the file, and ``load(from:inputShape:)`` uses it from there.
    ///   - metadata: extra string pairs for the file's `__metadata__`.
    /// - Throws: `DataError` naming `path` when the file cannot be written; `KernelError` when
    ///   `inputShape` does not fit the network.
    public func save(to path: String, inputShape: [Int]? = nil, metadata: [String: String] = [:]) throws {
        let tensors = try pytorchParameters(inputShape: inputShape).map { name, tensor in
            NamedTensor(name: name, shape: tensor.shape, values: tensor.scalars)
        }
        var meta = metadata
        meta[WeightsFileKey.format] = "dualprop.Sequential weights (PyTorch names and layouts: conv OIHW, linear [out, in])"
        if let inputShape { meta[WeightsFileKey.inputShape] = inputShape.map(String.init).joined(separator: ",") }
        try SafeTensors.write(tensors, metadata: meta, to: path)
    }

    /// Replaces every weight and bias by the tensors of a safetensors file written by
    /// ``save(to:inputShape:metadata:)`` (or by PyTorch for the same architecture and names).
    ///
    /// Everything is checked before anything changes: the file must hold exactly this network's
    /// tensor names, each `F32` with this network's shape. On any error the model is unchanged.
    /// Loading what `save` wrote restores the parameters bit for bit.
    /// - Parameters:
    ///   - path: the file to read.
    ///   - inputShape: the per-example input shape, as for `save`; by default the one recorded in
    ///     the file. Giving a different one than the file records is an error.
    /// - Throws: `DataError` whose description starts with `path` and names the tensor at fault:
    ///   a missing or unreadable file, a malformed header, a dtype other than `F32`, a tensor the
    ///   network lacks or lacks in the file, or a shape that differs from the network's.
    public mutating func load(from path: String, inputShape: [Int]? = nil) throws {
        let (stored, metadata) = try SafeTensors.read(from: path)
        let shape = try Self.resolvedInputShape(given: inputShape, recorded: metadata[WeightsFileKey.inputShape], file: path)
        let expected = try pytorchParameters(inputShape: shape)
        var found: [String: NamedTensor] = [:]
        for t in stored { found[t.name] = t }
        let expectedNames = Set(expected.map(\.name))
        let list = expected.map(\.name).joined(separator: ", ")
        for t in stored where !expectedNames.contains(t.name) {
            throw DataError(.badHeader, file: path, "tensor \(t.name): not a parameter of this network (it has \(list))")
        }
        var tensors: [String: Tensor] = [:]
        for (name, mine) in expected {
            guard let t = found[name] else {
                throw DataError(.missingMember, file: path, "tensor \(name): missing; the network needs \(list)")
            }
            guard t.shape == mine.shape else {
                throw DataError(.wrongShape, file: path, "tensor \(name): shape \(t.shape) in the file, the network has \(mine.shape)")
            }
            tensors[name] = Tensor(shape: t.shape, values: t.values)
        }
        do {
            try loadPyTorchParameters(tensors, inputShape: shape)
        } catch let e as ParameterLoadError {
            throw DataError(.wrongShape, file: path, "tensor \(e.description)")
        }
    }

    /// The input shape to load with: the caller's, else the file's record; both must agree.
    static func resolvedInputShape(given: [Int]?, recorded: String?, file: String) throws -> [Int]? {
        var fromFile: [Int]? = nil
        if let recorded {
            let parts = recorded.split(separator: ",").map { Int($0.filter { $0 != " " }) }
            guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw DataError(.badHeader, file: file, "__metadata__[\(WeightsFileKey.inputShape)] is \"\(recorded)\", not a list of positive integers")
            }
            fromFile = parts.map { $0! }
        }
        if let given, let fromFile, given != fromFile {
            throw DataError(.wrongShape, file: file, "saved for input shape \(fromFile), loaded with inputShape \(given)")
        }
        return given ?? fromFile
    }
}
