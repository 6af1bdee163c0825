#include "daemon/media/prober.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "daemon/common/fs.hpp"
#include "daemon/media/probe_output.hpp"

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

MediaFacts probe_file(const std::filesystem::path& helper, const std::filesystem::path& file,
                      const ProbeLimits& limits) {
    // The helper gets the file as its stdin, opened here read-only: it never
    // needs (and its filter never allows) open(2) of its own.
    UniqueFd input(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK));
    if (!input) return failed("cannot open staged copy: " + std::string(std::strerror(errno)));
    fcntl(input.get(), F_SETFL, 0);  // O_NONBLOCK only so a FIFO cannot block the open
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) return failed("pipe: " + std::string(std::strerror(errno)));
    UniqueFd answer(pipe_fds[0]), theirs(pipe_fds[1]);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, input.get(), 0);
    posix_spawn_file_actions_adddup2(&fa, theirs.get(), 1);
    const std::string helper_s = helper.string(), cpu = std::to_string(limits.cpu.count()),
                      memory = std::to_string(limits.memory_bytes);
    char* argv[] = {const_cast<char*>(helper_s.c_str()), const_cast<char*>(cpu.c_str()),
                    const_cast<char*>(memory.c_str()), nullptr};
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, helper_s.c_str(), &fa, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    theirs.reset();
    input.reset();
    if (rc != 0) return failed("cannot start " + helper_s + ": " + std::strerror(rc));
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + limits.timeout;
    bool in_time = read_answer(answer.get(), deadline, limits, text);
    int status = 0;
    // A helper that closed its stdout is given the rest of its time to exit.
    while (in_time && waitpid(pid, &status, WNOHANG) != pid) {
        if (std::chrono::steady_clock::now() >= deadline)
            in_time = false;
        else
            usleep(2000);
    }
    if (!in_time) {
        kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    if (!in_time)
        return failed("probe helper killed after " + std::to_string(limits.timeout.count()) + " ms without an answer");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return failed(death(status));
    return parse_facts(text);
}

}  // namespace dockd::media
