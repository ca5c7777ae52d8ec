import DualPropExperiments
import XCTest

final class ExperimentsTests: XCTestCase {
    func testSummaryAndAgreement() {
        let s = Summary([1, 2, 3, .nan])
        XCTAssertEqual(s.mean, 2); XCTAssertEqual(s.std, 1); XCTAssertEqual(s.failures, 1)
        XCTAssertTrue(PaperFigure(98, 0.1).agrees(with: 98.19))
        XCTAssertFalse(PaperFigure(98, 0.1).agrees(with: 98.21))
        XCTAssertTrue(PaperFigure(97.4).agrees(with: 96.5))
    }
}
