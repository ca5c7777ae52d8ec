import XCTest
import DualPropData

final class ImageNet32Tests: XCTestCase {
    private let perBatch = 3, valCount = 5

    private func checkTrain(_ d: ImageDataset) {
        XCTAssertEqual(d.count, 10 * perBatch)
        XCTAssertEqual(d.classCount, 1000)
        XCTAssertEqual(d.labels, (0..<(10 * perBatch)).map { Formula.imagenetLabel(b: $0 / perBatch + 1, i: $0 % perBatch) })
        Formula.checkPixels(d) { k, c, y, x in Formula.imagenetPixel(b: k / perBatch + 1, i: k % perBatch, c: c, y: y, x: x) }
    }

    private func checkVal(_ d: ImageDataset) {
        XCTAssertEqual(d.count, valCount)
        XCTAssertEqual(d.labels, (0..<valCount).map { Formula.imagenetLabel(b: 0, i: $0) })
        Formula.checkPixels(d) { i, c, y, x in Formula.imagenetPixel(b: 0, i: i, c: c, y: y, x: x) }
    }

    /// Extracted npz files: STORED members with zip64 local headers (like np.savez) and labels
    /// int64 / int32 / uint16; the validation file DEFLATE-compressed (like np.savez_compressed).
    func testExtractedNPZ() throws {
        checkTrain(try ImageNet32.loadTrain(directory: Fixtures.path("imagenet32-npz")))
        checkVal(try ImageNet32.loadValidation(directory: Fixtures.path("imagenet32-npz")))
    }

    /// The release zips (DEFLATE outer archive, npz members under a folder).
    func testReleaseZips() throws {
        checkTrain(try ImageNet32.loadTrain(directory: Fixtures.path("imagenet32-zip")))
        checkVal(try ImageNet32.loadValidation(directory: Fixtures.path("imagenet32-zip")))
    }

    /// Sizes and offsets only in zip64 extra fields, with a zip64 end record.
    func testZip64CentralDirectory() throws {
        checkVal(try ImageNet32.loadNPZ(path: Fixtures.path("imagenet32-zip64", "val_data.npz")))
    }

    func testBadNPZ() {
        func load(_ name: String) throws -> ImageDataset { try ImageNet32.loadNPZ(path: Fixtures.path("bad", name)) }
        assertDataError(.missingMember, fileSuffix: "bad/npz_member_name.npz", mentions: "data.npy") { try load("npz_member_name.npz") }
        assertDataError(.wrongDType, fileSuffix: "npz_data_dtype.npz:data.npy", mentions: "<f4") { try load("npz_data_dtype.npz") }
        assertDataError(.wrongDType, fileSuffix: "npz_label_dtype.npz:labels.npy", mentions: "<f8") { try load("npz_label_dtype.npz") }
        assertDataError(.wrongShape, fileSuffix: "npz_data_shape.npz:data.npy", mentions: "3000") { try load("npz_data_shape.npz") }
        assertDataError(.labelOutOfRange, fileSuffix: "npz_label_range.npz:labels.npy", mentions: "1001") { try load("npz_label_range.npz") }
        assertDataError(.corrupt, fileSuffix: "npz_crc.npz:data.npy", mentions: "CRC") { try load("npz_crc.npz") }
        assertDataError(.badMagic, fileSuffix: "bad/npz_truncated.npz", mentions: "end-of-central-directory") { try load("npz_truncated.npz") }
        assertDataError(.missingFile, fileSuffix: "nowhere/train_data_batch_1.npz", mentions: "Imagenet32_train_npz.zip") {
            try ImageNet32.loadTrain(directory: Fixtures.path("nowhere"))
        }
        // A CIFAR binary file is not a zip.
        assertDataError(.badMagic, fileSuffix: "cifar10/test_batch.bin") { try ImageNet32.loadNPZ(path: Fixtures.path("cifar10", "test_batch.bin")) }
    }
}
