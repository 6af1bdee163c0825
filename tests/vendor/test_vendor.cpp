// A vendor recorder library for the tests: the C interface of
// drivers/sdk/zfy_api.h over a directory ($DOCKD_TEST_VENDOR_DIR), so the
// sdk driver's dlopen path runs against a real shared object.
//   password   the vendor password (wrong one: return 0, iRet 2)
//   zfy.bin    the ZFY_INFO bytes GetZFYInfo copies out (any layout)
//   battery    percent
//   hang       a function name: that call never returns
//   devices    how many recorders the *_ByIndex variants see (default 1)
// Calls leave traces: msdc, synced, written.bin, uninit, and `calls`, one
// line per call in the order the library saw them (GA/T 947 call order).
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include "drivers/sdk/zfy_api.h"

namespace {

std::string dir() {
    const char* d = std::getenv("DOCKD_TEST_VENDOR_DIR");
    return d ? d : ".";
}
std::string slurp(const std::string& name, bool* found = nullptr) {
    std::ifstream in(dir() + "/" + name, std::ios::binary);
    if (found) *found = bool(in);
    return {std::istreambuf_iterator<char>(in), {}};
}
void touch(const std::string& name, const std::string& content = "") {
    std::ofstream(dir() + "/" + name, std::ios::binary) << content;
}
void called(const char* fn) {
    std::ofstream(dir() + "/calls", std::ios::app) << fn << "\n";
}
void maybe_hang(const char* fn) {
    called(fn);
    std::string h = slurp("hang");
    while (!h.empty() && (h.back() == '\n' || h.back() == ' ')) h.pop_back();
    if (h == fn)
        for (;;) pause();
}
bool unlocked(const char* pwd, int* iRet) {
    std::string want = slurp("password");
    while (!want.empty() && want.back() == '\n') want.pop_back();
    if (pwd && want == pwd) return true;
    *iRet = 2;  // wrong password
    return false;
}
bool index_ok(int usb_index, int* iRet) {
    bool found = false;
    const std::string n = slurp("devices", &found);
    const int count = found ? std::atoi(n.c_str()) : 1;
    if (usb_index >= 0 && usb_index < count) return true;
    *iRet = 4;  // no such device
    return false;
}

}  // namespace

extern "C" {

int Init_Device(char* IDCode, int* iRet) {
    maybe_hang("Init_Device");
    std::strcpy(IDCode, "TESTVENDOR-1");
    *iRet = 1;
    return 1;
}

int Init_Device_ByIndex(char* IDCode, int* iRet, int usb_index) {
    if (!index_ok(usb_index, iRet)) return 0;
    return Init_Device(IDCode, iRet);
}

int GetZFYInfo(void* info, char* pwd, int* iRet) {
    std::printf("[vendor] GetZFYInfo called\n");  // chatter on stdout, as real SDKs do
    std::fflush(stdout);
    maybe_hang("GetZFYInfo");
    if (!unlocked(pwd, iRet)) return 0;
    const std::string bytes = slurp("zfy.bin");
    std::memcpy(info, bytes.data(), bytes.size());
    *iRet = 1;
    return 1;
}

int GetZFYInfo_ByIndex(void* info, char* pwd, int* iRet, int usb_index) {
    if (!index_ok(usb_index, iRet)) return 0;
    return GetZFYInfo(info, pwd, iRet);
}

int WriteZFYInfo(void* info, char* pwd, int* iRet) {
    called("WriteZFYInfo");
    if (!unlocked(pwd, iRet)) return 0;
    touch("written.bin", std::string(static_cast<const char*>(info), slurp("zfy.bin").size()));
    *iRet = 1;
    return 1;
}

int SyncDevTime(char* pwd, int* iRet) {
    maybe_hang("SyncDevTime");
    if (!unlocked(pwd, iRet)) return 0;
    touch("synced");
    *iRet = 1;
    return 1;
}

#ifndef TEST_VENDOR_WITHOUT_SETMSDC
int SetMSDC(char* pwd, int* iRet) {
    maybe_hang("SetMSDC");
    if (!unlocked(pwd, iRet)) return 0;
    touch("msdc");
    *iRet = ZFY_MSDC_OK;
    return 1;
}
#endif

int ReadDeviceBatteryDumpEnergy(int* percent, char* pwd, int* iRet) {
    maybe_hang("ReadDeviceBatteryDumpEnergy");
    if (!unlocked(pwd, iRet)) return 0;
    *percent = std::atoi(slurp("battery").c_str());
    *iRet = 1;
    return 1;
}

int UnInit_Device(int* iRet) {
    called("UnInit_Device");
    touch("uninit");
    *iRet = 1;
    return 1;
}

}  // extern "C"
