#include "drivers/sdk/sdk_recorder.hpp"

#include <sys/stat.h>

#include <cstdio>

#include "daemon/common/fs.hpp"
#include "daemon/common/log.hpp"

namespace dockd::drivers::sdk {

Result<std::string> read_password(const std::filesystem::path& file) {
    if (file.empty()) return std::string();
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) return sys_error("password_file " + file.string());
    if (st.st_mode & 077) return Error{"password_file " + file.string() + ": readable by others (needs mode 0600)"};
    auto text = read_file(file);
    if (!text) return text.error();
    auto nl = text->find('\n');
    return text->substr(0, nl);
}

SdkRecorder::SdkRecorder(std::shared_ptr<usb::BaySlot> slot, SdkOptions opt)
    : slot_(std::move(slot)), opt_(std::move(opt)) {}

Result<VendorHost*> SdkRecorder::host() {
    if (host_ && host_->alive()) return host_.get();
    if (!password_) {
        auto pwd = read_password(opt_.password_file);
        if (!pwd) return pwd.error().context(where());
        password_ = *pwd;
    }
    const auto dev = slot_->current();
    const int index = dev ? dev->usb_index : 0;
    auto h = VendorHost::spawn(opt_.host, opt_.library, index, opt_.call_timeout);
    if (!h) return h.error().context(where());
    host_ = std::move(*h);
    return host_.get();
}

Result<VendorReply> SdkRecorder::vendor(const std::string& function, const std::string& request) {
    auto h = host();
    if (!h) return h.error();
    auto r = (*h)->call(function, request);
    if (!r) return r.error().context(where());
    return r;
}

Result<Identity> SdkRecorder::identify() {
    std::lock_guard lock(mu_);
    auto init = vendor("Init_Device", "init");
    if (!init) return init.error();
    if (init->ret != 1) return Error{where() + ": Init_Device failed (iRet " + std::to_string(init->iret) + ")"};
    const std::string pwd = to_hex(*password_);
    auto info = vendor("GetZFYInfo", "info " + std::to_string(zfy_size(opt_.layout)) + " " + pwd);
    if (!info) return info.error();
    if (info->ret != 1)
        return Error{where() + ": GetZFYInfo refused (iRet " + std::to_string(info->iret) +
                     ": wrong vendor password?)"};
    auto zfy = decode_zfy(info->payload, opt_.layout);
    if (!zfy) return zfy.error().context(where() + ": GetZFYInfo");
    auto bat = vendor("ReadDeviceBatteryDumpEnergy", "battery " + pwd);
    if (!bat) return bat.error();
    const int percent = bat->ret == 1 ? std::atoi(bat->payload.c_str()) : -1;
    if (bat->ret != 1 || percent < 0 || percent > 100)
        return Error{where() + ": ReadDeviceBatteryDumpEnergy: no valid level (ret " + std::to_string(bat->ret) +
                     ", iRet " + std::to_string(bat->iret) + ", " + bat->payload + ")"};
    battery_ = percent;
    zfy_ = *zfy;
    if (auto h = host()) can_sync_ = (*h)->exports("SyncDevTime");
    const auto dev = slot_->current();
    Identity id;
    id.serial = zfy->serial;
    id.vendor = dev ? dev->manufacturer : "";
    id.model = dev ? dev->product : "";
    if (dev) {
        char fw[16];
        std::snprintf(fw, sizeof fw, "%x.%02x", dev->bcd_device >> 8, dev->bcd_device & 0xff);
        id.firmware = fw;
    }
    id.officer = Officer{zfy->officer_no, zfy->officer_name, zfy->unit_no, zfy->unit_name};
    return id;
}

// The vendor library's reading while its interface is up; after the switch
// to mass storage the level is no longer readable (unknown, DESIGN §12).
Result<std::optional<int>> SdkRecorder::battery_percent() {
    std::lock_guard lock(mu_);
    if (ums_) return ums_->battery_percent();
    if (battery_) return battery_;
    return Error{where() + ": battery unknown before identify"};
}

bool SdkRecorder::clock_set_before_media() const {
    return can_sync_;
}

Result<bool> SdkRecorder::write_officer(const Officer& officer) {
    std::lock_guard lock(mu_);
    if (!opt_.write_officer) return false;
    if (ums_ || !zfy_) return Error{where() + ": WriteZFYInfo only before SetMSDC"};
    auto h = host();
    if (!h) return h.error();
    if (!(*h)->exports("WriteZFYInfo")) return Error{where() + ": the vendor library does not export WriteZFYInfo"};
    ZfyInfo next = *zfy_;
    next.officer_no = officer.no;
    next.officer_name = officer.name;
    next.unit_no = officer.unit_no;
    next.unit_name = officer.unit_name;
    auto bytes = encode_zfy(next, opt_.layout);
    if (!bytes) return bytes.error().context(where());
    auto r = vendor("WriteZFYInfo", "write " + to_hex(*bytes) + " " + to_hex(*password_));
    if (!r) return r.error();
    if (r->ret != 1) return Error{where() + ": WriteZFYInfo failed (iRet " + std::to_string(r->iret) + ")"};
    zfy_ = next;
    return true;
}

Result<Recorder*> SdkRecorder::storage_mode() {
    std::lock_guard lock(mu_);
    if (ums_) return ums_.get();
    if (!battery_) return Error{where() + ": not identified"};
    const auto before = slot_->current();
    // The recorder vanishes and comes back as a mass-storage device: the bay
    // keeps its docking through that (drivers/usb).
    slot_->expect_reenumeration(opt_.mode_switch_timeout);
    auto r = vendor("SetMSDC", "msdc " + to_hex(*password_));
    if (!r || r->ret != 1 || r->iret != 7) slot_->expect_reenumeration(std::chrono::milliseconds(0));
    if (!r) return r.error();
    // GA/T 947 SetMSDC: iRet 7 = switched to mass storage.
    if (r->ret != 1 || r->iret != 7)
        return Error{where() + ": SetMSDC failed (ret " + std::to_string(r->ret) + ", iRet " + std::to_string(r->iret) +
                     ")"};
    (void)vendor("UnInit_Device", "uninit");
    host_.reset();
    auto back = slot_->wait_for(
        [&](const usb::UsbDeviceInfo& i) { return !before || i.address != before->address || i.pid != before->pid; },
        opt_.mode_switch_timeout);
    if (!back)
        return Error{where() + ": SetMSDC accepted but no mass-storage device appeared within " +
                     std::to_string(opt_.mode_switch_timeout.count()) + " ms"};
    if (!opt_.continue_as_ums) return Error{where() + ": no mass-storage driver to continue with"};
    ums_ = opt_.continue_as_ums(slot_);
    return ums_.get();
}

Result<StorageInfo> SdkRecorder::storage() {
    auto u = storage_mode();
    if (!u) return u.error();
    return (*u)->storage();
}

// The standard interface has no clock read, and mass storage has none either:
// the offset is unknown (DESIGN §12), read without switching modes.
Result<std::optional<DeviceTime>> SdkRecorder::read_clock() {
    return std::optional<DeviceTime>();
}

// SyncDevTime while the vendor interface is still up (the bay calls this
// before storage when clock_set_before_media()); after the switch to mass
// storage, the time file.
Result<void> SdkRecorder::set_clock(SystemTime now) {
    {
        std::lock_guard lock(mu_);
        if (!ums_ && can_sync_) {
            auto r = vendor("SyncDevTime", "sync " + to_hex(password_.value_or("")));
            if (!r) return r.error();
            if (r->ret != 1) return Error{where() + ": SyncDevTime failed (iRet " + std::to_string(r->iret) + ")"};
            return {};
        }
    }
    auto u = storage_mode();
    if (!u) return u.error();
    return (*u)->set_clock(now);
}

Result<std::vector<MediaEntry>> SdkRecorder::list_media() {
    auto u = storage_mode();
    if (!u) return u.error();
    return (*u)->list_media();
}

Result<std::unique_ptr<MediaReader>> SdkRecorder::open_media(const MediaEntry& entry) {
    auto u = storage_mode();
    if (!u) return u.error();
    return (*u)->open_media(entry);
}

Result<void> SdkRecorder::remove_media(const MediaEntry& entry) {
    auto u = storage_mode();
    if (!u) return u.error();
    return (*u)->remove_media(entry);
}

}  // namespace dockd::drivers::sdk
