/*
 * loadgen: an HTTP/1.1 load generator for scripts/bench_pinned.py that reads responses in large chunks.
 *
 * wrk and h2load both read responses 8 KiB at a time: for a 1 MiB answer that is about 130 read(2) calls, and on
 * a 2-core machine the client's core then bounds the rate before the server's does (the client needs about as much
 * CPU per 1 MiB answer as the server). loadgen replays one raw request on C keep-alive connections, one request in
 * flight per connection (as wrk does), reads with a 1 MiB buffer, reconnects when the server closes, and prints
 * what bench_pinned.py parses:
 *   requests N / non2xx N / errors N / seconds F / p50_us N / p99_us N / status_CODE N (each non-2xx status seen)
 *
 * Usage: loadgen -p PORT -c CONNECTIONS -d SECONDS -r REQUEST_FILE   (REQUEST_FILE: the whole request, head and body)
 * Responses must carry Content-Length (chunked answers count as errors, and the connection is reopened).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum phase { SENDING, HEAD, BODY };

struct conn {
    int fd;
    enum phase phase;
    size_t sent;
    char head[65536];
    size_t headlen;
    long long remaining;
    int close_after;
    int status;
    long long started_us;
};

static char *request;
static size_t request_len;
static int port;
static int epfd;
static long long *latencies;
static size_t latency_count, latency_cap;
static long long requests_done, non2xx, errors;
static long long status_counts[600];

static long long now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void open_conn(struct conn *c) {
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c->fd < 0) { perror("socket"); exit(2); }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c->fd, (struct sockaddr *)&addr, sizeof addr) < 0 && errno != EINPROGRESS) { perror("connect"); exit(2); }
    c->phase = SENDING;
    c->sent = 0;
    c->headlen = 0;
    c->started_us = now_us();
    struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};
    epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev);
}

static void reopen(struct conn *c) {
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    open_conn(c);
}

static void watch(struct conn *c, unsigned events) {
    struct epoll_event ev = {.events = events, .data.ptr = c};
    epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Parses the head in c->head[0..end): status, Content-Length, Connection: close. Returns 0, or -1 if unusable. */
static int parse_head(struct conn *c, size_t end) {
    c->head[end] = 0;
    if (strncmp(c->head, "HTTP/1.", 7) != 0 || end < 12) return -1;
    c->status = atoi(c->head + 9);
    c->remaining = -1;
    c->close_after = strncmp(c->head, "HTTP/1.0", 8) == 0;
    for (char *line = strstr(c->head, "\r\n"); line && line + 2 < c->head + end; line = strstr(line + 2, "\r\n")) {
        char *field = line + 2;
        if (strncasecmp(field, "content-length:", 15) == 0) c->remaining = atoll(field + 15);
        else if (strncasecmp(field, "connection:", 11) == 0) {
            char *value = field + 11;
            while (*value == ' ') value++;
            if (strncasecmp(value, "close", 5) == 0) c->close_after = 1;
            else if (strncasecmp(value, "keep-alive", 10) == 0) c->close_after = 0;
        } else if (strncasecmp(field, "transfer-encoding:", 18) == 0) return -1;
    }
    return c->remaining < 0 ? -1 : 0;
}

static void finished(struct conn *c, long long deadline) {
    long long t = now_us();
    if (t <= deadline) {
        requests_done++;
        if (c->status < 200 || c->status >= 300) non2xx++;
        if (c->status >= 100 && c->status < 600) status_counts[c->status]++;
        if (latency_count < latency_cap) latencies[latency_count++] = t - c->started_us;
    }
    if (c->close_after) { reopen(c); return; }
    c->phase = SENDING;
    c->sent = 0;
    c->headlen = 0;
    c->started_us = t;
    watch(c, EPOLLOUT);
}

static int compare(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    int connections = 32;
    double seconds = 10;
    const char *path = NULL;
    int opt;
    while ((opt = getopt(argc, argv, "p:c:d:r:")) != -1) {
        if (opt == 'p') port = atoi(optarg);
        else if (opt == 'c') connections = atoi(optarg);
        else if (opt == 'd') seconds = atof(optarg);
        else if (opt == 'r') path = optarg;
    }
    if (!port || !path || connections < 1) { fprintf(stderr, "usage: loadgen -p PORT -c N -d SECONDS -r FILE\n"); return 2; }
    FILE *file = fopen(path, "rb");
    if (!file) { perror(path); return 2; }
    fseek(file, 0, SEEK_END);
    request_len = (size_t)ftell(file);
    rewind(file);
    request = malloc(request_len);
    if (fread(request, 1, request_len, file) != request_len) { perror("read"); return 2; }
    fclose(file);
    latency_cap = 20000000;
    latencies = malloc(latency_cap * sizeof *latencies);
    size_t bufsize = 1 << 20;
    char *buf = malloc(bufsize);

    epfd = epoll_create1(0);
    struct conn *conns = calloc((size_t)connections, sizeof *conns);
    long long start = now_us(), deadline = start + (long long)(seconds * 1e6);
    for (int i = 0; i < connections; i++) open_conn(&conns[i]);
    struct epoll_event events[256];
    while (now_us() < deadline) {
        int n = epoll_wait(epfd, events, 256, 100);
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (c->phase == SENDING) {
                ssize_t w = write(c->fd, request + c->sent, request_len - c->sent);
                if (w < 0) {
                    if (errno == EAGAIN) continue;
                    errors++;
                    reopen(c);
                    continue;
                }
                c->sent += (size_t)w;
                if (c->sent == request_len) { c->phase = HEAD; watch(c, EPOLLIN); }
                continue;
            }
            ssize_t r;
            if (c->phase == HEAD) r = read(c->fd, c->head + c->headlen, sizeof c->head - 1 - c->headlen);
            else r = read(c->fd, buf, c->remaining < (long long)bufsize ? (size_t)c->remaining : bufsize);
            if (r < 0 && errno == EAGAIN) continue;
            if (r <= 0) { /* closed or failed mid-response: reopen (an idle keep-alive close is not an error) */
                if (c->phase == BODY || c->headlen > 0) errors++;
                reopen(c);
                continue;
            }
            if (c->phase == HEAD) {
                c->headlen += (size_t)r;
                char *end = memmem(c->head, c->headlen, "\r\n\r\n", 4);
                if (!end) {
                    if (c->headlen >= sizeof c->head - 1) { errors++; reopen(c); }
                    continue;
                }
                size_t headend = (size_t)(end - c->head) + 4;
                size_t extra = c->headlen - headend;
                if (parse_head(c, headend) < 0) { errors++; reopen(c); continue; }
                c->remaining -= (long long)extra;
                c->phase = BODY;
            } else {
                c->remaining -= r;
            }
            if (c->remaining <= 0) finished(c, deadline);
        }
    }
    double elapsed = (double)(now_us() - start) / 1e6;
    qsort(latencies, latency_count, sizeof *latencies, compare);
    long long p50 = latency_count ? latencies[latency_count / 2] : 0;
    long long p99 = latency_count ? latencies[(size_t)((double)latency_count * 0.99)] : 0;
    printf("requests %lld\nnon2xx %lld\nerrors %lld\nseconds %.3f\np50_us %lld\np99_us %lld\n", requests_done, non2xx,
           errors, elapsed, p50, p99);
    for (int status = 100; status < 600; status++)
        if (status_counts[status] && (status < 200 || status >= 300)) printf("status_%d %lld\n", status, status_counts[status]);
    return 0;
}
