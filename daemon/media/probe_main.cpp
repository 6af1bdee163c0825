// dockd-media-probe: reads one media file on fd 0 with libavformat and prints
// what it holds on fd 1, one `key=value` per line (parsed by probe_output.cpp).
// Hostile media must only ever hurt this process: before the first byte is
// parsed it keeps no other descriptor, limits its CPU time and memory, and
// installs a seccomp filter that kills it on any system call beyond reading
// its input, allocating memory and writing its answer (no open, no socket).
// The daemon kills it after media.probe_timeout.
extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/log.h>
}
#include <fcntl.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

#include "daemon/media/probe_av.hpp"
#include "daemon/media/probe_output.hpp"

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

}  // namespace

int main(int argc, char** argv) {
    // argv: [cpu_seconds] [memory_bytes]
    const rlim_t cpu_s = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 20;
    const rlim_t memory = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : (1ull << 30);
    const bool hooks = [] {
        const char* v = std::getenv("DOCKD_MEDIA_PROBE_TEST_HOOKS");
        return v && std::strcmp(v, "1") == 0;
    }();
    close_range(3, ~0u, 0);  // nothing of the daemon's but the three we were given
    limit(RLIMIT_CPU, cpu_s);
    limit(RLIMIT_AS, memory);
    limit(RLIMIT_CORE, 0);
    limit(RLIMIT_NOFILE, 3);
    av_log_set_level(AV_LOG_QUIET);
    // Time zone read now: the MP4 demuxer formats creation_time through
    // localtime, which would otherwise open /etc/localtime under the filter.
    setenv("TZ", "UTC", 1);
    tzset();
    if (!confine()) {
        answer("detail=probe sandbox could not be installed\nintegrity=unreadable\n");
        return 3;
    }
    run_test_hook(hooks);
    const auto facts = dockd::media::probe_fd(0);
    // write(2), not stdio: stdio asks a character device (/dev/null) whether it
    // is a terminal with ioctl(2), which the filter refuses.
    return answer(dockd::media::format_facts(facts)) ? 0 : 4;
}
