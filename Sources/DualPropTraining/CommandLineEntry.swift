import ArgumentParser
import DualPropData
import Foundation

extension CifarVGG {
    /// Parses the command line and runs the command, like ArgumentParser's `main()`, but when a
    /// negative number follows an option without `=` (`--learning-rate -0.1`, which the parser
    /// reports as a missing value) the error is followed by the `--learning-rate=-0.1` form.
    public static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            if exitCode(for: error) != .success, let hint = CommandLineHints.negativeValue(in: arguments) {
                writeToStandardError(fullMessage(for: error) + "\n" + hint + "\n")
                Foundation.exit(exitCode(for: error).rawValue)
            }
            exit(withError: error)
        }
    }
}
