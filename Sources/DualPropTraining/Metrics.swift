/// One row of `metrics.csv`: an epoch's figures on one split (`train`, `val` or `test`).
public struct MetricRow: Codable, Equatable, Sendable {
    /// 1-based epoch (for `test`: the epoch of the model that was tested).
    public var epoch: Int
    /// `train`, `val` or `test`.
    public var split: String
    /// Mean loss (train: under the plain forward pass of each step, with the weights of that step).
    public var loss: Double
    /// Top-1 accuracy in [0, 1].
    public var top1: Double
    /// Top-5 accuracy in [0, 1]; nil for `train` (the learning rules report top-1 only).
    public var top5: Double?
    /// Learning rate of the epoch's last step.
    public var learningRate: Double
    /// Images per second (train: training steps; val/test: evaluation).
    public var imagesPerSecond: Double
    /// Cumulative wall seconds of the run (training and evaluation) when the row was made.
    public var wallSeconds: Double

    /// A row with the given figures.
    public init(epoch: Int, split: String, loss: Double, top1: Double, top5: Double?, learningRate: Double,
                imagesPerSecond: Double, wallSeconds: Double) {
        self.epoch = epoch; self.split = split; self.loss = loss; self.top1 = top1; self.top5 = top5
        self.learningRate = learningRate; self.imagesPerSecond = imagesPerSecond; self.wallSeconds = wallSeconds
    }

    /// The CSV header.
    public static let header = "epoch,split,loss,top1,top5,learning_rate,images_per_s,wall_s"

    /// The row as CSV.
    public var csv: String {
        [String(epoch), split, fixed(loss, 6), fixed(top1, 6), top5.map { fixed($0, 6) } ?? "",
         String(format: "%.6g", learningRate), fixed(imagesPerSecond, 1), fixed(wallSeconds, 2)].joined(separator: ",")
    }

    /// Parses `metrics.csv` text (the header line is required); `file` names it in errors.
    public static func parse(csv text: String, file: String) throws -> [MetricRow] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard let first = lines.first, first.trimmingCharacters() == header else {
            throw TrainingError("\(file): not a cifar-vgg metrics file (first line must be \(header))")
        }
        lines.removeFirst()
        return try lines.enumerated().map { i, line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 8, let e = Int(f[0]), let loss = Double(f[2]), let t1 = Double(f[3]),
                  let lr = Double(f[5]), let ips = Double(f[6]), let wall = Double(f[7]) else {
                throw TrainingError("\(file): line \(i + 2) is not a metrics row: \(line)")
            }
            return MetricRow(epoch: e, split: f[1], loss: loss, top1: t1, top5: f[4].isEmpty ? nil : Double(f[4]),
                             learningRate: lr, imagesPerSecond: ips, wallSeconds: wall)
        }
    }
}

extension String {
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}

import Foundation
