// dockd-media-probe --serve: a fork server for media probes. Started once by
// the daemon (loading libavformat and its codec libraries takes ~0.25 s, more
// than probing a file), it waits on its socket (fd 0) for one request at a
// time, forks, and the child reads the one media file it was handed with
// libavformat and prints what it holds on the answer pipe, one `key=value`
// per line (parsed by probe_output.cpp). Hostile media must only ever hurt
// that child: before the first byte is parsed it keeps no other descriptor,
// limits its CPU time and memory, arms a wall-clock timer that ends it at
// media.probe_timeout, and installs a seccomp filter that kills it on any
// system call beyond reading its input, allocating memory and writing its
// answer (no open, no socket). The server itself reads no media.
extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/log.h>
}
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

#include "daemon/media/probe_av.hpp"
#include "daemon/media/probe_output.hpp"
#include "daemon/media/probe_protocol.hpp"

namespace {

// seccomp allow list: everything libavformat needs to demux from memory and
// fd 0. Writes are allowed to fd 1 and 2 only.
bool confine() {
    scmp_filter_ctx f = seccomp_init(SCMP_ACT_KILL_PROCESS);
    if (!f) return false;
    const int allowed[] = {SCMP_SYS(read),           SCMP_SYS(pread64),      SCMP_SYS(lseek),
                           SCMP_SYS(fstat),          SCMP_SYS(newfstatat),   SCMP_SYS(mmap),
                           SCMP_SYS(munmap),         SCMP_SYS(mremap),       SCMP_SYS(brk),
                           SCMP_SYS(madvise),        SCMP_SYS(futex),        SCMP_SYS(clock_gettime),
                           SCMP_SYS(gettimeofday),   SCMP_SYS(getrandom),    SCMP_SYS(sched_getaffinity),
                           SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn), SCMP_SYS(exit),
                           SCMP_SYS(exit_group)};
    // mprotect is allowed only without PROT_EXEC: no JIT in a demuxer.
    bool ok = true;
    for (int sc : allowed) ok = ok && seccomp_rule_add(f, SCMP_ACT_ALLOW, sc, 0) == 0;
    for (scmp_datum_t fd : {1u, 2u})
        ok = ok && seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(write), 1, SCMP_A0(SCMP_CMP_EQ, fd)) == 0;
    ok = ok && seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
                                SCMP_A2(SCMP_CMP_MASKED_EQ, scmp_datum_t{PROT_EXEC}, scmp_datum_t{0})) == 0;
    ok = ok && seccomp_load(f) == 0;
    seccomp_release(f);
    return ok;
}

void limit(int resource, rlim_t value) {
    const rlimit r{value, value};
    setrlimit(resource, &r);
}

// Test hooks, only with DOCKD_MEDIA_PROBE_TEST_HOOKS=1 in the environment and
// a file starting "DOCKD-PROBE-TEST:<hook>": what a hostile file could make a
// vulnerable demuxer do, so the tests can show the sandbox holds.
void run_test_hook(bool enabled) {
    if (!enabled) return;
    char head[64] = {};
    const ssize_t n = pread(0, head, sizeof head - 1, 0);
    if (n <= 0 || std::strncmp(head, "DOCKD-PROBE-TEST:", 17) != 0) return;
    const std::string hook(head + 17, std::strcspn(head + 17, "\r\n "));
    if (hook == "hang")
        for (;;) asm volatile("" ::: "memory");
    if (hook == "crash") {  // a wild write, as a demuxer bug would make (abort() needs tgkill: refused)
        volatile int* wild = nullptr;
        *wild = 1;
    }
    if (hook == "open") (void)syscall(SYS_openat, AT_FDCWD, "/etc/hostname", O_RDONLY);
    if (hook == "socket") (void)syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
    if (hook == "write") (void)syscall(SYS_write, 0, "x", 1);
}

bool answer(const std::string& text) {
    for (std::size_t done = 0; done < text.size();) {
        const ssize_t n = ::write(1, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

// The child's whole life: its input on fd 0, its answer on fd 1.
[[noreturn]] void probe_child(const dockd::media::ProbeRequest& req, bool hooks) {
    close_range(3, ~0u, 0);  // nothing of the server's but the three it was given
    const itimerval deadline{
        {0, 0}, {static_cast<time_t>(req.timeout_ms / 1000), static_cast<suseconds_t>(req.timeout_ms % 1000 * 1000)}};
    setitimer(ITIMER_REAL, &deadline, nullptr);  // SIGALRM, default action: the child ends
    limit(RLIMIT_CPU, req.cpu_seconds);
    limit(RLIMIT_AS, req.memory_bytes);
    limit(RLIMIT_CORE, 0);
    limit(RLIMIT_NOFILE, 3);
    if (!confine()) {
        answer("detail=probe sandbox could not be installed\nintegrity=unreadable\n");
        _exit(3);
    }
    run_test_hook(hooks);
    const auto facts = dockd::media::probe_fd(0);
    // write(2), not stdio: stdio asks a character device (/dev/null) whether it
    // is a terminal with ioctl(2), which the filter refuses.
    _exit(answer(dockd::media::format_facts(facts)) ? 0 : 4);
}

// One request: the message and its two descriptors. false at EOF (the daemon is gone).
bool next_request(dockd::media::ProbeRequest& req, int& input, int& output) {
    for (;;) {
        alignas(cmsghdr) char control[CMSG_SPACE(2 * sizeof(int))] = {};
        iovec iov{&req, sizeof req};
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        const ssize_t n = recvmsg(0, &msg, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        const cmsghdr* c = CMSG_FIRSTHDR(&msg);
        if (n != sizeof req || !c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(2 * sizeof(int))) {
            if (c && c->cmsg_type == SCM_RIGHTS)  // a malformed request's descriptors are not kept
                for (std::size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); ++i)
                    ::close(reinterpret_cast<const int*>(CMSG_DATA(c))[i]);
            continue;
        }
        std::memcpy(&input, CMSG_DATA(c), sizeof(int));
        std::memcpy(&output, CMSG_DATA(c) + sizeof(int), sizeof(int));
        return true;
    }
}

int serve(bool hooks) {
    const pid_t server = getpid();
    dockd::media::ProbeRequest req;
    int input = -1, output = -1;
    while (next_request(req, input, output)) {
        dockd::media::ProbeReply reply;
        const pid_t child = fork();
        if (child == 0) {
            // Dies with the server (which dies with the daemon's socket): no orphan probes.
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != server) _exit(5);
            if (dup2(input, 0) < 0 || dup2(output, 1) < 0) _exit(6);
            probe_child(req, hooks);
        }
        ::close(input);
        ::close(output);
        if (child < 0) {
            reply.status = errno;
        } else {
            reply.started = 1;
            while (waitpid(child, &reply.status, 0) < 0 && errno == EINTR) {
            }
        }
        if (send(0, &reply, sizeof reply, MSG_NOSIGNAL) != sizeof reply) return 0;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2 || std::strcmp(argv[1], "--serve") != 0) {
        const char usage[] = "usage: dockd-media-probe --serve (started by dockd, its socket on fd 0)\n";
        (void)!::write(2, usage, sizeof usage - 1);
        return 2;
    }
    const bool hooks = [] {
        const char* v = std::getenv("DOCKD_MEDIA_PROBE_TEST_HOOKS");
        return v && std::strcmp(v, "1") == 0;
    }();
    close_range(3, ~0u, 0);
    signal(SIGPIPE, SIG_IGN);
    // Probing yields the CPU to the copy and hash of the offload (issue 14:
    // it must not slow ingest): the server and every child run at SCHED_IDLE,
    // below any nice level. Lowering one's own priority needs no privilege.
    const sched_param idle{};
    if (sched_setscheduler(0, SCHED_IDLE, &idle) != 0) {
        const char warn[] = "dockd-media-probe: SCHED_IDLE refused; probing at normal priority\n";
        (void)!::write(2, warn, sizeof warn - 1);
    }
    av_log_set_level(AV_LOG_QUIET);
    // Time zone read now, once for every child: the MP4 demuxer formats
    // creation_time through localtime, which would otherwise open
    // /etc/localtime under the filter.
    setenv("TZ", "UTC", 1);
    tzset();
    return serve(hooks);
}
