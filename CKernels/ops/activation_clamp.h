/*
 * activation_clamp.h — the float bounds f⁻¹ clamps its argument to (internal), shared by the
 * reference and SIMD paths so that every path clamps to the same float. Margin ε = 1e-6
 * (CK_ACTIVATION_DOMAIN_MARGIN) inside open domains; each bound is the float nearest to the
 * exact bound ∓ ε.
 */
#ifndef CK_ACTIVATION_CLAMP_H
#define CK_ACTIVATION_CLAMP_H

#define CK_ACT_CLAMP_SIGMOID_LO 1.0e-6f
#define CK_ACT_CLAMP_SIGMOID_HI 0.999999f
#define CK_ACT_CLAMP_PM1_LO (-0.999999f)
#define CK_ACT_CLAMP_PM1_HI 0.999999f
#define CK_ACT_CLAMP_SOFTPLUS_LO 1.0e-6f
#define CK_ACT_CLAMP_ARCTAN_LO (-1.57079532679f)
#define CK_ACT_CLAMP_ARCTAN_HI 1.57079532679f

#endif
