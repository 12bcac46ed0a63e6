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

// Exported by libjulia 1.5, missing from its headers.
extern void *jl_RTLD_DEFAULT_handle;

// Opens the system image `path` as Julia will (`jl_preload_sysimg_so`: local, every
// symbol bound now), runs Julia's own consistency check (`jl_set_sysimg_so`: the image's
// `jl_RTLD_DEFAULT_handle_pointer` points at this libjulia's `jl_RTLD_DEFAULT_handle`)
// and looks for the data every Julia 1.5 system image holds. NULL if it
// is one; with `keep` it then stays open, and Julia's own `dlopen` finds it loaded (else
// it is closed again). Otherwise the reason, valid until the next `dlerror` on this
// thread, and Julia never sees the file: Julia would end the process when it fails to
// load its image.
const char *jlrs_core_check_image(const char *path, int keep)
{
    void *handle = dlopen(path, RTLD_LOCAL | RTLD_NOW);
    if (handle == NULL) {
        const char *err = dlerror();
        return err != NULL ? err : "dlopen failed";
    }
    void **rtld_default = dlsym(handle, "jl_RTLD_DEFAULT_handle_pointer");
    if (rtld_default == NULL || *rtld_default != (void *)&jl_RTLD_DEFAULT_handle) {
        dlclose(handle);
        return "it is a shared library, but not a system image of the libjulia this "
               "program loaded (Julia's consistency check fails)";
    }
    if (dlsym(handle, "jl_system_image_data") == NULL ||
        dlsym(handle, "jl_system_image_size") == NULL) {
        dlclose(handle);
        return "it is a shared library, but not a Julia system image (it has no "
               "jl_system_image_data)";
    }
    if (!keep)
        dlclose(handle);
    return NULL;
}
