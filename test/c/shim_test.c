/*
 * shim_test.c - exercises libcsock.a from C: every shim call on real kernel objects over
 * loopback, the result blocks in both ownership modes, the ERANGE growth path, and a send
 * to a dead peer with SIGPIPE at its default action (the process must live). Built plain,
 * and with -fsanitize=address,undefined by `make test`.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "csock.h"

static int failures;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);  \
            failures++;                                                               \
        }                                                                             \
    } while (0)

/* The string at off in a result block, "(none)" for offset 0 (CSOCK_STR's NULL). */
static const char *str(const void *block, uint32_t off)
{
    const char *s = CSOCK_STR(block, off);
    return s != NULL ? s : "(none)";
}

static struct sockaddr_in loop4(int port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static void test_socketpair(void)
{
    int fds[2];
    char buf[8];
    CHECK(csock_socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    CHECK(csock_get_cloexec(fds[0]) == 1);
    CHECK(csock_send(fds[0], "ping", 4, 0) == 4);
    CHECK(csock_recv(fds[1], buf, sizeof buf, 0) == 4 && memcmp(buf, "ping", 4) == 0);
    CHECK(csock_close(fds[1]) == 0);
    /* SIGPIPE is at its default action here: without MSG_NOSIGNAL the process would die. */
    CHECK(csock_send(fds[0], "x", 1, 0) == -EPIPE);
    CHECK(csock_close(fds[0]) == 0);
    CHECK(csock_close(fds[0]) == -EBADF);
}

static void test_poll(void)
{
    int fds[2];
    CHECK(csock_socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    CHECK(csock_poll(fds[0], POLLIN, 0) == 0);
    CHECK(csock_poll(fds[0], POLLIN | POLLOUT, 0) == POLLOUT);
    CHECK(csock_send(fds[1], "x", 1, 0) == 1);
    CHECK(csock_poll(fds[0], POLLIN, 1000) == POLLIN);
    /* Bits beyond pollfd's short are refused, not dropped (POLLIN would be asked alone). */
    CHECK(csock_poll(fds[0], 0x10000 | POLLIN, 0) == -EINVAL);
    CHECK(csock_poll(fds[0], -1, 0) == -EINVAL);
    CHECK(csock_close(fds[1]) == 0);
    CHECK((csock_poll(fds[0], 0, 0) & POLLHUP) != 0);
    CHECK((csock_get_status_flags(fds[0]) & O_ACCMODE) == O_RDWR);
    CHECK(csock_close(fds[0]) == 0);
    CHECK(csock_poll(fds[0], POLLIN, 0) == POLLNVAL);
    CHECK(csock_get_status_flags(fds[0]) == -EBADF);
}

static void test_tcp(void)
{
    int l = csock_socket(AF_INET, SOCK_STREAM, 0);
    CHECK(l >= 0);
    struct sockaddr_in a = loop4(0);
    CHECK(csock_bind(l, (struct sockaddr *)&a, sizeof a) == 0);
    CHECK(csock_listen(l, 4) == 0);
    csock_addr name;
    CHECK(csock_getsockname(l, &name) == 0);
    CHECK(name.family == AF_INET && strcmp(name.host, "127.0.0.1") == 0 && name.port > 0);

    int c = csock_socket(AF_INET, SOCK_STREAM, 0);
    a = loop4(name.port);
    CHECK(csock_connect(c, (struct sockaddr *)&a, sizeof a) == 0);
    csock_addr peer, cname;
    int s = csock_accept(l, &peer, 0);
    CHECK(s >= 0);
    CHECK(csock_getsockname(c, &cname) == 0);
    CHECK(peer.port == cname.port && strcmp(peer.host, cname.host) == 0);
    CHECK(csock_setsockopt_int(c, IPPROTO_TCP, TCP_NODELAY, 1) == 0);
    int v = 0;
    CHECK(csock_getsockopt_int(c, IPPROTO_TCP, TCP_NODELAY, &v) == 0 && v == 1);
    struct linger lg = {1, 3}, lg2;
    CHECK(csock_setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) == 0);
    CHECK(csock_getsockopt(c, SOL_SOCKET, SO_LINGER, &lg2, sizeof lg2) == (int)sizeof lg2);
    CHECK(lg2.l_onoff == 1 && lg2.l_linger == 3);
    int fam, typ, proto;
    CHECK(csock_sockinfo(s, &fam, &typ, &proto) == 0);
    CHECK(fam == AF_INET && typ == SOCK_STREAM && proto == IPPROTO_TCP);

    char buf[16];
    CHECK(csock_send(c, "hello", 5, 0) == 5);
    CHECK(csock_recv(s, buf, sizeof buf, 0) == 5);
    CHECK(csock_shutdown(c, SHUT_WR) == 0);
    CHECK(csock_recv(s, buf, sizeof buf, 0) == 0);
    CHECK(csock_getpeername(l, &peer) == -ENOTCONN);
    CHECK(csock_set_nonblock(s, 1) == 0 && csock_get_nonblock(s) == 1);
    int d = csock_dup(s);
    CHECK(d >= 0 && csock_get_cloexec(d) == 1);
    CHECK(csock_set_cloexec(d, 0) == 0 && csock_get_cloexec(d) == 0);
    csock_close(d);
    csock_close(s);
    csock_close(c);
    csock_close(l);

    /* Nothing listens on the port any more. */
    c = csock_socket(AF_INET, SOCK_STREAM, 0);
    CHECK(csock_connect(c, (struct sockaddr *)&a, sizeof a) == -ECONNREFUSED);
    csock_close(c);
}

static void test_udp_and_unix(void)
{
    int s = csock_socket(AF_INET6, SOCK_DGRAM, 0), c = csock_socket(AF_INET6, SOCK_DGRAM, 0);
    struct sockaddr_in6 a;
    memset(&a, 0, sizeof a);
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    CHECK(csock_bind(s, (struct sockaddr *)&a, sizeof a) == 0);
    csock_addr name, from;
    CHECK(csock_getsockname(s, &name) == 0 && strcmp(name.host, "::1") == 0);
    a.sin6_port = htons((uint16_t)name.port);
    CHECK(csock_sendto(c, "dgram", 5, 0, (struct sockaddr *)&a, sizeof a) == 5);
    char buf[16];
    CHECK(csock_recvfrom(s, buf, sizeof buf, 0, &from) == 5);
    CHECK(from.family == AF_INET6 && strcmp(from.host, "::1") == 0 && from.port > 0);
    CHECK(csock_recv(s, buf, sizeof buf, MSG_DONTWAIT) == -EAGAIN);
    csock_close(s);
    csock_close(c);

    int u = csock_socket(AF_UNIX, SOCK_SEQPACKET, 0);
    struct sockaddr_un un;
    memset(&un, 0, sizeof un);
    un.sun_family = AF_UNIX;
    const char abstract[] = "\0csock-c-test";
    memcpy(un.sun_path, abstract, sizeof abstract - 1);
    socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + sizeof abstract - 1);
    CHECK(csock_bind(u, (struct sockaddr *)&un, len) == 0);
    CHECK(csock_getsockname(u, &name) == 0 && name.rawlen == len && name.family == AF_UNIX);
    csock_close(u);
}

/* A netlink socket in one group: Linux reports NETLINK_LIST_MEMBERSHIPS's full bitmap size
 * (8 bytes) even into a 1-byte buffer; the shim reports only what fits. */
static void test_getsockopt_reports_at_most_buflen(void)
{
    int fd = csock_socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    CHECK(csock_setsockopt_int(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, 1) == 0);
    unsigned char buf[16];
    memset(buf, 0xAA, sizeof buf);
    CHECK(csock_getsockopt(fd, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, buf, 1) == 1);
    CHECK(buf[1] == 0xAA);
    CHECK(csock_getsockopt(fd, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, buf, sizeof buf) >= 4);
    CHECK(buf[0] == 1);
    csock_close(fd);
}

static void test_getaddrinfo(void)
{
    csock_addrinfo_list *list;
    csock_rstatus st;
    /* No buffer: the shim allocates the block. */
    CHECK(csock_getaddrinfo(NULL, "80", AF_UNSPEC, 0, 0, AI_PASSIVE, NULL, 0, &list, &st) == 0);
    CHECK(list != NULL && list->count == 6);
    if (list != NULL) {
        CHECK(strcmp(list->entry[0].addr.host, "0.0.0.0") == 0 && list->entry[0].addr.port == 80);
        csock_free(list);
    }
    /* A buffer large enough: the block lands in it. */
    static _Alignas(8) char buf[8192];
    CHECK(csock_getaddrinfo("127.0.0.1", "http", AF_INET, SOCK_STREAM, 0, AI_CANONNAME, buf,
                            sizeof buf, &list, &st) == 0);
    CHECK((void *)list == (void *)buf);
    CHECK(list->count == 1 && strcmp(str(list, list->entry[0].canonname), "127.0.0.1") == 0);
    /* A buffer too small: an allocated block, freed once. */
    CHECK(csock_getaddrinfo("127.0.0.1", "80", AF_INET, 0, 0, 0, buf, 16, &list, NULL) == 0);
    CHECK((void *)list != (void *)buf && list->count == 3);
    csock_free(list);
    CHECK(csock_getaddrinfo("127.0.0.1", "nosuchservice", AF_INET, SOCK_STREAM, 0, 0, NULL, 0,
                            &list, &st) == EAI_SERVICE && list == NULL);
    CHECK(strcmp(csock_gai_strerror(EAI_SERVICE), gai_strerror(EAI_SERVICE)) == 0);

    struct sockaddr_in a = loop4(80);
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    CHECK(csock_getnameinfo((struct sockaddr *)&a, sizeof a, host, sizeof host, serv, sizeof serv,
                            NI_NUMERICHOST, &st) == 0);
    CHECK(strcmp(host, "127.0.0.1") == 0 && strcmp(serv, "http") == 0);
}

static void test_netdb(void)
{
    csock_hostent *h;
    csock_rstatus st;
    /* bufhint 1 forces the ERANGE growth path. */
    for (size_t hint = 0; hint < 2; hint++) {
        CHECK(csock_gethostbyname("localhost", hint, NULL, 0, &h, &st) == 0);
        if (h != NULL) {
            CHECK(strcmp(str(h, h->name), "localhost") == 0 && h->naddrs >= 1);
            const uint32_t *addrs = (const uint32_t *)((const char *)h + h->addrs);
            CHECK(strcmp(str(h, addrs[0]), "127.0.0.1") == 0);
            csock_free(h);
        }
        unsigned char lo[4] = {127, 0, 0, 1};
        CHECK(csock_gethostbyaddr(lo, 4, AF_INET, hint, NULL, 0, &h, &st) == 0);
        csock_free(h);
        CHECK(csock_getservbyname("http", "tcp", hint) == 80);
        char name[32];
        CHECK(csock_getservbyport(22, "tcp", name, sizeof name, hint) == 3 && strcmp(name, "ssh") == 0);
        CHECK(csock_getservbyport(22, "tcp", name, 2, hint) == -ERANGE);
        /* Ports beyond 16 bits have no service, not that of their low 16 bits (80). */
        CHECK(csock_getservbyport(65536 + 80, "tcp", name, sizeof name, hint) == -ENOENT);
        CHECK(csock_getservbyport(-65536 + 80, "tcp", name, sizeof name, hint) == -ENOENT);
        CHECK(csock_getservbyport(-1, NULL, name, sizeof name, hint) == -ENOENT);
        CHECK(csock_getprotobyname("udp", hint) == IPPROTO_UDP);
    }
    CHECK(csock_gethostbyname("<broadcast>", 0, NULL, 0, &h, &st) == CSOCK_NOTFOUND && h == NULL);
    CHECK(st.herr == HOST_NOT_FOUND && strcmp(csock_hstrerror(st.herr), hstrerror(HOST_NOT_FOUND)) == 0);
    CHECK(csock_getservbyname("nosuchservice", NULL, 0) == -ENOENT);
    CHECK(csock_getprotobyname("nosuchproto", 0) == -ENOENT);

    char text[64];
    CHECK(csock_gethostname(text, sizeof text) > 0);
    CHECK(csock_gethostname(text, 1) == -ENAMETOOLONG);
    unsigned char a6[16];
    CHECK(csock_inet_pton(AF_INET6, "::1.2.3.4", a6) == 1);
    CHECK(csock_inet_ntop(AF_INET6, a6, text, sizeof text) == 9 && strcmp(text, "::1.2.3.4") == 0);
    CHECK(csock_inet_pton(AF_INET, "127.1", a6) == 0);
    CHECK(csock_inet_pton(AF_UNIX, "127.0.0.1", a6) == -EAFNOSUPPORT);
    CHECK(csock_inet_aton("127.1", a6) == 1 && a6[0] == 127 && a6[3] == 1);
    CHECK(csock_strerror(ECONNREFUSED, text, sizeof text) > 0 && strcmp(text, strerror(ECONNREFUSED)) == 0);

    csock_if_list *ifs;
    CHECK(csock_if_nameindex(NULL, 0, &ifs) == 0 && ifs->count >= 1);
    if (ifs != NULL) {
        char ifname[IF_NAMESIZE];
        const char *first = str(ifs, ifs->entry[0].name);
        CHECK(csock_if_nametoindex(first) == (int)ifs->entry[0].index);
        CHECK(csock_if_indextoname(ifs->entry[0].index, ifname, sizeof ifname) == (int)strlen(first));
        csock_free(ifs);
    }
    CHECK(csock_if_nametoindex("nosuchif0") == -ENODEV);
    CHECK(csock_if_indextoname(99999, text, sizeof text) == -ENXIO);
}

int main(void)
{
    signal(SIGPIPE, SIG_DFL);
    test_socketpair();
    test_poll();
    test_tcp();
    test_udp_and_unix();
    test_getsockopt_reports_at_most_buflen();
    test_getaddrinfo();
    test_netdb();
    if (failures != 0) {
        fprintf(stderr, "shim_test: %d failures\n", failures);
        return 1;
    }
    printf("shim_test: ok\n");
    return 0;
}
