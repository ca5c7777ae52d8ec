import ArgumentParser
import DualPropData
import Foundation

extension MNISTMLP {
    /// ArgumentParser's `main()`, plus the `--gamma=-0.1` form after the error when a negative
    /// number followed an option without `=` (which the parser reports as a missing value).
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            if exitCode(for: error) != .success, let hint = CommandLineHints.negativeValue(in: arguments) {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n" + hint + "\n").utf8))
                Foundation.exit(exitCode(for: error).rawValue)
            }
            exit(withError: error)
        }
    }
}
