#include "daemon/media/prober.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

#include "daemon/common/fs.hpp"
#include "daemon/media/probe_output.hpp"
#include "daemon/media/probe_protocol.hpp"

extern char** environ;

namespace dockd::media {
namespace {

constexpr std::size_t max_answer_bytes = 64 << 10;

MediaFacts failed(std::string why) {
    MediaFacts f;
    f.detail = std::move(why);
    return f;
}

std::string death(int status) {
    if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        if (sig == SIGSYS) return "probe helper refused a system call (seccomp) and was killed";
        if (sig == SIGXCPU) return "probe helper ran out of CPU time";
        return "probe helper died: signal " + std::to_string(sig);
    }
    return "probe helper exited " + std::to_string(WEXITSTATUS(status));
}

bool cancelled(const ProbeLimits& limits) {
    return limits.cancel && limits.cancel->load();
}

// Reads the helper's answer until EOF; false at the deadline or on cancel.
bool read_answer(int fd, std::chrono::steady_clock::time_point deadline, const ProbeLimits& limits, std::string& out) {
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || cancelled(limits)) return false;
        pollfd p{fd, POLLIN, 0};
        const int n = poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 200)));
        if (n < 0 && errno == EINTR) continue;
        if (n == 0) continue;  // deadline and cancel are checked at the top
        if (n < 0) return true;
        char buf[4096];
        const ssize_t got = ::read(fd, buf, sizeof buf);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return true;
        if (out.size() < max_answer_bytes) out.append(buf, static_cast<std::size_t>(got));
    }
}

}  // namespace

std::filesystem::path default_probe_path() {
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        auto beside = self.parent_path() / "dockd-media-probe";
        if (std::filesystem::exists(beside, ec)) return beside;
    }
    return "/usr/libexec/dockd/dockd-media-probe";
}

std::string ProbeServer::start() {
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0)
        return "socketpair: " + std::string(std::strerror(errno));
    UniqueFd ours(pair[0]), theirs(pair[1]);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, theirs.get(), 0);
    const std::string helper_s = helper_.string();
    char serve[] = "--serve";
    char* argv[] = {const_cast<char*>(helper_s.c_str()), serve, nullptr};
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, helper_s.c_str(), &fa, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) return "cannot start " + helper_s + ": " + std::strerror(rc);
    pid_ = pid;
    socket_ = std::move(ours);
    return {};
}

void ProbeServer::stop() {
    socket_.reset();
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
}

namespace {

bool send_request(int socket, const ProbeRequest& req, int input, int output) {
    alignas(cmsghdr) char control[CMSG_SPACE(2 * sizeof(int))] = {};
    iovec iov{const_cast<ProbeRequest*>(&req), sizeof req};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(2 * sizeof(int));
    const int fds[2] = {input, output};
    std::memcpy(CMSG_DATA(c), fds, sizeof fds);
    for (;;) {
        const ssize_t n = sendmsg(socket, &msg, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        return n == sizeof req;
    }
}

// The server's reply, until the deadline. lost: it closed the socket (it died).
std::optional<ProbeReply> read_reply(int socket, std::chrono::steady_clock::time_point deadline,
                                     const ProbeLimits& limits, bool& lost) {
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || cancelled(limits)) return std::nullopt;
        pollfd p{socket, POLLIN, 0};
        const int n = poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 200)));
        if (n < 0 && errno == EINTR) continue;
        if (n == 0) continue;
        ProbeReply reply;
        const ssize_t got = recv(socket, &reply, sizeof reply, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got == sizeof reply) return reply;
        lost = true;
        return std::nullopt;
    }
}

MediaFacts facts_of(const ProbeReply& reply, const std::string& text, const ProbeLimits& limits) {
    if (!reply.started) return failed("probe helper could not fork: " + std::string(std::strerror(reply.status)));
    const int status = reply.status;
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)  // its own timer: the deadline
        return failed("probe helper killed after " + std::to_string(limits.timeout.count()) + " ms without an answer");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return failed(death(status));
    return parse_facts(text);
}

}  // namespace

std::optional<MediaFacts> ProbeServer::exchange(const std::filesystem::path& file, const ProbeLimits& limits) {
    // The child gets the file as its stdin, opened here read-only: it never
    // needs (and its filter never allows) open(2) of its own.
    UniqueFd input(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK));
    if (!input) return failed("cannot open staged copy: " + std::string(std::strerror(errno)));
    fcntl(input.get(), F_SETFL, 0);  // O_NONBLOCK only so a FIFO cannot block the open
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) return failed("pipe: " + std::string(std::strerror(errno)));
    UniqueFd answer(pipe_fds[0]), theirs(pipe_fds[1]);
    if (pid_ <= 0)
        if (auto why = start(); !why.empty()) return failed(why);
    const ProbeRequest req{static_cast<std::uint64_t>(limits.cpu.count()), limits.memory_bytes,
                           static_cast<std::uint64_t>(std::max<std::int64_t>(limits.timeout.count(), 1))};
    if (!send_request(socket_.get(), req, input.get(), theirs.get())) {
        stop();
        return std::nullopt;
    }
    theirs.reset();  // the child holds the only write end: EOF when it ends
    input.reset();
    // The child ends itself at the timeout (SIGALRM); the grace covers the
    // server's fork and reap. A server past even that is killed and replaced.
    const auto deadline = std::chrono::steady_clock::now() + limits.timeout + std::chrono::seconds(2);
    std::string text;
    bool lost = false;
    const bool ended = read_answer(answer.get(), deadline, limits, text);
    const auto reply = ended ? read_reply(socket_.get(), deadline, limits, lost) : std::nullopt;
    if (reply) return facts_of(*reply, text, limits);
    stop();
    if (lost) return std::nullopt;
    if (cancelled(limits)) return failed("probe cancelled");
    return failed("probe helper killed after " + std::to_string(limits.timeout.count()) + " ms without an answer");
}

MediaFacts ProbeServer::probe(const std::filesystem::path& file, const ProbeLimits& limits) {
    std::lock_guard lock(mutex_);
    // A server lost mid-request (killed from outside, OOM) says nothing about
    // the file: it is asked again of a new server, once.
    for (int attempt = 0; attempt < 2; ++attempt)
        if (auto facts = exchange(file, limits)) return std::move(*facts);
    return failed("probe helper server was lost twice while probing this file");
}

MediaFacts probe_file(const std::filesystem::path& helper, const std::filesystem::path& file,
                      const ProbeLimits& limits) {
    ProbeServer server(helper);
    return server.probe(file, limits);
}

}  // namespace dockd::media
