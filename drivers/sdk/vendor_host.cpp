#include "drivers/sdk/vendor_host.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sstream>

extern char** environ;

namespace dockd::drivers::sdk {
namespace {

std::string from_hex(const std::string& h) {
    std::string out;
    if (h == "-") return out;
    for (std::size_t i = 0; i + 1 < h.size(); i += 2)
        out.push_back(static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16)));
    return out;
}

}  // namespace

std::string to_hex(std::string_view bytes) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (unsigned char c : bytes) {
        s += digits[c >> 4];
        s += digits[c & 15];
    }
    return s.empty() ? "-" : s;
}

std::filesystem::path default_host_path() {
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        auto beside = self.parent_path() / "dockd-sdk-host";
        if (std::filesystem::exists(beside, ec)) return beside;
    }
    return "/usr/libexec/dockd/dockd-sdk-host";
}

Result<std::unique_ptr<VendorHost>> VendorHost::spawn(const std::filesystem::path& host,
                                                      const std::filesystem::path& library, int usb_index,
                                                      std::chrono::milliseconds timeout) {
    // A socketpair, not pipes: send(MSG_NOSIGNAL) to a dead helper is an
    // error value, never a SIGPIPE to the daemon.
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return sys_error("socketpair");
    UniqueFd mine(sv[0]), theirs(sv[1]);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, theirs.get(), 0);
    posix_spawn_file_actions_adddup2(&fa, theirs.get(), 1);
    const std::string host_s = host.string(), lib_s = library.string(), index_s = std::to_string(usb_index);
    char* argv[] = {const_cast<char*>(host_s.c_str()), const_cast<char*>(lib_s.c_str()),
                    const_cast<char*>(index_s.c_str()), nullptr};
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, host_s.c_str(), &fa, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    theirs.reset();  // only the helper holds it now: its death reads as EOF
    if (rc != 0) return sys_error("start " + host_s, rc);
    std::unique_ptr<VendorHost> h(new VendorHost(pid, std::move(mine), timeout));
    auto ready = h->read_line("dlopen");
    if (!ready) return ready.error();
    if (*ready != "ready" && !ready->starts_with("ready "))
        return Error{"vendor library " + lib_s + ": " + ready->substr(ready->find(' ') + 1)};
    h->exported_ = ready->substr(5) + " ";
    return h;
}

bool VendorHost::exports(const std::string& function) const {
    return exported_.find(" " + function + " ") != std::string::npos;
}

VendorHost::~VendorHost() {
    if (pid_ <= 0) return;
    shutdown(sock_.get(), SHUT_WR);  // EOF: the helper exits
    for (int i = 0; i < 20; ++i) {
        if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
        usleep(5000);
    }
    kill_host();
}

void VendorHost::kill_host() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
}

Result<std::string> VendorHost::read_line(const std::string& function) {
    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    for (;;) {
        if (auto nl = buffered_.find('\n'); nl != std::string::npos) {
            std::string line = buffered_.substr(0, nl);
            buffered_.erase(0, nl + 1);
            return line;
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{sock_.get(), POLLIN, 0};
        const int n = left.count() > 0 ? poll(&p, 1, static_cast<int>(left.count())) : 0;
        if (n < 0 && errno == EINTR) continue;
        if (n == 0) {
            kill_host();
            return Error{"vendor call " + function + " did not return within " + std::to_string(timeout_.count()) +
                         " ms (helper killed)"};
        }
        char buf[4096];
        const ssize_t got = n > 0 ? recv(sock_.get(), buf, sizeof buf, 0) : -1;
        if (got <= 0) {
            int status = 0;
            const pid_t pid = std::exchange(pid_, -1);
            waitpid(pid, &status, 0);
            return Error{"vendor call " + function + ": helper died (" +
                         (WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status))
                                              : "exit " + std::to_string(WEXITSTATUS(status))) +
                         ")"};
        }
        buffered_.append(buf, static_cast<std::size_t>(got));
    }
}

Result<VendorReply> VendorHost::call(const std::string& function, const std::string& request) {
    if (pid_ <= 0) return Error{"vendor call " + function + ": helper is not running"};
    const std::string line_out = request + "\n";
    for (std::size_t done = 0; done < line_out.size();) {
        const ssize_t n = send(sock_.get(), line_out.data() + done, line_out.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return sys_error("vendor call " + function + ": send to helper");
        done += static_cast<std::size_t>(n);
    }
    auto line = read_line(function);
    if (!line) return line.error();
    std::istringstream in(*line);
    std::string status, payload;
    VendorReply r;
    in >> status;
    if (status != "ok")
        return Error{"vendor call " + function + ": " + line->substr(std::min(line->size(), status.size() + 1))};
    in >> r.ret >> r.iret >> payload;
    if (!in) return Error{"vendor call " + function + ": unreadable answer from helper"};
    r.payload = function == "ReadDeviceBatteryDumpEnergy" ? payload : from_hex(payload);
    return r;
}

}  // namespace dockd::drivers::sdk
