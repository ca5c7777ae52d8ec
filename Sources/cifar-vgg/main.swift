// The training driver: `swift run -c release cifar-vgg --method dpT` (see `cifar-vgg --help`).
// All logic lives in DualPropTraining so that tests can drive it.
import DualPropTraining

CifarVGG.main()
