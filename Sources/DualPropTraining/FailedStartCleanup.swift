import Foundation

/// Removes the run directory a failed start created but never wrote to (bad data, an unwritable
/// disk, a refused setting), and any parent folders it created with it (`runs/`), so a failed
/// start leaves nothing behind. Directories that existed before, or hold any file, are kept: a
/// run that wrote its configuration or a checkpoint is a run to inspect or resume.
struct FailedStartCleanup {
    /// The folders of the run path that did not exist before the start, innermost first.
    let created: [String]

    /// Notes which folders of `runDirectory` do not exist yet (none for a resumed run).
    init(runDirectory: String, resume: Bool) {
        guard !resume else { created = []; return }
        var missing: [String] = []
        var path = URL(fileURLWithPath: runDirectory).standardized.path
        while path != "/" && !path.isEmpty && !FileManager.default.fileExists(atPath: path) {
            missing.append(path)
            path = (path as NSString).deletingLastPathComponent
        }
        created = missing
    }

    /// After a failure: removes those folders that are still empty, innermost first.
    func removeEmptyFolders() {
        for folder in created {
            guard let contents = try? FileManager.default.contentsOfDirectory(atPath: folder), contents.isEmpty else { return }
            guard rmdir(folder) == 0 else { return }
        }
    }
}
