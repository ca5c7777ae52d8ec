/* status.c — status strings and the version. */
#include "ck_runtime.h"

const char *ck_status_string(ck_status status) {
    switch (status) {
    case CK_OK: return "success";
    case CK_ERR_NULL_POINTER: return "a required pointer argument is NULL";
    case CK_ERR_BAD_DIMENSION: return "a size argument is negative or inconsistent";
    case CK_ERR_BAD_LEADING_DIMENSION: return "a leading dimension or stride is smaller than the minimum";
    case CK_ERR_BAD_ARGUMENT: return "an argument is outside its domain";
    case CK_ERR_OUT_OF_MEMORY: return "out of memory";
    case CK_ERR_UNSUPPORTED: return "not supported on this CPU or build";
    case CK_ERR_WORKSPACE_TOO_SMALL: return "the workspace is smaller than the queried size";
    }
    return "unknown status code";
}

const char *ck_version(void) { return CK_VERSION_STRING; }
