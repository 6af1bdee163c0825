#include "drivers/usb/bay_slot.hpp"

namespace dockd::drivers::usb {

std::optional<UsbDeviceInfo> BaySlot::current() const {
    std::lock_guard lock(mu_);
    return device_;
}

std::optional<UsbDeviceInfo> BaySlot::wait_for(const std::function<bool(const UsbDeviceInfo&)>& pred,
                                               std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return device_ && pred(*device_); })) return std::nullopt;
    return device_;
}

void BaySlot::expect_reenumeration(std::chrono::milliseconds window) {
    std::lock_guard lock(mu_);
    expect_until_ = std::chrono::steady_clock::now() + window;
}

int BaySlot::note_command(bool ok) {
    std::lock_guard lock(mu_);
    failures_ = ok ? 0 : failures_ + 1;
    return failures_;
}

void BaySlot::set(UsbDeviceInfo info) {
    {
        std::lock_guard lock(mu_);
        device_ = std::move(info);
    }
    cv_.notify_all();
}

void BaySlot::clear() {
    {
        std::lock_guard lock(mu_);
        device_.reset();
    }
    cv_.notify_all();
}

bool BaySlot::reenumeration_expected(std::chrono::steady_clock::time_point now) const {
    std::lock_guard lock(mu_);
    return now < expect_until_;
}

std::chrono::steady_clock::time_point BaySlot::reenumeration_deadline() const {
    std::lock_guard lock(mu_);
    return expect_until_;
}

}  // namespace dockd::drivers::usb
