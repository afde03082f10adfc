/*
 * lwip-peer: lwIP (Debian's liblwip-dev, lwIP 2.1.3 as a shared library) serving the same services as
 * IoTStack's firmware on a TAP device, so the two can be measured side by side (tools/bench-lwip.sh) and
 * the reference is known to work (tests/Interop.Tests/LwipPeerTests.cs).
 *
 *   TCP 7 echo (RFC 862), 9 discard (RFC 863), 19 chargen (RFC 864),
 *   TCP 80 HTTP/1.1 with keep-alive: GET / (a small HTML status page), GET /bytes?n=N (N bytes).
 *
 * usage: lwip-peer TAP [ADDRESS [GATEWAY]]     (defaults 192.0.2.2/24, gateway 192.0.2.1)
 *   The TAP device must exist (ip tuntap add dev TAP mode tap) and carry Linux's side; the peer attaches
 *   to it with a small driver of its own (see tap_output: Debian's tapif corrupts the heap).
 *   LWIP_PEER_NAGLE=1 in the environment leaves Nagle on for HTTP (it is off by default, as the
 *   response goes out in one write anyway).
 *   Numbers on the status page have fixed widths, so its length stays the same (ApacheBench counts a
 *   response of another length as failed).
 *   Prints "lwip-peer ready ADDRESS MAC" once it serves; runs until killed.
 *
 * Debian's lwipopts.h decides the build: NO_SYS 0 (threads, tcpip thread with core locking), the
 * BSD-style socket API as lwip_* functions (LWIP_COMPAT_SOCKETS 0, sockets counted from 1), malloc'd
 * pools (no fixed PCB or socket limits), TCP_MSS 1460, TCP_WND 0xFFFF with window scaling, TCP_SND_BUF =
 * TCP_WND. One thread per connection, blocking calls.
 */
#define _GNU_SOURCE /* strcasestr */
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/sockets.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/pbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <unistd.h>

static struct netif tap;
static int tap_fd = -1;
static time_t started;
static int nagle_for_http;
static sys_sem_t listening; /* signalled by each listener once it listens */

/* Counters shown on the status page; updated without locks (approximate by design). */
static volatile unsigned long requests, connections_open, connections_total;
static volatile unsigned long long echoed, discarded, generated, served;

typedef void (*service_fn)(int socket);

struct listener {
    unsigned short port;
    service_fn serve;
    const char *name;
};

struct connection {
    int socket;
    service_fn serve;
};

/* Writes all of buffer; 0 on success, -1 once the peer is gone. */
static int write_all(int s, const char *buffer, size_t length)
{
    while (length > 0) {
        ssize_t n = lwip_write(s, buffer, length);
        if (n <= 0) {
            return -1;
        }
        buffer += n;
        length -= (size_t)n;
    }
    return 0;
}

static void serve_echo(int s)
{
    char buffer[8192];
    ssize_t n;
    while ((n = lwip_read(s, buffer, sizeof buffer)) > 0) {
        if (write_all(s, buffer, (size_t)n) != 0) {
            return;
        }
        echoed += (unsigned long long)n;
    }
}

static void serve_discard(int s)
{
    char buffer[8192];
    ssize_t n;
    while ((n = lwip_read(s, buffer, sizeof buffer)) > 0) {
        discarded += (unsigned long long)n;
    }
}

/* RFC 864's pattern: lines of 72 printable characters, each starting one further along, CR LF. */
static char chargen_pattern[95 * 74];

static void make_chargen_pattern(void)
{
    for (int line = 0; line < 95; line++) {
        for (int i = 0; i < 72; i++) {
            chargen_pattern[line * 74 + i] = (char)(' ' + (line + i) % 95);
        }
        chargen_pattern[line * 74 + 72] = '\r';
        chargen_pattern[line * 74 + 73] = '\n';
    }
}

static void serve_chargen(int s)
{
    /* The pattern is 7030 bytes and repeats whole, so it is sent as it is, over and over. */
    for (;;) {
        if (write_all(s, chargen_pattern, sizeof chargen_pattern) != 0) {
            return;
        }
        generated += sizeof chargen_pattern;
    }
}

/* Appends to a buffer of fixed size; the result is cut if it does not fit. */
struct text {
    char *data;
    size_t length, size;
};

static void append(struct text *t, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int n = vsnprintf(t->data + t->length, t->size - t->length, format, args);
    va_end(args);
    if (n > 0) {
        t->length += (size_t)n < t->size - t->length ? (size_t)n : t->size - t->length - 1;
    }
}

static void status_page(struct text *t)
{
    const ip4_addr_t *a = netif_ip4_addr(&tap);
    const u8_t *m = tap.hwaddr;
    append(t, "<!DOCTYPE html><html><head><title>lwIP %s</title></head><body><h1>lwIP %s</h1>"
              "<p>address %s, MAC %02x:%02x:%02x:%02x:%02x:%02x, MTU %u, up %10ld s</p>",
           LWIP_VERSION_STRING, LWIP_VERSION_STRING, ip4addr_ntoa(a), m[0], m[1], m[2], m[3], m[4], m[5],
           (unsigned)tap.mtu, (long)(time(NULL) - started));
    append(t, "<h2>Services</h2><table><tr><th>port</th><th>service</th><th>bytes</th></tr>"
              "<tr><td>7</td><td>echo</td><td>%20llu</td></tr><tr><td>9</td><td>discard</td><td>%20llu</td></tr>"
              "<tr><td>19</td><td>chargen</td><td>%20llu</td></tr><tr><td>80</td><td>http</td><td>%20llu</td></tr></table>",
           echoed, discarded, generated, served);
    append(t, "<h2>Counters</h2><table><tr><td>requests</td><td>%10lu</td></tr><tr><td>connections open</td><td>%10lu</td></tr>"
              "<tr><td>connections</td><td>%10lu</td></tr><tr><td>TCP MSS</td><td>%u</td></tr>"
              "<tr><td>TCP window</td><td>%u</td></tr><tr><td>TCP send buffer</td><td>%u</td></tr></table></body></html>\n",
           requests, connections_open, connections_total, (unsigned)TCP_MSS, (unsigned)TCP_WND, (unsigned)TCP_SND_BUF);
}

/* Case-insensitive search for a header value among the request's header lines. */
static int header_has(const char *head, const char *name, const char *value)
{
    size_t name_length = strlen(name);
    for (const char *line = strstr(head, "\r\n"); line != NULL; line = strstr(line + 2, "\r\n")) {
        const char *p = line + 2;
        if (strncasecmp(p, name, name_length) == 0 && p[name_length] == ':') {
            const char *end = strstr(p, "\r\n");
            size_t length = end ? (size_t)(end - p) : strlen(p);
            char copy[256];
            if (length >= sizeof copy) {
                length = sizeof copy - 1;
            }
            memcpy(copy, p, length);
            copy[length] = 0;
            return strcasestr(copy + name_length + 1, value) != NULL;
        }
    }
    return 0;
}

static int respond(int s, int status, const char *reason, const char *type, const char *body, size_t body_length,
                   int keep_alive, unsigned long long stream_length)
{
    char head[512];
    size_t content_length = body ? body_length : (size_t)stream_length;
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nServer: lwIP/%s\r\nContent-Type: %s\r\nContent-Length: %llu\r\nConnection: %s\r\n\r\n",
                     status, reason, LWIP_VERSION_STRING, type, (unsigned long long)content_length,
                     keep_alive ? "keep-alive" : "close");
    if (body != NULL) {
        /* Head and body in one write, so they leave in one segment when they fit. */
        char response[16384];
        if ((size_t)n + body_length <= sizeof response) {
            memcpy(response, head, (size_t)n);
            memcpy(response + n, body, body_length);
            served += body_length;
            return write_all(s, response, (size_t)n + body_length);
        }
        served += body_length;
        return write_all(s, head, (size_t)n) == 0 ? write_all(s, body, body_length) : -1;
    }

    if (write_all(s, head, (size_t)n) != 0) {
        return -1;
    }
    char block[8192];
    memset(block, 'x', sizeof block);
    while (stream_length > 0) {
        size_t chunk = stream_length < sizeof block ? (size_t)stream_length : sizeof block;
        if (write_all(s, block, chunk) != 0) {
            return -1;
        }
        stream_length -= chunk;
        served += chunk;
    }
    return 0;
}

static void serve_http(int s)
{
    char request[4096];
    size_t have = 0;
    if (!nagle_for_http) {
        int one = 1;
        lwip_setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    for (;;) {
        char *end;
        request[have] = 0;
        while ((end = strstr(request, "\r\n\r\n")) == NULL) {
            if (have >= sizeof request - 1) {
                const char *message = "request head too large\n";
                respond(s, 431, "Request Header Fields Too Large", "text/plain", message, strlen(message), 0, 0);
                return;
            }
            ssize_t n = lwip_read(s, request + have, sizeof request - 1 - have);
            if (n <= 0) {
                return;
            }
            have += (size_t)n;
            request[have] = 0;
        }

        size_t head_length = (size_t)(end - request) + 4;
        end[2] = 0; /* the head as a string, its last header line's CR LF kept */
        requests++;

        char method[16], target[1024], version[16];
        int keep_alive = 0;
        int ok = sscanf(request, "%15s %1023s %15s", method, target, version) == 3;
        if (ok) {
            if (strcmp(version, "HTTP/1.1") == 0) {
                keep_alive = !header_has(request, "Connection", "close");
            } else {
                keep_alive = header_has(request, "Connection", "keep-alive");
            }
        }

        int result;
        if (!ok) {
            const char *message = "bad request\n";
            result = respond(s, 400, "Bad Request", "text/plain", message, strlen(message), 0, 0);
            keep_alive = 0;
        } else if (strcmp(method, "GET") != 0) {
            const char *message = "only GET\n";
            result = respond(s, 405, "Method Not Allowed", "text/plain", message, strlen(message), 0, 0);
            keep_alive = 0;
        } else if (strcmp(target, "/") == 0) {
            char page[8192];
            struct text t = { page, 0, sizeof page };
            status_page(&t);
            result = respond(s, 200, "OK", "text/html", page, t.length, keep_alive, 0);
        } else if (strncmp(target, "/bytes?n=", 9) == 0) {
            char *tail;
            unsigned long long count = strtoull(target + 9, &tail, 10);
            if (*tail != 0 || target[9] == 0) {
                const char *message = "n must be a number\n";
                result = respond(s, 400, "Bad Request", "text/plain", message, strlen(message), keep_alive, 0);
            } else {
                result = respond(s, 200, "OK", "application/octet-stream", NULL, 0, keep_alive, count);
            }
        } else {
            const char *message = "not found\n";
            result = respond(s, 404, "Not Found", "text/plain", message, strlen(message), keep_alive, 0);
        }

        if (result != 0 || !keep_alive) {
            return;
        }

        /* Keep what followed the head (a pipelined request); this server takes no request bodies. */
        memmove(request, request + head_length, have - head_length);
        have -= head_length;
    }
}

static void *connection_thread(void *argument)
{
    struct connection c = *(struct connection *)argument;
    free(argument);
    connections_open++;
    connections_total++;
    c.serve(c.socket);
    lwip_close(c.socket);
    connections_open--;
    return NULL;
}

static void *listener_thread(void *argument)
{
    const struct listener *l = argument;
    int s = lwip_socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons(l->port);
    address.sin_addr.s_addr = htonl(INADDR_ANY);
    lwip_setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (s < 0 || lwip_bind(s, (struct sockaddr *)&address, sizeof address) != 0 || lwip_listen(s, 16) != 0) {
        fprintf(stderr, "lwip-peer: cannot listen on %s (%u)\n", l->name, l->port);
        exit(1);
    }
    sys_sem_signal(&listening);
    for (;;) {
        int c = lwip_accept(s, NULL, NULL);
        if (c < 0) {
            continue;
        }
        struct connection *connection = malloc(sizeof *connection);
        pthread_t thread;
        pthread_attr_t attributes;
        connection->socket = c;
        connection->serve = l->serve;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attributes, 256 * 1024);
        if (pthread_create(&thread, &attributes, connection_thread, connection) != 0) {
            lwip_close(c);
            free(connection);
        }
        pthread_attr_destroy(&attributes);
    }
    return NULL;
}

/*
 * The TAP device as lwIP's Ethernet interface. Not Debian's tapif: its receive path (pbuf_alloc from
 * PBUF_POOL, then pbuf_take) writes past the pool buffers the library allocates (valgrind: "invalid write
 * ... after a block of size 616" for any frame above ~600 bytes, then glibc aborts), so frames arrive here
 * in PBUF_RAM pbufs of their exact length, which mem_malloc (glibc's malloc in this build) makes safely
 * from this thread.
 */
static err_t tap_output(struct netif *netif, struct pbuf *p)
{
    char frame[1518];
    if (p->tot_len > sizeof frame) {
        return ERR_IF;
    }
    pbuf_copy_partial(p, frame, p->tot_len, 0);
    return write(tap_fd, frame, p->tot_len) == (ssize_t)p->tot_len ? ERR_OK : ERR_IF;
}

static void *tap_reader(void *argument)
{
    char frame[1518];
    for (;;) {
        ssize_t n = read(tap_fd, frame, sizeof frame);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            perror("lwip-peer: reading the TAP device");
            exit(1);
        }
        struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)n, PBUF_RAM);
        if (p == NULL) {
            continue; /* dropped, as a board out of buffers would */
        }
        pbuf_take(p, frame, (u16_t)n);
        if (tap.input(p, &tap) != ERR_OK) {
            pbuf_free(p);
        }
    }
    return NULL;
}

static err_t tap_init(struct netif *netif)
{
    static const u8_t mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 }; /* IoTStack's default board MAC */
    netif->name[0] = 't';
    netif->name[1] = 'p';
    netif->output = etharp_output;
    netif->output_ip6 = ethip6_output;
    netif->linkoutput = tap_output;
    netif->mtu = 1500;
    netif->hwaddr_len = 6;
    memcpy(netif->hwaddr, mac, 6);
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_IGMP | NETIF_FLAG_LINK_UP;
    return ERR_OK;
}

static int open_tap(const char *name)
{
    struct ifreq request;
    int fd = open("/dev/net/tun", O_RDWR);
    if (fd < 0) {
        perror("lwip-peer: /dev/net/tun");
        return -1;
    }
    memset(&request, 0, sizeof request);
    strncpy(request.ifr_name, name, IFNAMSIZ - 1);
    request.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (ioctl(fd, TUNSETIFF, &request) < 0) {
        perror("lwip-peer: TUNSETIFF");
        close(fd);
        return -1;
    }
    return fd;
}

static void tcpip_ready(void *argument)
{
    sys_sem_signal((sys_sem_t *)argument);
}

int main(int argc, char **argv)
{
    static const struct listener listeners[] = {
        { 7, serve_echo, "echo" },
        { 9, serve_discard, "discard" },
        { 19, serve_chargen, "chargen" },
        { 80, serve_http, "http" },
    };
    ip4_addr_t address, mask, gateway;

    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: %s TAP [ADDRESS [GATEWAY]]   (defaults 192.0.2.2/24 and 192.0.2.1)\n", argv[0]);
        return 2;
    }
    if (!ip4addr_aton(argc > 2 ? argv[2] : "192.0.2.2", &address) || !ip4addr_aton(argc > 3 ? argv[3] : "192.0.2.1", &gateway)) {
        fprintf(stderr, "lwip-peer: not an IPv4 address\n");
        return 2;
    }
    IP4_ADDR(&mask, 255, 255, 255, 0);
    tap_fd = open_tap(argv[1]);
    if (tap_fd < 0) {
        return 1;
    }
    nagle_for_http = getenv("LWIP_PEER_NAGLE") != NULL && strcmp(getenv("LWIP_PEER_NAGLE"), "1") == 0;
    signal(SIGPIPE, SIG_IGN);
    started = time(NULL);
    make_chargen_pattern();

    sys_sem_t ready;
    sys_sem_new(&ready, 0);
    tcpip_init(tcpip_ready, &ready);
    sys_sem_wait(&ready);
    sys_sem_free(&ready);

    LOCK_TCPIP_CORE();
    if (netif_add(&tap, &address, &mask, &gateway, NULL, tap_init, tcpip_input) == NULL) {
        UNLOCK_TCPIP_CORE();
        fprintf(stderr, "lwip-peer: netif_add failed\n");
        return 1;
    }
    netif_set_default(&tap);
    netif_set_up(&tap);
    UNLOCK_TCPIP_CORE();
    pthread_t reader;
    pthread_create(&reader, NULL, tap_reader, NULL);

    pthread_t threads[sizeof listeners / sizeof listeners[0]];
    sys_sem_new(&listening, 0);
    for (size_t i = 0; i < sizeof listeners / sizeof listeners[0]; i++) {
        /* One at a time: the unix port's semaphores are binary (a count above 1 is clamped), so signals from
           several listeners at once would be merged. */
        pthread_create(&threads[i], NULL, listener_thread, (void *)&listeners[i]);
        sys_sem_wait(&listening);
    }

    const u8_t *m = tap.hwaddr;
    printf("lwip-peer ready %s %02x:%02x:%02x:%02x:%02x:%02x (lwIP %s)\n", ip4addr_ntoa(&address), m[0], m[1], m[2], m[3],
           m[4], m[5], LWIP_VERSION_STRING);
    fflush(stdout);
    for (size_t i = 0; i < sizeof listeners / sizeof listeners[0]; i++) {
        pthread_join(threads[i], NULL);
    }
    return 0;
}
