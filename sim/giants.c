/* giants.c - placeholder so the month compiles while this phase is written; it
 * does nothing yet (see phases.h for what it will do). */
#include "phases.h"

void giants_run(world *w)
{
    (void)w;
}
