// What the daemon and dockd-media-probe --serve say over their SOCK_SEQPACKET
// socket: one request per probe (with the staged file's descriptor and the
// write end of the answer pipe as SCM_RIGHTS), one reply when the probing
// child has ended. The answer itself goes through the pipe.
#pragma once

#include <cstdint>

namespace dockd::media {

struct ProbeRequest {
    std::uint64_t cpu_seconds = 0;   // RLIMIT_CPU of the child
    std::uint64_t memory_bytes = 0;  // RLIMIT_AS of the child
    std::uint64_t timeout_ms = 0;    // ITIMER_REAL of the child: SIGALRM ends it
};

struct ProbeReply {
    std::int32_t started = 0;  // 0: fork failed (errno in status)
    std::int32_t status = 0;   // wait status of the child
};

}  // namespace dockd::media
