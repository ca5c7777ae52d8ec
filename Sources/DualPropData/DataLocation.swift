import Foundation

/// Where the tools look for datasets when no `--data-dir` is given: the folder named by the
/// environment variable `DUALPROP_DATA_DIR` (`DP_DATA_DIR` is still read), else the cache
/// folder `$XDG_CACHE_HOME/dualprop` (by default `~/.cache/dualprop`). Each dataset is a
/// subfolder there: `mnist/`, `cifar10/`, `cifar100/`, `imagenet32/`.
public enum DataLocation {
    /// The environment variable that names the data folder.
    public static let environmentVariable = "DUALPROP_DATA_DIR"
    /// The variable's former name, still honoured when `DUALPROP_DATA_DIR` is unset.
    public static let formerEnvironmentVariable = "DP_DATA_DIR"

    /// The documented cache folder: `$XDG_CACHE_HOME/dualprop`, else `$HOME/.cache/dualprop`
    /// (whether or not it exists).
    public static var cacheDirectory: String {
        let env = ProcessInfo.processInfo.environment
        if let xdg = env["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return joinPath(xdg, "dualprop") }
        let home = env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return joinPath(home, ".cache/dualprop")
    }

    /// The folders searched, in order: the environment variable (if set), then the cache folder.
    public static var searchedDirectories: [String] {
        let env = ProcessInfo.processInfo.environment
        var out: [String] = []
        if let d = env[environmentVariable], !d.isEmpty {
            out.append(d)
        } else if let d = env[formerEnvironmentVariable], !d.isEmpty {
            out.append(d)
        }
        out.append(cacheDirectory)
        return out
    }

    /// The first existing folder among ``searchedDirectories`` and then `extraDirectories`
    /// (tests pass a checkout's data folder there). Nil when none exists.
    public static func dataDirectory(alsoTrying extraDirectories: [String] = []) -> String? {
        (searchedDirectories + extraDirectories).first(where: directoryExists).map { URL(fileURLWithPath: $0).standardized.path }
    }

    /// `<folder>/<name>` for the first searched folder that has such a subfolder (e.g. `"mnist"`,
    /// `"cifar10"`), also trying `extraDirectories`. Nil when none has it.
    public static func dataset(_ name: String, alsoTrying extraDirectories: [String] = []) -> String? {
        for d in searchedDirectories + extraDirectories {
            let p = joinPath(d, name)
            if directoryExists(p) { return URL(fileURLWithPath: p).standardized.path }
        }
        return nil
    }

    /// Where ``dataset(_:alsoTrying:)`` looks for `name`, for error messages:
    /// `"$DUALPROP_DATA_DIR/cifar10 (unset) or /home/me/.cache/dualprop/cifar10"`.
    public static func searchDescription(for name: String) -> String {
        let env = ProcessInfo.processInfo.environment
        let variable = env[environmentVariable].map { $0.isEmpty ? " (empty)" : " = \($0)" } ?? " (unset)"
        return "$\(environmentVariable)/\(name)\(variable) or \(joinPath(cacheDirectory, name))"
    }
}
