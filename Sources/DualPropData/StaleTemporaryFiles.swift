import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Removes the temporary files that ``writeAtomically(_:to:)`` leaves in `directory` when its
/// process is killed between creating and renaming them (`<name>.tmp-<pid>-<random>`, as large
/// as the file being written), but only those whose writer process no longer exists: a live
/// writer's file is in use. Returns the names removed. Errors are ignored (the files are only
/// wasted space).
@discardableResult
public func removeStaleTemporaryFiles(in directory: String) -> [String] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
    var removed: [String] = []
    for name in names {
        guard let pid = temporaryFileWriter(name), !processExists(pid) else { continue }
        let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
        if unlink(path) == 0 { removed.append(name) }
    }
    return removed.sorted()
}

/// The writer's process id if `name` has the form `<name>.tmp-<pid>-<random>`.
func temporaryFileWriter(_ name: String) -> pid_t? {
    guard let marker = name.range(of: ".tmp-", options: .backwards), marker.lowerBound > name.startIndex else { return nil }
    let parts = name[marker.upperBound...].split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
          let pid = pid_t(parts[0]), pid > 0, UInt32(parts[1]) != nil else { return nil }
    return pid
}

/// Whether a process with id `pid` exists (it may belong to another user).
func processExists(_ pid: pid_t) -> Bool {
    kill(pid, 0) == 0 || errno == EPERM
}
