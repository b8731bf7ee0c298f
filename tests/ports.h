/* Free TCP ports on loopback for a worker under test or under a bench,
 * chosen below the kernel's ephemeral range (shared by tests/worker.h and
 * bench/pipeline_bench.c). */
#ifndef WD_TEST_PORTS_H
#define WD_TEST_PORTS_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* The first port of the kernel's ephemeral range (the ports a client
 * connection is given), from /proc; 32768 when it cannot be read. */
static inline int
ephemeral_low(void)
{
    int low = 32768, high;
    FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
    if (f) {
        if (fscanf(f, "%d %d", &low, &high) != 2)
            low = 32768;
        fclose(f);
    }
    return low;
}

/* n distinct ports free now, below the ephemeral range: a port the kernel
 * hands out to connections could be taken, by another test's client,
 * between a worker's kill -9 and its restart on the same ports (a worker
 * once died so, "Address already in use"); these never are. Random, so
 * that tests running side by side rarely try the same ones; each is bound
 * to check it is free, and held until every port is chosen (all
 * different); at most 16. */
static inline void
free_ports(int n, int *ports)
{
    static uint64_t x;
    if (!x) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        x = ((uint64_t)getpid() << 32) ^ (uint64_t)ts.tv_nsec ^
            (uint64_t)ts.tv_sec ^ 0x9e3779b97f4a7c15ULL;
    }
    if (n > 16) {
        fprintf(stderr, "free_ports: %d ports asked, 16 at most\n", n);
        exit(2);
    }
    int low = 10000, high = ephemeral_low();
    int fds[16];
    for (int i = 0; i < n && i < 16; i++) {
        fds[i] = -1;
        for (int tries = 0; fds[i] < 0 && tries < 1000; tries++) {
            int fd = socket(AF_INET, SOCK_STREAM, 0);
            struct sockaddr_in a = {.sin_family = AF_INET};
            a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            /* (Port 0, the kernel's choice, when the range leaves no
             * room below it.) */
            int p =
                high - low > 1000 ? low + (int)(x % (uint64_t)(high - low)) : 0;
            a.sin_port = htons((uint16_t)p);
            socklen_t len = sizeof a;
            if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
                getsockname(fd, (struct sockaddr *)&a, &len) == 0) {
                fds[i] = fd;
                ports[i] = ntohs(a.sin_port);
            } else if (fd >= 0) {
                close(fd);
            }
        }
        if (fds[i] < 0) {
            perror("free_ports");
            exit(2);
        }
    }
    for (int i = 0; i < n && i < 16; i++)
        close(fds[i]);
}

static inline int
free_port(void)
{
    int p;
    free_ports(1, &p);
    return p;
}

#endif
