// The system zlib (Debian's zlib1g-dev), exposed to Swift as the module CZlib.
// Only DualPropData imports it, for raw DEFLATE (zip members) and gzip (MNIST idx .gz).
#ifndef DUALPROP_CZLIB_SHIM_H
#define DUALPROP_CZLIB_SHIM_H
#include <zlib.h>
#endif
