import Foundation

/// Finds the optional shared data folder (`shared/data` beside the project) that holds the real
/// MNIST files and the CIFAR-10 stand-in. The project never requires it.
public enum DataLocation {
    /// The environment variable that names the data folder.
    public static let environmentVariable = "DP_DATA_DIR"

    /// The first existing directory among: `$DP_DATA_DIR`, `<start>/../shared/data` for `start`
    /// in `searchRoots` (default: the current directory), `<start>/shared/data`. Nil when none exists.
    public static func sharedDataDirectory(searchRoots: [String] = []) -> String? {
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment[environmentVariable], !env.isEmpty { candidates.append(env) }
        let roots = searchRoots + [FileManager.default.currentDirectoryPath]
        for r in roots { candidates.append(joinPath(r, "../shared/data")); candidates.append(joinPath(r, "shared/data")) }
        return candidates.first(where: directoryExists).map { URL(fileURLWithPath: $0).standardized.path }
    }

    /// `<data dir>/<name>` if that directory exists (e.g. `"cifar10-standin"`, `"mnist"`).
    public static func dataset(_ name: String, searchRoots: [String] = []) -> String? {
        guard let d = sharedDataDirectory(searchRoots: searchRoots) else { return nil }
        let p = joinPath(d, name)
        return directoryExists(p) ? p : nil
    }
}
