/*
 * ckernels.h — the whole public C API of the CKernels library (prefix ck_).
 * C consumers: `#include <ckernels/ckernels.h>` with `pkg-config --cflags --libs ckernels`.
 */
#ifndef CKERNELS_H
#define CKERNELS_H

#include "ck_runtime.h"
#include "ck_gemm.h"
#include "ck_conv.h"
#include "ck_pool.h"
#include "ck_linear.h"
#include "ck_loss.h"
#include "ck_eltwise.h"
#include "ck_optim.h"
#include "ck_activation.h"
#include "ck_nudge.h"
#include "ck_lifted.h"
#include "ck_work_split.h"

#endif /* CKERNELS_H */
