// The training driver: `swift run -c release cifar-vgg --method dpT` (see `cifar-vgg --help`).
// All logic lives in DualPropTraining so that tests can drive it.
import DualPropTraining
import Foundation

#if DEBUG
// SwiftPM compiles the C kernels at -O0 in debug builds: training would be many times slower.
FileHandle.standardError.write(Data("cifar-vgg: warning: this is a debug build; use `swift run -c release cifar-vgg` for training\n".utf8))
#endif
CifarVGG.main()
