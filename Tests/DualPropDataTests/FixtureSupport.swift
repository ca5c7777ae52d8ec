import Foundation
import XCTest
import DualPropData

/// Where the committed fixtures are: the test bundle's copy (`resources: [.copy("Fixtures")]`),
/// or the source folder next to this file when the bundle lacks them.
enum Fixtures {
    static let directory: String = {
        if let p = Bundle.module.path(forResource: "Fixtures", ofType: nil) { return p }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
    }()

    static func path(_ parts: String...) -> String { ([directory] + parts).joined(separator: "/") }

    /// The package root (two levels above this file), for locating ../shared/data.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// `<shared data>/<name>` or an XCTSkip naming where it looked.
    static func sharedDataset(_ name: String) throws -> String {
        if let p = DataLocation.dataset(name, alsoTrying: [packageRoot + "/../shared/data"]) { return p }
        throw XCTSkip("shared data folder '\(name)' not found (looked in \(DataLocation.searchDescription(for: name)) and \(packageRoot)/../shared/\(name)); skipping")
    }
}

/// Asserts that `body` throws a DataError with `problem` whose message names `fileSuffix`
/// and contains `mentions`.
func assertDataError<T>(_ problem: DataError.Problem, fileSuffix: String, mentions: String = "",
                        file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> T) {
    do {
        _ = try body()
        XCTFail("expected DataError \(problem) for \(fileSuffix), nothing was thrown", file: file, line: line)
    } catch let e as DataError {
        XCTAssertEqual(e.problem, problem, "message: \(e)", file: file, line: line)
        XCTAssertTrue(e.file.hasSuffix(fileSuffix), "file \(e.file) should end with \(fileSuffix)", file: file, line: line)
        XCTAssertTrue(e.description.contains(fileSuffix), "message should name the file: \(e)", file: file, line: line)
        XCTAssertTrue(e.description.contains(problem.rawValue), "message should name the problem: \(e)", file: file, line: line)
        if !mentions.isEmpty { XCTAssertTrue(e.description.contains(mentions), "message should mention '\(mentions)': \(e)", file: file, line: line) }
    } catch {
        XCTFail("expected DataError, got \(error)", file: file, line: line)
    }
}

/// The fixture formulas of scripts/make-fixtures.py, recomputed here.
enum Formula {
    static func cifar10Pixel(f: Int, i: Int, c: Int, y: Int, x: Int) -> UInt8 { UInt8((7 * i + 50 * c + 3 * y + 5 * x + 11 * f) % 256) }
    static func cifar10Label(f: Int, i: Int) -> Int32 { Int32((3 * i + f) % 10) }
    static func cifar100Pixel(f: Int, i: Int, c: Int, y: Int, x: Int) -> UInt8 { UInt8((5 * i + 60 * c + 2 * y + 3 * x + 13 * f) % 256) }
    static func imagenetPixel(b: Int, i: Int, c: Int, y: Int, x: Int) -> UInt8 { UInt8((13 * i + 31 * c + 7 * y + 3 * x + 17 * b) % 256) }
    static func imagenetLabel(b: Int, i: Int) -> Int32 { Int32((37 * i + 101 * b) % 1000) }  // already minus 1
    static func mnistPixel(s: Int, i: Int, y: Int, x: Int) -> UInt8 { UInt8((17 * i + 28 * y + x + 5 * s) % 256) }

    /// Checks every pixel of `d` against `pixel(i, c, y, x)`.
    static func checkPixels(_ d: ImageDataset, file: StaticString = #filePath, line: UInt = #line,
                            _ pixel: (Int, Int, Int, Int) -> UInt8) {
        var mismatches = 0
        for i in 0..<d.count {
            for c in 0..<d.channels {
                for y in 0..<d.height {
                    for x in 0..<d.width where d.images[((i * d.channels + c) * d.height + y) * d.width + x] != pixel(i, c, y, x) {
                        mismatches += 1
                    }
                }
            }
        }
        XCTAssertEqual(mismatches, 0, "pixels differing from the fixture formula", file: file, line: line)
    }
}
