// `dualprop-bench update`: what one SGD update (momentum 0.9, weight decay 5e-4) of VGG16 costs,
// through the public `SGD.update` (whatever this build's optimizer does), and, with --per-tensor,
// also `Optim.sgdStep` called tensor by tensor on tensors nobody shares (the per-block update
// without any copy), interleaved with it. Prints the median milliseconds of each.
import ArgumentParser
import DualProp
import Foundation

struct UpdateCost: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Time one SGD update (momentum, weight decay) of VGG16's parameters.")

    @Option(help: "VGG16 width multiplier (1 = the paper's network, 134 MB of parameters).") var width: Double = 1
    @Option(help: "Timed updates (median reported), after 2 warm-up updates.") var repeats: Int = 20
    @Option(help: "Threads (default: all cores).") var threads: Int?
    @Flag(help: "Also time Optim.sgdStep per tensor on unshared tensors, interleaved.") var perTensor = false

    func run() throws {
        if let threads { Runtime.threads = threads }
        var net = Sequential.vgg16(classes: 10, widthMultiplier: width, seed: 1)
        let p = net.parameters
        let gradients = Gradients(weights: p.map { Tensor(shape: $0.weight.shape, repeating: 1e-3) },
                                  biases: p.map { Tensor(shape: $0.bias.shape, repeating: 1e-3) })
        let flatGradients = zip(gradients.weights, gradients.biases).flatMap { [$0, $1] }
        var sgd = SGD(momentum: 0.9, weightDecay: 5e-4)
        var weights = p.flatMap { [$0.weight, $0.bias] }.map { Tensor(shape: $0.shape, values: $0.scalars) }
        var velocities = weights.map { Tensor(shape: $0.shape) }
        func perTensorUpdate() throws {
            for i in weights.indices {
                try Optim.sgdStep(weights: &weights[i], gradient: flatGradients[i], velocity: &velocities[i],
                                  learningRate: 1e-3, momentum: 0.9, weightDecay: 5e-4)
            }
        }
        for _ in 0..<2 {
            try sgd.update(&net, gradients: gradients, learningRate: 1e-3)
            if perTensor { try perTensorUpdate() }
        }
        var times: [Double] = [], perTensorTimes: [Double] = []
        for _ in 0..<repeats {
            let t0 = Date()
            try sgd.update(&net, gradients: gradients, learningRate: 1e-3)
            times.append(Date().timeIntervalSince(t0))
            if perTensor {
                let t1 = Date()
                try perTensorUpdate()
                perTensorTimes.append(Date().timeIntervalSince(t1))
            }
        }
        func median(_ t: [Double]) -> Double { t.sorted()[t.count / 2] * 1000 }
        let megabytes = Double(net.parameterCount * 4) / 1e6
        print(String(format: "VGG16 width %g (%.1f MB of parameters), %d threads, median of %d: SGD.update %.2f ms",
                     width, megabytes, Runtime.threads, repeats, median(times))
              + (perTensor ? String(format: ", Optim.sgdStep per tensor %.2f ms", median(perTensorTimes)) : ""))
    }
}
