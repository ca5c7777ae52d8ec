import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `mkdir -p path`; nil on success, else what went wrong in words (which component is not a
/// directory, or the system's reason), never Foundation's bare error numbers.
public func makeDirectories(_ path: String) -> String? {
    var prefix = path.hasPrefix("/") ? "/" : ""
    for component in path.split(separator: "/") {
        prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
        var st = stat()
        if stat(prefix, &st) == 0 {
            if (st.st_mode & S_IFMT) != S_IFDIR { return "\(prefix) exists and is not a directory" }
            continue
        }
        if mkdir(prefix, 0o777) != 0 && errno != EEXIST {
            return "cannot create \(prefix): \(String(cString: strerror(errno)))"
        }
    }
    return nil
}

