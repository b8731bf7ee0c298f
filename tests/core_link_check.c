/* Linked with every object of wd_core and the core's own libraries only
 * (CMakeLists.txt): the build fails when a core file needs libuv, libzmq,
 * LMDB, hiredis or anything of the shell. Nothing to run. */
int
main(void)
{
    return 0;
}
