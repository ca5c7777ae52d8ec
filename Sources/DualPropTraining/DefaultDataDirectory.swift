import DualPropData

extension DatasetKind {
    /// The subfolders of the data folder (`$DUALPROP_DATA_DIR`, else `~/.cache/dualprop`) that
    /// may hold this dataset when no `--data-dir` is given: the short name, then the folder name of
    /// the official archive. Empty for the built-in synthetic data.
    public var dataFolderNames: [String] {
        switch self {
        case .synthetic: return []
        case .cifar10: return ["cifar10", "cifar-10-batches-bin"]
        case .cifar100: return ["cifar100", "cifar-100-binary"]
        case .imagenet32: return ["imagenet32"]
        }
    }

    /// The dataset's folder under the data folder, when one exists (nil for synthetic data).
    public var defaultDataDirectory: String? {
        for name in dataFolderNames { if let d = DataLocation.dataset(name) { return d } }
        return nil
    }

    /// Why there is no data directory, and the three ways to give one.
    var missingDataDirectoryMessage: String {
        let name = dataFolderNames.first ?? rawValue
        return "--dataset \(rawValue) needs its files: pass --data-dir DIR (the directory of the official files), "
            + "or put them in \(DataLocation.searchDescription(for: name))."
    }
}
