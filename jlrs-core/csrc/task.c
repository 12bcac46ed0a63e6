// Julia tasks: the layout-dependent half of jlrs-core's `task.rs`.

#include <julia.h>
#include <string.h>

int jlrs_core_is_task(jl_value_t *v) { return jl_is_task(v); }

// 0 while the task may still run, 1 once it has returned, 2 once it has failed. The state
// is written by whichever thread runs the task, so it is read atomically.
int jlrs_core_task_state(jl_value_t *t)
{
    jl_sym_t *state = __atomic_load_n(&((jl_task_t *)t)->state, __ATOMIC_ACQUIRE);
    const char *name = jl_symbol_name(state);
    if (strcmp(name, "done") == 0)
        return 1;
    if (strcmp(name, "failed") == 0)
        return 2;
    return 0;
}
