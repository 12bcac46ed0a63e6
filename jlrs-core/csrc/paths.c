// Where the libjulia this process loaded lives, to find the rest of its installation.

#define _GNU_SOURCE
#include <dlfcn.h>

#include <julia.h>

// The path the dynamic loader opened libjulia from, or NULL.
const char *jlrs_core_libjulia_path(void)
{
    Dl_info info;
    if (dladdr((void *)&jl_eval_string, &info) == 0)
        return NULL;
    return info.dli_fname;
}
