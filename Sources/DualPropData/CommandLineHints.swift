/// Hints for command-line mistakes that argument parsers report in confusing words.
public enum CommandLineHints {
    /// For `--learning-rate -0.1`: a negative number after an option reads as another option, so
    /// the parser says the value is missing. Returns a hint naming the `=` form
    /// (`--learning-rate=-0.1`) for the first such pair in `arguments`, or nil.
    public static func negativeValue(in arguments: [String]) -> String? {
        for (option, value) in zip(arguments, arguments.dropFirst())
        where option.hasPrefix("--") && option.count > 2 && !option.contains("=") && looksNegative(value) {
            return "note: a value starting with '-' reads as an option; write \(option)=\(value) to pass \(value)"
        }
        return nil
    }

    /// `-0.1`, `-5`, `-.5`, `-1e-3`, `-inf`, `-nan`.
    static func looksNegative(_ s: String) -> Bool {
        guard s.hasPrefix("-"), s.count > 1 else { return false }
        let body = s.dropFirst()
        if ["inf", "infinity", "nan"].contains(body.lowercased()) { return true }
        guard let first = body.first, first.isNumber || first == "." else { return false }
        return Double(body) != nil
    }
}
