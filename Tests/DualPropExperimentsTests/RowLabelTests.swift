import DualPropExperiments
import Foundation
import XCTest

/// `--only` row labels: the Greek spellings of the tables and ASCII spellings name the same rows.
final class RowLabelTests: XCTestCase {
    let labels = DPAlphaExperiment.rules().map(\.0)

    func testASCIISpellingsSelectTheGreekRows() throws {
        XCTAssertEqual(labels, ["DP α=1", "DP α=½", "DP α=0", "DP⊤ α=1", "DP⊤ α=½", "DP⊤ α=0", "BP"])
        XCTAssertEqual(try RowLabels.select("dpT-a0.5", from: labels), ["DP⊤ α=½"])
        XCTAssertEqual(try RowLabels.select("DPT alpha=0.5, dp-a1 ,bp", from: labels), ["DP⊤ α=½", "DP α=1", "BP"])
        XCTAssertEqual(try RowLabels.select("DP α=½,DP⊤ α=0", from: labels), ["DP α=½", "DP⊤ α=0"])
        XCTAssertEqual(try RowLabels.select("dp_a1/2", from: labels), ["DP α=½"])
        XCTAssertEqual(RowLabels.key("DP⊤ α=½"), RowLabels.key("dpT-a0.5"))
        XCTAssertNotEqual(RowLabels.key("DP α=1"), RowLabels.key("DP⊤ α=1"))
    }

    func testUnknownRowIsRefusedWithTheValidLabels() {
        XCTAssertThrowsError(try RowLabels.select("dpT-a0.3", from: labels)) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("--only") && text.contains("dpT-a0.3") && text.contains("\"DP⊤ α=½\""), text)
        }
    }

}

/// Without --data-dir, MNIST comes from $DUALPROP_DATA_DIR/mnist (or the cache folder), never from
/// a folder beside the checkout.
final class MNISTLocationTests: XCTestCase {
    func testDataFolderVariableIsHonoured() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("DualPropDataTests/Fixtures").path
        let saved = ProcessInfo.processInfo.environment["DUALPROP_DATA_DIR"]
        defer { if let saved { setenv("DUALPROP_DATA_DIR", saved, 1) } else { unsetenv("DUALPROP_DATA_DIR") } }
        setenv("DUALPROP_DATA_DIR", fixtures, 1)
        XCTAssertEqual(try MNISTData.locate(nil), fixtures + "/mnist")
        setenv("DUALPROP_DATA_DIR", "/nonexistent-dualprop-data", 1)
        let savedCache = ProcessInfo.processInfo.environment["XDG_CACHE_HOME"]
        defer { if let savedCache { setenv("XDG_CACHE_HOME", savedCache, 1) } else { unsetenv("XDG_CACHE_HOME") } }
        setenv("XDG_CACHE_HOME", "/nonexistent-dualprop-cache", 1)
        XCTAssertThrowsError(try MNISTData.locate(nil)) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("/nonexistent-dualprop-data/mnist") && text.contains("DUALPROP_DATA_DIR")
                          && text.contains("/nonexistent-dualprop-cache/dualprop/mnist"), text)
            XCTAssertFalse(text.contains("shared"), text)
        }
    }
}
