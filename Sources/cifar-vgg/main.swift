// The training driver: `swift run -c release cifar-vgg --method dpT` (see `cifar-vgg --help`).
// All logic lives in DualPropTraining so that tests can drive it.
import DualPropTraining
import Foundation

#if DEBUG
// SwiftPM compiles the C kernels at -O0 in debug builds; why the package does not work around
// that, and how the cost below was measured: ARCHITECTURE.md, "Debug builds".
FileHandle.standardError.write(Data(("cifar-vgg: warning: debug build: the C kernels are compiled at -O0, so training "
    + "is about 17x slower (the default run: 13 min 27 s instead of 47 s); use `swift run -c release cifar-vgg`\n").utf8))
#endif
CifarVGG.main()
