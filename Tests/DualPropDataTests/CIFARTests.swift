import XCTest
import DualPropData

final class CIFARTests: XCTestCase {
    func testCIFAR10FixturesExactValues() throws {
        let n = 12  // records per fixture file
        let train = try CIFAR10.loadTrain(directory: Fixtures.path("cifar10"))
        XCTAssertEqual(train.count, 5 * n)
        XCTAssertEqual([train.channels, train.height, train.width, train.classCount], [3, 32, 32, 10])
        XCTAssertEqual(train.classNames[9], "truck")
        // Record k of the concatenation is record k % n of data_batch_(k / n + 1).
        XCTAssertEqual(train.labels, (0..<(5 * n)).map { Formula.cifar10Label(f: $0 / n + 1, i: $0 % n) })
        Formula.checkPixels(train) { k, c, y, x in Formula.cifar10Pixel(f: k / n + 1, i: k % n, c: c, y: y, x: x) }
        let test = try CIFAR10.loadTest(directory: Fixtures.path("cifar10"))
        XCTAssertEqual(test.labels, (0..<n).map { Formula.cifar10Label(f: 0, i: $0) })
        Formula.checkPixels(test) { i, c, y, x in Formula.cifar10Pixel(f: 0, i: i, c: c, y: y, x: x) }
        // Spot check of the planar layout: record 1, G plane, row 2, column 3.
        XCTAssertEqual(test.image(at: 1)[test.image(at: 1).startIndex + 1024 + 2 * 32 + 3], UInt8((7 + 50 + 6 + 15) % 256))
    }

    func testCIFAR100FixturesFineAndCoarse() throws {
        // The fixture lives in cifar100/cifar-100-binary/: the loader finds the archive's subfolder.
        let train = try CIFAR100.loadTrain(directory: Fixtures.path("cifar100"))
        XCTAssertEqual(train.count, 10)
        XCTAssertEqual(train.classCount, 100)
        XCTAssertEqual(train.labels, (0..<10).map { Int32((7 * $0 + 3) % 100) })
        XCTAssertEqual(train.coarseLabels!, (0..<10).map { Int32(($0 + 1) % 20) })
        Formula.checkPixels(train) { i, c, y, x in Formula.cifar100Pixel(f: 1, i: i, c: c, y: y, x: x) }
        let test = try CIFAR100.loadTest(directory: Fixtures.path("cifar100"))
        XCTAssertEqual(test.count, 6)
        XCTAssertEqual(test.labels, (0..<6).map { Int32((7 * $0) % 100) })
        Formula.checkPixels(test) { i, c, y, x in Formula.cifar100Pixel(f: 0, i: i, c: c, y: y, x: x) }
        // subset keeps fine and coarse labels aligned.
        let s = test.subset([4, 1])
        XCTAssertEqual(s.labels, [test.labels[4], test.labels[1]])
        XCTAssertEqual(s.coarseLabels!, [test.coarseLabels![4], test.coarseLabels![1]])
        XCTAssertEqual(Array(s.image(at: 0)), Array(test.image(at: 4)))
    }

    func testCIFARBadInputs() {
        assertDataError(.wrongSize, fileSuffix: "bad/cifar10_truncated.bin", mentions: "3073") {
            try CIFAR10.loadBatch(path: Fixtures.path("bad", "cifar10_truncated.bin"))
        }
        assertDataError(.labelOutOfRange, fileSuffix: "bad/cifar10_label.bin", mentions: "record 2") {
            try CIFAR10.loadBatch(path: Fixtures.path("bad", "cifar10_label.bin"))
        }
        assertDataError(.labelOutOfRange, fileSuffix: "bad/cifar100_label.bin", mentions: "fine label 100") {
            try CIFAR100.loadFile(path: Fixtures.path("bad", "cifar100_label.bin"))
        }
        assertDataError(.missingFile, fileSuffix: "nowhere/data_batch_1.bin") {
            try CIFAR10.loadTrain(directory: Fixtures.path("nowhere"))
        }
        assertDataError(.missingFile, fileSuffix: "nowhere/test.bin") {
            try CIFAR100.loadTest(directory: Fixtures.path("nowhere"))
        }
        // A CIFAR-100 file is not a whole number of CIFAR-10 records (3074·6 mod 3073 ≠ 0).
        assertDataError(.wrongSize, fileSuffix: "cifar-100-binary/test.bin") {
            try CIFAR10.loadBatch(path: Fixtures.path("cifar100", "cifar-100-binary", "test.bin"))
        }
    }

    /// The shared CIFAR-10 stand-in (official binary layout) loads unchanged when present.
    func testCIFAR10StandInWhenPresent() throws {
        let dir = try Fixtures.sharedDataset("cifar10-standin")
        let train = try CIFAR10.loadTrain(directory: dir)
        XCTAssertEqual(train.count, 50_000)
        XCTAssertEqual(train.classHistogram(), [Int](repeating: 5_000, count: 10))
        let test = try CIFAR10.loadTest(directory: dir)
        XCTAssertEqual(test.count, 10_000)
        XCTAssertEqual(test.classHistogram(), [Int](repeating: 1_000, count: 10))
        // The official test_batch starts with cat, ship, ship, airplane, frog.
        XCTAssertEqual(Array(test.labels.prefix(5)), [3, 8, 8, 0, 6])
        // Official data_batch_1 starts with frog, truck, truck, deer, automobile.
        XCTAssertEqual(Array(train.labels.prefix(5)), [6, 9, 9, 4, 1])
        let stats = ChannelNormalization.estimate(from: train)
        // Close to the paper's mean (JPEG stand-in: loose tolerance 0.01).
        for c in 0..<3 { XCTAssertEqual(stats.mean[c], ChannelNormalization.cifar10.mean[c], accuracy: 0.01) }
    }
}
