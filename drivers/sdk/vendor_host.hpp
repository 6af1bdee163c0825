// The daemon's side of dockd-sdk-host: spawns it for one recorder, sends one
// request at a time and waits at most the configured call timeout. A helper
// that does not answer in time is killed (SIGKILL): a hung vendor call can
// only be bounded from outside its process.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "daemon/common/fs.hpp"
#include "daemon/common/result.hpp"

namespace dockd::drivers::sdk {

struct VendorReply {
    int ret = 0;          // the function's return: 1 success, 0 failure
    int iret = 0;         // its status detail
    std::string payload;  // decoded bytes (init, info) or text (battery)
};

class VendorHost {
public:
    static Result<std::unique_ptr<VendorHost>> spawn(const std::filesystem::path& host,
                                                     const std::filesystem::path& library, int usb_index,
                                                     std::chrono::milliseconds timeout);
    ~VendorHost();
    // function names the vendor call for messages ("GetZFYInfo").
    Result<VendorReply> call(const std::string& function, const std::string& request);
    bool alive() const { return pid_ > 0; }
    // Whether the library exports an optional function (SyncDevTime, WriteZFYInfo).
    bool exports(const std::string& function) const;

private:
    VendorHost(pid_t pid, UniqueFd sock, std::chrono::milliseconds timeout)
        : pid_(pid), sock_(std::move(sock)), timeout_(timeout) {}
    Result<std::string> read_line(const std::string& function);
    void kill_host();

    pid_t pid_;
    UniqueFd sock_;  // socketpair end; the helper's stdin and stdout are the other
    std::chrono::milliseconds timeout_;
    std::string buffered_;
    std::string exported_;  // " SyncDevTime WriteZFYInfo " as the helper announced
};

std::string to_hex(std::string_view bytes);
// Where dockd-sdk-host is: beside the running executable, else /usr/libexec/dockd.
std::filesystem::path default_host_path();

}  // namespace dockd::drivers::sdk
