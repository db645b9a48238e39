/* land.c - placeholder so the month compiles while this phase is written; it
 * does nothing yet (see phases.h for what it will do). */
#include "phases.h"

void land_run(world *w)
{
    (void)w;
}
