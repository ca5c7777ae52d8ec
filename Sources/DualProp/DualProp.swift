@_exported import DualPropKernels
