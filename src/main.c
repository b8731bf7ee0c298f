/* wiredesk: a thin main over the library; see src/cli.c. */
#include "wd/cli.h"

int
main(int argc, char **argv)
{
    return wd_cli_main(argc, argv);
}
