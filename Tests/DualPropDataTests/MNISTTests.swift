import XCTest
import DualPropData

final class MNISTTests: XCTestCase {
    /// Training files are gzip-compressed, test files plain.
    func testFixtures() throws {
        let train = try MNIST.load(directory: Fixtures.path("mnist"), split: .train)
        XCTAssertEqual([train.count, train.channels, train.height, train.width], [6, 1, 28, 28])
        XCTAssertEqual(train.labels, (0..<6).map { Int32(($0 + 4) % 10) })
        Formula.checkPixels(train) { i, _, y, x in Formula.mnistPixel(s: 1, i: i, y: y, x: x) }
        let test = try MNIST.load(directory: Fixtures.path("mnist"), split: .test)
        XCTAssertEqual(test.count, 4)
        XCTAssertEqual(test.labels, [0, 1, 2, 3])
        Formula.checkPixels(test) { i, _, y, x in Formula.mnistPixel(s: 0, i: i, y: y, x: x) }
    }

    func testBadIDX() {
        assertDataError(.badMagic, fileSuffix: "bad/mnist_magic-images-idx3-ubyte.gz", mentions: "2050") {
            try IDX.readImages(path: Fixtures.path("bad", "mnist_magic-images-idx3-ubyte.gz"))
        }
        assertDataError(.wrongSize, fileSuffix: "bad/mnist_truncated-images-idx3-ubyte.gz", mentions: "truncated") {
            try IDX.readImages(path: Fixtures.path("bad", "mnist_truncated-images-idx3-ubyte.gz"))
        }
        assertDataError(.wrongSize, fileSuffix: "bad/mnist_short-images-idx3-ubyte", mentions: "needs") {
            try IDX.readImages(path: Fixtures.path("bad", "mnist_short-images-idx3-ubyte"))
        }
        assertDataError(.labelOutOfRange, fileSuffix: "bad/mnist_label-labels-idx1-ubyte", mentions: "label 1 is 12") {
            try IDX.readLabels(path: Fixtures.path("bad", "mnist_label-labels-idx1-ubyte"))
        }
        assertDataError(.badMagic, fileSuffix: "mnist/train-labels-idx1-ubyte.gz", mentions: "2049") {
            try IDX.readImages(path: Fixtures.path("mnist", "train-labels-idx1-ubyte.gz"))
        }
        assertDataError(.missingFile, fileSuffix: "nowhere/train-images-idx3-ubyte.gz") {
            try MNIST.load(directory: Fixtures.path("nowhere"), split: .train)
        }
    }

    /// The real MNIST files from the shared data folder, when present.
    func testRealMNISTWhenPresent() throws {
        let dir = try Fixtures.sharedDataset("mnist")
        let train = try MNIST.load(directory: dir, split: .train)
        XCTAssertEqual([train.count, train.height, train.width], [60_000, 28, 28])
        XCTAssertEqual(Array(train.labels.prefix(10)), [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])
        let test = try MNIST.load(directory: dir, split: .test)
        XCTAssertEqual(test.count, 10_000)
        XCTAssertEqual(Array(test.labels.prefix(5)), [7, 2, 1, 0, 4])
        XCTAssertEqual(test.classHistogram().reduce(0, +), 10_000)
    }
}
