/*
 * ck_api.h — CK_API, the mark on every public ck_ function, and the library version.
 *
 * The library is built with hidden symbol visibility (CMake: C_VISIBILITY_PRESET hidden; SwiftPM,
 * which takes no compiler flags from a dependable package: `#pragma GCC visibility push(hidden)`
 * in the internal headers), so a shared libckernels exports exactly the functions declared with
 * CK_API in include/ and nothing else. Consumers see CK_API as the same attribute, which is
 * harmless on a declaration.
 *
 * The version below is the single source of the version: CMake reads these three lines for
 * project(VERSION), the SONAME (libckernels.so.MAJOR) and the pkg-config/CMake package versions,
 * and ck_version() returns them as a string.
 */
#ifndef CK_API_H
#define CK_API_H

#if defined(_WIN32)
#  define CK_API
#elif defined(__GNUC__) || defined(__clang__)
#  define CK_API __attribute__((visibility("default")))
#else
#  define CK_API
#endif

/** Library version (semantic versioning; while MAJOR is 0 a MINOR release may change the API). */
#define CK_VERSION_MAJOR 0
#define CK_VERSION_MINOR 1
#define CK_VERSION_PATCH 0

/** The version as one comparable integer, MAJOR * 10000 + MINOR * 100 + PATCH. */
#define CK_VERSION_NUMBER (CK_VERSION_MAJOR * 10000 + CK_VERSION_MINOR * 100 + CK_VERSION_PATCH)

#define CK_VERSION_STRINGIFY_(x) #x
#define CK_VERSION_STRINGIFY(x) CK_VERSION_STRINGIFY_(x)
/** The version as a string literal, "MAJOR.MINOR.PATCH": compare with ck_version() at run time
 *  to check that the headers a program was compiled with match the library it loaded. */
#define CK_VERSION_STRING CK_VERSION_STRINGIFY(CK_VERSION_MAJOR) "." \
    CK_VERSION_STRINGIFY(CK_VERSION_MINOR) "." CK_VERSION_STRINGIFY(CK_VERSION_PATCH)

#endif /* CK_API_H */
