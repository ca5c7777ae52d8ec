import Foundation

/// Row labels typed on a command line: the tables write `DP⊤ α=½`, a shell user may type
/// `dpT-a0.5`, `DPT alpha=0.5` or `dp⊤ α=1/2`; all name the same row.
public enum RowLabels {
    /// The spelling-independent key of a label: lower case, `⊤`→`t`, `α`/`alpha`→`a`,
    /// `½`/`1/2`→`0.5`, and no spaces, `=`, `-` or `_`.
    public static func key(_ label: String) -> String {
        var s = label.lowercased()
        for (from, to) in [("⊤", "t"), ("alpha", "a"), ("α", "a"), ("½", "0.5"), ("1/2", "0.5")] {
            s = s.replacingOccurrences(of: from, with: to)
        }
        return String(s.filter { !" =-_".contains($0) })
    }

    /// The labels among `available` that a comma-separated list `requested` names (in any of the
    /// spellings `key` accepts). Throws a message naming an unknown entry and the valid labels.
    public static func select(_ requested: String, from available: [String], option: String = "--only") throws -> Set<String> {
        let byKey = Dictionary(available.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        var chosen: Set<String> = []
        for entry in requested.split(separator: ",") {
            let word = String(entry).trimmingCharacters(in: .whitespaces)
            guard let label = byKey[key(word)] else {
                throw ExperimentError("\(option): no row \"\(word)\"; the rows are \(available.map { "\"\($0)\"" }.joined(separator: ", ")) (ASCII spellings such as dpT-a0.5 or \"DP alpha=1\" work too)")
            }
            chosen.insert(label)
        }
        return chosen
    }
}
