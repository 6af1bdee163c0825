// dockd-sdk-host: loads one vendor recorder library and runs its calls for
// the daemon, one request line in, one answer line out. A vendor call that
// hangs or crashes takes only this process down: the daemon kills it after
// drivers[].call_timeout and puts the bay in fault.
//
//   dockd-sdk-host LIBRARY USB_INDEX     (USB_INDEX -1: the plain functions)
//   -> "ready [SyncDevTime] [WriteZFYInfo]" (the optional functions exported) | "fail <why>"
//   init | info <bytes> <pwd-hex> | battery <pwd-hex> | sync <pwd-hex> |
//   write <zfy-hex> <pwd-hex> | msdc <pwd-hex> | uninit
//   -> "ok <ret> <iRet> <hex payload>" | "fail <why>"
#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "drivers/sdk/zfy_api.h"

namespace {

std::string to_hex(const unsigned char* p, std::size_t n) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (std::size_t i = 0; i < n; ++i) {
        s += digits[p[i] >> 4];
        s += digits[p[i] & 15];
    }
    return s.empty() ? "-" : s;
}

std::vector<char> from_hex(const std::string& h) {
    std::vector<char> out;
    if (h != "-")
        for (std::size_t i = 0; i + 1 < h.size(); i += 2)
            out.push_back(static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16)));
    out.push_back('\0');
    return out;
}

struct Api {
    Init_Device_fn init = nullptr;
    Init_Device_ByIndex_fn init_at = nullptr;
    GetZFYInfo_fn info = nullptr;
    GetZFYInfo_ByIndex_fn info_at = nullptr;
    SyncDevTime_fn sync = nullptr;
    WriteZFYInfo_fn write = nullptr;
    SetMSDC_fn msdc = nullptr;
    ReadDeviceBatteryDumpEnergy_fn battery = nullptr;
    UnInit_Device_fn uninit = nullptr;
};

template <class F>
bool load(void* lib, const char* name, F& out, bool required, std::string& missing) {
    out = reinterpret_cast<F>(dlsym(lib, name));
    if (!out && required && missing.empty()) missing = name;
    return out != nullptr;
}

// The protocol's own stream: vendor libraries print to stdout freely, so
// fd 1 is pointed at stderr (the journal) and answers use a private copy.
FILE* g_out = stdout;

void say(const std::string& line) {
    std::fputs((line + "\n").c_str(), g_out);
    std::fflush(g_out);
}

void reply(int ret, int iret, const std::string& hex) {
    say("ok " + std::to_string(ret) + " " + std::to_string(iret) + " " + hex);
}

}  // namespace

int main(int argc, char** argv) {
    const int proto = dup(1);
    if (proto < 0 || dup2(2, 1) < 0 || !(g_out = fdopen(proto, "w"))) return 4;
    if (argc != 3) {
        say("fail usage: dockd-sdk-host LIBRARY USB_INDEX");
        return 2;
    }
    const int index = std::atoi(argv[2]);
    void* lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        say(std::string("fail dlopen: ") + dlerror());
        return 3;
    }
    Api api;
    std::string missing;
    load(lib, "Init_Device", api.init, true, missing);
    load(lib, "GetZFYInfo", api.info, true, missing);
    load(lib, "SetMSDC", api.msdc, true, missing);
    load(lib, "ReadDeviceBatteryDumpEnergy", api.battery, true, missing);
    load(lib, "UnInit_Device", api.uninit, true, missing);
    load(lib, "SyncDevTime", api.sync, false, missing);
    load(lib, "WriteZFYInfo", api.write, false, missing);
    load(lib, "Init_Device_ByIndex", api.init_at, false, missing);
    load(lib, "GetZFYInfo_ByIndex", api.info_at, false, missing);
    if (!missing.empty()) {
        say("fail library lacks required symbol " + missing);
        return 3;
    }
    say(std::string("ready") + (api.sync ? " SyncDevTime" : "") + (api.write ? " WriteZFYInfo" : ""));

    std::string line;
    while (std::getline(std::cin, line)) {
        std::istringstream in(line);
        std::string op, a, b;
        in >> op >> a >> b;
        int iret = 0;
        if (op == "init") {
            unsigned char id[ZFY_IDCODE_BYTES + 1] = {};
            char* p = reinterpret_cast<char*>(id);
            const int ret = index >= 0 && api.init_at ? api.init_at(p, &iret, index) : api.init(p, &iret);
            std::size_t n = 0;
            while (n < ZFY_IDCODE_BYTES && id[n]) ++n;
            reply(ret, iret, to_hex(id, n));
        } else if (op == "info") {
            const std::size_t size = std::stoul(a);
            // Room beyond the configured layout: a library built for the
            // other layout writes a few bytes more instead of corrupting us.
            std::vector<unsigned char> buf(size + 64, 0);
            auto pwd = from_hex(b);
            const int ret = index >= 0 && api.info_at ? api.info_at(buf.data(), pwd.data(), &iret, index)
                                                      : api.info(buf.data(), pwd.data(), &iret);
            reply(ret, iret, to_hex(buf.data(), size));
        } else if (op == "battery") {
            auto pwd = from_hex(a);
            int percent = -1;
            const int ret = api.battery(&percent, pwd.data(), &iret);
            reply(ret, iret, std::to_string(percent));
        } else if (op == "sync") {
            if (!api.sync) {
                say("fail library does not export SyncDevTime");
                continue;
            }
            auto pwd = from_hex(a);
            const int ret = api.sync(pwd.data(), &iret);
            reply(ret, iret, "-");
        } else if (op == "write") {
            if (!api.write) {
                say("fail library does not export WriteZFYInfo");
                continue;
            }
            auto info = from_hex(a);
            auto pwd = from_hex(b);
            const int ret = api.write(info.data(), pwd.data(), &iret);
            reply(ret, iret, "-");
        } else if (op == "msdc") {
            auto pwd = from_hex(a);
            const int ret = api.msdc(pwd.data(), &iret);
            reply(ret, iret, "-");
        } else if (op == "uninit") {
            const int ret = api.uninit(&iret);
            reply(ret, iret, "-");
        } else {
            say("fail unknown request " + op);
        }
    }
    return 0;
}
